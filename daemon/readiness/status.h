/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The readiness model (docs/readiness.md, *Checks* and *State rule*) and the published values
 * (docs/readiness.md, *Published values*), derived from a probed host by pure code: status_derive()
 * reads a struct tdx_host and the daemon's enable progress, and fills a struct tdx_status. The
 * D-Bus properties, the capabilities JSON and `tdxctl check` are all views of one struct
 * tdx_status. */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "host.h"
#include "ranges.h"

enum tdx_state {
	TDX_STATE_UNSUPPORTED,
	TDX_STATE_DISABLED,
	TDX_STATE_STARTING,
	TDX_STATE_READY,
	TDX_STATE_DEGRADED,
	TDX_STATE_FAILED,
	_TDX_STATE_MAX,
};

enum check_result {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_SKIP,
};

/* In the order of the spec's table: the Checks array and the JSON keep this order. */
enum check_id {
	CHECK_CPU_VENDOR,
	CHECK_BARE_METAL,
	CHECK_BIOS_TDX,
	CHECK_KEYIDS,
	CHECK_HIBERNATION,
	CHECK_CPU_PACKAGES,
	CHECK_KVM_MODULE,
	CHECK_KVM_TDX,
	CHECK_MODULE_INIT,
	CHECK_MAX_VCPUS,
	CHECK_KERNEL_TDX,
	CHECK_KVM_VM_TYPES,
	CHECK_KEYID_CAPACITY,
	CHECK_CONVERTIBLE_MEMORY,
	CHECK_TDX_MEMORY,
	CHECK_MEMORY_AUTO_ONLINE,
	/* docs/readiness.md, *Attestation checks*: filled by attestation_complete()
	 * (daemon/attestation); status_derive() leaves them skipped. They never change State. */
	CHECK_SGX,
	CHECK_SGX_DEVICES,
	CHECK_PLATFORM_REGISTRATION,
	CHECK_QUOTE_SERVICE,
	CHECK_COLLATERAL_SERVICE,
	CHECK_MODULE_VERSION,
	CHECK_KEXEC,
	_CHECK_MAX,
};

#define CHECK_TEXT_MAX 1024

struct check {
	enum check_result result;
	char summary[CHECK_TEXT_MAX];
	char hint[CHECK_TEXT_MAX];
};

/* What the daemon's enable sequence (daemon/enable/enable-sequence.c) contributes to the state. */
struct enable_progress {
	bool running;                 /* State=starting */
	bool loading;                 /* ... and the module load runs (after the decision) */
	bool attempted;               /* tdxd tried to enable TDX this boot */
	bool failed;                  /* ... and it failed */
	char failure[CHECK_TEXT_MAX]; /* what failed, in words, with the kernel's line if any */
	char hint[CHECK_TEXT_MAX];
	bool fell_back;         /* the module was loaded again without TDX */
	bool blocked_by_policy; /* blacklist / install /bin/false: operator intent */
	char policy_file[256];  /* the modprobe.d file that says so */
	bool in_use;            /* loaded without TDX and held: not reloaded */
	char in_use_reason[CHECK_TEXT_MAX];
	bool dry_run; /* under --root: nothing loaded for real */
	/* The runtime module update (daemon/module-update): one of tdxd's runs (tdx_host/version
	 * may read ENXIO meanwhile), or the last one failed. */
	bool update_running;
	bool update_failed;
};

enum {
	SRC_MODULE_VERSION,
	SRC_MODULE_BUILD_DATE,
	SRC_MODULE_BUILD_NUMBER,
	SRC_MODULE_MAX_VCPUS,
	SRC_MAX_VCPUS,
	SRC_TOTAL_KEYIDS,
	SRC_USED_KEYIDS,
	SRC_CONVERTIBLE_MEMORY,
	SRC_GUEST_PHYS_ADDR_BITS,
	SRC_PACKAGES,
	SRC_KVM_TDX_ENABLED,
	_SRC_MAX,
};

struct tdx_status {
	enum tdx_state state;
	bool ready;
	char reason[CHECK_TEXT_MAX];
	struct check checks[_CHECK_MAX];

	char module_version[32];    /* "1.5.24", "1.5", or "" */
	char seamldr_version[32];   /* "2.0.01" or "" (SEAMLoaderVersion) */
	uint32_t updates_remaining; /* UINT32_MAX: unknown (ModuleUpdatesRemaining) */
	const char *module_update;  /* unsupported | idle | running | failed (ModuleUpdate) */
	uint32_t module_build_date, module_build_number;
	uint32_t module_max_vcpus; /* from the module's metadata, 0 unknown */
	uint32_t max_vcpus;        /* effective per-TD limit, 0 when TDX is not up */
	uint32_t total_keyids;
	bool total_keyids_known;
	uint32_t used_keyids;
	bool used_keyids_known;
	struct range_set cmrs; /* sorted by base, as published (not merged) */
	uint64_t cmr_bytes;
	uint32_t guest_phys_addr_bits;
	struct host_package *packages;
	size_t n_packages;
	char kvm_module[64];
	bool kvm_tdx_enabled;
	bool tdx_up;             /* TDX is up in KVM */
	bool module_initialized; /* the TDX module is initialized (gate active) */
	enum policy_mode cpu_guard, memory_gate;

	/* AttestationReady, AttestationReason (attestation_complete()) */
	bool attestation_ready;
	char attestation_reason[CHECK_TEXT_MAX];

	const char *sources[_SRC_MAX]; /* NULL: unknown, key left out */

	/* Storage for the KVMTDXEnabled source ("/sys/module/<KVMModule>/parameters/tdx"), which
	 * depends on the configured module name; sources[SRC_KVM_TDX_ENABLED] points here, so a
	 * struct tdx_status is not copied by value (it owns heap arrays anyway). */
	char kvm_tdx_source[160];
};

struct status_policy {
	enum policy_mode cpu_guard;
	enum policy_mode memory_gate;
	const char *kvm_module;
	/* MinimumModuleVersion=, parsed; NULL: none (the module-version check skips) */
	const struct module_version *minimum_module_version;
};

/* Derive the status from a host. Pure (no I/O). `enable` may be NULL (tdxctl check). */
int status_derive(const struct tdx_host *h, const struct status_policy *policy,
                  const struct enable_progress *enable, struct tdx_status *ret);
void tdx_status_done(struct tdx_status *s);
/* A status owns heap arrays and a source string inside itself: move it with this, never with
 * plain assignment. src is left empty. */
void tdx_status_move(struct tdx_status *dst, struct tdx_status *src);

const char *tdx_state_to_string(enum tdx_state s);
const char *check_result_to_string(enum check_result r);
const char *check_id_to_string(enum check_id id);
const char *check_category(enum check_id id);
/* The D-Bus property name of a source key ("TotalKeyIDs"). */
const char *source_key_to_string(int key);
