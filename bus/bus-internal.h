/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the files of the bus service; not for use outside bus/. */

#include <systemd/sd-bus.h>

#include "bus-service.h"

struct polkit_query;
struct bus_systemd;

struct bus_service {
	Manager *m;
	sd_bus *bus;

	/* Refresh() (bus-refresh.c): each call is answered when the probe it waits for is
	 * published; at most one full probe per second, callers inside the window wait for the
	 * next and share it. */
	sd_event_source *refresh_timer;
	struct pending_refresh *pending_refresh;
	size_t n_pending_refresh, n_pending_refresh_alloc;

	/* The EnableTDX() call answered when the sequence ends. */
	sd_bus_message *pending_enable;
	/* The UpdateModule() call answered when the kernel has taken the image. */
	sd_bus_message *pending_update;

	/* Method calls waiting for polkit's answer (bus-polkit.c). */
	struct polkit_query *polkit_queries;

	/* The systemd units the attestation checks judge (bus-systemd.c); NULL under --root. */
	struct bus_systemd *systemd;
};

/* bus-manager.c: the org.tdxd.Tdx1.Manager interface. */
extern const sd_bus_vtable bus_manager_vtable[];

/* bus-refresh.c */
int bus_method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* The manager published a probe: answer the calls it satisfies. */
void bus_refresh_answer(struct bus_service *s);
void bus_refresh_done(struct bus_service *s);

/* bus-polkit.c: may the caller of `call` do `action`? 1: yes, go on; 0: polkit was asked,
 * return 1 from the handler (the call is dispatched again when it answers); <0: no, `error`
 * says which action is needed. `what` names the method for the sentence. */
int bus_verify_polkit(struct bus_service *s, sd_bus_message *call, const char *action,
                      const char *what, sd_bus_error *error);
void bus_polkit_done(struct bus_service *s);

/* bus-systemd.c: the states of QuoteServiceUnit= and pccs.service, asked from systemd and
 * followed through its PropertiesChanged, handed to manager_set_unit_state(). Not under
 * --root (there the files alone are judged). */
int bus_systemd_start(struct bus_service *s);
/* Ask both units again (and follow another QuoteServiceUnit= after a reload). */
void bus_systemd_ask(struct bus_service *s);
void bus_systemd_done(struct bus_service *s);
/* bus-publish.c: UpdateModule()'s refusals and failures as named errors. */
int bus_module_update_error(const struct module_update_outcome *o, sd_bus_error *error);

/* bus-publish.c: the manager's publisher. */
void bus_publisher_install(struct bus_service *s);
