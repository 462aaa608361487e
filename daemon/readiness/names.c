/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of the readiness model: states, results, checks and their categories, the keys of
 * Sources. The order of the check table is the order of the Checks property. */
#include "macro.h"
#include "status.h"

static const char *const state_names[_TDX_STATE_MAX] = {
    [TDX_STATE_UNSUPPORTED] = "unsupported", [TDX_STATE_DISABLED] = "disabled",
    [TDX_STATE_STARTING] = "starting",       [TDX_STATE_READY] = "ready",
    [TDX_STATE_DEGRADED] = "degraded",       [TDX_STATE_FAILED] = "failed",
};

static const char *const result_names[] = {
    [CHECK_PASS] = "pass",
    [CHECK_WARN] = "warn",
    [CHECK_FAIL] = "fail",
    [CHECK_SKIP] = "skip",
};

static const struct {
	const char *id;
	const char *category;
} check_table[_CHECK_MAX] = {
    [CHECK_CPU_VENDOR] = {"cpu-vendor", "platform"},
    [CHECK_BARE_METAL] = {"bare-metal", "platform"},
    [CHECK_BIOS_TDX] = {"bios-tdx", "bios"},
    [CHECK_KEYIDS] = {"keyids", "bios"},
    [CHECK_HIBERNATION] = {"hibernation", "kernel"},
    [CHECK_CPU_PACKAGES] = {"cpu-packages", "cpu"},
    [CHECK_KVM_MODULE] = {"kvm-module", "kvm"},
    [CHECK_KVM_TDX] = {"kvm-tdx", "kvm"},
    [CHECK_MODULE_INIT] = {"module-init", "module"},
    [CHECK_MAX_VCPUS] = {"max-vcpus", "module"},
    [CHECK_KERNEL_TDX] = {"kernel-tdx", "kernel"},
    [CHECK_KVM_VM_TYPES] = {"kvm-vm-types", "kvm"},
    [CHECK_KEYID_CAPACITY] = {"keyid-capacity", "capacity"},
    [CHECK_CONVERTIBLE_MEMORY] = {"convertible-memory", "memory"},
    [CHECK_TDX_MEMORY] = {"tdx-memory", "memory"},
    [CHECK_MEMORY_AUTO_ONLINE] = {"memory-auto-online", "memory"},
    [CHECK_SGX] = {"sgx", "attestation"},
    [CHECK_SGX_DEVICES] = {"sgx-devices", "attestation"},
    [CHECK_PLATFORM_REGISTRATION] = {"platform-registration", "attestation"},
    [CHECK_QUOTE_SERVICE] = {"quote-service", "attestation"},
    [CHECK_COLLATERAL_SERVICE] = {"collateral-service", "attestation"},
    [CHECK_MODULE_VERSION] = {"module-version", "module"},
    [CHECK_KEXEC] = {"kexec", "kernel"},
};

static const char *const source_keys[_SRC_MAX] = {
    [SRC_MODULE_VERSION] = "ModuleVersion",
    [SRC_MODULE_BUILD_DATE] = "ModuleBuildDate",
    [SRC_MODULE_BUILD_NUMBER] = "ModuleBuildNumber",
    [SRC_MODULE_MAX_VCPUS] = "ModuleMaxVCPUsPerTD",
    [SRC_MAX_VCPUS] = "MaxVCPUsPerTD",
    [SRC_TOTAL_KEYIDS] = "TotalKeyIDs",
    [SRC_USED_KEYIDS] = "UsedKeyIDs",
    [SRC_CONVERTIBLE_MEMORY] = "ConvertibleMemory",
    [SRC_GUEST_PHYS_ADDR_BITS] = "GuestPhysAddrBits",
    [SRC_PACKAGES] = "Packages",
    [SRC_KVM_TDX_ENABLED] = "KVMTDXEnabled",
};

const char *tdx_state_to_string(enum tdx_state s) {
	return s >= 0 && s < _TDX_STATE_MAX ? state_names[s] : NULL;
}

const char *check_result_to_string(enum check_result r) {
	return r >= 0 && r < (int)ELEMENTSOF(result_names) ? result_names[r] : NULL;
}

const char *check_id_to_string(enum check_id id) {
	return id >= 0 && id < _CHECK_MAX ? check_table[id].id : NULL;
}

const char *check_category(enum check_id id) {
	return id >= 0 && id < _CHECK_MAX ? check_table[id].category : NULL;
}

const char *source_key_to_string(int key) {
	return key >= 0 && key < _SRC_MAX ? source_keys[key] : NULL;
}
