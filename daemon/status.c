/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readiness model (spec section 4): every check, the state by the spec's ordered rules, and
 * the published values with their sources (section 3). Pure: reads a struct tdx_host only. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"
#include "status.h"

static inline uint64_t max_u64(uint64_t a, uint64_t b) {
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b) {
	return a < b ? a : b;
}

#define RUN_AS_ROOT                                                                                \
	"run as root: reading /dev/kmsg needs CAP_SYSLOG when kernel.dmesg_restrict=1 (or run "    \
	"sudo tdxctl check)"
#define ONE_SHOT "TDX module initialization is one-shot: only a reboot retries it"
#define BIOS_TDX_HINT                                                                              \
	"enable TDX in the BIOS setup: Memory Encryption (TME) and Total Memory Encryption "       \
	"Multi-Tenant (TME-MT), a TME-MT/TDX KeyID split with a non-zero number of TDX KeyIDs, "   \
	"Trust Domain Extension (TDX) and the TDX Secure Arbitration Mode Loader (SEAM Loader); "  \
	"then reboot"

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
};

static const char *const policy_names[_POLICY_MAX] = {
    [POLICY_ENFORCE] = "enforce",
    [POLICY_WARN] = "warn",
    [POLICY_OFF] = "off",
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

/* What each KVM prerequisite line means and how an operator fixes it. */
static const struct {
	const char *what;
	const char *hint;
} prereq_info[_KVM_PREREQ_MAX] = {
    [KVM_PREREQ_EPT] = {"EPT is disabled",
                        "do not disable EPT: remove kvm_intel.ept=0 from the kernel command line "
                        "and `options kvm_intel ept=0` from /etc/modprobe.d, then reload "
                        "kvm_intel with tdx=1"},
    [KVM_PREREQ_TDP_MMU] = {"the TDP MMU, MMIO caching or EPT A/D bits are disabled",
                            "remove kvm.tdp_mmu=0, kvm.mmio_caching=0 and kvm_intel.eptad=0 "
                            "(kernel command line or /etc/modprobe.d), then reload kvm and "
                            "kvm_intel with tdx=1"},
    [KVM_PREREQ_APICV] = {"APICv is disabled",
                          "remove kvm_intel.enable_apicv=0 (kernel command line or "
                          "/etc/modprobe.d) and enable APICv/posted interrupts in the BIOS, then "
                          "reload kvm_intel with tdx=1"},
    [KVM_PREREQ_OSXSAVE] = {"XSAVE is disabled",
                            "remove noxsave (and clearcpuid= for xsave) from the kernel command "
                            "line and reboot"},
    [KVM_PREREQ_MOVDIR64B] = {"the CPU does not report MOVDIR64B",
                              "TDX needs MOVDIR64B: check that clearcpuid= or a hypervisor does "
                              "not hide it, and that the CPU is a TDX-capable Xeon"},
    [KVM_PREREQ_SELF_SNOOP] = {"the CPU does not report self-snoop",
                               "TDX needs self-snoop: check that clearcpuid= or a hypervisor "
                               "does not hide it, and that the CPU is a TDX-capable Xeon"},
    [KVM_PREREQ_NO_KEYIDS] = {"the kernel found no TDX private KeyIDs", BIOS_TDX_HINT},
    [KVM_PREREQ_PLATFORM] = {"the kernel does not support TDX on this platform", BIOS_TDX_HINT},
    [KVM_PREREQ_VIRT_AT_LOAD] = {"kvm.enable_virt_at_load is 0",
                                 "set kvm.enable_virt_at_load=1 (kernel command line, or "
                                 "`options kvm enable_virt_at_load=1` in /etc/modprobe.d), then "
                                 "reload kvm and kvm_intel with tdx=1"},
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

const char *policy_mode_to_string(enum policy_mode m) {
	return m >= 0 && m < _POLICY_MAX ? policy_names[m] : NULL;
}

int policy_mode_from_string(const char *s) {
	if (!s)
		return -EINVAL;
	for (int i = 0; i < _POLICY_MAX; i++)
		if (streq(s, policy_names[i]))
			return i;
	return -EINVAL;
}

const char *source_key_to_string(int key) {
	return key >= 0 && key < _SRC_MAX ? source_keys[key] : NULL;
}

/* Text helpers: every summary, hint and reason is built with these, so nothing overflows. */
/* Every summary, hint and reason is built with textf() (macro.h), so nothing overflows. */

_printf_(3, 4) static void set(struct check *c, enum check_result r, const char *fmt, ...) {
	va_list ap;
	c->result = r;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), false, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) static void summary_add(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), true, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) static void hint(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->hint, sizeof(c->hint), c->hint[0] != 0, fmt, ap);
	va_end(ap);
}

/* Quote the kernel's own line: `; the kernel says "virt/tdx: ..."`. */
static void quote(struct check *c, const struct kline *k) {
	if (k && k->present)
		summary_add(c, "; the kernel says \"%s\"", k->text);
}

/* The prerequisite rule of spec section 4. Returns true when `c` may be evaluated. */
static bool need(struct tdx_status *s, enum check_id id, enum check_id on, bool pass_needed) {
	enum check_result r = s->checks[on].result;
	if (r == CHECK_FAIL || (pass_needed && r == CHECK_SKIP)) {
		set(&s->checks[id], CHECK_SKIP, "not checked: %s %s", check_table[on].id,
		    r == CHECK_FAIL ? "failed" : "skipped");
		return false;
	}
	return true;
}

struct facts {
	const struct tdx_host *h;
	const struct enable_progress *ep;
	const char *kvm;    /* the KVM module's name */
	const char *logsrc; /* where the kernel log facts came from */
	bool log;           /* the kernel log could be read */
	bool param_y;       /* the module's tdx parameter reads Y */
	bool tdx_up;        /* TDX is up in KVM */
	bool initialized;   /* the TDX module is initialized */
	bool init_failed;   /* the module initialization failed this boot */
	bool tdx_evidence;  /* something shows TDX working (so the BIOS enabled it) */
};

static bool is_boot_refusal(const struct kline *k) {
	/* The boot-time detection bails out with "initialization failed: ..." lines too; those
	 * are the keyids/hibernation checks' business, not a module initialization failure. */
	return k->present && (strstr(k->text, "too few private KeyIDs") ||
	                      strstr(k->text, "Hibernation support") ||
	                      strstr(k->text, "register_memory_notifier"));
}

