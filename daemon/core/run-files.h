/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The files tdxd keeps for others (docs/readiness.md, "Files under /run/tdxd"): the state and
 * CPU-package map the udev helper decides on while the daemon is down, this boot's TDX kernel
 * lines (the log is a ring), the NFD feature file and the Prometheus text file. Each is rewritten
 * only when its text changes. */

#include "config.h"
#include "host.h"
#include "prometheus.h"
#include "status.h"

struct run_files {
	/* what was last written, NULL before the first write */
	char *state, *cpu_package, *kernel_log, *nfd, *prometheus;
};

void run_files_save(struct run_files *saved, const char *root, const struct tdxd_config *c,
                    const struct tdx_host *h, const struct tdx_status *s);
/* PrometheusTextFile= (when set): the published status and the policy counters. */
void run_files_save_metrics(struct run_files *saved, const char *root, const struct tdxd_config *c,
                            const struct tdx_status *s, const struct prometheus_counters *counters);
void run_files_done(struct run_files *saved);
