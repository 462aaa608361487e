/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The CPU guard's decisions (docs/readiness.md, "CPU guard"): while TDX is enabled in KVM or
 * the module is initialized, every physical package keeps at least one online CPU. Pure, and
 * shared by the daemon (cpu-guard.c) and the udev helper (policy/tdxd-cpu-guard.c), which
 * must decide alike while the daemon is down. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "run-state.h"
#include "status.h"

/* The journal catalog entry (systemd/tdxd.catalog) of every CPU guard action. */
#include "message-ids.h"

struct cpu_verdict {
	bool exists;    /* the CPU is present (else NoSuchCPU) */
	bool allowed;   /* the enforce verdict */
	int package;    /* -1 unknown */
	bool tds_exist; /* KeyIDs in use: the kernel itself would refuse with EBUSY */
	char reason[CHECK_TEXT_MAX];
};

/* May `cpu` go offline now? The verdict is always the enforce one; the reason names the mode
 * when it is not enforce. */
int cpu_guard_decide(const struct tdx_host *h, const struct tdx_status *s, enum policy_mode mode,
                     unsigned cpu, struct cpu_verdict *ret);

/* The same verdict for a CPU that just went offline, judged as if it were still online: the
 * "why" of undoing or reporting that offline. */
int cpu_guard_decide_offlined(const struct tdx_host *h, const struct tdx_status *s, unsigned cpu,
                              struct cpu_verdict *ret);

/* What the udev helper (policy/tdxd-cpu-guard.c) read when a CPU went offline, for the pure
 * decision below: the daemon may be down, so everything comes from sysfs and /run/tdxd. */
struct cpu_guard_helper_input {
	const struct run_state *state; /* /run/tdxd/state; NULL when missing or malformed */
	const char *boot_id;           /* this boot's boot_id; NULL when unreadable */
	unsigned cpu;
	bool cpu_online;       /* its online file reads 1 again (tdxd won the race) */
	int package;           /* its package from the saved map, -1 unknown */
	const uint8_t *online; /* bitmap of the online list, n_cpus bits */
	const int *packages;   /* the package of each CPU, -1 unknown, n_cpus entries */
	unsigned n_cpus;
};

enum cpu_guard_helper_action {
	CPU_GUARD_HELPER_NOTHING,
	CPU_GUARD_HELPER_REONLINE,
};

/* Whether /run/tdxd/state lets the helper act at all: this boot's, CPU_GUARD=enforce, and
 * TDX_ENABLED=1 or MODULE_INITIALIZED=1. Pure; when false, reason says why. */
bool cpu_guard_helper_state_applies(const struct run_state *st, const char *boot_id, unsigned cpu,
                                    char *reason, size_t size);

/* The udev helper's decision: bring the CPU back online only when /run/tdxd/state is this
 * boot's, says CPU_GUARD=enforce and TDX_ENABLED=1 or MODULE_INITIALIZED=1, the CPU is still
 * offline, and no other CPU of its package is online. Pure; the reason is always filled. */
enum cpu_guard_helper_action cpu_guard_helper_decide(const struct cpu_guard_helper_input *in,
                                                     char *reason, size_t size);
