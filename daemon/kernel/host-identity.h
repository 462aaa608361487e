/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which host and boot a document describes (docs/kernel-interfaces.md, *Host identity*), so a
 * control plane can tell documents of different hosts and boots apart. */

struct host_identity {
	char hostname[256];
	char kernel[128]; /* uname -r */
	char boot_id[40]; /* as the kernel formats it, with dashes */
};

/* From the kernel's own files below root rather than uname()/gethostname(): under --root they
 * are the other host's. A file that cannot be read leaves its field "". Returns 0 or -ENOMEM. */
int host_identity_read(const char *root, struct host_identity *ret);
