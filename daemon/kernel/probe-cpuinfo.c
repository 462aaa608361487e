/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "cpuinfo.h"
#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"

/* A 1000-CPU host has a few MiB of cpuinfo (2-3 KiB a CPU): 4 KiB for each of the CPUS_MAX
 * CPUs a kernel can have is the bound; a larger file is refused with a warning. */
#define CPUINFO_MAX (CPUS_MAX * 4096u)

/* Read /proc/cpuinfo up to the blank line that ends the first processor block: only that
 * block's fields are used (every CPU carries the same flags), and the kernel generates the
 * text CPU by CPU as it is read, so a 960-CPU host's 2 MiB are neither made nor copied.
 * Without a blank line (not a cpuinfo file, or one CPU), the whole file. */
static int read_first_block(const char *root, char **ret, size_t *ret_size) {
	_cleanup_close_ int fd = open_regular_at(root, "/proc/cpuinfo");
	if (fd < 0)
		return fd;
	size_t n = 0, alloc = 16 * 1024;
	_cleanup_free_ char *buf = malloc(alloc + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == alloc) {
			if (alloc >= CPUINFO_MAX)
				return -EFBIG;
			char *nb = realloc(buf, alloc * 2 + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc *= 2;
		}
		ssize_t k = read(fd, buf + n, alloc - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		/* look from one byte back: the two newlines may straddle two reads */
		size_t from = n > 0 ? n - 1 : 0;
		n += (size_t)k;
		char *end = memmem(buf + from, n - from, "\n\n", 2);
		if (end) {
			n = (size_t)(end - buf) + 2;
			break;
		}
	}
	buf[n] = 0;
	*ret = TAKE_PTR(buf);
	*ret_size = n;
	return 0;
}

int probe_cpuinfo(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL;
	size_t n;
	int r = read_first_block(h->root, &t, &n);
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