static void gather_facts(const struct tdx_host *h, const struct status_policy *policy,
                         const struct enable_progress *ep, struct facts *f) {
	const struct kmsg_facts *k = &h->kmsg;

	*f = (struct facts){.h = h, .ep = ep};
	if (policy && policy->kvm_module && policy->kvm_module[0])
		f->kvm = policy->kvm_module;
	else if (h->kvm.name[0])
		f->kvm = h->kvm.name;
	else
		f->kvm = "kvm_intel";
	f->log = k->readable;
	f->logsrc = k->source ? k->source : "/dev/kmsg";
	f->param_y = h->kvm.loaded && h->kvm.has_tdx_param && h->kvm.tdx_enabled;

	f->init_failed = (k->init == MODULE_INIT_FAILED && !is_boot_refusal(&k->init_line)) ||
	                 streq(h->fw.status, "error");

	/* kernel-interfaces.md 9.2 item 2 and the readiness fallback order: /dev/kvm when it
	 * was asked, then the parameter, then the hotplug state and the log. */
	if (!h->kvm.loaded)
		f->tdx_up = false;
	else if (h->kvm_dev_asked)
		f->tdx_up = h->kvm_vm_types_tdx;
	else if (h->kvm.has_tdx_param)
		f->tdx_up = h->kvm.tdx_enabled;
	else
		f->tdx_up = h->hp_kvm_tdx || k->kvm_tdx_supported.present;

	/* KVM clears its tdx parameter when the module initialization fails (every era), so
	 * "Y" is evidence of an initialized module as much as the hotplug state is. */
	f->initialized = !f->init_failed &&
	                 (k->init == MODULE_INIT_OK || h->hp_virt_tdx || h->hp_kvm_tdx ||
	                  h->tdx_host_dev || streq(h->fw.status, "initialized") || f->param_y);

	f->tdx_evidence = f->initialized || f->param_y || h->misc.capacity_known ||
	                  h->fw.has_keyid_num || h->fw.has_nr_guest_keyids ||
	                  k->keyid_range.present || f->init_failed;
}

/* ---- published values ---- */

static int derive_values(const struct facts *f, const struct status_policy *policy,
                         struct tdx_status *s) {
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;
	int r;

	if (h->tdx_host_version_known) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
		      h->th_major, h->th_minor, h->th_update);
		s->sources[SRC_MODULE_VERSION] = "/sys/devices/faux/tdx_host/version";
	} else if (k->version_line.present) {
		if (k->version_has_update)
			textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
			      k->version_major, k->version_minor, k->version_update);
		else
			textf(s->module_version, sizeof(s->module_version), false, "%u.%u",
			      k->version_major, k->version_minor);
		s->sources[SRC_MODULE_VERSION] = f->logsrc;
	} else if (h->fw.md_version_known) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
		      h->fw.md_major, h->fw.md_minor, h->fw.md_update);
		s->sources[SRC_MODULE_VERSION] =
		    "/sys/firmware/tdx/tdx_module/metadata/0800000100000004";
	} else if (h->fw.has_version) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u",
		      h->fw.major_version, h->fw.minor_version);
		s->sources[SRC_MODULE_VERSION] = "/sys/firmware/tdx/tdx_module/major_version";
	} else if (k->vendor_module_line.present) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u", k->vendor_major,
		      k->vendor_minor);
		s->sources[SRC_MODULE_VERSION] = f->logsrc;
	}

	if (h->fw.has_version && (h->fw.build_date || h->fw.build_num)) {
		s->module_build_date = h->fw.build_date;
		s->module_build_number = h->fw.build_num;
		s->sources[SRC_MODULE_BUILD_DATE] = "/sys/firmware/tdx/tdx_module/build_date";
		s->sources[SRC_MODULE_BUILD_NUMBER] = "/sys/firmware/tdx/tdx_module/build_num";
	} else if (k->vendor_module_line.present) {
		s->module_build_date = k->build_date;
		s->module_build_number = k->build_num;
		s->sources[SRC_MODULE_BUILD_DATE] = f->logsrc;
		s->sources[SRC_MODULE_BUILD_NUMBER] = f->logsrc;
	}

	if (h->fw.md_max_vcpus_known) {
		s->module_max_vcpus = h->fw.md_max_vcpus;
		s->sources[SRC_MODULE_MAX_VCPUS] =
		    "/sys/firmware/tdx/tdx_module/metadata/9900000100000008";
	} else if (k->max_vcpu.present && k->max_vcpu_module && !f->tdx_up) {
		/* KVM printed the module's value when it refused TDX for it (a later successful
		 * load means that line is stale). */
		s->module_max_vcpus = k->max_vcpu_module;
		s->sources[SRC_MODULE_MAX_VCPUS] = f->logsrc;
	}

	if (f->tdx_up) {
		/* KVM's per-TD limit is min(KVM_MAX_VCPUS, num_present_cpus()); the ioctl on a
		 * throw-away TD VM tells it exactly, else KVM's own rule gives it. */
		uint32_t kvm_limit = 0;
		const char *src = "computed";
		if (h->kvm_dev_asked && h->kvm_td_max_vcpus) {
			kvm_limit = h->kvm_td_max_vcpus;
			src = "/dev/kvm:KVM_CAP_MAX_VCPUS";
		} else
			kvm_limit = h->n_present;
		uint32_t v = kvm_limit;
		if (s->module_max_vcpus && (v == 0 || s->module_max_vcpus < v)) {
			v = s->module_max_vcpus;
			src = "computed";
		}
		s->max_vcpus = v;
		if (v)
			s->sources[SRC_MAX_VCPUS] = src;
	}

	if (h->misc.capacity_known) {
		s->total_keyids = h->misc.capacity;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = h->misc.capacity_source
		                                   ? h->misc.capacity_source
		                                   : "/sys/fs/cgroup/misc.capacity";
	} else if (h->fw.has_nr_guest_keyids) {
		s->total_keyids = h->fw.nr_guest_keyids;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = "/sys/firmware/tdx/nr_guest_keyids";
	} else if (h->fw.has_keyid_num && h->fw.keyid_num >= 1) {
		s->total_keyids = h->fw.keyid_num - 1;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = "/sys/firmware/tdx/keyid_num";
	} else if (k->keyid_range.present && k->keyid_end > k->keyid_start) {
		/* [a, b): KeyID a is the global KeyID, guests get a+1 .. b-1 */
		s->total_keyids = k->keyid_end - k->keyid_start - 1;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = f->logsrc;
	}

	if (h->misc.current_known) {
		s->used_keyids = h->misc.current;
		s->used_keyids_known = true;
		s->sources[SRC_USED_KEYIDS] =
		    h->misc.current_source ? h->misc.current_source : "/sys/fs/cgroup/misc.current";
	}

	r = range_set_copy(&s->cmrs, &h->cmrs);
	if (r < 0)
		return r;
	range_set_normalize(&s->cmrs, false);
	s->cmr_bytes = range_set_bytes(&s->cmrs);
	if (s->cmrs.n > 0)
		s->sources[SRC_CONVERTIBLE_MEMORY] = h->cmrs_source ? h->cmrs_source : "computed";

	if (h->cpuinfo.ept_5level)
		s->guest_phys_addr_bits = 52;
	else if (h->cpuinfo.has_vmx_flags)
		s->guest_phys_addr_bits = 48;
	if (s->guest_phys_addr_bits)
		s->sources[SRC_GUEST_PHYS_ADDR_BITS] = "/proc/cpuinfo";

	if (h->n_packages > 0) {
		s->packages = calloc(h->n_packages, sizeof(struct host_package));
		if (!s->packages)
			return -ENOMEM;
		memcpy(s->packages, h->packages, h->n_packages * sizeof(struct host_package));
		s->n_packages = h->n_packages;
		s->sources[SRC_PACKAGES] = "/sys/devices/system/cpu";
	}

	textf(s->kvm_module, sizeof(s->kvm_module), false, "%s", f->kvm);
	s->kvm_tdx_enabled = f->param_y;
	if (h->kvm.loaded && h->kvm.has_tdx_param) {
		textf(s->kvm_tdx_source, sizeof(s->kvm_tdx_source), false,
		      "/sys/module/%s/parameters/tdx", f->kvm);
		s->sources[SRC_KVM_TDX_ENABLED] = s->kvm_tdx_source;
	}

	s->tdx_up = f->tdx_up;
	s->module_initialized = f->initialized;
	s->cpu_guard = policy ? policy->cpu_guard : POLICY_ENFORCE;
	s->memory_gate = policy ? policy->memory_gate : POLICY_ENFORCE;
	return 0;
}

