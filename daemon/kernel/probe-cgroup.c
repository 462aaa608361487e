/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "misc-cgroup.h"

/* cgroup v2 first (the root's misc.* files), then a v1 misc hierarchy. */
static const struct {
	const char *capacity, *current;
} misc_dirs[] = {
    {"/sys/fs/cgroup/misc.capacity", "/sys/fs/cgroup/misc.current"},
    {"/sys/fs/cgroup/misc/misc.capacity", "/sys/fs/cgroup/misc/misc.current"},
};

/* 1 found, 0 no tdx line or no file, -ENOMEM, other -errno for a malformed or unreadable
 * file (*ret_file says which). */
static int read_tdx_value(const char *root, const char *path, bool *ret_file, uint32_t *ret) {
	_cleanup_free_ char *t = NULL;
	size_t n;
	int r = read_full_file_at(root, path, 64 * 1024, &t, &n);
	*ret_file = r >= 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	bool found;
	uint64_t v;
	r = misc_cgroup_parse(t, n, "tdx", &found, &v);
	if (r < 0)
		return r;
	if (!found)
		return 0;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 1;
}

static const char *misc_error(int r) {
	return r == -EINVAL   ? "malformed \"tdx\" line"
	       : r == -ERANGE ? "\"tdx\" value out of range"
	                      : read_strerror(r);
}

/* Fills m; each problem is passed to warn (h may be NULL). Returns the first error or 0. */
static int probe_misc(const char *root, struct misc_cgroup *m, struct tdx_host *h) {
	int first = 0;
	for (size_t i = 0; i < ELEMENTSOF(misc_dirs); i++) {
		bool file;
		uint32_t v;
		int r = read_tdx_value(root, misc_dirs[i].capacity, &file, &v);
		if (r == -ENOMEM)
			return r;
		if (!file && r == 0)
			continue;
		m->capacity_file = true;
		m->capacity_source = misc_dirs[i].capacity;
		if (r > 0) {
			m->capacity_known = true;
			m->capacity = v;
		} else if (r < 0) {
			if (h)
				host_warn(h, "%s: %s", misc_dirs[i].capacity, misc_error(r));
			first = first ?: r;
		}
		r = read_tdx_value(root, misc_dirs[i].current, &file, &v);
		if (r == -ENOMEM)
			return r;
		if (r > 0) {
			m->current_known = true;
			m->current = v;
			m->current_source = misc_dirs[i].current;
		} else if (r < 0) {
			if (h)
				host_warn(h, "%s: %s", misc_dirs[i].current, misc_error(r));
			first = first ?: r;
		}
		break;
	}
	return first;
}

int probe_misc_cgroup(const char *root, struct misc_cgroup *ret) {
	struct misc_cgroup m = {0};
	int r = probe_misc(root, &m, NULL);
	if (r < 0)
		return r;
	*ret = m;
	return 0;
}

int probe_cgroup(struct tdx_host *h) {
	struct misc_cgroup m = {0};
	int r = probe_misc(h->root, &m, h);
	if (r == -ENOMEM)
		return r;
	h->misc = m;
	return 0;
}

const char *misc_current_path(const struct misc_cgroup *m) {
	for (size_t i = 0; i < ELEMENTSOF(misc_dirs); i++)
		if (m->capacity_file && m->capacity_source == misc_dirs[i].capacity)
			return misc_dirs[i].current;
	return NULL;
}

int misc_usage_open(const char *root, const char *path, bool *ret_replaceable) {
	int fd = open_regular_at(root, path);
	if (fd < 0)
		return fd;
	/* A cgroup file stays the same file for as long as the hierarchy lives; anything else
	 * (a fixture tree under --root) is a regular file that can be replaced under its name. */
	struct statfs sf;
	*ret_replaceable =
	    fstatfs(fd, &sf) < 0 || ((unsigned long)sf.f_type != CGROUP2_SUPER_MAGIC &&
	                             (unsigned long)sf.f_type != CGROUP_SUPER_MAGIC);
	return fd;
}

int misc_usage_read(int fd, bool replaceable, bool *ret_known, uint32_t *ret_current) {
	/* A few "name value" lines, one per misc resource: a page is plenty. A cgroup file
	 * generates its text anew on a read from offset 0, so one pread() is one fresh answer. */
	char buf[4096];
	if (replaceable) {
		/* replaced, e.g. by sed -i: the descriptor holds the unlinked old file */
		struct stat st;
		if (fstat(fd, &st) < 0)
			return -errno;
		if (st.st_nlink == 0)
			return -ESTALE;
	}
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	if (n < 0)
		/* the files of a cgroup hierarchy that is gone answer ENODEV */
		return errno == ENODEV ? -ESTALE : -errno;
	if ((size_t)n == sizeof buf)
		return -EFBIG;
	bool found;
	uint64_t v;
	int r = misc_cgroup_parse(buf, (size_t)n, "tdx", &found, &v);
	if (r < 0)
		return r;
	if (found && v > UINT32_MAX)
		return -ERANGE;
	*ret_known = found;
	*ret_current = found ? (uint32_t)v : 0;
	return 0;
}
