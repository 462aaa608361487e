/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPU guard acting for the daemon (cpu-guard.h). The decision itself is cpu_guard_decide()
 * (cpu-guard-decide.c). */
#include <stdio.h>

#include "cpu-guard.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"

static void online_path(unsigned cpu, char *buf, size_t size) {
	snprintf(buf, size, "/sys/devices/system/cpu/cpu%u/online", cpu);
}

static const char *const action_names[_CPU_GUARD_ACTION_MAX] = {
    [CPU_GUARD_NONE] = "none",
    [CPU_GUARD_OFFLINED] = "offlined",
    [CPU_GUARD_REONLINED] = "re-onlined",
    [CPU_GUARD_WARNED] = "warned",
    [CPU_GUARD_REFUSED] = "refused",
    [CPU_GUARD_REONLINE_FAILED] = "re-online-failed",
};

const char *cpu_guard_action_to_string(enum cpu_guard_action a) {
	return a >= 0 && a < _CPU_GUARD_ACTION_MAX ? action_names[a] : NULL;
}

static bool tdx_active(const struct cpu_guard_facts *f) {
	return f->status && (f->status->tdx_up || f->status->module_initialized);
}

/* What was done to `cpu`, for the manager to publish. */
static void outcome(struct cpu_guard_outcome *o, enum cpu_guard_action action, unsigned cpu,
                    int package, bool signal, bool reprobe) {
	*o = (struct cpu_guard_outcome){
	    .action = action,
	    .cpu = cpu,
	    .package = package,
	    .signal = signal,
	    .reprobe = reprobe,
	};
}

_printf_(3, 4) static int refuse(struct cpu_guard_outcome *o, enum cpu_guard_error error,
                                 const char *fmt, ...) {
	va_list ap;
	o->error = error;
	va_start(ap, fmt);
	vtextf(o->message, sizeof o->message, false, fmt, ap);
	va_end(ap);
	return 0;
}

/* One journal record per guard action, with the catalog's MESSAGE_ID and fields a query can
 * match on (journalctl MESSAGE_ID=... TDXD_CPU=3). */
static void log_guard_action(int level, unsigned cpu, int package, const char *action,
                             const char *message) {
	char f_cpu[32], f_pkg[32], f_action[48];
	snprintf(f_cpu, sizeof f_cpu, "TDXD_CPU=%u", cpu);
	snprintf(f_pkg, sizeof f_pkg, "TDXD_PACKAGE=%d", package);
	snprintf(f_action, sizeof f_action, "TDXD_ACTION=%s", action);
	(void)log_struct_internal(level, CPU_GUARD_MESSAGE_ID, message, f_cpu, f_pkg, f_action,
	                          NULL);
}

/* The CPU's package has no other online CPU in the current probe. */
static bool last_online_in_package(const struct tdx_host *h, unsigned cpu, int package) {
	for (unsigned c = 0; c < h->n_cpus; c++)
		if (c != cpu && h->cpus[c].present && h->cpus[c].online &&
		    h->cpus[c].package == package)
			return false;
	return true;
}

bool cpu_guard_reonline_early(const struct cpu_guard_facts *f, unsigned cpu, int *ret_package) {
	const struct tdx_host *h = f->host;
	_cleanup_free_ char *list = NULL;
	_cleanup_free_ uint8_t *bm = NULL;
	char path[64];

	/* Anything unclear (a CPU the last probe did not know, an unknown package) is left to
	 * the judgement on the fresh probe. */
	if (f->mode != POLICY_ENFORCE || !tdx_active(f))
		return false;
	if (cpu >= h->n_cpus || !h->cpus[cpu].present || h->cpus[cpu].package < 0)
		return false;
	int package = h->cpus[cpu].package;

	if (read_one_line_at(f->root, "/sys/devices/system/cpu/online", &list) < 0)
		return false;
	unsigned n;
	if (cpu_list_to_bitmap(list, h->n_cpus, &bm, &n) < 0)
		return false; /* beyond CPUS_MAX or malformed: the probe that follows warns */
	if (bitmap_test(bm, cpu))
		return false; /* online again already */
	for (unsigned c = 0; c < n; c++) {
		if (c == cpu || !bitmap_test(bm, c))
			continue;
		if (c >= h->n_cpus || !h->cpus[c].present || h->cpus[c].package < 0)
			return false;
		if (h->cpus[c].package == package)
			return false;
	}

	online_path(cpu, path, sizeof path);
	if (write_string_at(f->root, path, "1") < 0)
		return false; /* the judgement on the fresh probe tries again and logs the error */
	*ret_package = package;
	return true;
}