/* ---- platform and BIOS ---- */

static void check_cpu_vendor(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CPU_VENDOR];
	const struct cpuinfo *ci = &f->h->cpuinfo;

	if (!ci->read || !ci->vendor_id[0]) {
		set(c, CHECK_SKIP, "not checked: /proc/cpuinfo could not be read");
		hint(c, "make /proc/cpuinfo readable (is /proc mounted?)");
	} else if (streq(ci->vendor_id, "GenuineIntel"))
		set(c, CHECK_PASS, "the CPU is GenuineIntel");
	else {
		set(c, CHECK_FAIL, "the CPU vendor is %s: TDX needs an Intel CPU", ci->vendor_id);
		hint(c, "TDX needs an Intel Xeon with TDX (4th generation Xeon Scalable or newer); "
		        "on AMD hosts use SEV-SNP tooling (e.g. snphost) instead");
	}
}

static void check_bare_metal(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_BARE_METAL];
	const struct cpuinfo *ci = &f->h->cpuinfo;

	if (!ci->read) {
		set(c, CHECK_SKIP, "not checked: /proc/cpuinfo could not be read");
		hint(c, "make /proc/cpuinfo readable (is /proc mounted?)");
	} else if (ci->tdx_guest) {
		set(c, CHECK_FAIL, "running inside a TDX guest (the tdx_guest CPU flag is set)");
		hint(c, "a TD cannot host TDs: run tdxd on the TDX host itself, not inside a "
		        "trust domain");
	} else if (ci->hypervisor) {
		set(c, CHECK_WARN, "running under a hypervisor (the hypervisor CPU flag is set)");
		hint(c, "TDX host support needs bare metal (nested TDX is not available): run "
		        "tdxd on the physical host");
	} else
		set(c, CHECK_PASS, "running on bare metal");
}

static void check_bios_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_BIOS_TDX];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_BIOS_TDX, CHECK_CPU_VENDOR, false) ||
	    !need(s, CHECK_BIOS_TDX, CHECK_BARE_METAL, false))
		return;

	if (k->keyid_range.present) {
		set(c, CHECK_PASS,
		    "the BIOS enabled TDX: private KeyID range [%" PRIu32 ", %" PRIu32 ")",
		    k->keyid_start, k->keyid_end);
		return;
	}
	if (h->cpuinfo.tdx_host_platform) {
		set(c, CHECK_PASS, "the BIOS enabled TDX (the tdx_host_platform CPU flag is set)");
		return;
	}
	if (f->tdx_evidence) {
		set(c, CHECK_PASS,
		    "the BIOS enabled TDX (the kernel reports TDX KeyIDs or module)");
		return;
	}
	if (!f->log) {
		set(c, CHECK_SKIP,
		    "not checked: no tdx_host_platform CPU flag and the kernel log "
		    "could not be read");
		hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	set(c, CHECK_FAIL,
	    "the BIOS did not enable TDX: no tdx_host_platform CPU flag and no "
	    "\"BIOS enabled: private KeyID range\" line in the kernel log");
	/* v7.1+ prints this at boot on hosts whose BIOS left TDX off: it explains, not a fault. */
	if (k->kvm_prereq[KVM_PREREQ_PLATFORM].present)
		quote(c, &k->kvm_prereq[KVM_PREREQ_PLATFORM]);
	else if (k->kvm_prereq[KVM_PREREQ_NO_KEYIDS].present)
		quote(c, &k->kvm_prereq[KVM_PREREQ_NO_KEYIDS]);
	hint(c, "%s", BIOS_TDX_HINT);
}

static void check_keyids(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KEYIDS];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_KEYIDS, CHECK_BIOS_TDX, true))
		return;

	uint32_t n = 0;
	bool known = false;
	if (k->keyid_range.present) {
		n = k->keyid_end > k->keyid_start ? k->keyid_end - k->keyid_start : 0;
		known = true;
	} else if (h->fw.has_keyid_num) {
		n = h->fw.keyid_num;
		known = true;
	} else if (h->fw.has_nr_guest_keyids) {
		n = h->fw.nr_guest_keyids + 1;
		known = true;
	} else if (h->misc.capacity_known) {
		n = h->misc.capacity + 1;
		known = true;
	}

	if (k->too_few_keyids.present || (known && n < 2)) {
		set(c, CHECK_FAIL,
		    "too few TDX KeyIDs: %" PRIu32 " (TDX needs at least 2: one "
		    "global, one per TD)",
		    n);
		quote(c, &k->too_few_keyids);
		hint(c, "in the BIOS, raise the number of TDX KeyIDs in the TME-MT/TDX KeyID split "
		        "(e.g. \"TME-MT/TDX key split\", \"TDX KeyIDs\"), then reboot");
	} else if (known)
		set(c, CHECK_PASS, "%" PRIu32 " TDX KeyIDs: 1 global, %" PRIu32 " for guests", n,
		    n - 1);
	else if (h->cpuinfo.tdx_host_platform || f->tdx_evidence)
		/* the kernel sets tdx_host_platform only with at least 2 TDX KeyIDs */
		set(c, CHECK_PASS, "at least 2 TDX KeyIDs (tdx_host_platform is set only then)");
	else {
		set(c, CHECK_SKIP, "not checked: the KeyID split is unknown");
		if (!f->log)
			hint(c, "%s", RUN_AS_ROOT);
	}
}

static void check_hibernation(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_HIBERNATION];
	const struct tdx_host *h = f->h;

	if (!need(s, CHECK_HIBERNATION, CHECK_BIOS_TDX, true))
		return;

	if (h->kmsg.hibernation.present) {
		set(c, CHECK_FAIL, "the kernel refused TDX because hibernation is enabled");
		quote(c, &h->kmsg.hibernation);
		hint(c, "add nohibernate to the kernel command line (e.g. GRUB_CMDLINE_LINUX in "
		        "/etc/default/grub, then update-grub or grub2-mkconfig) and reboot");
	} else if (h->kmsg.notifier_failed.present) {
		set(c, CHECK_FAIL,
		    "the kernel refused TDX at boot: it could not register its "
		    "memory notifier");
		quote(c, &h->kmsg.notifier_failed);
		hint(c, "reboot; if it persists, report it with the kernel log (dmesg | grep "
		        "virt/tdx) to your kernel vendor");
	} else if (h->cpuinfo.tdx_host_platform || f->initialized || f->param_y)
		set(c, CHECK_PASS, "hibernation is off: the kernel accepted TDX");
	else if (f->log)
		set(c, CHECK_PASS, "the kernel did not refuse TDX for hibernation");
	else {
		set(c, CHECK_SKIP, "not checked: the kernel log could not be read");
		hint(c, "%s", RUN_AS_ROOT);
	}
}

