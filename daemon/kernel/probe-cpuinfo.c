/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpuinfo.h"
#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"

/* A 1000-CPU host has a few MiB of cpuinfo (2-3 KiB a CPU): 4 KiB for each of the CPUS_MAX
 * CPUs a kernel can have is the bound; a larger file is refused with a warning. */
#define CPUINFO_MAX (CPUS_MAX * 4096u)

int probe_cpuinfo(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL;
	size_t n;
	/* Only the first processor block is used (every CPU carries the same flags), and the
	 * kernel generates the text CPU by CPU as it is read: a 960-CPU host's 2 MiB are neither
	 * made nor copied. */
	int r = read_file_until_at(h->root, "/proc/cpuinfo", CPUINFO_MAX, "\n\n", &t, &n);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		host_warn(h, "/proc/cpuinfo: %s", read_strerror(r));
		return 0;
	}
	r = cpuinfo_parse(t, n, &h->cpuinfo);
	if (r < 0)
		host_warn(h, "/proc/cpuinfo: no \"processor\" line, not a cpuinfo file");
	return 0;
}
