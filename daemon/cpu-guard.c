/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STUB: to be replaced by the CPU guard implementation. */
#include "cpu-guard.h"
#include "macro.h"
#include "manager.h"
#include "tdx-errors.h"

int cpu_guard_decide(const struct tdx_host *h, const struct tdx_status *s, enum policy_mode mode,
		     unsigned cpu, struct cpu_verdict *ret) {
	struct cpu_verdict v = {.package = -1};
	v.exists = cpu < h->n_cpus && h->cpus[cpu].present;
	v.allowed = v.exists;
	snprintf(v.reason, sizeof v.reason, v.exists ? "allowed" : "CPU %u does not exist", cpu);
	*ret = v;
	return 0;
}

int cpu_guard_on_offline(struct Manager *m, unsigned cpu) {
	return 0;
}

int cpu_guard_on_online(struct Manager *m, unsigned cpu) {
	return 0;
}

int cpu_guard_offline_cpu(struct Manager *m, unsigned cpu, sd_bus_error *error) {
	return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED, "not implemented");
}
