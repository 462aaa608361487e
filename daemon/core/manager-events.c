/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel events (manager.h): what each one makes the manager do, and how many probes it costs,
 * is read here top to bottom. The policies decide and act; this file applies what they
 * return and owns their timers. */
#include <inttypes.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "uevent-source.h"

/* How long a burst of kernel events may run before the checks are brought up to date. */
#define DEFERRED_PROBE_USEC 200000u
/* Blocks of one hot-add arrive as a burst of events (512 for a 64 GiB device): the journal
 * line for the run is written once the burst has been quiet this long. */
#define GATE_FLUSH_DELAY_USEC 200000u

/* ---- one probe per burst ---- */

static int on_deferred_probe(sd_event_source *s, uint64_t usec, void *userdata) {
	(void)manager_probe(userdata);
	return 0;
}

void manager_schedule_probe(Manager *m) {
	uint64_t now;
	int r;

	if (!m->event || sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0) {
		(void)manager_probe(m);
		return;
	}
	if (m->deferred_probe) {
		/* already pending: keep the first deadline so a steady stream cannot starve it */
		if (sd_event_source_get_enabled(m->deferred_probe, NULL) > 0)
			return;
		r = sd_event_source_set_time(m->deferred_probe, now + DEFERRED_PROBE_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(m->deferred_probe, SD_EVENT_ONESHOT);
	} else
		r = sd_event_add_time(m->event, &m->deferred_probe, CLOCK_MONOTONIC,
		                      now + DEFERRED_PROBE_USEC, 0, on_deferred_probe, m);
	if (r < 0) {
		log_warning_errno(r, "Failed to schedule a re-probe, probing now: %m");
		(void)manager_probe(m);
	}
}

/* ---- the memory gate's timers ---- */

static int on_gate_flush(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	/* Only the journal line: the blocks' new states reach the checks through the deferred
	 * probe every block event schedules (a probe here too made two per burst). */
	memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	return 0;
}

static int on_gate_retry(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	struct memory_gate_outcome o = {0};
	memory_gate_retry(&m->gate, m->root, &o);
	manager_apply_memory_outcome(m, &o);
	return 0;
}

/* (Re)arm a one-shot timer `delay` from now, creating it on first use. */
static int arm_timer(Manager *m, sd_event_source **s, uint64_t delay,
                     sd_event_time_handler_t handler, const char *description) {
	int r;
	if (!*s) {
		r = sd_event_add_time_relative(m->event, s, CLOCK_MONOTONIC, delay, 0, handler, m);
		if (r < 0)
			return r;
		(void)sd_event_source_set_description(*s, description);
		return 0;
	}
	r = sd_event_source_set_time_relative(*s, delay);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
}

void manager_apply_memory_outcome(Manager *m, struct memory_gate_outcome *o) {
	int r;

	for (size_t i = 0; i < o->n_refused; i++)
		if (m->publisher.memory_refused)
			m->publisher.memory_refused(m->publisher.userdata, &o->refused[i]);

	if (o->log_pending) {
		/* every event of the burst pushes the line back */
		r = m->event ? arm_timer(m, &m->gate_flush_timer, GATE_FLUSH_DELAY_USEC,
		                         on_gate_flush, "memory-gate-flush")
		             : -ENXIO;
		if (r < 0)
			memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	}
	if (o->retry) {
		bool armed = m->gate_retry_timer &&
		             sd_event_source_get_enabled(m->gate_retry_timer, NULL) > 0;
		r = armed || !m->event
		        ? 0
		        : arm_timer(m, &m->gate_retry_timer, memory_gate_retry_delay(&m->gate),
		                    on_gate_retry, "memory-gate-retry");
		if (r < 0)
			log_warning_errno(r, "Failed to set up the memory gate's retry timer: %m");
	}
	if (o->reprobe)
		manager_schedule_probe(m);
	memory_gate_outcome_done(o);
}

void manager_gate_stop(Manager *m) {
	/* the run acted on last is still owed its journal line */
	memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	m->gate_flush_timer = sd_event_source_disable_unref(m->gate_flush_timer);
	m->gate_retry_timer = sd_event_source_disable_unref(m->gate_retry_timer);
}

/* ---- events ---- */

static void on_cpu_offline(Manager *m, unsigned cpu) {
	bool own = m->cpu_guard_offline_pending && m->cpu_guard_offline_cpu == cpu;
	struct cpu_guard_outcome o;
	int early_package = -1;

	m->cpu_guard_offline_pending = false;
	/* Bring a package's last CPU back before the full re-probe, judged on the last probe
	 * and a fresh online list: the probe would widen the window. */
	struct cpu_guard_facts f = manager_guard_facts(m);
	bool early = cpu_guard_reonline_early(&f, cpu, &early_package);
	/* Everything as it is now: Packages, State, and the package of an offline CPU (from
	 * /run/tdxd/cpu-package or its NUMA node). */
	(void)manager_probe(m);
	f = manager_guard_facts(m);
	(void)cpu_guard_on_offline(&f, cpu, own, early, early_package, &o);
	/* a second probe only when the guard brought the CPU back */
	manager_apply_guard_outcome(m, &o);
}

static void on_memory_block(Manager *m, const char *action, uint64_t block) {
	struct memory_gate_outcome o = {0};
	struct memory_gate_facts f = {
	    .root = m->root,
	    .host = &m->host,
	    .online_type = m->config.memory_online_type,
	};

	/* A 64 GiB dax device arrives as 512 block events: the gate decides each from what it
	 * prepared at the last probe (the block's range needs only the block size), and the
	 * checks are brought up to date once the burst is over. */
	if (streq(action, "add") || streq(action, "online"))
		(void)memory_gate_on_block(&m->gate, &f, action, block, &o);
	o.reprobe = true;
	manager_apply_memory_outcome(m, &o);
}

static void on_dax_added(Manager *m, const char *name) {
	struct memory_gate_outcome o = {0};

	if (m->gate.mode == POLICY_OFF)
		return;
	/* The device's ranges are read by the probe (mapping*, or resource + size). */
	(void)manager_probe(m);
	for (size_t i = 0; i < m->host.mem.n_dax; i++)
		if (streq(m->host.mem.dax[i].name, name)) {
			(void)memory_gate_judge_dax(&m->gate, &m->host.mem.dax[i], &o);
			manager_apply_memory_outcome(m, &o);
			return;
		}
	log_debug("Memory gate: %s is not a dax device the probe can read", name);
}

void manager_handle_uevent(const struct uevent *ev, void *userdata) {
	Manager *m = userdata;
	unsigned cpu;
	uint64_t block;

	log_debug("uevent: %s %s (%s)", ev->action, ev->devpath, ev->subsystem);

	if (streq(ev->subsystem, "cpu") && uevent_cpu(ev, &cpu) >= 0) {
		if (streq(ev->action, "offline")) {
			on_cpu_offline(m, cpu);
			return;
		}
		/* An online CPU's package goes into /run/tdxd/cpu-package with this probe: a later
		 * offline of it needs that. */
		(void)manager_probe(m);
		if (streq(ev->action, "online"))
			m->cpu_guard_offline_pending = false;
		return;
	}
	if (streq(ev->subsystem, "memory") && uevent_memory_block(ev, &block) >= 0) {
		on_memory_block(m, ev->action, block);
		return;
	}
	if (streq(ev->subsystem, "dax")) {
		if (streq(ev->action, "add") && ev->sysname)
			on_dax_added(m, ev->sysname);
		return;
	}
	if (streq(ev->subsystem, "module")) {
		/* kvm_intel (or the configured module) loaded or unloaded by someone else. */
		if (streq(ev->sysname, m->config.kvm_module))
			(void)manager_probe(m);
		return;
	}
}

int manager_listen(Manager *m, const char *fifo) {
	if (fifo)
		return uevent_source_new_fifo(m->event, fifo, manager_handle_uevent, m,
		                              &m->uevents);
	if (m->test_root)
		return 0; /* a test tree has no kernel behind it */
	return uevent_source_new_udev(m->event, manager_handle_uevent, m, &m->uevents);
}
