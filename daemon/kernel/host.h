/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The kernel's firmware-upload device of the TDX module (v7.2+): a runtime update is offered
 * when it exists (docs/kernel-interfaces.md, *Runtime module update*). */
#define FW_UPLOAD_TDX_MODULE_DIR "/sys/class/firmware/tdx_module"

/* The host probe: everything tdxd reads from the kernel about TDX readiness and capacity, in
 * one plain struct with no global state. probe_host() fills it from a root directory ("/" or a
 * fixture tree); each probe-*.c file reads one kernel source, and the pure parsers they use
 * (kmsg.c, cpuinfo.c, misc-cgroup.c, tdx-metadata.c, parse-util.c) do no I/O.
 *
 * Conventions: a value that was not found keeps its zero value and a NULL source. Sources are
 * static strings naming the kernel path as on a real host ("/sys/fs/cgroup/misc.capacity"),
 * an ioctl ("/dev/kvm:KVM_CAP_VM_TYPES"), or "computed". Kernel log lines are kept verbatim
 * (without the record prefix) so checks can quote them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

#define KLINE_MAX 256

/* One kernel log line tdxd keeps to quote it: the text after "PRIO,SEQ,TS,FLAGS;" and the
 * record's sequence number (so the enable sequence can tell lines written since it began). */
struct kline {
	char text[KLINE_MAX];
	uint64_t seq;
	bool present;
};

enum module_init_state {
	MODULE_INIT_NONE = 0, /* no initialization attempt seen */
	MODULE_INIT_OK,
	MODULE_INIT_FAILED,
};

/* KVM prerequisites that make KVM disable TDX (docs/kernel-interfaces.md, *Kernel log lines*, "KVM
 * prerequisites"). */
enum kvm_prereq {
	KVM_PREREQ_EPT,
	KVM_PREREQ_TDP_MMU, /* TDP MMU and MMIO caching and EPT A/D bit */
	KVM_PREREQ_APICV,
	KVM_PREREQ_OSXSAVE, /* also "XSAVE is required for TDX" (v7.1+) */
	KVM_PREREQ_MOVDIR64B,
	KVM_PREREQ_SELF_SNOOP,
	KVM_PREREQ_NO_KEYIDS,    /* "tdx: no TDX private KeyIDs available" */
	KVM_PREREQ_PLATFORM,     /* "TDX not supported by the host platform" (v7.1+) */
	KVM_PREREQ_VIRT_AT_LOAD, /* "tdx requires kvm.enable_virt_at_load=1" */
	_KVM_PREREQ_MAX,
};

/* Facts taken from the kernel log (dev/kmsg records), the saved copy under /run/tdxd, or the
 * journal. Where a fact can appear more than once, the last occurrence wins. */
struct kmsg_facts {
	bool readable; /* dev/kmsg (or a saved copy) could be read */
	const char *source;

	struct kline keyid_range; /* "BIOS enabled: private KeyID range [a, b)" */
	uint32_t keyid_start, keyid_end;

	struct kline too_few_keyids; /* "initialization failed: too few private KeyIDs ..." */
	struct kline hibernation;    /* "initialization failed: Hibernation support is enabled" */
	struct kline notifier_failed;

	enum module_init_state init;
	int init_error;            /* the (%d) of the failure line, 0 if none */
	struct kline init_line;    /* the line that decided init */
	struct kline not_loaded;   /* "module not loaded" / "TDX module is not loaded." */
	struct kline seamcall;     /* the last "SEAMCALL (0x..) failed: 0x.." */
	struct kline tdmr;         /* "TDMRs exhausted" / "reserved areas exhausted" */
	struct kline tdmr_limit;   /* "consumed TDMRs reaching limit" (warning) */
	struct kline rbp_bug;      /* "frame pointer (RBP) clobber bug present ..." */
	struct kline offline_cpus; /* old intel/tdx: "... when there's offline CPU(s)." */
	struct kline pamt;         /* "%lu KB allocated for PAMT" */
	uint64_t pamt_kb;

