/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "module-version.h"

#define TDX_HOST_DIR "/sys/devices/faux/tdx_host"

/* A "%u.%u.%02u" attribute: 1 with *ret set, 0 when absent or unreadable (a warning names the
 * file for anything but a missing file), -ENOMEM. ENXIO is returned as -ENXIO. */
static int read_version_attr(struct tdx_host *h, const char *path, struct module_version *ret) {
	_cleanup_free_ char *t = NULL;
	int r = read_one_line_at(h->root, path, &t);
	if (r == -ENOMEM || r == -ENXIO)
		return r;
	if (r == -ENOENT || r == -EACCES)
		return 0;
	if (r < 0) {
		host_warn(h, "%s: %s", path, strerror(-r));
		return 0;
	}
	if (module_version_parse(t, ret) < 0) {
		host_warn(h, "%s: not major.minor.update: \"%.32s\"", path, t);
		return 0;
	}
	return 1;
}

static int probe_remaining_updates(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL;
	const char *path = TDX_HOST_DIR "/num_remaining_updates";
	int r = read_one_line_at(h->root, path, &t);
	if (r == -ENOMEM)
		return r;
	/* root-only (0400): an unprivileged tdxctl check does not know it, no finding */
	if (r == -ENOENT || r == -EACCES)
		return 0;
	if (r < 0) {
		host_warn(h, "%s: %s", path, strerror(-r));
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(t, &end, 10);
	if (errno || end == t || *end || t[0] < '0' || t[0] > '9' || v > UINT32_MAX) {
		host_warn(h, "%s: not a decimal count: \"%.32s\"", path, t);
		return 0;
	}
	h->remaining_updates = (uint32_t)v;
	h->remaining_updates_known = true;
	return 0;
}

int probe_tdx_host_dev(struct tdx_host *h) {
	struct module_version v;
	int r;

	/* The upload device is registered only when the kernel can update the module at run
	 * time; its class link is where tools find it. */
	h->module_update_supported = is_dir_at(h->root, FW_UPLOAD_TDX_MODULE_DIR);

	if (!is_dir_at(h->root, TDX_HOST_DIR))
		return 0;
	h->tdx_host_dev = true;

	r = read_version_attr(h, TDX_HOST_DIR "/version", &v);
	if (r == -ENOMEM)
		return r;
	/* ENXIO: the module is not usable (mid-update, or a failed update until reboot) */
	if (r == -ENXIO)
		h->tdx_host_version_enxio = true;
	else if (r > 0) {
		h->th_major = v.major;
		h->th_minor = v.minor;
		h->th_update = v.update;
		h->tdx_host_version_known = true;
	}

	/* root-only (0400): an unprivileged tdxctl check gets EACCES and leaves it unknown */
	r = read_version_attr(h, TDX_HOST_DIR "/seamldr_version", &v);
	if (r == -ENOMEM)
		return r;
	if (r == -ENXIO)
		host_warn(h, TDX_HOST_DIR "/seamldr_version: %s", strerror(ENXIO));
	else if (r > 0) {
		h->sl_major = v.major;
		h->sl_minor = v.minor;
		h->sl_update = v.update;
		h->seamldr_version_known = true;
	}
	return probe_remaining_updates(h);
}