/* ---- CPUs ---- */

static void cpus_where(const struct tdx_host *h, bool by_node, int id, bool offline_unknown,
                       char *buf, size_t size, unsigned *ret_first) {
	_cleanup_free_ unsigned *l = NULL;
	size_t n = 0;

	buf[0] = 0;
	if (h->n_cpus == 0)
		return;
	l = calloc(h->n_cpus, sizeof(unsigned));
	if (!l)
		return;
	for (unsigned i = 0; i < h->n_cpus; i++) {
		const struct host_cpu *cpu = &h->cpus[i];
		if (!cpu->present)
			continue;
		if (offline_unknown ? (!cpu->online && cpu->package < 0)
		                    : (by_node ? cpu->node == id : cpu->package == id))
			l[n++] = i;
	}
	if (n > 0 && ret_first)
		*ret_first = l[0];
	format_cpu_list(l, n, buf, size);
}

/* Whether every present CPU of a node belongs to a known package without online CPUs. */
static bool node_in_dark_packages(const struct tdx_host *h, int node) {
	bool any = false;
	for (unsigned i = 0; i < h->n_cpus; i++) {
		const struct host_cpu *cpu = &h->cpus[i];
		if (!cpu->present || cpu->node != node)
			continue;
		if (cpu->package < 0)
			return false;
		for (size_t j = 0; j < h->n_packages; j++)
			if (h->packages[j].id == cpu->package && h->packages[j].online_cpus > 0)
				return false;
		any = true;
	}
	return any;
}

static void check_cpu_packages(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CPU_PACKAGES];
	const struct tdx_host *h = f->h;
	char cpus[256];
	unsigned first = 0, example = 0;
	bool failed = false;

	if (h->n_packages == 0 && h->n_dark_nodes == 0) {
		set(c, CHECK_SKIP, "not checked: the CPU packages are unknown");
		hint(c, "make /sys/devices/system/cpu readable (is sysfs mounted?)");
		return;
	}

	c->summary[0] = 0;
	for (size_t i = 0; i < h->n_packages; i++) {
		const struct host_package *p = &h->packages[i];
		if (p->online_cpus > 0)
			continue;
		cpus_where(h, false, p->id, false, cpus, sizeof(cpus), &first);
		if (!failed)
			example = first;
		summary_add(c, "%sno online CPU in package %d (CPUs %s)", failed ? "; " : "", p->id,
		            cpus[0] ? cpus : "unknown");
		failed = true;
	}
	for (size_t i = 0; i < h->n_dark_nodes; i++) {
		if (node_in_dark_packages(h, h->dark_nodes[i]))
			continue; /* already named as a package */
		cpus_where(h, true, h->dark_nodes[i], false, cpus, sizeof(cpus), &first);
		if (!failed)
			example = first;
		summary_add(c,
		            "%sNUMA node %d has present CPUs (%s) but none online, it may be a "
		            "whole package",
		            failed ? "; " : "", h->dark_nodes[i], cpus[0] ? cpus : "unknown");
		failed = true;
	}
	if (failed) {
		c->result = CHECK_FAIL;
		hint(c,
		     "TDX needs at least one online CPU in every physical package: online one, "
		     "e.g. echo 1 > /sys/devices/system/cpu/cpu%u/online (or tdxctl enable with "
		     "OnlineCPUsForInit=yes); CPUGuard=enforce keeps it online",
		     example);
		return;
	}

	if (h->n_unknown_package_offline > 0) {
		cpus_where(h, false, -1, true, cpus, sizeof(cpus), &first);
		set(c, CHECK_WARN,
		    "%u offline CPU%s of unknown package (%s): every known package "
		    "has an online CPU",
		    h->n_unknown_package_offline, h->n_unknown_package_offline == 1 ? "" : "s",
		    cpus[0] ? cpus : "unknown");
		hint(c,
		     "their package cannot be read while they are offline (e.g. SMT siblings "
		     "after nosmt); if one could be the last CPU of its package, online it, e.g. "
		     "echo 1 > /sys/devices/system/cpu/cpu%u/online",
		     first);
		return;
	}

	set(c, CHECK_PASS, "every package has an online CPU: ");
	for (size_t i = 0; i < h->n_packages; i++)
		summary_add(c, "%s%d: %u/%u online", i ? ", " : "", h->packages[i].id,
		            h->packages[i].online_cpus, h->packages[i].present_cpus);
}

/* ---- KVM ---- */

static void hint_enable(const struct facts *f, struct check *c) {
	const struct enable_progress *ep = f->ep;
	/* tdxd's own attempt failed for a reason the kernel log does not explain (module not
	 * found, an unload error): its words and its hint say more than the generic advice. */
	if (ep && ep->failed && ep->failure[0] && !strstr(c->summary, ep->failure))
		summary_add(c, ": %s", ep->failure);
	if (ep && ep->failed && ep->hint[0]) {
		hint(c, "%s", ep->hint);
		return;
	}
	if (ep && ep->blocked_by_policy) {
		hint(c,
		     "%s is blocked on purpose in %s (blacklist or install /bin/false): remove "
		     "that line to let tdxd load it with tdx=1",
		     f->kvm, ep->policy_file[0] ? ep->policy_file : "/etc/modprobe.d");
		return;
	}
	if (ep && ep->in_use)
		hint(c, "%s is in use (%s): stop the VMs that hold it, then ", f->kvm,
		     ep->in_use_reason[0] ? ep->in_use_reason : "held");
	else if (f->h->kvm.loaded && f->h->kvm.refcnt > 0)
		hint(c, "%s is in use (%d users%s%s): stop the VMs that hold it, then ", f->kvm,
		     f->h->kvm.refcnt, f->h->kvm.holders[0] ? ", " : "", f->h->kvm.holders);
	hint(c,
	     "load it with TDX: tdxctl enable, or modprobe -r %s && modprobe %s tdx=1 (no VM "
	     "may be running); make it permanent with `options %s tdx=1` in /etc/modprobe.d or "
	     "%s.tdx=1 on the kernel command line",
	     f->kvm, f->kvm, f->kvm, f->kvm);
}

static void check_kvm_module(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_MODULE];
	const struct kvm_module *m = &f->h->kvm;

	/* On a CPU that is not Intel's, or inside a guest, kvm_intel is beside the point: saying
	 * it is not loaded would only be noise next to the real reason. */
	if (!need(s, CHECK_KVM_MODULE, CHECK_CPU_VENDOR, false) ||
	    !need(s, CHECK_KVM_MODULE, CHECK_BARE_METAL, false))
		return;
	if (m->loaded) {
		set(c, CHECK_PASS, "%s is loaded", f->kvm);
		if (m->n_holders > 0 && m->holders[0])
			summary_add(c, " (used by %s)", m->holders);
		return;
	}
	set(c, CHECK_FAIL, "%s is not loaded", f->kvm);
	if (f->h->kmsg.no_hw_support.present) {
		quote(c, &f->h->kmsg.no_hw_support);
		hint(c,
		     "enable Intel Virtualization Technology (VT-x) and VT-d in the BIOS, then "
		     "reboot and load %s with tdx=1",
		     f->kvm);
		return;
	}
	if (f->init_failed) {
		summary_add(c, ": the TDX module initialization failed while it loaded with tdx=1 "
		               "(see module-init)");
		hint(c,
		     "the initialization cannot be retried before a reboot: for ordinary VMs "
		     "meanwhile, modprobe %s tdx=0; fix the cause given by module-init, then "
		     "reboot",
		     f->kvm);
		return;
	}
	if (f->h->kmsg.max_vcpu.present) {
		summary_add(c, ": its load failed because of the module's vCPU limit (see "
		               "max-vcpus)");
		hint(c,
		     "see the max-vcpus check; to run ordinary VMs meanwhile: modprobe %s "
		     "tdx=0",
		     f->kvm);
		return;
	}
	hint_enable(f, c);
}