	struct kline kvm_prereq[_KVM_PREREQ_MAX];
	struct kline max_vcpu; /* "Disable TDX: MAX_VCPU_PER_TD (%u) smaller than ... (%u)." */
	uint32_t max_vcpu_module, max_vcpu_cpus;
	struct kline no_hw_support;     /* "kvm: no hardware support for 'kvm_intel'" */
	struct kline kvm_tdx_supported; /* vendor "kvm_intel: TDX is supported." */
	struct kline sgx_disabled;      /* "x86/cpu: SGX disabled by BIOS." (attestation) */

	/* module version: "Module version: 1.5.24" (v7.1+), posted "module version: ..." */
	struct kline version_line;
	uint32_t version_major, version_minor, version_update;
	bool version_has_update;
	/* vendor "TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, ..." */
	struct kline vendor_module_line;
	uint32_t vendor_major, vendor_minor, build_date, build_num;

	/* CMR lines in any of the formats ("CMR: [a, b)", "CMR[i]: [a, b)",
	 * "Kernel-checked-CMR : [a, b)", "BIOS-CMR : [a, b)"); the best format present wins. */
	struct range_set cmrs;
	const char *cmr_format; /* "CMR", "CMR[i]", "Kernel-checked-CMR", "BIOS-CMR" */

	uint64_t last_seq; /* highest record sequence number seen */
	/* The live log was read and still starts at this boot's first record (sequence 0): the
	 * journal cannot know more. */
	bool ring_complete;

	/* The TDX lines of the live log (kmsg_extract_tdx()), so the daemon can save them to
	 * /run/tdxd/kernel-log before the ring wraps; NULL when the log was not read live. */
	char *tdx_lines;

	/* "kexec: Not allowed on platform with tdx_pw_mce bug" (v6.18+, 6.17.5+ stable; printed
	 * once, when kexec_load was tried): kdump cannot be armed on this host. */
	struct kline kexec_refused;
};

/* Vendor /sys/firmware/tdx layout (docs/kernel-interfaces.md, *Vendor firmware directory*). */
struct firmware_tdx {
	bool present; /* /sys/firmware/tdx exists */
	bool has_keyid_num, has_nr_guest_keyids;
	uint32_t keyid_num, nr_guest_keyids;
	char status[32]; /* tdx_module/status: unknown|none|initialized|shutdown|error */
	bool has_version;
	uint32_t major_version, minor_version, build_num, build_date;
	/* tdx_module/metadata/<field-id> binaries */
	bool md_max_vcpus_known;
	uint32_t md_max_vcpus;
	bool md_version_known;
	uint32_t md_major, md_minor, md_update;
	bool md_cmrs_known;
	struct range_set md_cmrs; /* NUM_CMRS x (CMR_BASE, CMR_SIZE), zero-size entries skipped */
};

struct kvm_module {
	char name[64];      /* KVMModule, "kvm_intel" by default */
	bool loaded;        /* /sys/module/<name> exists (with initstate live or builtin) */
	bool has_tdx_param; /* parameters/tdx exists */
	bool tdx_enabled;   /* parameters/tdx reads Y */
	int refcnt;         /* -1 unknown */
	unsigned n_holders; /* entries in holders/ */
	char holders[256];  /* comma-separated names */
	/* Whether the installed module (libkmod modinfo) has a tdx parameter: -1 unknown. Filled
	 * by the daemon's kmod layer, not by probe_host(). */
	int modinfo_has_tdx;
};

struct misc_cgroup {
	bool capacity_file;  /* a misc.capacity file was found */
	bool capacity_known; /* it has a tdx line */
	uint32_t capacity;
	bool current_known;
	uint32_t current;
	const char *capacity_source, *current_source;
};

struct host_cpu {
	bool present;
	bool online;
	int package; /* -1 unknown */
	int node;    /* -1 unknown */
	/* where the package came from: "topology", "saved" (/run/tdxd/cpu-package),
	 * "node" (inferred from the NUMA node), or NULL */
	const char *package_source;
};

struct host_package {
	int id;
	unsigned present_cpus;
	unsigned online_cpus;
};

