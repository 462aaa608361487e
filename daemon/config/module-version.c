/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "module-version.h"

int module_version_parse(const char *s, struct module_version *ret) {
	uint32_t v[3];

	if (!s)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		uint64_t x = 0;
		const char *start = s;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (uint64_t)(*s++ - '0');
			if (x > UINT32_MAX)
				return -ERANGE;
		}
		if (s == start)
			return -EINVAL;
		v[i] = (uint32_t)x;
		if (i < 2 && *s++ != '.')
			return -EINVAL;
	}
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (ret)
		*ret = (struct module_version){v[0], v[1], v[2]};
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b) {
	return (a > b) - (a < b);
}

int module_version_compare(const struct module_version *a, const struct module_version *b) {
	int r = cmp_u32(a->major, b->major);
	if (r == 0)
		r = cmp_u32(a->minor, b->minor);
	if (r == 0)
		r = cmp_u32(a->update, b->update);
	return r;
}

char *module_version_format(const struct module_version *v, char *buf, size_t size) {
	if (size > 0)
		(void)snprintf(buf, size, "%u.%u.%02u", v->major, v->minor, v->update);
	return buf;
}