static void check_kernel_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KERNEL_TDX];
	const struct kvm_module *m = &f->h->kvm;
	int has;

	if (f->tdx_up)
		has = 1; /* whatever the parameter is called on this (vendor) kernel */
	else if (m->loaded)
		has = m->has_tdx_param;
	else
		has = m->modinfo_has_tdx;

	if (has > 0 && !m->has_tdx_param && f->tdx_up)
		set(c, CHECK_PASS, "the kernel has KVM TDX support (TDX is up in %s)", f->kvm);
	else if (has > 0)
		set(c, CHECK_PASS, "the kernel has KVM TDX support (%s has a tdx parameter)",
		    f->kvm);
	else if (has == 0) {
		set(c, CHECK_FAIL, "the kernel has no KVM TDX support: %s has no tdx parameter",
		    f->kvm);
		hint(c,
		     "install a kernel with KVM TDX support: upstream v6.16 or newer built with "
		     "CONFIG_KVM_INTEL_TDX=y (CONFIG_INTEL_TDX_HOST=y), or your distribution's TDX "
		     "host kernel");
	} else {
		set(c, CHECK_SKIP, "not checked: %s is not loaded and its module info was not read",
		    f->kvm);
		hint(c, "check with modinfo -p %s | grep tdx", f->kvm);
	}
}

static void check_kvm_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_TDX];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_KVM_TDX, CHECK_BIOS_TDX, true) ||
	    !need(s, CHECK_KVM_TDX, CHECK_KVM_MODULE, true))
		return;
	if (!h->kvm.has_tdx_param) {
		if (f->tdx_up) {
			set(c, CHECK_PASS, "KVM reports TDX support (%s has no tdx parameter)",
			    f->kvm);
			return;
		}
		if (!need(s, CHECK_KVM_TDX, CHECK_KERNEL_TDX, true))
			return;
	}
	if (f->param_y) {
		set(c, CHECK_PASS, "%s.tdx reads Y", f->kvm);
		return;
	}

	set(c, CHECK_FAIL, "%s is loaded with TDX off (%s.tdx reads N)", f->kvm, f->kvm);
	if (s->checks[CHECK_HIBERNATION].result == CHECK_FAIL) {
		/* KVM then only sees a platform without TDX: its own line says no more */
		summary_add(c, ": the kernel refused TDX at boot (see hibernation)");
		quote(c, &k->kvm_prereq[KVM_PREREQ_NO_KEYIDS]);
		quote(c, &k->kvm_prereq[KVM_PREREQ_PLATFORM]);
		hint(c,
		     "fix the hibernation check first (nohibernate on the kernel command line, "
		     "reboot), then load %s with tdx=1",
		     f->kvm);
		return;
	}
	bool any = false;
	for (int i = 0; i < _KVM_PREREQ_MAX; i++) {
		if (!k->kvm_prereq[i].present)
			continue;
		summary_add(c, "%s%s", any ? "; and " : ": KVM turned it off because ",
		            prereq_info[i].what);
		quote(c, &k->kvm_prereq[i]);
		hint(c, "%s%s", any ? "; " : "", prereq_info[i].hint);
		any = true;
	}
	if (!any && f->init_failed) {
		summary_add(c, ": the TDX module initialization failed (see module-init)");
		hint(c, "see the module-init check: %s", ONE_SHOT);
		return;
	}
	if (!any)
		hint_enable(f, c);
}

static void check_kvm_vm_types(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_VM_TYPES];
	const struct tdx_host *h = f->h;

	if (!h->kvm_dev_asked) {
		set(c, CHECK_SKIP, "not checked: /dev/kvm was not asked");
		return;
	}
	if (h->kvm_vm_types_tdx) {
		set(c, CHECK_PASS, "/dev/kvm lists KVM_X86_TDX_VM in KVM_CAP_VM_TYPES");
		return;
	}
	if (!h->kvm.loaded || (!f->param_y && s->checks[CHECK_KVM_TDX].result != CHECK_PASS)) {
		set(c, CHECK_SKIP, "not checked: kvm-tdx %s",
		    s->checks[CHECK_KVM_TDX].result == CHECK_FAIL ? "failed" : "skipped");
		return;
	}
	set(c, CHECK_FAIL,
	    "%s.tdx reads Y but /dev/kvm does not list KVM_X86_TDX_VM (5) in "
	    "KVM_CAP_VM_TYPES",
	    f->kvm);
	hint(c,
	     "KVM cannot create TDs: check the kernel log (dmesg | grep -i tdx) and reload "
	     "%s with tdx=1 (tdxctl enable)",
	     f->kvm);
}

/* ---- the TDX module ---- */

/* Says why the initialization failed; returns the kernel line it quoted, if any. */
static const struct kline *explain_init_failure(const struct facts *f, struct check *c) {
	const struct kmsg_facts *k = &f->h->kmsg;

	if (k->not_loaded.present) {
		summary_add(c, ": the BIOS did not load the TDX module");
		quote(c, &k->not_loaded);
		hint(c, "enable the TDX Secure Arbitration Mode Loader (SEAM Loader) in the BIOS "
		        "and make sure the firmware carries a TDX module (update the BIOS), then "
		        "reboot");
		return &k->not_loaded;
	}
	if (k->rbp_bug.present) {
		summary_add(c, ": the TDX module is too old (RBP clobber bug)");
		quote(c, &k->rbp_bug);
		hint(c,
		     "update the TDX module (a BIOS update or a newer module in the EFI "
		     "partition), then reboot; %s",
		     ONE_SHOT);
		return &k->rbp_bug;
	}
	if (k->tdmr.present) {
		summary_add(c, ": the memory layout needs more TDMRs than the TDX module has (too "
		               "many memory regions)");
		quote(c, &k->tdmr);
		hint(c,
		     "reduce or reorder memory (fewer populated DIMM slots or NUMA regions, no "
		     "memmap= holes, no hot-plug memory reservations) or update the TDX module to "
		     "one with more TDMRs, then reboot; %s",
		     ONE_SHOT);
		return &k->tdmr;
	}
	if (k->offline_cpus.present) {
		summary_add(c, ": CPUs were offline when it ran");
		quote(c, &k->offline_cpus);
		hint(c,
		     "this kernel needs every CPU online for the module initialization: reboot "
		     "without maxcpus=/nosmt and keep all CPUs online before loading %s with "
		     "tdx=1; %s",
		     f->kvm, ONE_SHOT);
		return &k->offline_cpus;
	}
	if (k->seamcall.present || k->init_error == -EIO) {
		summary_add(c, ": a SEAMCALL returned an error (-EIO)");
		quote(c, &k->seamcall);
		hint(c,
		     "the TDX module rejected the configuration: typically a physical package "
		     "without an online CPU (TDH.SYS.KEY.CONFIG) or online memory that is not "
		     "convertible (TDH.SYS.CONFIG); before the next attempt keep a CPU online in "
		     "every package and online only CMR memory, or update the BIOS/TDX module; %s",
		     ONE_SHOT);
		return &k->seamcall;
	}
	if (k->init_error == -ENOMEM) {
		summary_add(c, ": out of memory (PAMT needs about 1/256 of RAM)");
		hint(c,
		     "free memory before enabling TDX (fewer reserved hugepages, no large "
		     "memory consumers at boot), then reboot; %s",
		     ONE_SHOT);
		return NULL;
	}
	if (streq(f->h->fw.status, "error"))
		summary_add(c, ": /sys/firmware/tdx/tdx_module/status reads error");
	hint(c,
	     "read the lines before it in the kernel log (dmesg | grep -i tdx), update the "
	     "BIOS and TDX module if the error persists; %s",
	     ONE_SHOT);
	return NULL;
}