int cpu_guard_on_offline(const struct cpu_guard_facts *f, unsigned cpu, bool own, bool early,
                         int early_package, struct cpu_guard_outcome *ret) {
	const struct tdx_host *h = f->host;
	enum policy_mode mode = f->mode;
	char path[64], msg[CHECK_TEXT_MAX + 256];
	struct cpu_verdict v;
	int r;

	outcome(ret, CPU_GUARD_NONE, cpu, -1, false, false);
	if (cpu >= h->n_cpus || !h->cpus[cpu].present)
		return 0;
	const struct host_cpu *c = &h->cpus[cpu];
	int package = c->package >= 0 ? c->package : early_package;
	online_path(cpu, path, sizeof path);

	if (early) {
		r = cpu_guard_decide_offlined(h, f->status, cpu, &v);
		textf(msg, sizeof msg, false,
		      "CPU %u was taken offline outside tdxd (a write to %s): %s. "
		      "CPUGuard=enforce: brought it back online",
		      cpu, path,
		      r >= 0 && !v.allowed ? v.reason
		                           : "it was the last online CPU of its package");
		log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
		outcome(ret, CPU_GUARD_REONLINED, cpu, package, true, false);
		return 0;
	}

	if (package < 0) {
		if (tdx_active(f) && mode != POLICY_OFF)
			log_warning(
			    "CPU %u went offline; its package is unknown (not in %s, NUMA node "
			    "not conclusive), so the CPU guard cannot tell whether a package "
			    "is left without an online CPU",
			    cpu, RUN_CPU_PACKAGE_PATH);
		return 0;
	}
	if (!last_online_in_package(h, cpu, package))
		return 0;
	if (!tdx_active(f)) {
		log_info("CPU %u went offline, the last online CPU of package %d; TDX is not "
		         "enabled, so nothing needs it now",
		         cpu, package);
		return 0;
	}
	if (mode == POLICY_OFF)
		return 0;

	if (c->online) {
		/* Online again by the time we looked: the udev rule (or another agent) won the
		 * race. The offline still happened, so it is reported. */
		if (mode != POLICY_ENFORCE)
			return 0;
		textf(msg, sizeof msg, false,
		      "CPU %u was taken offline while it was the last online CPU of package %d "
		      "and TDX is enabled; it is online again (brought back by tdxd's udev rule "
		      "or another agent before tdxd acted)",
		      cpu, package);
		log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
		outcome(ret, CPU_GUARD_REONLINED, cpu, package, true, false);
		return 0;
	}

	/* The decision's reason (the package's CPUs, whether TDs exist) is the why. */
	r = cpu_guard_decide_offlined(h, f->status, cpu, &v);
	if (r < 0)
		return log_error_errno(r, "CPU guard: failed to decide on CPU %u: %m", cpu);

	if (mode == POLICY_WARN) {
		textf(msg, sizeof msg, false,
		      "CPU %u was taken offline outside tdxd (a write to %s): %s. "
		      "CPUGuard=warn: left offline, TDX operations may fail until a CPU of "
		      "package %d is online again",
		      cpu, path, v.reason, package);
		log_guard_action(LOG_WARNING, cpu, package, "warned", msg);
		/* OfflineCPU() in warn mode already signalled this one. */
		outcome(ret, CPU_GUARD_WARNED, cpu, package, !own, false);
		return 0;
	}

	r = write_string_at(f->root, path, "1");
	if (r < 0) {
		textf(msg, sizeof msg, false,
		      "CPU %u was taken offline outside tdxd (a write to %s): %s. Bringing it "
		      "back online failed: %s",
		      cpu, path, v.reason, strerror(-r));
		log_guard_action(LOG_ERR, cpu, package, "re-online-failed", msg);
		outcome(ret, CPU_GUARD_REONLINE_FAILED, cpu, package, false, false);
		return r;
	}
	textf(msg, sizeof msg, false,
	      "CPU %u was taken offline outside tdxd (a write to %s): %s. CPUGuard=enforce: "
	      "brought it back online",
	      cpu, path, v.reason);
	log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
	/* Packages and State as they are now, not as they were while the CPU was down. */
	outcome(ret, CPU_GUARD_REONLINED, cpu, package, true, true);
	return 0;
}

