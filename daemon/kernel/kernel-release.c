/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stddef.h>

#include "kernel-release.h"

static bool number(const char **s, uint32_t *ret) {
	uint64_t x = 0;
	const char *start = *s;
	while (**s >= '0' && **s <= '9') {
		x = x * 10 + (uint64_t)(*(*s)++ - '0');
		if (x > UINT32_MAX)
			return false;
	}
	*ret = (uint32_t)x;
	return *s != start;
}

int kernel_release_parse(const char *s, struct kernel_release *ret) {
	struct kernel_release k = {0};
	if (!s || !number(&s, &k.major) || *s++ != '.' || !number(&s, &k.minor))
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (!number(&s, &k.patch))
			return -EINVAL;
	}
	/* "6.18" must not be read from "6.18x": a separator or the end must follow */
	if (*s && *s != '-' && *s != '+' && *s != '_' && *s != '~' && *s != '\n')
		return -EINVAL;
	if (ret)
		*ret = k;
	return 0;
}

static int cmp(uint32_t a, uint32_t b) {
	return (a > b) - (a < b);
}

int kernel_release_compare(const struct kernel_release *r, uint32_t major, uint32_t minor,
                           uint32_t patch) {
	int c = cmp(r->major, major);
	if (c == 0)
		c = cmp(r->minor, minor);
	if (c == 0)
		c = cmp(r->patch, patch);
	return c;
}
