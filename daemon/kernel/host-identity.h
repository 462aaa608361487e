/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which host and boot a document describes (docs/kernel-interfaces.md, *Host identity*), so a
 * control plane can tell documents of different hosts and boots apart. */

#include "host.h"

struct host_identity {
	char hostname[65];
	char kernel[65];  /* uname -r */
	char boot_id[40]; /* as the kernel formats it, with dashes */
};

/* From what the probe read (hostname, osrelease, boot_id, each "" when unknown), made valid
 * UTF-8 for JSON. */
void host_identity_of(const struct tdx_host *h, struct host_identity *ret);
