/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* All file I/O on kernel paths goes through here, relative to a root directory ("/" on a
 * real host, a fixture tree under --root). Paths passed in are absolute kernel paths
 * ("/sys/..."), exactly as they appear on a real host; the root is prefixed here and nowhere
 * else. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Join root and an absolute kernel path into a newly allocated string. */
char *root_path(const char *root, const char *path);

/* Open a regular file below root for reading, without ever blocking: -EISDIR for a directory,
 * -EBADFD for anything else that is not a regular file (FIFO, socket, device), the test root's
 * "<file>.errno" markers as read_full_file_at() says. Returns the descriptor or -errno. */
int open_regular_at(const char *root, const char *path);

/* Read a whole regular file into a NUL-terminated buffer (binary-safe: *ret_size excludes
 * the NUL). Files larger than max_size give -EFBIG, a directory -EISDIR, anything else that
 * is not a regular file (FIFO, socket, device) -EBADFD without blocking. Returns 0 or -errno
 * (-ENOENT when missing). Under a test root a missing file with a "<file>.errno" marker (e.g.
 * "ENXIO") fails with that errno, the way the kernel attribute does (-EBADMSG for a name the
 * marker table lacks). */
int read_full_file_at(const char *root, const char *path, size_t max_size, char **ret,
                      size_t *ret_size);
/* The same, but only through the first occurrence of `stop` (included), or the whole file
 * when it has none: for files the kernel generates as they are read, of which only the
 * beginning is wanted. */
int read_file_until_at(const char *root, const char *path, size_t max_size, const char *stop,
                       char **ret, size_t *ret_size);

/* strerror() for the errors above, in words a warning can use after the path. */
const char *read_strerror(int r);

/* Read a small text attribute (sysfs style) and strip one trailing newline. */
int read_one_line_at(const char *root, const char *path, char **ret);

/* Write a string to an existing file (sysfs attribute style: no O_CREAT, no O_TRUNC unless
 * the target is a regular file under a test root). */
int write_string_at(const char *root, const char *path, const char *value);
/* The same with a blocking open, for a worker thread only: a FIFO a test puts in place of a
 * kernel file (the firmware-upload files) waits for the test's reader instead of failing. */
int write_string_at_wait(const char *root, const char *path, const char *value);

/* Atomically replace (create) a regular file: write to a temporary file, then rename.
 * Creates missing parent directories (mode 0755). */
int write_file_atomic_at(const char *root, const char *path, const char *contents);

bool exists_at(const char *root, const char *path);
bool is_dir_at(const char *root, const char *path);
