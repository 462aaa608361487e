/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The files tdxd keeps for others (docs/readiness.md, "Files under /run/tdxd"): the state and
 * CPU-package map the udev helper decides on while the daemon is down, this boot's TDX kernel
 * lines (the log is a ring), and the NFD feature file. Each is rewritten only when its text
 * changes. */

#include "config.h"
#include "host.h"
#include "status.h"

struct run_files {
	/* what was last written, NULL before the first write */
	char *state, *cpu_package, *kernel_log, *nfd;
};

void run_files_save(struct run_files *saved, const char *root, const struct tdxd_config *c,
                    const struct tdx_host *h, const struct tdx_status *s);
void run_files_done(struct run_files *saved);
