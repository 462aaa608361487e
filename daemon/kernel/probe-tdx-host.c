/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "module-version.h"
#include "parse-util.h"

#define TDX_HOST_DIR "/sys/devices/faux/tdx_host"

/* A tdx_host attribute: 1 with *ret set; 0 when missing, or unreadable because it is root-only
 * (0400: an unprivileged tdxctl check leaves it unknown, no finding) or for another reason (a
 * warning names the file); -ENXIO passed on (the module is not usable); -ENOMEM. */
static int read_tdx_host_attr(struct tdx_host *h, const char *path, char **ret) {
	int r = read_one_line_at(h->root, path, ret);
	if (r == -ENOMEM || r == -ENXIO)
		return r;
	if (r == -ENOENT || r == -EACCES)
		return 0;
	if (r < 0) {
		host_warn(h, "%s: %s", path, read_strerror(r));
		return 0;
	}
	return 1;
}

/* A "%u.%u.%02u" attribute, as read_tdx_host_attr() says. */
static int read_version_attr(struct tdx_host *h, const char *path, struct module_version *ret) {
	_cleanup_free_ char *t = NULL;
	int r = read_tdx_host_attr(h, path, &t);
	if (r <= 0)
		return r;
	if (module_version_parse(t, ret) < 0) {
		host_warn(h, "%s: not major.minor.update: \"%.32s\"", path, t);
		return 0;
	}
	return 1;
}

static int probe_remaining_updates(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL;
	const char *path = TDX_HOST_DIR "/num_remaining_updates";
	int r = read_tdx_host_attr(h, path, &t);
	if (r == -ENOMEM)
		return r;
	if (r <= 0)
		return 0;
	/* decimal only, as the kernel prints it: parse_u32() alone would take 0x too */
	if (t[0] < '0' || t[0] > '9' || strpbrk(t, "xX") ||
	    parse_u32(t, &h->remaining_updates) < 0) {
		host_warn(h, "%s: not a decimal count: \"%.32s\"", path, t);
		return 0;
	}
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
		host_warn(h, TDX_HOST_DIR "/seamldr_version: %s", read_strerror(-ENXIO));
	else if (r > 0) {
		h->sl_major = v.major;
		h->sl_minor = v.minor;
		h->sl_update = v.update;
		h->seamldr_version_known = true;
	}
	return probe_remaining_updates(h);
}
