/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The CPU guard (spec section 6): while TDX is enabled in KVM or the module is initialized,
 * every physical package keeps at least one online CPU. cpu_guard_decide() is the pure
 * decision; the cpu_guard_on_*() functions act for the daemon. */

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "host.h"
#include "status.h"

struct Manager;

struct cpu_verdict {
	bool exists;	/* the CPU is present (else NoSuchCPU) */
	bool allowed;	/* the enforce verdict */
	int package;	/* -1 unknown */
	bool tds_exist; /* KeyIDs in use: the kernel itself would refuse with EBUSY */
	char reason[CHECK_TEXT_MAX];
};

/* May `cpu` go offline now? The verdict is always the enforce one; the reason names the mode
 * when it is not enforce. */
int cpu_guard_decide(const struct tdx_host *h, const struct tdx_status *s, enum policy_mode mode,
		     unsigned cpu, struct cpu_verdict *ret);

/* A CPU went offline (uevent): re-online it when it was its package's last and the policy is
 * enforce, signal and log. */
int cpu_guard_on_offline(struct Manager *m, unsigned cpu);
/* A CPU came online: remember its package (/run/tdxd/cpu-package). */
int cpu_guard_on_online(struct Manager *m, unsigned cpu);

/* The OfflineCPU() method: refuse with LastCPUInPackage / NoSuchCPU, or offline it. */
int cpu_guard_offline_cpu(struct Manager *m, unsigned cpu, sd_bus_error *error);
