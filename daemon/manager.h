/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's context: one Manager holds the event loop, the bus, the udev monitor, the
 * config, the last probe and the status published from it. The policies (cpu-guard.c,
 * memory-gate.c) and the enable sequence (kmod-loader.c) act on it; bus/manager-bus.c serves
 * it on D-Bus. */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "host.h"
#include "status.h"

struct udev;
struct udev_monitor;
struct uevent;
struct kmod_loader;
struct memory_gate;

typedef struct Manager {
	sd_event *event;
	sd_bus *bus;

	/* "/" on a real host; a fixture tree under --root (then: no module loading, no real
	 * uevents, no /dev/kvm). */
	char *root;
	bool test_root;
	char *config_path;
	bool config_path_explicit;
	struct tdxd_config config;

	/* Kernel events: libudev on a real host, a FIFO of "ACTION DEVPATH" lines under --root. */
	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *monitor_source;
	char *uevents_path;
	int uevents_fd;
	sd_event_source *uevents_source;
	char uevents_buf[4096];
	size_t uevents_len;

	sd_event_source *sighup_source;

	/* The last probe and what was published from it. */
	struct tdx_host host;
	struct tdx_status status;
	bool have_status;
	struct enable_progress enable;

	/* Refresh() rate limit: at most one full probe per second; callers inside the window wait
	 * for the next probe and share it. */
	uint64_t last_probe_usec;
	sd_event_source *refresh_timer;
	sd_event_source *deferred_probe;
	sd_bus_message **pending_refresh;
	size_t n_pending_refresh, n_pending_refresh_alloc;

	struct kmod_loader *loader;
	struct memory_gate *gate;
	/* The CPU guard's own OfflineCPU() in flight: its kernel offline event is expected, and
	 * in warn mode already signalled (cpu-guard.c). */
	bool cpu_guard_offline_pending;
	unsigned cpu_guard_offline_cpu;

	bool ready_notified;

	/* What was last written to /run/tdxd, to rewrite only on change. */
	char *saved_state, *saved_cpu_package, *saved_kernel_log, *saved_nfd;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
	if (*m)
		manager_free(*m);
}

/* Probe the host again, derive the status, publish what changed (PropertiesChanged, the
 * /run/tdxd files, sd_notify STATUS). */
int manager_probe(Manager *m);
/* Probe again shortly, once for a burst of events. */
void manager_schedule_probe(Manager *m);
/* Re-read only the KeyID usage and re-derive (UsedKeyIDs is read fresh on every Get). */
int manager_refresh_usage(Manager *m);
/* Re-derive from the current probe (after the enable progress changed). */
int manager_rederive(Manager *m);

/* Tell systemd READY=1 with a STATUS= line once the first probe is published and the enable
 * sequence has finished. Safe to call repeatedly. */
void manager_notify_status(Manager *m);

/* A kernel event (udev or the test FIFO), dispatched to the CPU guard, the memory gate, or a
 * re-probe. */
void manager_handle_uevent(Manager *m, const struct uevent *ev);

/* Emit the policy signals (spec section 3). */
int manager_emit_cpu_offline_blocked(Manager *m, unsigned cpu, int package, const char *action);
int manager_emit_memory_refused(Manager *m, const char *device, uint64_t address, uint64_t size,
                                const char *reason);

/* bus/manager-bus.c */
int manager_bus_register(Manager *m);
/* The introspection XML of the interface, as the daemon serves it (for --bus-introspect). */
int manager_bus_introspect(char **ret);
