/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The CPU guard acting for the daemon (docs/readiness.md, "CPU guard"): undo or report an
 * offline that left a package without an online CPU while TDX is up, and offline CPUs on
 * request. Each function takes the facts it needs, does its sysfs writes and journal records,
 * and returns what happened; the manager applies the outcome (signal, re-probe). */

#include "cpu-guard-decide.h"

struct cpu_guard_facts {
	const char *root; /* "/" or a test tree */
	enum policy_mode mode;
	const struct tdx_host *host;
	const struct tdx_status *status; /* NULL before the first derivation */
};

enum cpu_guard_action {
	CPU_GUARD_NONE,            /* nothing done, nothing to report */
	CPU_GUARD_OFFLINED,        /* a request: the CPU is offline now */
	CPU_GUARD_REONLINED,       /* brought back online (enforce) */
	CPU_GUARD_WARNED,          /* left offline and reported (warn) */
	CPU_GUARD_REFUSED,         /* a request refused */
	CPU_GUARD_REONLINE_FAILED, /* enforce, but writing 1 failed */
	_CPU_GUARD_ACTION_MAX,
};

/* Why a request was not carried out: each maps to one named error on the bus. */
enum cpu_guard_error {
	CPU_GUARD_ERROR_NONE,
	CPU_GUARD_ERROR_NO_SUCH_CPU,
	CPU_GUARD_ERROR_LAST_CPU_IN_PACKAGE,
	CPU_GUARD_ERROR_NOT_SUPPORTED,
	CPU_GUARD_ERROR_ERRNO, /* errnum says what */
};

struct cpu_guard_outcome {
	enum cpu_guard_action action;
	unsigned cpu;
	int package;  /* -1 unknown */
	bool signal;  /* publish CPUOfflineBlocked(cpu, package, action) */
	bool reprobe; /* the CPU's state changed: Packages and State are stale */
	enum cpu_guard_error error;
	int errnum;
	char message[CHECK_TEXT_MAX + 256]; /* the error's sentence */
};

/* The signal's action word: "re-onlined", "warned", "refused", "re-online-failed". */
const char *cpu_guard_action_to_string(enum cpu_guard_action a);

/* A CPU just went offline, before any re-probe: when the last probe and one fresh read of
 * the online list show it was clearly its package's last, and the mode is enforce, write 1 at
 * once (a full probe takes tens of milliseconds on a large host and would widen the window).
 * Returns true when it wrote, with the package in *ret_package. */
bool cpu_guard_reonline_early(const struct cpu_guard_facts *f, unsigned cpu, int *ret_package);

/* The same offline, judged on a fresh probe: undo (enforce) or report (warn) it when it left
 * the package without an online CPU while TDX is up. `own` is an offline tdxd itself did for
 * OfflineCPU() (already reported in warn mode); `early` says cpu_guard_reonline_early() wrote
 * 1 already. */
int cpu_guard_on_offline(const struct cpu_guard_facts *f, unsigned cpu, bool own, bool early,
                         int early_package, struct cpu_guard_outcome *ret);

/* OfflineCPU(): refuse (LastCPUInPackage, NoSuchCPU) or offline it. `who` names the caller
 * for the journal. */
int cpu_guard_offline(const struct cpu_guard_facts *f, unsigned cpu, const char *who,
                      struct cpu_guard_outcome *ret);
