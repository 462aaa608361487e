/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's context (docs/architecture.md): one Manager holds the event loop, the config,
 * the last probe and the status derived from it, and the policies' state. It is the one place
 * that probes the host, applies what the policies return, and hands every change to its
 * publisher (the D-Bus service in bus/, or a test's recorder). Nothing below it calls up into
 * it, and it knows nothing of D-Bus. */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "attestation.h"
#include "config.h"
#include "cpu-guard.h"
#include "enable-sequence.h"
#include "host.h"
#include "memory-gate.h"
#include "module-update.h"
#include "probe-worker.h"
#include "run-files.h"
#include "status.h"
#include "uevent.h"

struct uevent_source;

/* Where the manager's changes go. Every member may be NULL. */
struct manager_publisher {
	void *userdata;
	/* The status was derived anew: old -> new (publish what differs). */
	void (*status_changed)(void *userdata, const struct tdx_status *old,
	                       const struct tdx_status *new);
	/* CPUOfflineBlocked: action is "re-onlined", "warned" or "refused". */
	void (*cpu_offline_blocked)(void *userdata, unsigned cpu, int package, const char *action);
	/* MemoryRefused */
	void (*memory_refused)(void *userdata, const struct memory_refusal_note *n);
	/* An enable sequence ended (at start-up or for an EnableTDX() call). */
	void (*enable_finished)(void *userdata, const struct enable_outcome *o);
	/* The systemd units the attestation checks judge should be asked about again (Refresh,
	 * GetCapabilities, a reloaded QuoteServiceUnit=): answers come back through
	 * manager_set_unit_state(). */
	void (*units_stale)(void *userdata);
	/* The UpdateModule() call is answered: the kernel took the image (o->error is NONE),
	 * or it was refused before (o->error, o->message). */
	void (*module_update_accepted)(void *userdata, const struct module_update_outcome *o);
	/* ModuleUpdateFinished: an update the kernel took has ended (o->result, versions). */
	void (*module_update_finished)(void *userdata, const struct module_update_outcome *o);
	/* A probe has ended and what it read is published: every probe numbered up to
	 * probe_done is answered (manager_probe_async()); probe_error says how the last ended. */
	void (*probe_done)(void *userdata);
};

/* The systemd units whose states the attestation checks judge. */
enum manager_unit {
	MANAGER_UNIT_QUOTE, /* QuoteServiceUnit= */
	MANAGER_UNIT_PCCS,  /* pccs.service */
	_MANAGER_UNIT_MAX,
};

typedef struct Manager {
	sd_event *event;
	struct manager_publisher publisher;

	/* "/" on a real host; a fixture tree under --root (then: no module loading, no real
	 * uevents, no /dev/kvm). */
	char *root;
	bool test_root;
	char *config_path;
	bool config_path_explicit;
	struct tdxd_config config;

	struct uevent_source *uevents;

	/* The last probe and what was derived from it. */
	struct tdx_host host;
	struct tdx_status status;
	bool have_status;
	uint64_t last_probe_usec;
	struct enable_progress enable;

	/* The misc.current of the last probe, kept open for manager_refresh_usage() (-1: not
	 * open yet, or gone): a property read costs one pread(), not an open and two reads. */
	int usage_fd;
	bool usage_replaceable;
	const char *usage_path;

	/* A burst of kernel events is followed by one probe, this long after its first event. */
	sd_event_source *deferred_probe;

	/* Probes are numbered as they start; probe_done is the newest whose result (or a newer
	 * one's) is published, probe_error how the last ended. The probes that kernel events and
	 * Refresh() ask for run in the worker, off the loop; one asked for while the worker runs
	 * is the next (probe_again). probe_gate: tests only (probe-worker.h). */
	struct probe_worker *prober;
	sd_event_source *probe_source;
	uint64_t probe_started, probe_done, probe_worker_seq;
	int probe_error;
	bool probe_again;
	const char *probe_gate;

	/* The enable sequence and the event sources that drive it. */
	struct enable_sequence *sequence;
	sd_event_source *enable_done_source, *enable_extend_source;

	/* The runtime module update and the source that watches its worker (manager-update.c). */
	struct module_update *update;
	sd_event_source *update_source;

	/* The CPU guard: its own OfflineCPU() in flight, whose kernel offline event is expected
	 * (and in warn mode already signalled). */
	bool cpu_guard_offline_pending;
	unsigned cpu_guard_offline_cpu;

	/* The memory gate: its verdict basis, runs and retries, and the timers that end them. */
	struct memory_gate gate;
	sd_event_source *gate_flush_timer, *gate_retry_timer;

	bool ready_notified;

	/* What was last written to /run/tdxd (and the metrics file), to rewrite only on change. */
	struct run_files saved;
	/* Policy actions published since start (the metrics' counters). */
	struct prometheus_counters counters;

	/* Attestation (docs/readiness.md, *Attestation checks*): the files read at start, on
	 * Refresh, GetCapabilities and unit changes (efivarfs reads are firmware calls: not on
	 * every kernel event), the unit states systemd reported (UNIT_UNKNOWN under --root), and
	 * the watch on the QGS socket's directory while its unit is active but not listening. */
	struct attestation_facts attestation;
	bool attestation_stale; /* read the files again at the next probe */
	enum unit_state units[_MANAGER_UNIT_MAX];
	sd_event_source *qgs_socket_watch;
	char *qgs_socket_watch_dir;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
	if (*m)
		manager_free(*m);
}

/* (Re)read the configuration file. A reload keeps KVMModule (a restart applies it). */
void manager_load_config(Manager *m);

/* Start: the first probe, published as "starting" while the enable sequence of the config
 * runs, then the sequence. */
int manager_start(Manager *m);
/* Before exiting: wait for a module load that runs, saying so (manager-enable.c). */
void manager_stop(Manager *m);

/* Probe the host again, derive the status, publish what changed. */
int manager_probe(Manager *m);
/* The same in the worker, the loop answering meanwhile: returns the number of a probe that
 * starts after this call; it is published once m->probe_done reaches it (probe_done). Without
 * an event loop, or when no thread can be started, it probes at once. */
uint64_t manager_probe_async(Manager *m);
/* Derive the status from the last probe and publish what changed. */
int manager_rederive(Manager *m);
/* Probe again shortly, once for a burst of events. */
void manager_schedule_probe(Manager *m);
/* Re-read only the KeyID usage (misc.current, one pread() on a descriptor kept open) and
 * derive again when it changed (the kernel gives no event for it). The capacity is not read:
 * it changes only when the KVM module initializes TDX, which is probed. */
int manager_refresh_usage(Manager *m);

/* Tell systemd READY=1 with a STATUS= line once the first probe is published and the enable
 * sequence has finished. Safe to call repeatedly. */
void manager_notify_status(Manager *m);

/* Requests (the bus methods). */
/* The capabilities document as published: KeyID usage read fresh, the host's identity. */
int manager_get_capabilities(Manager *m, char **ret);
int manager_enable(Manager *m); /* -EBUSY while one runs; the end goes to enable_finished */
/* Refusals are in ret->error at once; when ret->running, the call is answered through
 * module_update_accepted and the end published through module_update_finished. */
int manager_update_module(Manager *m, int fd, const char *who, struct module_update_outcome *ret);
void manager_update_stop(Manager *m);
int manager_offline_cpu(Manager *m, unsigned cpu, const char *who, struct cpu_guard_outcome *ret);
int manager_check_cpu_offline(Manager *m, unsigned cpu, struct cpu_verdict *ret);
int manager_check_memory_range(Manager *m, uint64_t address, uint64_t size,
                               struct memory_verdict *ret);

/* The CPU guard's facts as the manager knows them, and its outcome applied: the signal
 * published, the host re-read when the guard changed a CPU. */
struct cpu_guard_facts manager_guard_facts(Manager *m);
void manager_apply_guard_outcome(Manager *m, const struct cpu_guard_outcome *o);

/* Apply what the memory gate returned: publish refusals, arm its timers, schedule a probe. */
void manager_apply_memory_outcome(Manager *m, struct memory_gate_outcome *o);
void manager_gate_stop(Manager *m);

/* manager-events.c: a kernel event (udev or the test FIFO), dispatched to the CPU guard, the
 * memory gate, or a re-probe. Its signature is a uevent_handler_t. */
void manager_handle_uevent(const struct uevent *ev, void *userdata);
/* Listen to kernel events: the FIFO when given, else udev (not under a test root). */
int manager_listen(Manager *m, const char *fifo);

/* manager-attestation.c. Refresh(): the attestation files are read again with the next probe,
 * and the units asked again. */
void manager_attestation_stale(Manager *m);
/* GetCapabilities(): read the attestation files now, ask the units again, derive and publish
 * when something changed. */
int manager_refresh_attestation(Manager *m);
/* A unit's state as systemd reported it: the files are read again, the status derived and
 * published when the state changed. */
void manager_set_unit_state(Manager *m, enum manager_unit u, enum unit_state st);
/* Called by the derivation (manager.c): the attestation checks into s, and the socket watch
 * set up or dropped to match. */
void manager_complete_attestation(Manager *m, struct tdx_status *s);
void manager_attestation_done(Manager *m);
