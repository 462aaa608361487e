/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers shared by every tdxd source file: cleanup attributes in the systemd/kmod
 * style, array sizes, and pointer ownership transfer. */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_         __attribute__((pure))
#define _likely_(x)    __builtin_expect(!!(x), 1)
#define _unlikely_(x)  __builtin_expect(!!(x), 0)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p_ = (p);                                                           \
		(p) = NULL;                                                                        \
		_p_;                                                                               \
	})

#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_fd_;                                                                              \
	})

static inline void *mfree(void *p) {
	free(p);
	return NULL;
}

static inline void freep(void *p) {
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
	if (*f)
		(void)fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d) {
	if (*d)
		(void)closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Define a fooa_unrefp()-style helper for a library type whose destructor takes the pointer. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type *p) {                                                      \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

static inline bool streq_ptr(const char *a, const char *b) {
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
#define streq(a, b) (strcmp((a), (b)) == 0)

static inline const char *strempty(const char *s) {
	return s ? s : "";
}

static inline const char *startswith(const char *s, const char *prefix) {
	size_t l = strlen(prefix);
	return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

/* Format into a fixed buffer, replacing it or (append) adding to what it holds. Truncation is
 * on purpose: long kernel lines quoted in bounded texts. Never overflows, always terminated. */
void vtextf(char *buf, size_t size, bool append, const char *fmt, va_list ap) _printf_(4, 0);
void textf(char *buf, size_t size, bool append, const char *fmt, ...) _printf_(4, 5);

/* Grow *array (of *n_alloc elements of size sz) so that it can hold `need` elements. */
int greedy_realloc(void **array, size_t *n_alloc, size_t need, size_t sz);
#define GREEDY_REALLOC(array, n_alloc, need)                                                       \
	greedy_realloc((void **)&(array), &(n_alloc), (need), sizeof((array)[0]))

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);