static void check_module_init(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MODULE_INIT];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_MODULE_INIT, CHECK_BIOS_TDX, true))
		return;

	if (f->init_failed) {
		if (k->init == MODULE_INIT_FAILED && k->init_error)
			set(c, CHECK_FAIL, "the TDX module initialization failed (%d)",
			    k->init_error);
		else
			set(c, CHECK_FAIL, "the TDX module initialization failed");
		const struct kline *q = explain_init_failure(f, c);
		if (k->init_line.present && !(q && q->present && streq(q->text, k->init_line.text)))
			summary_add(c, q && q->present ? " and \"%s\"" : "; the kernel says \"%s\"",
			            k->init_line.text);
		return;
	}
	if (f->initialized) {
		set(c, CHECK_PASS, "the TDX module is initialized");
		if (s->module_version[0])
			summary_add(c, " (version %s)", s->module_version);
		if (k->pamt.present && k->pamt_kb)
			summary_add(c, ", %" PRIu64 " KB allocated for PAMT", k->pamt_kb);
		if (k->tdmr_limit.present) {
			c->result = CHECK_WARN;
			summary_add(c, ", but its TDMRs are nearly exhausted");
			quote(c, &k->tdmr_limit);
			hint(c,
			     "adding memory or changing the memory layout may make the next "
			     "initialization fail: update the TDX module to one with more TDMRs");
		}
		return;
	}
	if (!f->log) {
		set(c, CHECK_SKIP,
		    "not checked: no sign of the TDX module and the kernel log "
		    "could not be read");
		hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	set(c, CHECK_SKIP,
	    "not checked: no initialization was attempted yet (%s not loaded "
	    "with tdx=1)",
	    f->kvm);
}

static void check_max_vcpus(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MAX_VCPUS];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (k->max_vcpu.present && !f->tdx_up) {
		set(c, CHECK_FAIL,
		    "the TDX module allows %" PRIu32 " vCPUs per TD, fewer than the "
		    "%" PRIu32 " logical CPUs, so KVM refused TDX",
		    k->max_vcpu_module, k->max_vcpu_cpus);
		quote(c, &k->max_vcpu);
		hint(c,
		     "boot with nr_cpus=%" PRIu32 " (or disable Hyper-Threading in the BIOS) so "
		     "no more CPUs are present than the module allows, or update the TDX module; "
		     "then load %s with tdx=1",
		     k->max_vcpu_module, f->kvm);
		return;
	}
	if (s->module_max_vcpus && h->n_present) {
		if (s->module_max_vcpus >= h->n_present)
			set(c, CHECK_PASS,
			    "the TDX module allows %" PRIu32 " vCPUs per TD, %u "
			    "logical CPUs are present",
			    s->module_max_vcpus, h->n_present);
		else {
			set(c, CHECK_FAIL,
			    "the TDX module allows %" PRIu32 " vCPUs per TD, fewer "
			    "than the %u present logical CPUs",
			    s->module_max_vcpus, h->n_present);
			hint(c,
			     "KVM refuses TDX in this case: boot with nr_cpus=%" PRIu32 " (or "
			     "disable Hyper-Threading in the BIOS), or update the TDX module",
			     s->module_max_vcpus);
		}
		return;
	}
	if (f->tdx_up)
		set(c, CHECK_PASS, "TDX is up in KVM, which checked the module's vCPU limit");
	else
		set(c, CHECK_SKIP,
		    "not checked: the module's max_vcpus_per_td is unknown and TDX "
		    "is not up");
}

/* ---- capacity ---- */

static void check_keyid_capacity(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KEYID_CAPACITY];

	/* Too few KeyIDs for TDX at all: "how many are free" has no answer worth giving. */
	if (!need(s, CHECK_KEYID_CAPACITY, CHECK_KEYIDS, false))
		return;
	if (!s->total_keyids_known) {
		set(c, CHECK_SKIP, "not checked: the number of guest KeyIDs is unknown");
		if (!f->log)
			hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	if (!s->used_keyids_known) {
		set(c, CHECK_WARN,
		    "%" PRIu32 " guest KeyIDs, usage unknown (no tdx line in the "
		    "misc cgroup)",
		    s->total_keyids);
		hint(c,
		     "the misc cgroup counts TDX KeyIDs only while %s has TDX up; otherwise "
		     "mount cgroup2 at /sys/fs/cgroup with a kernel built with CONFIG_CGROUP_MISC",
		     f->kvm);
		return;
	}
	if (s->used_keyids >= s->total_keyids) {
		set(c, CHECK_FAIL,
		    "all %" PRIu32 " guest KeyIDs are in use: no new TD can be "
		    "created",
		    s->total_keyids);
		hint(c, "each TD holds one KeyID until it is torn down: stop or delete a TD; for "
		        "more KeyIDs raise the TDX KeyID split in the BIOS");
		return;
	}
	set(c, CHECK_PASS, "%" PRIu32 " of %" PRIu32 " guest KeyIDs free",
	    s->total_keyids - s->used_keyids, s->total_keyids);
}

/* ---- memory ---- */

