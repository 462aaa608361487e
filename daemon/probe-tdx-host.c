/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"

#define TDX_HOST_DIR "/sys/devices/faux/tdx_host"

/* "%u.%u.%02u" */
static int parse_version3(const char *s, uint32_t *a, uint32_t *b, uint32_t *c) {
	uint32_t v[3];
	for (int i = 0; i < 3; i++) {
		uint64_t x = 0;
		const char *st = s;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (uint64_t)(*s++ - '0');
			if (x > UINT32_MAX)
				return -ERANGE;
		}
		if (s == st)
			return -EINVAL;
		v[i] = (uint32_t)x;
		if (i < 2 && *s++ != '.')
			return -EINVAL;
	}
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*a = v[0];
	*b = v[1];
	*c = v[2];
	return 0;
}

int probe_tdx_host_dev(struct tdx_host *h) {
	if (!is_dir_at(h->root, TDX_HOST_DIR))
		return 0;
	h->tdx_host_dev = true;

	_cleanup_free_ char *t = NULL;
	int r = read_one_line_at(h->root, TDX_HOST_DIR "/version", &t);
	if (r == -ENOMEM)
		return r;
	/* ENXIO: the module is being updated; the version comes back afterwards */
	if (r == -ENOENT || r == -ENXIO)
		return 0;
	if (r < 0) {
		host_warn(h, TDX_HOST_DIR "/version: %s", read_strerror(r));
		return 0;
	}
	r = parse_version3(t, &h->th_major, &h->th_minor, &h->th_update);
	if (r < 0) {
		host_warn(h, TDX_HOST_DIR "/version: not major.minor.update: \"%.32s\"", t);
		return 0;
	}
	h->tdx_host_version_known = true;
	return 0;
}
