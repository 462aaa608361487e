/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"

/* A module name from the config becomes a path component: keep it one. */
static bool module_name_valid(const char *n) {
	if (!*n || streq(n, ".") || streq(n, ".."))
		return false;
	for (const char *s = n; *s; s++)
		if (!(*s == '_' || *s == '-' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static void read_holders(struct tdx_host *h, const char *dirpath) {
	struct kvm_module *k = &h->kvm;
	_cleanup_free_ char *p = root_path(h->root, dirpath);
	if (!p)
		return;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return;
	size_t o = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		k->n_holders++;
		int w = snprintf(k->holders + o, sizeof(k->holders) - o, "%s%s", o ? "," : "",
		                 de->d_name);
		if (w > 0 && (size_t)w < sizeof(k->holders) - o)
			o += (size_t)w;
	}
}

int probe_kvm_module(struct tdx_host *h) {
	struct kvm_module *k = &h->kvm;
	char path[256];
	int r;

	k->refcnt = -1;
	k->modinfo_has_tdx = -1;
	if (!*k->name)
		snprintf(k->name, sizeof(k->name), "kvm_intel");
	if (!module_name_valid(k->name)) {
		host_warn(h, "KVMModule=%s: not a module name", k->name);
		return 0;
	}

	snprintf(path, sizeof(path), "/sys/module/%s", k->name);
	if (!is_dir_at(h->root, path))
		return 0;

	/* built-in modules have no initstate; a loading or unloading one is not usable yet */
	_cleanup_free_ char *st = NULL;
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", k->name);
	r = read_one_line_at(h->root, path, &st);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		k->loaded = true;
	else if (r < 0)
		host_warn(h, "%s: %s", path, read_strerror(r));
	else
		k->loaded = streq(st, "live");

	_cleanup_free_ char *rc = NULL;
	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", k->name);
	r = probe_read_attr(h, path, &rc);
	if (r < 0)
		return r;
	if (r > 0) {
		uint32_t v;
		if (parse_u32(rc, &v) < 0 || v > INT32_MAX)
			host_warn(h, "%s: not a number: \"%.32s\"", path, rc);
		else
			k->refcnt = (int)v;
	}

	snprintf(path, sizeof(path), "/sys/module/%s/holders", k->name);
	read_holders(h, path);

	_cleanup_free_ char *tdx = NULL;
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/tdx", k->name);
	r = probe_read_attr(h, path, &tdx);
	if (r < 0)
		return r;
	if (r > 0) {
		k->has_tdx_param = true;
		if (parse_kernel_bool(tdx, &k->tdx_enabled) < 0)
			host_warn(h, "%s: not Y or N: \"%.32s\"", path, tdx);
	}
	return 0;
}