static int check_convertible_memory(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CONVERTIBLE_MEMORY];
	const struct memory_info *m = &f->h->mem;
	_cleanup_free_ uint64_t *bad = NULL;
	struct range_set cmrs = {0};
	size_t n_bad = 0;
	char blocks[640];
	int r;

	if (f->h->cmrs.n == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the CMRs are unknown (this kernel does not report "
		    "them)");
		return 0;
	}
	if (!m->present || m->block_size == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the memory blocks are unknown "
		    "(/sys/devices/system/memory)");
		return 0;
	}
	r = range_set_copy(&cmrs, &f->h->cmrs);
	if (r < 0)
		return r;
	range_set_normalize(&cmrs, true);
	bool online = true;
	r = memory_blocks_outside(m, BLOCKS_ONLINE, &cmrs, &bad, &n_bad);
	if (r >= 0 && n_bad == 0 && !f->initialized) {
		/* Before the initialization, memory only hot-added and still offline counts too:
		 * the kernel put it in memblock when it was added, and the initialization takes
		 * all of memblock (kernel-interfaces.md 4.1, 9.2). */
		online = false;
		bad = mfree(bad);
		r = memory_blocks_outside(m, BLOCKS_OFFLINE, &cmrs, &bad, &n_bad);
	}
	range_set_clear(&cmrs);
	if (r < 0)
		return r;

	if (n_bad == 0) {
		set(c, CHECK_PASS, "all online System RAM lies inside the %zu CMRs", s->cmrs.n);
		return 0;
	}
	memory_blocks_format(bad, n_bad, m->block_size, blocks, sizeof(blocks));
	if (online)
		set(c, CHECK_FAIL, "online memory outside the CMRs (not convertible): %s", blocks);
	else
		set(c, CHECK_WARN,
		    "hot-added memory outside the CMRs (not convertible) is present, offline: %s",
		    blocks);
	if (f->initialized)
		hint(c,
		     "this memory cannot be TDX memory: offline it (echo offline > "
		     "/sys/devices/system/memory/memory%" PRIu64 "/state) or remove it; keep "
		     "MemoryGate=enforce so hot-added memory is checked before onlining",
		     bad[0]);
	else
		hint(c,
		     "the TDX module initialization takes all memory present, online or not, and "
		     "fails (one-shot, until reboot) on memory outside the CMRs: remove it before "
		     "enabling TDX (unplug the DIMM, or daxctl reconfigure-device --mode=devdax "
		     "for a dax device)%s",
		     online ? "; offline its blocks first (echo offline > "
		              "/sys/devices/system/memory/memoryN/state)"
		            : "");
	return 0;
}

static int check_tdx_memory(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_TDX_MEMORY];
	const struct tdx_host *h = f->h;
	const struct memory_info *m = &h->mem;
	_cleanup_free_ uint64_t *bad = NULL, *never = NULL;
	struct range_set tm = {0};
	size_t n_bad = 0, n_never = 0, n_dax_bad = 0;
	char blocks[640], dax[384] = "";
	int r;

	if (!f->initialized) {
		set(c, CHECK_SKIP, "not checked: the TDX module is not initialized");
		return 0;
	}
	if (!h->tdx_memory_known) {
		set(c, CHECK_SKIP,
		    "not checked: the memory present at the module initialization "
		    "was not recorded (/run/tdxd/tdx-memory)");
		return 0;
	}
	if (!m->present || m->block_size == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the memory blocks are unknown "
		    "(/sys/devices/system/memory)");
		return 0;
	}

	r = range_set_copy(&tm, &h->tdx_memory);
	if (r < 0)
		return r;
	/* The kernel wants a block inside ONE range recorded at initialization: no merging. */
	range_set_normalize(&tm, false);
	r = memory_blocks_outside(m, BLOCKS_ONLINE, &tm, &bad, &n_bad);
	if (r >= 0)
		r = memory_blocks_outside(m, BLOCKS_OFFLINE, &tm, &never, &n_never);
	for (size_t i = 0; r >= 0 && i < m->n_dax; i++) {
		const struct dax_dev *d = &m->dax[i];
		for (size_t j = 0; j < d->ranges.n; j++)
			if (!range_set_contains(&tm, max_u64(d->ranges.items[j].start, MIB(1)),
			                        d->ranges.items[j].end)) {
				textf(dax, sizeof(dax), true, "%s%s [0x%" PRIx64 ", 0x%" PRIx64 ")",
				      dax[0] ? ", " : "", d->name, d->ranges.items[j].start,
				      d->ranges.items[j].end);
				n_dax_bad++;
				break;
			}
	}
	range_set_clear(&tm);
	if (r < 0)
		return r;

	if (n_bad > 0) {
		memory_blocks_format(bad, n_bad, m->block_size, blocks, sizeof(blocks));
		set(c, CHECK_FAIL,
		    "online memory outside the TDX memory recorded at the module "
		    "initialization: %s",
		    blocks);
		hint(c,
		     "the kernel never accepts this memory for TDs: offline it (echo offline > "
		     "/sys/devices/system/memory/memory%" PRIu64 "/state) and set "
		     "MemoryGate=enforce so it stays offline",
		     bad[0]);
		return 0;
	}
	if (n_never > 0 || n_dax_bad > 0) {
		memory_blocks_format(never, n_never, m->block_size, blocks, sizeof(blocks));
		set(c, CHECK_WARN, "memory that cannot be onlined while TDX is on:");
		if (blocks[0])
			summary_add(c, " offline blocks %s", blocks);
		if (dax[0])
			summary_add(c, "%s device-dax %s", blocks[0] ? ";" : "", dax);
		hint(c,
		     "the kernel refuses to online it (EPERM) because it was not present at the "
		     "TDX module initialization: use it as device-dax (not system-ram) or for "
		     "non-TD workloads only after a reboot without TDX, or reboot with it present "
		     "so it becomes TDX memory");
		return 0;
	}
	set(c, CHECK_PASS,
	    "all online memory is TDX memory (%zu ranges recorded at the module "
	    "initialization)",
	    h->tdx_memory.n);
	return 0;
}

static void check_memory_auto_online(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MEMORY_AUTO_ONLINE];
	const char *v = f->h->mem.auto_online;

	if (!v[0]) {
		set(c, CHECK_SKIP,
		    "not checked: /sys/devices/system/memory/auto_online_blocks is "
		    "missing");
		return;
	}
	if (streq(v, "offline")) {
		set(c, CHECK_PASS,
		    "auto_online_blocks is offline: hot-added memory waits for the "
		    "memory gate");
		return;
	}
	set(c, CHECK_WARN,
	    "auto_online_blocks is %s: the kernel onlines hot-added memory before "
	    "the memory gate can decide",
	    v);
	hint(c,
	     "echo offline > /sys/devices/system/memory/auto_online_blocks and boot with "
	     "memhp_default_state=offline; with auto-online, MemoryGate=%s can only offline "
	     "ineligible blocks afterwards, blocks the kernel refuses stay offline silently, and "
	     "before the module initialization non-convertible memory would become TDX memory",
	     policy_mode_to_string(s->memory_gate));
}

/* ---- the state ---- */

static const struct check *first_failed(const struct tdx_status *s, const enum check_id *ids,
                                        size_t n) {
	for (size_t i = 0; i < n; i++)
		if (s->checks[ids[i]].result == CHECK_FAIL)
			return &s->checks[ids[i]];
	return NULL;
}

