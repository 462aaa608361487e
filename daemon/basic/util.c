/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <time.h>

#include "macro.h"

int greedy_realloc(void **array, size_t *n_alloc, size_t need, size_t sz) {
	if (*n_alloc >= need)
		return 0;
	size_t n = *n_alloc ? *n_alloc : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		n *= 2;
	}
	void *p = realloc(*array, n * sz);
	if (!p)
		return -ENOMEM;
	/* zero the new tail so callers can rely on fresh elements being cleared */
	memset((char *)p + *n_alloc * sz, 0, (n - *n_alloc) * sz);
	*array = p;
	*n_alloc = n;
	return 0;
}

void vtextf(char *buf, size_t size, bool append, const char *fmt, va_list ap) {
	size_t o = append ? strnlen(buf, size) : 0;
	if (size == 0 || o >= size - 1)
		return;
	(void)vsnprintf(buf + o, size - o, fmt, ap);
}

void textf(char *buf, size_t size, bool append, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(buf, size, append, fmt, ap);
	va_end(ap);
}

uint64_t now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
