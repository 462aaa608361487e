/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon on the system bus (docs/architecture.md): org.tdxd.Tdx1 served from a Manager.
 * The service connects, registers the interface, takes the name, and becomes the manager's
 * publisher: every change the manager hands over leaves here as PropertiesChanged, a signal
 * or a method reply. Callers of this header need no sd-bus. */

#include "manager.h"

struct bus_service;

/* Connect to the system bus on the manager's event loop. */
int bus_service_new(Manager *m, struct bus_service **ret);
struct bus_service *bus_service_free(struct bus_service *s);
static inline void bus_service_freep(struct bus_service **s) {
	if (*s)
		bus_service_free(*s);
}

/* The introspection XML of the interface, as the daemon serves it (for --bus-introspect). */
int bus_introspect(char **ret);
