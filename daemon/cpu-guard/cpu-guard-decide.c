/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPU guard's decisions, pure (no I/O), shared by the daemon (cpu-guard.c, the D-Bus
 * methods) and the udev helper (policy/tdxd-cpu-guard.c), so both apply one rule: while TDX
 * is enabled in KVM or the module is initialized, every package keeps an online CPU. */
#include <stdarg.h>
#include <stdio.h>

#include "cpu-guard-decide.h"
#include "macro.h"
#include "parse-util.h"

/* Lists in a reason stay readable on a host with thousands of CPUs. */
#define LIST_SHOWN 160

static void append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *fmt, ...) {
	size_t o = strlen(buf);
	if (o + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(buf + o, size - o, fmt, ap);
	va_end(ap);
}

/* Format cpus as a range list, cut at a range boundary with ",..." when too long. */
static void format_list_short(const unsigned *cpus, size_t n, char *buf, size_t size) {
	char full[CHECK_TEXT_MAX];
	format_cpu_list(cpus, n, full, sizeof full);
	if (strlen(full) > LIST_SHOWN) {
		full[LIST_SHOWN] = 0;
		char *comma = strrchr(full, ',');
		if (comma)
			*comma = 0;
		snprintf(buf, size, "%s,...", full);
		return;
	}
	snprintf(buf, size, "%s", full);
}

struct package_cpus {
	unsigned *present; /* ascending */
	size_t n_present;
	unsigned *online_others; /* online CPUs of the package other than the one asked about */
	size_t n_online_others;
};

static void package_cpus_done(struct package_cpus *p) {
	free(p->present);
	free(p->online_others);
}

static int package_cpus_collect(const struct tdx_host *h, int package, unsigned cpu,
                                struct package_cpus *ret) {
	struct package_cpus p = {
	    .present = malloc(sizeof(unsigned) * (h->n_cpus ? h->n_cpus : 1)),
	    .online_others = malloc(sizeof(unsigned) * (h->n_cpus ? h->n_cpus : 1)),
	};
	if (!p.present || !p.online_others) {
		package_cpus_done(&p);
		return -ENOMEM;
	}
	for (unsigned c = 0; c < h->n_cpus; c++) {
		const struct host_cpu *hc = &h->cpus[c];
		if (!hc->present || hc->package != package)
			continue;
		p.present[p.n_present++] = c;
		if (hc->online && c != cpu)
			p.online_others[p.n_online_others++] = c;
	}
	*ret = p;
	return 0;
}

static const char *mode_note(enum policy_mode mode) {
	switch (mode) {
	case POLICY_WARN: return " (CPUGuard=warn: tdxd only warns, it does not refuse)";
	case POLICY_OFF: return " (CPUGuard=off: tdxd does not act on it)";
	default: return "";
	}
}

static int decide(const struct tdx_host *h, const struct tdx_status *s, enum policy_mode mode,
                  unsigned cpu, bool as_online, struct cpu_verdict *ret) {
	/* Declared before any goto: the cleanup runs at every exit. */
	_cleanup_(package_cpus_done) struct package_cpus p = {0};
	struct cpu_verdict v = {.package = -1};
	char list[LIST_SHOWN + 16];

	if (!h || !s || !ret)
		return -EINVAL;

	if (cpu >= h->n_cpus || !h->cpus[cpu].present) {
		snprintf(v.reason, sizeof v.reason,
		         "CPU %u does not exist or is not present on this host", cpu);
		if (h->n_present > 0)
			append(v.reason, sizeof v.reason, " (%u CPUs present, numbered up to %u)",
			       h->n_present, h->n_cpus - 1);
		*ret = v;
		return 0;
	}

	const struct host_cpu *c = &h->cpus[cpu];
	v.exists = true;
	v.package = c->package;
	v.tds_exist = h->misc.current_known && h->misc.current > 0;
	bool tdx_active = s->tdx_up || s->module_initialized;

	if (!c->online && !as_online) {
		v.allowed = true;
		snprintf(v.reason, sizeof v.reason, "CPU %u is already offline", cpu);
		goto finish;
	}

	if (c->package >= 0) {
		int r = package_cpus_collect(h, c->package, cpu, &p);
		if (r < 0)
			return r;
	}

	if (!tdx_active) {
		v.allowed = true;
		snprintf(
		    v.reason, sizeof v.reason,
		    "CPU %u may go offline: TDX is not enabled in KVM and the TDX module is not "
		    "initialized, so no package needs an online CPU now",
		    cpu);
		if (c->package >= 0 && p.n_online_others == 0)
			append(
			    v.reason, sizeof v.reason,
			    " (it is the last online CPU of package %d: enabling TDX later needs "
			    "one online again)",
			    c->package);
		goto finish;
	}

	if (c->package < 0) {
		v.allowed = true;
		snprintf(v.reason, sizeof v.reason,
		         "warning: CPU %u may go offline, but its package is unknown (no topology "
		         "in sysfs, not in " RUN_CPU_PACKAGE_PATH ", NUMA node not conclusive), so "
		         "tdxd cannot tell whether it is the last online CPU of its package",
		         cpu);
		goto finish;
	}

	if (p.n_online_others > 0) {
		v.allowed = true;
		format_list_short(p.online_others, p.n_online_others, list, sizeof list);
		snprintf(v.reason, sizeof v.reason,
		         "CPU %u may go offline: package %d keeps CPU%s %s online", cpu, c->package,
		         p.n_online_others > 1 ? "s" : "", list);
		goto finish;
	}

	/* The last online CPU of a package while TDX is up: the one case the guard refuses. */
	v.allowed = false;
	format_list_short(p.present, p.n_present, list, sizeof list);
	snprintf(v.reason, sizeof v.reason,
	         "CPU %u is the last online CPU of package %d (CPUs %s; no other of them is "
	         "online); TDX needs one online CPU per package while it is enabled: ",
	         cpu, c->package, list);
	if (v.tds_exist)
		append(v.reason, sizeof v.reason,
		       "%u TD%s hold%s KeyIDs now, so the kernel itself refuses this offline "
		       "(EBUSY)",
		       h->misc.current, h->misc.current > 1 ? "s" : "",
		       h->misc.current > 1 ? "" : "s");
	else
		append(v.reason, sizeof v.reason,
		       "no TD exists now, so the kernel would allow this offline and the next TD "
		       "creation or teardown would fail instead");
	if (p.n_present > 1) {
		unsigned other = p.present[0] == cpu ? p.present[1] : p.present[0];
		append(v.reason, sizeof v.reason,
		       "; online another CPU of package %d first, e.g. echo 1 > "
		       "/sys/devices/system/cpu/cpu%u/online",
		       c->package, other);
	} else
		append(v.reason, sizeof v.reason,
		       "; package %d has no other CPU, so keep CPU %u online while TDX is enabled",
		       c->package, cpu);

finish:
	append(v.reason, sizeof v.reason, "%s", mode_note(mode));
	*ret = v;
	return 0;
}

int cpu_guard_decide(const struct tdx_host *h, const struct tdx_status *s, enum policy_mode mode,
                     unsigned cpu, struct cpu_verdict *ret) {
	return decide(h, s, mode, cpu, false, ret);
}

int cpu_guard_decide_offlined(const struct tdx_host *h, const struct tdx_status *s, unsigned cpu,
                              struct cpu_verdict *ret) {
	return decide(h, s, POLICY_ENFORCE, cpu, true, ret);
}

bool cpu_guard_helper_state_applies(const struct run_state *st, const char *boot_id, unsigned cpu,
                                    char *reason, size_t size) {
	if (!st) {
		snprintf(reason, size, "cpu%u: no usable " RUN_STATE_PATH ": nothing to do", cpu);
		return false;
	}
	if (!run_state_is_current(st, boot_id)) {
		snprintf(reason, size,
		         "cpu%u: " RUN_STATE_PATH
		         " is from another boot (BOOT_ID=%s): nothing to do",
		         cpu, st->boot_id);
		return false;
	}
	if (!streq(st->cpu_guard, "enforce")) {
		snprintf(reason, size, "cpu%u: CPU_GUARD=%s, not enforce: nothing to do", cpu,
		         *st->cpu_guard ? st->cpu_guard : "(unset)");
		return false;
	}
	if (!(st->has_tdx_enabled && st->tdx_enabled) &&
	    !(st->has_module_initialized && st->module_initialized)) {
		snprintf(reason, size,
		         "cpu%u: TDX is neither enabled in KVM nor initialized: nothing to do",
		         cpu);
		return false;
	}
	return true;
}

enum cpu_guard_helper_action cpu_guard_helper_decide(const struct cpu_guard_helper_input *in,
                                                     char *reason, size_t size) {
	if (!cpu_guard_helper_state_applies(in->state, in->boot_id, in->cpu, reason, size))
		return CPU_GUARD_HELPER_NOTHING;
	if (in->cpu_online) {
		snprintf(reason, size, "cpu%u: already online again: nothing to do", in->cpu);
		return CPU_GUARD_HELPER_NOTHING;
	}
	if (in->package < 0) {
		snprintf(reason, size,
		         "cpu%u: its package is unknown (not in " RUN_CPU_PACKAGE_PATH
		         "): nothing to do",
		         in->cpu);
		return CPU_GUARD_HELPER_NOTHING;
	}
	for (unsigned c = 0; c < in->n_cpus; c++)
		if (c != in->cpu && bitmap_test(in->online, c) && in->packages[c] == in->package) {
			snprintf(reason, size,
			         "cpu%u: package %d keeps CPU %u online: nothing to do", in->cpu,
			         in->package, c);
			return CPU_GUARD_HELPER_NOTHING;
		}
	snprintf(reason, size,
	         "cpu%u was the last online CPU of package %d while TDX is enabled "
	         "(CPU_GUARD=enforce): bringing it back online",
	         in->cpu, in->package);
	return CPU_GUARD_HELPER_REONLINE;
}