struct cpuinfo {
	bool read;
	char vendor_id[32];
	bool tdx_host_platform, hypervisor, tdx_guest, vmx, tme, ept_5level;
	bool has_vmx_flags; /* a "vmx flags" line exists */
	bool bug_tdx_pw_mce;
	bool sgx, sgx_lc; /* SGX on, with Flexible Launch Control (attestation checks) */
	unsigned phys_bits, virt_bits;
	/* "processor" lines in the text parsed; the probe reads the first block only, so 1 */
	unsigned n_processors;
};

struct memory_info {
	bool present;        /* /sys/devices/system/memory exists */
	uint64_t block_size; /* block_size_bytes, 0 unknown */
	size_t n_blocks;     /* memoryN directories */
	/* The block ids present, sorted (from readdir only: no per-block reads). */
	uint64_t *block_ids;
	char auto_online[32]; /* auto_online_blocks, "" when missing */
	/* /sys/firmware/memmap entries of type System RAM (end made exclusive) */
	bool memmap_present;
	struct range_set system_ram;
	/* Blocks outside eligible memory whose state was read (see probe-memory.c): only blocks
	 * not inside the CMRs / TDX memory are examined, so a healthy host reads none. */
	struct outside_block {
		uint64_t id;
		bool online;
		char state[24];
	} * outside;
	size_t n_outside;
	/* dax devices seen under /sys/bus/dax/devices */
	struct dax_dev {
		char name[32];
		struct range_set ranges;
	} * dax;
	size_t n_dax;
};

struct tdx_host {
	char *root;

	struct cpuinfo cpuinfo;
	struct kmsg_facts kmsg;
	struct firmware_tdx fw;
	struct kvm_module kvm;
	struct misc_cgroup misc;

	/* /sys/devices/system/cpu/hotplug/states */
	bool hp_states_read;
	bool hp_kvm_tdx;  /* "kvm/cpu/tdx:online" (v6.16-v7.0) */
	bool hp_virt_tdx; /* "virt/tdx:online" (v7.1+) */

	/* /sys/devices/faux/tdx_host (v7.2+) */
	bool tdx_host_dev;
	bool tdx_host_version_known;
	uint32_t th_major, th_minor, th_update;

	/* /proc/sys/kernel/random/boot_id */
	char boot_id[40];

	/* CPUs, indexed by CPU number, n_cpus = highest possible/present + 1 */
	struct host_cpu *cpus;
	unsigned n_cpus;
	unsigned n_present, n_online;
	struct host_package *packages; /* sorted by id */
	size_t n_packages;
	/* NUMA nodes with present CPUs and none online (cpu-packages fails) */
	int *dark_nodes;
	size_t n_dark_nodes;
	/* offline CPUs whose package is unknown */
	unsigned n_unknown_package_offline;

	struct memory_info mem;

	/* The CMRs from the first source that has them (docs/kernel-interfaces.md, *Convertible
	 * memory regions*): the vendor metadata, then the log's CMR line formats. Sorted by base,
	 * not merged (as published in ConvertibleMemory); merge a copy for eligibility tests. */
	struct range_set cmrs;
	const char *cmrs_source;

	/* TDX memory recorded at module initialization (/run/tdxd/tdx-memory), when known. */
	bool tdx_memory_known;
	struct range_set tdx_memory;

	/* /dev/kvm answers (filled by the daemon's kvm layer on a live host; tests may set them) */
	bool kvm_dev_asked;
	bool kvm_vm_types_tdx;     /* KVM_CAP_VM_TYPES has bit 5 */
	uint32_t kvm_td_max_vcpus; /* KVM_CAP_MAX_VCPUS on a throw-away TD VM fd, 0 unknown */

	/* The /run/tdxd files belong to another boot (state's BOOT_ID differs from boot_id): the
	 * probe ignored them and the daemon should rewrite them. */
	bool run_files_stale;

	/* Errors met while probing that are not fatal: "file: what" strings for the log and for
	 * tdxctl check. */
	char **warnings;
	size_t n_warnings;

