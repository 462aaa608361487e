/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <strings.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"
#include "tdx-metadata.h"

/* Vendor /sys/firmware/tdx (docs/kernel-interfaces.md, *Vendor firmware directory*): attributes are
 * "0x%08x" without a newline, build_date is decimal. */
#define FW_DIR        "/sys/firmware/tdx"
#define FW_MODULE_DIR FW_DIR "/tdx_module"
#define FW_MD_DIR     FW_MODULE_DIR "/metadata"
#define MD_FILE_MAX   (64u * 1024)

/* 1 when read, 0 when missing or malformed (malformed is recorded), -ENOMEM. */
static int read_u32_attr(struct tdx_host *h, const char *path, uint32_t *ret) {
	_cleanup_free_ char *t = NULL;
	int r = probe_read_attr(h, path, &t);
	if (r <= 0)
		return r;
	r = parse_u32(t, ret);
	if (r < 0) {
		host_warn(h, "%s: %s: \"%.32s\"", path,
		          r == -ERANGE ? "number out of range" : "not a number", t);
		return 0;
	}
	return 1;
}

struct md_file {
	uint64_t id;
	char *name; /* as found on disk, for messages */
	uint64_t *v;
	size_t n;
};

static void md_file_done(struct md_file *m) {
	free(m->name);
	free(m->v);
}

/* Read and decode one metadata field; 1 read, 0 missing or bad (recorded), -ENOMEM. */
static int read_md(struct tdx_host *h, struct md_file *m) {
	if (!m->name)
		return 0;
	char path[256];
	snprintf(path, sizeof(path), FW_MD_DIR "/%s", m->name);
	_cleanup_free_ char *t = NULL;
	size_t n;
	int r = read_full_file_at(h->root, path, MD_FILE_MAX, &t, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		host_warn(h, "%s: %s", path, read_strerror(r));
		return 0;
	}
	r = tdx_md_decode(m->id, t, n, &m->v, &m->n);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		host_warn(h, "%s: truncated: %zu bytes is not a whole number of %u-byte elements",
		          path, n, tdx_md_element_size(m->id));
		return 0;
	}
	return 1;
}

enum { MD_MAJOR, MD_MINOR, MD_UPDATE, MD_MAX_VCPUS, MD_NUM_CMRS, MD_CMR_BASE, MD_CMR_SIZE, _MD_N };

static const uint64_t md_ids[_MD_N] = {
    [MD_MAJOR] = TDX_MD_MAJOR_VERSION,   [MD_MINOR] = TDX_MD_MINOR_VERSION,
    [MD_UPDATE] = TDX_MD_UPDATE_VERSION, [MD_MAX_VCPUS] = TDX_MD_MAX_VCPUS_PER_TD,
    [MD_NUM_CMRS] = TDX_MD_NUM_CMRS,     [MD_CMR_BASE] = TDX_MD_CMR_BASE,
    [MD_CMR_SIZE] = TDX_MD_CMR_SIZE,
};

static int probe_metadata(struct tdx_host *h) {
	struct firmware_tdx *fw = &h->fw;
	struct md_file md[_MD_N] = {0};
	int r = 0;

	_cleanup_free_ char *dir = root_path(h->root, FW_MD_DIR);
	if (!dir)
		return -ENOMEM;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));) {
		uint64_t id;
		if (tdx_md_parse_field_id(de->d_name, &id) < 0)
			continue;
		for (size_t i = 0; i < _MD_N; i++)
			if (md_ids[i] == id && !md[i].name) {
				md[i].id = id;
				if (!(md[i].name = strdup(de->d_name))) {
					r = -ENOMEM;
					goto out;
				}
			}
	}
	for (size_t i = 0; i < _MD_N; i++)
		if ((r = read_md(h, &md[i])) < 0)
			goto out;
	r = 0;

	if (md[MD_MAX_VCPUS].n > 0) {
		fw->md_max_vcpus_known = true;
		fw->md_max_vcpus = (uint32_t)md[MD_MAX_VCPUS].v[0];
	}
	if (md[MD_MAJOR].n > 0 && md[MD_MINOR].n > 0) {
		fw->md_version_known = true;
		fw->md_major = (uint32_t)md[MD_MAJOR].v[0];
		fw->md_minor = (uint32_t)md[MD_MINOR].v[0];
		fw->md_update = md[MD_UPDATE].n > 0 ? (uint32_t)md[MD_UPDATE].v[0] : 0;
	}
	if (md[MD_NUM_CMRS].n > 0) {
		uint64_t num = md[MD_NUM_CMRS].v[0];
		if (md[MD_CMR_BASE].n < num || md[MD_CMR_SIZE].n < num) {
			/* name the short file (or the missing one) */
			struct md_file *bad =
			    md[MD_CMR_BASE].n < num ? &md[MD_CMR_BASE] : &md[MD_CMR_SIZE];
			host_warn(h, FW_MD_DIR "/%s: truncated: %zu elements, NUM_CMRS is %llu",
			          bad->name ? bad->name
			                    : (bad == &md[MD_CMR_BASE] ? "9000000300000080"
			                                               : "9000000300000100"),
			          bad->n, (unsigned long long)num);
		} else {
			r = tdx_md_cmrs(num, md[MD_CMR_BASE].v, md[MD_CMR_BASE].n,
			                md[MD_CMR_SIZE].v, md[MD_CMR_SIZE].n, &fw->md_cmrs);
			if (r == -ENOMEM)
				goto out;
			if (r < 0)
				host_warn(h, FW_MD_DIR "/%s: CMR base + size beyond 64 bits",
				          md[MD_CMR_SIZE].name);
			else
				fw->md_cmrs_known = true;
			r = 0;
		}
	}
out:
	for (size_t i = 0; i < _MD_N; i++)
		md_file_done(&md[i]);
	return r;
}

int probe_firmware_tdx(struct tdx_host *h) {
	struct firmware_tdx *fw = &h->fw;
	int r;

	if (!is_dir_at(h->root, FW_DIR))
		return 0;
	fw->present = true;

	if ((r = read_u32_attr(h, FW_DIR "/keyid_num", &fw->keyid_num)) < 0)
		return r;
	fw->has_keyid_num = r > 0;
	if ((r = read_u32_attr(h, FW_DIR "/nr_guest_keyids", &fw->nr_guest_keyids)) < 0)
		return r;
	fw->has_nr_guest_keyids = r > 0;

	_cleanup_free_ char *status = NULL;
	r = read_one_line_at(h->root, FW_MODULE_DIR "/status", &status);
	if (r == -ENOMEM)
		return r;
	if (r >= 0)
		snprintf(fw->status, sizeof(fw->status), "%s", status);
	else if (r != -ENOENT)
		host_warn(h, FW_MODULE_DIR "/status: %s", read_strerror(r));

	int ma, mi;
	if ((ma = read_u32_attr(h, FW_MODULE_DIR "/major_version", &fw->major_version)) < 0 ||
	    (mi = read_u32_attr(h, FW_MODULE_DIR "/minor_version", &fw->minor_version)) < 0)
		return -ENOMEM;
	fw->has_version = ma > 0 && mi > 0;
	if ((r = read_u32_attr(h, FW_MODULE_DIR "/build_num", &fw->build_num)) < 0)
		return r;
	if ((r = read_u32_attr(h, FW_MODULE_DIR "/build_date", &fw->build_date)) < 0)
		return r;

	return probe_metadata(h);
}
