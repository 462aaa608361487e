/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/iomem: the driver-managed System RAM, which the kernel leaves out of TDX memory
 * (docs/kernel-interfaces.md, "Hot-added memory"). Pure. */
#include "iomem.h"
#include "macro.h"

/* "  100000000-13fffffff : System RAM (kmem)": hex without 0x, end inclusive, nesting by
 * leading spaces. Driver-managed memory is named "System RAM ($DRIVER)" by the kernel's rule
 * (add_memory_driver_managed). */
int iomem_parse_driver_managed(const char *text, struct range_set *ret, unsigned *ret_line) {
	struct range_set s = {0};
	bool any_address = false;
	unsigned line = 0;
	int r;

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[256];
		line++;
		if (len >= sizeof buf)
			goto bad;
		memcpy(buf, p, len);
		buf[len] = 0;
		p = eol ? eol + 1 : NULL;

		char *q = buf;
		while (*q == ' ')
			q++;
		if (!*q)
			continue;
		char *dash = strchr(q, '-'), *colon = strstr(q, " : ");
		if (!dash || !colon || dash > colon)
			goto bad;
		*dash = 0;
		*colon = 0;
		char *e1, *e2;
		errno = 0;
		unsigned long long a = strtoull(q, &e1, 16), b = strtoull(dash + 1, &e2, 16);
		if (errno || e1 == q || *e1 || e2 == dash + 1 || *e2 || b < a)
			goto bad;
		if (a || b)
			any_address = true;
		const char *name = colon + 3;
		if (startswith(name, "System RAM (") && (a || b) && b < UINT64_MAX) {
			r = range_set_add(&s, a, (uint64_t)b + 1);
			if (r < 0) {
				range_set_clear(&s);
				return r;
			}
		}
	}
	if (!any_address) {
		range_set_clear(&s);
		return -EACCES;
	}
	range_set_normalize(&s, true);
	range_set_clear(ret);
	*ret = s;
	return 0;
bad:
	range_set_clear(&s);
	if (ret_line)
		*ret_line = line;
	return -EINVAL;
}