static bool bringup_failed(const struct facts *f, const struct tdx_status *s,
                           const struct check **ret) {
	const struct kmsg_facts *k = &f->h->kmsg;

	if (f->init_failed) {
		*ret = &s->checks[CHECK_MODULE_INIT];
		return true;
	}
	if (f->tdx_up)
		/* an older refusal this boot was followed by a successful load */
		return false;
	if (k->max_vcpu.present) {
		*ret = &s->checks[CHECK_MAX_VCPUS];
		return true;
	}
	/* Someone (udev's coldplug, an operator, tdxd) loaded the KVM module and the kernel said
	 * no: VMX is off or missing. A module load error, whoever loaded it. */
	if (k->no_hw_support.present && !f->h->kvm.loaded) {
		*ret = &s->checks[CHECK_KVM_MODULE];
		return true;
	}
	bool platform_ok = s->checks[CHECK_BIOS_TDX].result == CHECK_PASS &&
	                   s->checks[CHECK_KEYIDS].result == CHECK_PASS &&
	                   s->checks[CHECK_HIBERNATION].result == CHECK_PASS;
	for (int i = 0; i < _KVM_PREREQ_MAX; i++) {
		if (!k->kvm_prereq[i].present)
			continue;
		/* Without TDX in the BIOS (or refused at boot) these lines only say so. */
		if ((i == KVM_PREREQ_PLATFORM || i == KVM_PREREQ_NO_KEYIDS) && !platform_ok)
			continue;
		*ret = &s->checks[CHECK_KVM_TDX];
		return true;
	}
	return false;
}

static void derive_state(const struct facts *f, struct tdx_status *s) {
	static const enum check_id platform[] = {CHECK_CPU_VENDOR, CHECK_BARE_METAL, CHECK_BIOS_TDX,
	                                         CHECK_KEYIDS};
	static const enum check_id software[] = {CHECK_HIBERNATION, CHECK_KERNEL_TDX,
	                                         CHECK_KVM_MODULE, CHECK_KVM_TDX,
	                                         CHECK_KVM_VM_TYPES};
	static const enum check_id capacity[] = {CHECK_CPU_PACKAGES, CHECK_KEYID_CAPACITY,
	                                         CHECK_CONVERTIBLE_MEMORY, CHECK_TDX_MEMORY};
	const struct enable_progress *ep = f->ep;
	const struct check *c;
	char *reason = s->reason;
	size_t rs = sizeof(s->reason);

	if (ep && ep->running) {
		s->state = TDX_STATE_STARTING;
		textf(reason, rs, false, "tdxd is enabling TDX: loading %s with tdx=1", f->kvm);
		return;
	}

	c = first_failed(s, platform, ELEMENTSOF(platform));
	if (c) {
		s->state = TDX_STATE_UNSUPPORTED;
		textf(reason, rs, false, "TDX is not supported here: %s", c->summary);
		return;
	}

	if (ep && ep->failed) {
		s->state = TDX_STATE_FAILED;
		textf(reason, rs, false, "enabling TDX failed: %s",
		      ep->failure[0] ? ep->failure : "the module load failed");
	} else if (bringup_failed(f, s, &c)) {
		s->state = TDX_STATE_FAILED;
		textf(reason, rs, false, "TDX bring-up failed: %s", c->summary);
	}
	if (s->state == TDX_STATE_FAILED) {
		if (ep && ep->fell_back)
			textf(reason, rs, true,
			      " (%s was loaded again without TDX so ordinary VMs "
			      "keep working)",
			      f->kvm);
		return;
	}

	if (!f->tdx_up) {
		s->state = TDX_STATE_DISABLED;
		if (ep && ep->blocked_by_policy)
			textf(reason, rs, false,
			      "TDX is disabled: %s is blocked by the operator in %s", f->kvm,
			      ep->policy_file[0] ? ep->policy_file : "modprobe.d");
		else if (ep && ep->in_use)
			textf(reason, rs, false,
			      "TDX is disabled: %s is loaded without TDX and in use%s%s", f->kvm,
			      ep->in_use_reason[0] ? ": " : "", ep->in_use_reason);
		else if ((c = first_failed(s, software, ELEMENTSOF(software))))
			textf(reason, rs, false, "TDX is disabled: %s", c->summary);
		else
			textf(reason, rs, false, "TDX is disabled: TDX is not up in %s", f->kvm);
		if (ep && ep->dry_run)
			textf(reason, rs, true, " (test root: nothing was loaded)");
		return;
	}

	c = first_failed(s, capacity, ELEMENTSOF(capacity));
	if (!c)
		/* "ready" means no check failed; any other failure breaks a guarantee too */
		for (int i = 0; i < _CHECK_MAX && !c; i++)
			if (s->checks[i].result == CHECK_FAIL)
				c = &s->checks[i];
	if (c) {
		s->state = TDX_STATE_DEGRADED;
		textf(reason, rs, false, "TDX is up but degraded: %s", c->summary);
		return;
	}

	s->state = TDX_STATE_READY;
	s->ready = true;
	if (s->total_keyids_known && s->used_keyids_known)
		textf(reason, rs, false,
		      "TDX is ready: %" PRIu32 " of %" PRIu32 " guest KeyIDs free",
		      s->total_keyids - s->used_keyids, s->total_keyids);
	else if (s->total_keyids_known)
		textf(reason, rs, false, "TDX is ready: %" PRIu32 " guest KeyIDs (usage unknown)",
		      s->total_keyids);
	else
		textf(reason, rs, false, "TDX is ready");
}

void tdx_status_move(struct tdx_status *dst, struct tdx_status *src) {
	bool own = src->sources[SRC_KVM_TDX_ENABLED] == src->kvm_tdx_source;
	*dst = *src;
	if (own)
		dst->sources[SRC_KVM_TDX_ENABLED] = dst->kvm_tdx_source;
	*src = (struct tdx_status){0};
}

void tdx_status_done(struct tdx_status *s) {
	if (!s)
		return;
	range_set_clear(&s->cmrs);
	s->packages = mfree(s->packages);
	s->n_packages = 0;
}

int status_derive(const struct tdx_host *h, const struct status_policy *policy,
                  const struct enable_progress *enable, struct tdx_status *ret) {
	struct tdx_status s = {0};
	struct facts f;
	int r;

	gather_facts(h, policy, enable, &f);
	r = derive_values(&f, policy, &s);
	if (r < 0)
		goto fail;

	check_cpu_vendor(&f, &s);
	check_bare_metal(&f, &s);
	check_bios_tdx(&f, &s);
	check_keyids(&f, &s);
	check_hibernation(&f, &s);
	check_cpu_packages(&f, &s);
	check_kvm_module(&f, &s);
	check_kernel_tdx(&f, &s);
	check_kvm_tdx(&f, &s);
	check_module_init(&f, &s);
	check_max_vcpus(&f, &s);
	check_kvm_vm_types(&f, &s);
	check_keyid_capacity(&f, &s);
	r = check_convertible_memory(&f, &s);
	if (r < 0)
		goto fail;
	r = check_tdx_memory(&f, &s);
	if (r < 0)
		goto fail;
	check_memory_auto_online(&f, &s);

	derive_state(&f, &s);

	/* Kernel lines and sysfs text are quoted in these: D-Bus and JSON need valid UTF-8. */
	(void)utf8_sanitize(s.reason);
	(void)utf8_sanitize(s.module_version);
	for (size_t i = 0; i < _CHECK_MAX; i++) {
		(void)utf8_sanitize(s.checks[i].summary);
		(void)utf8_sanitize(s.checks[i].hint);
	}
	tdx_status_move(ret, &s);
	return 0;
fail:
	tdx_status_done(&s);
	return r;
}
