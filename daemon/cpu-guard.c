/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPU guard acting for the daemon (spec section 6): undo or report an offline that left a
 * package without an online CPU while TDX is up, and offline CPUs on request through the
 * guard. The decision itself is cpu_guard_decide() (cpu-guard-decide.c). */
#include <stdio.h>

#include "cpu-guard.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "parse-util.h"
#include "tdx-errors.h"

static void online_path(unsigned cpu, char *buf, size_t size) {
	snprintf(buf, size, "/sys/devices/system/cpu/cpu%u/online", cpu);
}

static bool tdx_active(const Manager *m) {
	return m->have_status && (m->status.tdx_up || m->status.module_initialized);
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

/* Who asked: the bus caller of the method being served, for the journal. */
static void describe_caller(Manager *m, char *buf, size_t size) {
	sd_bus_message *msg = m->bus ? sd_bus_get_current_message(m->bus) : NULL;
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *sender = msg ? sd_bus_message_get_sender(msg) : NULL;
	pid_t pid = 0;
	uid_t uid = (uid_t)-1;
	const char *comm = NULL;

	if (msg && sd_bus_query_sender_creds(msg,
	                                     SD_BUS_CREDS_PID | SD_BUS_CREDS_EUID |
	                                         SD_BUS_CREDS_COMM | SD_BUS_CREDS_AUGMENT,
	                                     &creds) >= 0) {
		(void)sd_bus_creds_get_pid(creds, &pid);
		(void)sd_bus_creds_get_euid(creds, &uid);
		(void)sd_bus_creds_get_comm(creds, &comm);
	}
	snprintf(buf, size, "OfflineCPU() from %s", sender ? sender : "an unknown caller");
	if (pid > 0) {
		size_t o = strlen(buf);
		snprintf(buf + o, size - o, " (%s, PID %d, UID %u)", comm ? comm : "?", (int)pid,
		         (unsigned)uid);
	}
}

/* The CPU's package has no other online CPU in the current probe. */
static bool last_online_in_package(const struct tdx_host *h, unsigned cpu, int package) {
	for (unsigned c = 0; c < h->n_cpus; c++)
		if (c != cpu && h->cpus[c].present && h->cpus[c].online &&
		    h->cpus[c].package == package)
			return false;
	return true;
}

/* Before the full re-probe, which takes tens of milliseconds on a large host (every memory
 * block directory is read): decide on the last probe plus one fresh read of the online list,
 * and bring the CPU back at once when it was clearly its package's last. Anything unclear
 * (a CPU the last probe did not know, an unknown package) is left to the slow path. Returns
 * true when it wrote 1, with the package in *ret_package. */
static bool reonline_early(Manager *m, unsigned cpu, int *ret_package) {
	const struct tdx_host *h = &m->host;
	_cleanup_free_ char *list = NULL;
	_cleanup_free_ uint8_t *bm = NULL;
	char path[64];

	if (m->config.cpu_guard != POLICY_ENFORCE || !tdx_active(m))
		return false;
	if (cpu >= h->n_cpus || !h->cpus[cpu].present || h->cpus[cpu].package < 0)
		return false;
	int package = h->cpus[cpu].package;

	if (read_one_line_at(m->root, "/sys/devices/system/cpu/online", &list) < 0)
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
	if (write_string_at(m->root, path, "1") < 0)
		return false; /* the slow path tries again and logs the error */
	*ret_package = package;
	return true;
}

int cpu_guard_on_offline(Manager *m, unsigned cpu) {
	enum policy_mode mode = m->config.cpu_guard;
	bool own = m->cpu_guard_offline_pending && m->cpu_guard_offline_cpu == cpu;
	char path[64], msg[CHECK_TEXT_MAX + 256];
	struct cpu_verdict v;
	int early_package = -1, r;

	m->cpu_guard_offline_pending = false;
	bool early = reonline_early(m, cpu, &early_package);

	/* Everything as it is now: Packages, State, and the package of an offline CPU (from
	 * /run/tdxd/cpu-package or its NUMA node). */
	(void)manager_probe(m);
	const struct tdx_host *h = &m->host;
	if (cpu >= h->n_cpus || !h->cpus[cpu].present)
		return 0;
	const struct host_cpu *c = &h->cpus[cpu];
	int package = c->package >= 0 ? c->package : early_package;
	online_path(cpu, path, sizeof path);

	if (early) {
		r = cpu_guard_decide_offlined(h, &m->status, cpu, &v);
		snprintf(msg, sizeof msg,
		         "CPU %u was taken offline outside tdxd (a write to %s): %s. "
		         "CPUGuard=enforce: brought it back online",
		         cpu, path,
		         r >= 0 && !v.allowed ? v.reason
		                              : "it was the last online CPU of its package");
		log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
		(void)manager_emit_cpu_offline_blocked(m, cpu, package, "re-onlined");
		return 0;
	}

	if (package < 0) {
		if (tdx_active(m) && mode != POLICY_OFF)
			log_warning(
			    "CPU %u went offline; its package is unknown (not in %s, NUMA node "
			    "not conclusive), so the CPU guard cannot tell whether a package "
			    "is left without an online CPU",
			    cpu, RUN_CPU_PACKAGE_PATH);
		return 0;
	}
	if (!last_online_in_package(h, cpu, package))
		return 0;
	if (!tdx_active(m)) {
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
		snprintf(msg, sizeof msg,
		         "CPU %u was taken offline while it was the last online CPU of package %d "
		         "and TDX is enabled; it is online again (brought back by tdxd's udev rule "
		         "or another agent before tdxd acted)",
		         cpu, package);
		log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
		(void)manager_emit_cpu_offline_blocked(m, cpu, package, "re-onlined");
		return 0;
	}

	/* The decision's reason (the package's CPUs, whether TDs exist) is the why. */
	r = cpu_guard_decide_offlined(h, &m->status, cpu, &v);
	if (r < 0)
		return log_error_errno(r, "CPU guard: failed to decide on CPU %u: %m", cpu);

	if (mode == POLICY_WARN) {
		snprintf(msg, sizeof msg,
		         "CPU %u was taken offline outside tdxd (a write to %s): %s. "
		         "CPUGuard=warn: left offline, TDX operations may fail until a CPU of "
		         "package %d is online again",
		         cpu, path, v.reason, package);
		log_guard_action(LOG_WARNING, cpu, package, "warned", msg);
		/* OfflineCPU() in warn mode already signalled this one. */
		if (!own)
			(void)manager_emit_cpu_offline_blocked(m, cpu, package, "warned");
		return 0;
	}

	r = write_string_at(m->root, path, "1");
	if (r < 0) {
		snprintf(msg, sizeof msg,
		         "CPU %u was taken offline outside tdxd (a write to %s): %s. Bringing it "
		         "back online failed: %s",
		         cpu, path, v.reason, strerror(-r));
		log_guard_action(LOG_ERR, cpu, package, "re-online-failed", msg);
		return r;
	}
	snprintf(msg, sizeof msg,
	         "CPU %u was taken offline outside tdxd (a write to %s): %s. CPUGuard=enforce: "
	         "brought it back online",
	         cpu, path, v.reason);
	log_guard_action(LOG_WARNING, cpu, package, "re-onlined", msg);
	(void)manager_emit_cpu_offline_blocked(m, cpu, package, "re-onlined");

	/* Packages and State as they are now, not as they were while the CPU was down. */
	(void)manager_probe(m);
	return 0;
}

int cpu_guard_on_online(Manager *m, unsigned cpu) {
	/* Nothing to undo; the manager's probe already recorded the CPU's package in
	 * /run/tdxd/cpu-package, which is what a later offline of it needs. */
	m->cpu_guard_offline_pending = false;
	log_debug("CPU %u is online", cpu);
	return 0;
}

int cpu_guard_offline_cpu(Manager *m, unsigned cpu, sd_bus_error *error) {
	enum policy_mode mode = m->config.cpu_guard;
	char path[64], who[256], msg[CHECK_TEXT_MAX + 512];
	struct cpu_verdict v;
	int r;

	/* Whether TDs exist decides the message (and what the kernel will do): read it fresh. */
	(void)manager_refresh_usage(m);

	r = cpu_guard_decide(&m->host, &m->status, mode, cpu, &v);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Failed to decide on CPU %u: %m", cpu);
	if (!v.exists)
		return sd_bus_error_setf(error, TDX_ERROR_NO_SUCH_CPU, "%s", v.reason);
	if (!m->host.cpus[cpu].online)
		return 0;

	online_path(cpu, path, sizeof path);
	describe_caller(m, who, sizeof who);

	if (!v.allowed && mode == POLICY_ENFORCE) {
		snprintf(msg, sizeof msg, "Refused %s to offline CPU %u: %s", who, cpu, v.reason);
		log_guard_action(LOG_WARNING, cpu, v.package, "refused", msg);
		(void)manager_emit_cpu_offline_blocked(m, cpu, v.package, "refused");
		return sd_bus_error_setf(error, TDX_ERROR_LAST_CPU_IN_PACKAGE, "%s", v.reason);
	}

	m->cpu_guard_offline_pending = true;
	m->cpu_guard_offline_cpu = cpu;
	r = write_string_at(m->root, path, "0");
	if (r < 0) {
		m->cpu_guard_offline_pending = false;
		if (r == -EBUSY)
			return sd_bus_error_setf(
			    error, TDX_ERROR_LAST_CPU_IN_PACKAGE,
			    "The kernel refused to offline CPU %u (EBUSY): TDs exist and it is the "
			    "last online CPU of package %d; delete all TDs (or online another CPU "
			    "of that package) first",
			    cpu, v.package);
		if (r == -ENOENT)
			return sd_bus_error_setf(
			    error, TDX_ERROR_NOT_SUPPORTED,
			    "CPU %u cannot be taken offline: the kernel offers no "
			    "%s (the CPU is not hotpluggable)",
			    cpu, path);
		return sd_bus_error_set_errnof(error, r, "Failed to offline CPU %u: writing %s: %m",
		                               cpu, path);
	}
	if (!v.allowed && mode == POLICY_WARN) {
		/* Only once the kernel took it: a failed write left the package as it was. */
		snprintf(msg, sizeof msg, "%s took CPU %u offline although %s", who, cpu, v.reason);
		log_guard_action(LOG_WARNING, cpu, v.package, "warned", msg);
		(void)manager_emit_cpu_offline_blocked(m, cpu, v.package, "warned");
	} else
		log_info("%s: CPU %u offline", who, cpu);

	/* Packages as they are now; the kernel's offline event follows on a real host. */
	(void)manager_probe(m);
	return 0;
}
