/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "misc-cgroup.h"
#include "parse-util.h"

int misc_cgroup_parse(const char *text, size_t size, const char *resource, bool *ret_found,
                      uint64_t *ret_value) {
	size_t rl = strlen(resource);
	const char *p = text, *end = text + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *line = p;
		p = le + 1;

		if ((size_t)(le - line) <= rl || memcmp(line, resource, rl) != 0 || line[rl] != ' ')
			continue;
		const char *v0 = line + rl + 1;
		size_t nlen = (size_t)(le - v0);
		/* the kernel prints plain decimal; parse_u64 alone would also take 0x */
		for (size_t i = 0; i < nlen; i++)
			if (v0[i] < '0' || v0[i] > '9')
				return -EINVAL;
		char num[32];
		if (nlen == 0)
			return -EINVAL;
		if (nlen >= sizeof(num))
			return -ERANGE;
		memcpy(num, v0, nlen);
		num[nlen] = 0;
		uint64_t val;
		int r = parse_u64(num, &val);
		if (r < 0)
			return r;
		*ret_found = true;
		*ret_value = val;
		return 0;
	}
	*ret_found = false;
	return 0;
}
