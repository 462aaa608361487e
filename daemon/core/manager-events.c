/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel events (manager.h): what each one makes the manager do, and how many probes it costs,
 * is read here top to bottom. The policies decide and act; the manager (manager.c) applies
 * what they return. A decision that needs the host as it is now (a CPU going offline, a dax
 * device to judge) probes at once, on the loop; anything else schedules one probe for the
 * burst, which runs off the loop (manager_schedule_probe()). */
#include <inttypes.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "uevent-source.h"

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
		/* An online (or added) CPU's package goes into /run/tdxd/cpu-package with this
		 * probe, now: an offline of it right after needs that. Other CPU events (change,
		 * remove) only bring the checks up to date: one probe per burst. */
		if (streq(ev->action, "online") || streq(ev->action, "add"))
			(void)manager_probe(m);
		else
			manager_schedule_probe(m);
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
	if (streq(ev->subsystem, "faux")) {
		/* tdx_host (v7.2) says "change" when the module's version or the loader's state
		 * changed, e.g. after a runtime update by another tool. */
		if (streq(ev->sysname, "tdx_host") && streq(ev->action, "change"))
			manager_schedule_probe(m);
		return;
	}
	if (streq(ev->subsystem, "module")) {
		/* kvm_intel (or the configured module) loaded or unloaded by someone else. */
		if (streq(ev->sysname, m->config.kvm_module))
			manager_schedule_probe(m);
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
