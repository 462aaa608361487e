/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host record every kernel reader fills (host.h): its warnings and its release. Kept apart
 * from probe.c so the per-source readers (probe-*.c) depend on this file, not on the probe
 * that calls them. */
#include <stdarg.h>
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "kmsg.h"
#include "macro.h"

int probe_read_attr(struct tdx_host *h, const char *path, char **ret) {
	int r = read_one_line_at(h->root, path, ret);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		host_warn(h, "%s: %s", path, read_strerror(r));
		return 0;
	}
	return 1;
}

void host_warn(struct tdx_host *h, const char *fmt, ...) {
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	char **n = realloc(h->warnings, (h->n_warnings + 1) * sizeof(char *));
	if (!n) {
		free(s);
		return;
	}
	h->warnings = n;
	h->warnings[h->n_warnings++] = s;
}

void tdx_host_done(struct tdx_host *h) {
	if (!h)
		return;
	free(h->root);
	kmsg_facts_done(&h->kmsg);
	range_set_clear(&h->fw.md_cmrs);
	free(h->cpus);
	free(h->packages);
	free(h->dark_nodes);
	free(h->mem.block_ids);
	range_set_clear(&h->mem.system_ram);
	free(h->mem.outside);
	for (size_t i = 0; i < h->mem.n_dax; i++)
		range_set_clear(&h->mem.dax[i].ranges);
	free(h->mem.dax);
	range_set_clear(&h->cmrs);
	range_set_clear(&h->tdx_memory);
	for (size_t i = 0; i < h->n_warnings; i++)
		free(h->warnings[i]);
	free(h->warnings);
	*h = (struct tdx_host){0};
}
