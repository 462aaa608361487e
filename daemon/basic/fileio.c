/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

char *root_path(const char *root, const char *path) {
	char *p;
	if (!root || streq(root, "/") || !*root)
		return strdup(path);
	size_t l = strlen(root);
	while (l > 1 && root[l - 1] == '/')
		l--;
	if (asprintf(&p, "%.*s%s%s", (int)l, root, path[0] == '/' ? "" : "/", path) < 0)
		return NULL;
	return p;
}

/* Read fd to its end, or only through the first `stop` (NULL: to the end). */
static int read_fd_until(int fd, size_t max_size, const char *stop, char **ret, size_t *ret_size) {
	size_t n = 0, alloc = 4096, stop_len = stop ? strlen(stop) : 0;
	_cleanup_free_ char *buf = malloc(alloc + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == alloc) {
			if (alloc >= max_size)
				return -EFBIG;
			alloc = alloc * 2 > max_size ? max_size : alloc * 2;
			char *nb = realloc(buf, alloc + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		ssize_t k = read(fd, buf + n, alloc - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		/* look back stop_len - 1 bytes: the terminator may straddle two reads */
		size_t from = stop && n >= stop_len ? n - (stop_len - 1) : 0;
		n += (size_t)k;
		char *end = stop ? memmem(buf + from, n - from, stop, stop_len) : NULL;
		if (end) {
			n = (size_t)(end - buf) + stop_len;
			break;
		}
	}
	buf[n] = 0;
	*ret = TAKE_PTR(buf);
	if (ret_size)
		*ret_size = n;
	return 0;
}

/* Under a test root, a kernel attribute whose read fails (tdx_host/version reads ENXIO while
 * the module is unusable) is modelled by a marker file "<attr>.errno" holding the errno's
 * name, in place of the attribute: git can store no file that fails to read. Only consulted
 * when the attribute itself is missing, and never on the real root. */
static int test_root_errno(const char *p) {
	static const struct {
		const char *name;
		int error;
	} names[] = {
	    {"ENXIO", ENXIO}, {"EIO", EIO},       {"EBUSY", EBUSY},   {"EACCES", EACCES},
	    {"EPERM", EPERM}, {"ENODEV", ENODEV}, {"EINVAL", EINVAL}, {"EOPNOTSUPP", EOPNOTSUPP},
	};
	_cleanup_free_ char *m = NULL;
	char buf[32];
	if (asprintf(&m, "%s.errno", p) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(m, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -ENOENT;
	ssize_t k = read(fd, buf, sizeof(buf) - 1);
	if (k < 0)
		return -errno;
	buf[k] = 0;
	buf[strcspn(buf, "\n")] = 0;
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (streq(buf, names[i].name))
			return -names[i].error;
	/* a marker tdxd does not know: loud (EBADMSG is no kernel attribute's answer) */
	return -EBADMSG;
}

int open_regular_at(const char *root, const char *path) {
	_cleanup_free_ char *p = root_path(root, path);
	if (!p)
		return -ENOMEM;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. Every file read here is a
	 * regular file on a real host (sysfs, procfs, cgroupfs, /run, /etc); a FIFO, socket or
	 * device in its place (a hostile --root, a mistaken config path) would block or never
	 * end. The one device tdxd reads, /dev/kmsg, has its own reader (probe-kmsg.c). */
	_cleanup_close_ int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && root && *root && !streq(root, "/"))
		return test_root_errno(p);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	/* back to blocking reads: regular files never wait, and some sysfs attributes are
	 * generated on read */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int read_file_until_at(const char *root, const char *path, size_t max_size, const char *stop,
                       char **ret, size_t *ret_size) {
	_cleanup_close_ int fd = open_regular_at(root, path);
	if (fd < 0)
		return fd;
	return read_fd_until(fd, max_size, stop, ret, ret_size);
}

int read_full_file_at(const char *root, const char *path, size_t max_size, char **ret,
                      size_t *ret_size) {
	_cleanup_close_ int fd = open_regular_at(root, path);
	if (fd < 0)
		return fd;
	return read_fd_until(fd, max_size, NULL, ret, ret_size);
}

const char *read_strerror(int r) {
	switch (r) {
	case -EBADFD: return "not a regular file (a FIFO, socket or device is not read)";
	case -EISDIR: return "a directory where a file is expected";
	case -EFBIG: return "larger than the kernel writes, not read";
	default: return strerror(-r);
	}
}

int read_one_line_at(const char *root, const char *path, char **ret) {
	char *s;
	size_t n;
	int r = read_full_file_at(root, path, 64 * 1024, &s, &n);
	if (r < 0)
		return r;
	if (n > 0 && s[n - 1] == '\n')
		s[n - 1] = 0;
	*ret = s;
	return 0;
}

static int write_string_flags(const char *root, const char *path, const char *value, int flags) {
	_cleanup_free_ char *p = root_path(root, path);
	if (!p)
		return -ENOMEM;
	/* Under a test root the "attribute" is a regular file that must end up holding exactly the
	 * value written, as a sysfs read would show it. */
	bool test_root = root && !streq(root, "/");
	_cleanup_close_ int fd =
	    open(p, O_WRONLY | O_CLOEXEC | O_NOCTTY | flags | (test_root ? O_TRUNC : 0));
	if (fd < 0)
		return -errno;
	size_t l = strlen(value);
	ssize_t k = write(fd, value, l);
	if (k < 0)
		return -errno;
	if ((size_t)k != l)
		return -EIO;
	return 0;
}

int write_string_at(const char *root, const char *path, const char *value) {
	/* O_NONBLOCK: a FIFO without a reader gives ENXIO instead of blocking the daemon */
	return write_string_flags(root, path, value, O_NONBLOCK);
}

int write_string_at_wait(const char *root, const char *path, const char *value) {
	return write_string_flags(root, path, value, 0);
}

static int mkdir_parents(const char *p) {
	_cleanup_free_ char *d = strdup(p);
	if (!d)
		return -ENOMEM;
	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

int write_file_atomic_at(const char *root, const char *path, const char *contents) {
	_cleanup_free_ char *p = root_path(root, path);
	_cleanup_free_ char *tmp = NULL;
	if (!p || asprintf(&tmp, "%s.tmpXXXXXX", p) < 0)
		return -ENOMEM;
	int r = mkdir_parents(p);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t l = strlen(contents);
	if (write(fd, contents, l) != (ssize_t)l || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		r = errno ? -errno : -EIO;
		(void)unlink(tmp);
		return r;
	}
	if (rename(tmp, p) < 0) {
		r = -errno;
		(void)unlink(tmp);
		return r;
	}
	return 0;
}

bool exists_at(const char *root, const char *path) {
	_cleanup_free_ char *p = root_path(root, path);
	return p && access(p, F_OK) == 0;
}

bool is_dir_at(const char *root, const char *path) {
	_cleanup_free_ char *p = root_path(root, path);
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}
