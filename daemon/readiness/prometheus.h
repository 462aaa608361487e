/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The fleet metrics (PrometheusTextFile=): the published status in the Prometheus text
 * exposition format that node_exporter's textfile collector reads. prometheus_format() is
 * pure; prometheus_write_textfile() replaces the file atomically. Values tdxd does not know
 * are left out, never written as 0: a dashboard must not mistake "unknown" for "none". */

#include <stdint.h>

#include "status.h"

/* Counted by the daemon since its start. */
struct prometheus_counters {
	uint64_t
	    cpu_offline_blocked_total; /* CPUOfflineBlocked signals (refused, re-onlined, warned) */
	uint64_t memory_refused_total; /* MemoryRefused signals */
};

enum prometheus_tristate {
	PROMETHEUS_UNKNOWN = -1, /* left out */
	PROMETHEUS_NO = 0,
	PROMETHEUS_YES = 1,
};

/* Formats the metrics into a newly allocated *ret. counters NULL: the counters are left out.
 * attestation_ready: enum prometheus_tristate. seamldr_version NULL or "": unknown, the label
 * is left out. Returns 0 or -ENOMEM. */
int prometheus_format(const struct tdx_status *s, const struct prometheus_counters *counters,
                      int attestation_ready, const char *seamldr_version, char **ret);

/* Writes text to path (below root, like every path tdxd writes) through a temporary file in
 * the same directory and a rename: the collector sees the old file or the new one, never a
 * part. The temporary name does not end in .prom, so the collector never reads it.
 * Returns 0 or -errno. */
int prometheus_write_textfile(const char *root, const char *path, const char *text);