int cpu_guard_offline(const struct cpu_guard_facts *f, unsigned cpu, const char *who,
                      struct cpu_guard_outcome *ret) {
	enum policy_mode mode = f->mode;
	char path[64], msg[CHECK_TEXT_MAX + 512];
	struct cpu_verdict v;
	int r;

	outcome(ret, CPU_GUARD_NONE, cpu, -1, false, false);
	r = cpu_guard_decide(f->host, f->status, mode, cpu, &v);
	if (r < 0) {
		ret->errnum = r;
		return refuse(ret, CPU_GUARD_ERROR_ERRNO, "Failed to decide on CPU %u: %s", cpu,
		              strerror(-r));
	}
	if (!v.exists)
		return refuse(ret, CPU_GUARD_ERROR_NO_SUCH_CPU, "%s", v.reason);
	ret->package = v.package;
	if (!f->host->cpus[cpu].online)
		return 0;

	online_path(cpu, path, sizeof path);
	if (!v.allowed && mode == POLICY_ENFORCE) {
		textf(msg, sizeof msg, false, "Refused %s to offline CPU %u: %s", who, cpu,
		      v.reason);
		log_guard_action(LOG_WARNING, cpu, v.package, "refused", msg);
		outcome(ret, CPU_GUARD_REFUSED, cpu, v.package, true, false);
		return refuse(ret, CPU_GUARD_ERROR_LAST_CPU_IN_PACKAGE, "%s", v.reason);
	}

	r = write_string_at(f->root, path, "0");
	if (r == -EBUSY)
		return refuse(
		    ret, CPU_GUARD_ERROR_LAST_CPU_IN_PACKAGE,
		    "The kernel refused to offline CPU %u (EBUSY): TDs exist and it is the "
		    "last online CPU of package %d; delete all TDs (or online another CPU "
		    "of that package) first",
		    cpu, v.package);
	if (r == -ENOENT)
		return refuse(ret, CPU_GUARD_ERROR_NOT_SUPPORTED,
		              "CPU %u cannot be taken offline: the kernel offers no %s (the CPU is "
		              "not hotpluggable)",
		              cpu, path);
	if (r < 0) {
		ret->errnum = r;
		return refuse(ret, CPU_GUARD_ERROR_ERRNO,
		              "Failed to offline CPU %u: writing %s: %s", cpu, path, strerror(-r));
	}

	/* Packages as they are now; the kernel's offline event follows on a real host. */
	if (!v.allowed && mode == POLICY_WARN) {
		/* Only once the kernel took it: a failed write left the package as it was. */
		textf(msg, sizeof msg, false, "%s took CPU %u offline although %s", who, cpu,
		      v.reason);
		log_guard_action(LOG_WARNING, cpu, v.package, "warned", msg);
		outcome(ret, CPU_GUARD_OFFLINED, cpu, v.package, false, true);
		/* the warning is this request's to signal, not the offline event's */
		ret->action = CPU_GUARD_WARNED;
		ret->signal = true;
	} else {
		log_info("%s: CPU %u offline", who, cpu);
		outcome(ret, CPU_GUARD_OFFLINED, cpu, v.package, false, true);
	}
	return 0;
}
