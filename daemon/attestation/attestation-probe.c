/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/stat.h>

#include "attestation-probe.h"
#include "fileio.h"
#include "macro.h"

/* efivarfs files of these variables are a few bytes; the config files are small text. */
#define EFIVAR_MAX (64u * 1024)
#define CONF_MAX   (1024u * 1024)

static bool is_real_root(const char *root) {
	return !root || !*root || streq(root, "/");
}

/* mode_type: S_IFCHR or S_IFSOCK, checked only under the real root */
static int node_at(const char *root, const char *path, mode_t mode_type, enum node_state *ret) {
	_cleanup_free_ char *p = root_path(root, path);
	struct stat st;
	if (!p)
		return -ENOMEM;
	if (stat(p, &st) < 0)
		*ret = NODE_MISSING;
	else if (!is_real_root(root) || (st.st_mode & S_IFMT) == mode_type)
		*ret = NODE_PRESENT;
	else
		*ret = NODE_WRONG_TYPE;
	return 0;
}

static int probe_registration(const char *root, struct attestation_facts *f) {
	_cleanup_free_ char *data = NULL;
	size_t n;

	f->efi = is_dir_at(root, EFI_DIR);
	int r = read_full_file_at(root, SGX_REGISTRATION_STATUS_PATH, EFIVAR_MAX, &data, &n);
	if (r == -ENOMEM)
		return r;
	if (r != -ENOENT) {
		f->reg_status_present = true;
		f->reg_status_error =
		    r < 0 ? r : sgx_registration_status_parse(data, n, &f->reg_status);
	}
	f->reg_request_present = exists_at(root, SGX_REGISTRATION_REQUEST_PATH);
	return 0;
}

static int probe_qgs(const char *root, struct attestation_facts *f) {
	_cleanup_free_ char *t = NULL;
	size_t n;

	f->qgs = (struct qgs_config){.transport = QGS_TRANSPORT_UNIX};
	int r = read_full_file_at(root, QGS_CONF_PATH, CONF_MAX, &t, &n);
	if (r == -ENOMEM)
		return r;
	if (r != -ENOENT) {
		f->qgs_conf_present = true;
		if (r < 0)
			textf(f->qgs_conf_message, sizeof(f->qgs_conf_message), false, "%s",
			      strerror(-r));
		else
			r = qgs_config_parse(t, n, &f->qgs, f->qgs_conf_message,
			                     sizeof(f->qgs_conf_message));
		f->qgs_conf_error = r < 0 ? r : 0;
	}
	return node_at(root, QGS_SOCKET_PATH, S_IFSOCK, &f->qgs_socket);
}

static int probe_qcnl(const char *root, struct attestation_facts *f) {
	_cleanup_free_ char *t = NULL;
	size_t n;

	int r = read_full_file_at(root, QCNL_CONF_PATH, CONF_MAX, &t, &n);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return 0;
	f->qcnl_present = true;
	if (r >= 0)
		r = qcnl_parse(t, n, f->pccs_url, sizeof(f->pccs_url), f->qcnl_message,
		               sizeof(f->qcnl_message));
	if (r == -ENOMEM)
		return r;
	if (r == -E2BIG)
		textf(f->qcnl_message, sizeof(f->qcnl_message), false,
		      "\"pccs_url\" is longer than %u bytes", PCCS_URL_MAX - 1);
	else if (r < 0 && !f->qcnl_message[0])
		textf(f->qcnl_message, sizeof(f->qcnl_message), false, "%s", strerror(-r));
	f->qcnl_error = r < 0 ? r : 0;
	if (r < 0) {
		f->pccs_url[0] = 0;
		return 0;
	}
	if (f->pccs_url[0] && url_host(f->pccs_url, f->pccs_host, sizeof(f->pccs_host)) >= 0)
		f->pccs_local = host_is_loopback(f->pccs_host);
	return 0;
}

int attestation_probe(const struct tdx_host *h, struct attestation_facts *ret) {
	struct attestation_facts f = {0};
	const char *root = h->root;
	int r;

	f.real_root = is_real_root(root);
	f.cpuinfo_read = h->cpuinfo.read;
	f.sgx = h->cpuinfo.sgx;
	f.sgx_lc = h->cpuinfo.sgx_lc;
	f.kmsg_readable = h->kmsg.readable;
	f.sgx_disabled = h->kmsg.sgx_disabled;

	if ((r = node_at(root, SGX_ENCLAVE_PATH, S_IFCHR, &f.dev_enclave)) < 0 ||
	    (r = node_at(root, SGX_PROVISION_PATH, S_IFCHR, &f.dev_provision)) < 0 ||
	    (r = probe_registration(root, &f)) < 0 || (r = probe_qgs(root, &f)) < 0 ||
	    (r = probe_qcnl(root, &f)) < 0)
		return r;
	*ret = f;
	return 0;
}
