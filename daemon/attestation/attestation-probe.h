/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host facts the attestation checks judge (docs/kernel-interfaces.md, *Attestation*), read
 * below a root directory ("/", or a fixture tree under --root) with the fileio helpers: SGX state
 * from the already probed cpuinfo and kernel log of a struct tdx_host, the SGX device nodes, the
 * two EFI variables of multi-package registration, /etc/qgs.conf and the QGS socket,
 * /etc/sgx_default_qcnl.conf. The states of systemd units are not read here (the daemon asks
 * systemd over D-Bus); they are inputs of attestation_decide(). The struct owns no memory: copy it
 * freely. */

#include <stdbool.h>

#include "efivar-sgx.h"
#include "host.h"
#include "qcnl.h"
#include "qgs-config.h"

#define SGX_ENCLAVE_PATH   "/dev/sgx_enclave"
#define SGX_PROVISION_PATH "/dev/sgx_provision"
#define EFI_DIR            "/sys/firmware/efi"

enum node_state {
	NODE_MISSING,
	NODE_PRESENT,    /* a character device (a socket) under "/", any file under a test root */
	NODE_WRONG_TYPE, /* under "/": something else with that name */
};

struct attestation_facts {
	bool real_root; /* read from "/": device and socket types are checked */

	/* copied from the host probe */
	bool cpuinfo_read;
	bool sgx, sgx_lc; /* CPU flags */
	bool kmsg_readable;
	struct kline sgx_disabled; /* "x86/cpu: SGX disabled by BIOS." */

	enum node_state dev_enclave, dev_provision;

	bool efi; /* /sys/firmware/efi exists: an EFI boot */
	bool reg_status_present;
	/* 0, or why the status variable is unusable: -EBADMSG (truncated), -EPROTONOSUPPORT
	 * (unknown version, reg_status.version says which), another -errno (read error) */
	int reg_status_error;
	struct sgx_registration_status reg_status;
	bool reg_request_present; /* registration pending */

	bool qgs_conf_present;
	int qgs_conf_error; /* 0; -EINVAL: qgsd refuses the file; another -errno: read error */
	char qgs_conf_message[256];
	struct qgs_config qgs; /* the Unix socket when the file is missing or unusable */
	enum node_state qgs_socket;

	bool qcnl_present;
	int qcnl_error; /* 0; -EINVAL not JSON, -EBADMSG wrong shape, -E2BIG, read errors */
	char qcnl_message[256];
	char pccs_url[PCCS_URL_MAX]; /* "" when missing */
	char pccs_host[256];         /* "" when the URL has no host */
	bool pccs_local;             /* the host is a loopback name or address */
};

/* Read the facts below h->root; cpuinfo and kernel log facts are taken from h. Missing files
 * are facts, not errors. Returns 0 or -ENOMEM. */
int attestation_probe(const struct tdx_host *h, struct attestation_facts *ret);
