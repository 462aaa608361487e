/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which kernel and host this is: the release (some kernel behaviour tdxd reports is known only
 * by version: the kexec refusal on tdx_pw_mce hosts is logged only when kexec_load is tried)
 * and the hostname. With the boot id (probe.c) they are the document's "host". */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "kernel-release.h"
#include "macro.h"

#define OSRELEASE "/proc/sys/kernel/osrelease"
#define HOSTNAME  "/proc/sys/kernel/hostname"

int probe_osrelease(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL, *name = NULL;
	/* the kernel's own file rather than gethostname(): under --root it is the tree's */
	int r = probe_read_attr(h, HOSTNAME, &name);
	if (r < 0)
		return r;
	if (r > 0)
		snprintf(h->hostname, sizeof(h->hostname), "%s", name);

	r = read_one_line_at(h->root, OSRELEASE, &t);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		host_warn(h, OSRELEASE ": %s", read_strerror(r));
		return 0;
	}
	snprintf(h->osrelease, sizeof(h->osrelease), "%s", t);
	struct kernel_release k;
	if (kernel_release_parse(t, &k) < 0) {
		host_warn(h, OSRELEASE ": not a kernel release: \"%.32s\"", t);
		return 0;
	}
	h->kernel_major = k.major;
	h->kernel_minor = k.minor;
	h->kernel_patch = k.patch;
	h->kernel_version_known = true;
	return 0;
}