	/* Module lifecycle (v7.2 tdx_host, docs/kernel-interfaces.md: runtime module update).
	 * tdx_host/version read ENXIO: the module is not usable (a failed update, until reboot;
	 * also briefly while an update runs). */
	bool tdx_host_version_enxio;
	/* tdx_host/seamldr_version ("%u.%u.%02u", root-only, hidden unless the module supports
	 * TD-preserving updates and the CPU lacks the seamret_invd_vmcs bug) */
	bool seamldr_version_known;
	uint32_t sl_major, sl_minor, sl_update;
	/* tdx_host/num_remaining_updates ("%u", same visibility) */
	bool remaining_updates_known;
	uint32_t remaining_updates;
	/* /sys/class/firmware/tdx_module exists: the kernel offers a runtime update */
	bool module_update_supported;
	/* /proc/sys/kernel/osrelease ("" unknown) and its leading numbers */
	char osrelease[65];
	/* /proc/sys/kernel/hostname ("" unknown) */
	char hostname[65];
	bool kernel_version_known;
	uint32_t kernel_major, kernel_minor, kernel_patch;
};

struct probe_options {
	const char *kvm_module; /* NULL: "kvm_intel" */
	/* Read this boot's kernel messages from the journal when neither the log ring nor
	 * /run/tdxd/kernel-log holds the facts (only meaningful on a real root). */
	bool use_journal;
};

/* Read everything from root into a fresh host. Missing files are not errors (they mean "this
 * kernel does not expose that"); malformed ones are recorded in host->warnings with the file
 * name and skipped. Returns 0, or -errno only for resource failures (ENOMEM). */
int probe_host(const char *root, const struct probe_options *opts, struct tdx_host *ret);
void tdx_host_done(struct tdx_host *h);

/* Re-read only the misc cgroup's tdx usage (UsedKeyIDs is read fresh on every Get). */
int probe_misc_cgroup(const char *root, struct misc_cgroup *ret);

/* The KeyID usage at bus speed (probe-cgroup.c): the misc.current that goes with the
 * misc.capacity a probe found (NULL when it found none), opened once and re-read with one
 * pread() per question. misc_usage_open() returns the descriptor or -errno, and whether the
 * file can be replaced under its name (not a cgroup file: a fixture tree), which
 * misc_usage_read() then checks with an fstat(). misc_usage_read() returns 0 with *ret_known
 * false when the file has no tdx line, -ESTALE when the descriptor no longer names the file
 * (removed or replaced: reopen it), -EINVAL or -ERANGE for a malformed line, other -errno. */
const char *misc_current_path(const struct misc_cgroup *m);
int misc_usage_open(const char *root, const char *path, bool *ret_replaceable);
int misc_usage_read(int fd, bool replaceable, bool *ret_known, uint32_t *ret_current);

/* Read one kernel attribute below the root, the probe's way: 1 with *ret set, 0 when the file
 * is missing (this kernel does not expose it) or unreadable (recorded with host_warn(), naming
 * the file), -ENOMEM. */
int probe_read_attr(struct tdx_host *h, const char *path, char **ret);

/* Record a non-fatal probe problem ("<path>: <what>"). */
void host_warn(struct tdx_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The individual sources, each in its own probe-*.c file. Each fills its part of h. */
int probe_cpuinfo(struct tdx_host *h);
int probe_kmsg(struct tdx_host *h);
int probe_firmware_tdx(struct tdx_host *h);
int probe_kvm_module(struct tdx_host *h);
int probe_hotplug_states(struct tdx_host *h);
/* probe_misc_cgroup() into h->misc, with malformed files recorded in h->warnings */
int probe_cgroup(struct tdx_host *h);
int probe_tdx_host_dev(struct tdx_host *h);
/* /proc/sys/kernel/osrelease into h->osrelease and h->kernel_*, the hostname into h->hostname */
int probe_osrelease(struct tdx_host *h);
int probe_cpus(struct tdx_host *h);
int probe_memory(struct tdx_host *h);
/* This boot's kernel messages from the journal (_TRANSPORT=kernel), merged into h->kmsg: the
 * fallback when neither the log ring nor /run/tdxd/kernel-log holds the facts. */
int probe_kmsg_journal(struct tdx_host *h);
