/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readiness model on hand-built hosts: one host per state rule and per check result. */
#include <check.h>
#include <stdio.h>

#include "macro.h"
#include "status.h"
#include "check-run.h"

/* A host with its arrays in one place, so tests need no allocation for the CPUs. */
struct fixture {
	struct tdx_host h;
	struct host_cpu cpus[8];
	struct host_package pk[4];
	struct outside_block outside[4];
	struct dax_dev dax[2];
	struct enable_progress ep;
	struct tdx_status s;
	bool derived;
};

static struct fixture fx;

static void kl(struct kline *k, const char *text) {
	snprintf(k->text, sizeof(k->text), "%s", text);
	k->present = true;
	k->seq = 100;
}

static void teardown(void) {
	if (fx.derived)
		tdx_status_done(&fx.s);
	range_set_clear(&fx.h.cmrs);
	range_set_clear(&fx.h.tdx_memory);
	range_set_clear(&fx.h.mem.system_ram);
	for (int i = 0; i < 2; i++)
		range_set_clear(&fx.dax[i].ranges);
	fx.derived = false;
}

/* A v6.16-era host with TDX up in KVM: 2 packages of 2 CPUs, 31 guest KeyIDs, 2 in use. */
static void host_ready(void) {
	struct tdx_host *h = &fx.h;

	teardown();
	memset(&fx, 0, sizeof(fx));
	h->cpuinfo.read = true;
	strcpy(h->cpuinfo.vendor_id, "GenuineIntel");
	h->cpuinfo.tdx_host_platform = true;
	h->cpuinfo.vmx = true;
	h->cpuinfo.has_vmx_flags = true;
	h->cpuinfo.ept_5level = true;

	h->kmsg.readable = true;
	kl(&h->kmsg.keyid_range, "virt/tdx: BIOS enabled: private KeyID range [32, 64)");
	h->kmsg.keyid_start = 32;
	h->kmsg.keyid_end = 64;
	h->kmsg.init = MODULE_INIT_OK;
	kl(&h->kmsg.init_line, "virt/tdx: module initialized");
	kl(&h->kmsg.pamt, "virt/tdx: 6303780 KB allocated for PAMT");
	h->kmsg.pamt_kb = 6303780;

	strcpy(h->kvm.name, "kvm_intel");
	h->kvm.loaded = true;
	h->kvm.has_tdx_param = true;
	h->kvm.tdx_enabled = true;
	h->kvm.refcnt = 0;
	h->kvm.modinfo_has_tdx = -1;

	h->misc.capacity_file = true;
	h->misc.capacity_known = true;
	h->misc.capacity = 31;
	h->misc.current_known = true;
	h->misc.current = 2;

	h->hp_states_read = true;
	h->hp_kvm_tdx = true;

	for (int i = 0; i < 4; i++)
		fx.cpus[i] = (struct host_cpu){.present = true,
		                               .online = true,
		                               .package = i / 2,
		                               .node = i / 2,
		                               .package_source = "topology"};
	h->cpus = fx.cpus;
	h->n_cpus = h->n_present = h->n_online = 4;
	fx.pk[0] = (struct host_package){0, 2, 2};
	fx.pk[1] = (struct host_package){1, 2, 2};
	h->packages = fx.pk;
	h->n_packages = 2;

	h->mem.present = true;
	h->mem.block_size = MIB(128);
	strcpy(h->mem.auto_online, "offline");
}

static struct tdx_status *derive_ep(const struct enable_progress *ep) {
	struct status_policy p = {
	    .cpu_guard = POLICY_ENFORCE, .memory_gate = POLICY_WARN, .kvm_module = "kvm_intel"};
	if (fx.derived)
		tdx_status_done(&fx.s);
	ck_assert_int_eq(status_derive(&fx.h, &p, ep, &fx.s), 0);
	fx.derived = true;
	/* every warn and fail tells the operator what to do */
	for (int i = 0; i < _CHECK_MAX; i++) {
		const struct check *c = &fx.s.checks[i];
		ck_assert_msg(c->summary[0], "%s has no summary", check_id_to_string(i));
		if (c->result == CHECK_WARN || c->result == CHECK_FAIL)
			ck_assert_msg(c->hint[0], "%s (%s) has no hint", check_id_to_string(i),
			              check_result_to_string(c->result));
	}
	ck_assert_int_eq(fx.s.ready, fx.s.state == TDX_STATE_READY);
	ck_assert(fx.s.reason[0]);
	return &fx.s;
}

static struct tdx_status *derive(void) {
	return derive_ep(NULL);
}

#define CHECK_IS(s, id, r) ck_assert_str_eq(check_result_to_string((s)->checks[id].result), r)
#define SUMMARY_HAS(s, id, text)                                                                   \
	ck_assert_msg(strstr((s)->checks[id].summary, text), "%s summary \"%s\" lacks \"%s\"",     \
	              check_id_to_string(id), (s)->checks[id].summary, text)
#define HINT_HAS(s, id, text)                                                                      \
	ck_assert_msg(strstr((s)->checks[id].hint, text), "%s hint \"%s\" lacks \"%s\"",           \
	              check_id_to_string(id), (s)->checks[id].hint, text)
#define STATE_IS(s, st) ck_assert_str_eq(tdx_state_to_string((s)->state), st)

START_TEST(test_names) {
	ck_assert_str_eq(check_id_to_string(CHECK_CPU_VENDOR), "cpu-vendor");
	ck_assert_str_eq(check_id_to_string(CHECK_MEMORY_AUTO_ONLINE), "memory-auto-online");
	ck_assert_str_eq(check_category(CHECK_KEYID_CAPACITY), "capacity");
	ck_assert_str_eq(check_category(CHECK_KERNEL_TDX), "kernel");
	ck_assert_str_eq(tdx_state_to_string(TDX_STATE_DEGRADED), "degraded");
	ck_assert_ptr_null(tdx_state_to_string(_TDX_STATE_MAX));
	ck_assert_int_eq(policy_mode_from_string("warn"), POLICY_WARN);
	ck_assert_int_lt(policy_mode_from_string("Warn"), 0);
	ck_assert_str_eq(source_key_to_string(SRC_TOTAL_KEYIDS), "TotalKeyIDs");
	for (int i = 0; i < _CHECK_MAX; i++) {
		ck_assert_ptr_nonnull(check_id_to_string(i));
		ck_assert_ptr_nonnull(check_category(i));
	}
}
END_TEST

START_TEST(test_ready) {
	host_ready();
	struct tdx_status *s = derive();
	STATE_IS(s, "ready");
	ck_assert(s->ready);
	ck_assert_str_eq(s->reason, "TDX is ready: 29 of 31 guest KeyIDs free");
	for (int i = 0; i < _CHECK_MAX; i++)
		ck_assert_msg(s->checks[i].result == CHECK_PASS ||
		                  s->checks[i].result == CHECK_SKIP,
		              "%s: %s", check_id_to_string(i), s->checks[i].summary);
	CHECK_IS(s, CHECK_KVM_VM_TYPES, "skip");
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "skip");
	CHECK_IS(s, CHECK_MAX_VCPUS, "pass");
	SUMMARY_HAS(s, CHECK_CPU_PACKAGES, "0: 2/2 online, 1: 2/2 online");
	ck_assert(s->tdx_up);
	ck_assert(s->module_initialized);
	ck_assert(s->kvm_tdx_enabled);
	ck_assert_str_eq(s->kvm_module, "kvm_intel");
	ck_assert_uint_eq(s->total_keyids, 31);
	ck_assert_uint_eq(s->used_keyids, 2);
	/* KVM's rule without /dev/kvm: num_present_cpus() */
	ck_assert_uint_eq(s->max_vcpus, 4);
	ck_assert_str_eq(s->sources[SRC_MAX_VCPUS], "computed");
	ck_assert_str_eq(s->sources[SRC_TOTAL_KEYIDS], "/sys/fs/cgroup/misc.capacity");
	ck_assert_str_eq(s->sources[SRC_USED_KEYIDS], "/sys/fs/cgroup/misc.current");
	ck_assert_str_eq(s->sources[SRC_KVM_TDX_ENABLED], "/sys/module/kvm_intel/parameters/tdx");
	ck_assert_str_eq(s->sources[SRC_GUEST_PHYS_ADDR_BITS], "/proc/cpuinfo");
	ck_assert_str_eq(s->sources[SRC_PACKAGES], "/sys/devices/system/cpu");
	ck_assert_ptr_null(s->sources[SRC_MODULE_VERSION]);
	ck_assert_ptr_null(s->sources[SRC_CONVERTIBLE_MEMORY]);
	ck_assert_uint_eq(s->guest_phys_addr_bits, 52);
	ck_assert_uint_eq(s->n_packages, 2);
	ck_assert_int_eq(s->memory_gate, POLICY_WARN);
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "6303780 KB");
}
END_TEST

START_TEST(test_ready_v71_param_and_hotplug) {
	host_ready();
	fx.h.hp_kvm_tdx = false;
	fx.h.hp_virt_tdx = true;
	fx.h.kmsg.init = MODULE_INIT_OK;
	kl(&fx.h.kmsg.init_line, "virt/tdx: TDX-Module initialized");
	kl(&fx.h.kmsg.version_line, "virt/tdx: Module version: 1.5.24");
	fx.h.kmsg.version_major = 1;
	fx.h.kmsg.version_minor = 5;
	fx.h.kmsg.version_update = 24;
	fx.h.kmsg.version_has_update = true;
	struct tdx_status *s = derive();
	STATE_IS(s, "ready");
	ck_assert_str_eq(s->module_version, "1.5.24");
	ck_assert_str_eq(s->sources[SRC_MODULE_VERSION], "/dev/kmsg");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "1.5.24");
}
END_TEST

START_TEST(test_ready_param_only_without_log) {
	/* no /dev/kvm, no log: the parameter plus the hotplug state are enough */
	host_ready();
	memset(&fx.h.kmsg, 0, sizeof(fx.h.kmsg));
	struct tdx_status *s = derive();
	STATE_IS(s, "ready");
	CHECK_IS(s, CHECK_BIOS_TDX, "pass");
	CHECK_IS(s, CHECK_HIBERNATION, "pass");
	CHECK_IS(s, CHECK_MODULE_INIT, "pass");
}
END_TEST

START_TEST(test_vendor_kvm_without_param) {
	/* a vendor kernel that says "TDX is supported" and has no tdx parameter */
	host_ready();
	fx.h.kvm.has_tdx_param = fx.h.kvm.tdx_enabled = false;
	fx.h.hp_kvm_tdx = false;
	kl(&fx.h.kmsg.kvm_tdx_supported, "kvm_intel: TDX is supported.");
	struct tdx_status *s = derive();
	STATE_IS(s, "ready");
	CHECK_IS(s, CHECK_KERNEL_TDX, "pass");
	CHECK_IS(s, CHECK_KVM_TDX, "pass");
	ck_assert(!s->kvm_tdx_enabled);
	ck_assert_ptr_null(s->sources[SRC_KVM_TDX_ENABLED]);

	fx.h.kmsg.kvm_tdx_supported.present = false;
	s = derive();
	CHECK_IS(s, CHECK_KERNEL_TDX, "fail");
	ck_assert_str_eq(s->checks[CHECK_KVM_TDX].summary, "not checked: kernel-tdx failed");
	STATE_IS(s, "disabled");
}
END_TEST

START_TEST(test_log_unreadable_no_flag) {
	host_ready();
	memset(&fx.h.kmsg, 0, sizeof(fx.h.kmsg));
	fx.h.cpuinfo.tdx_host_platform = false;
	fx.h.kvm.loaded = false;
	fx.h.misc.capacity_known = fx.h.misc.current_known = false;
	fx.h.hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_BIOS_TDX, "skip");
	HINT_HAS(s, CHECK_BIOS_TDX, "run as root");
	CHECK_IS(s, CHECK_KEYIDS, "skip");
	ck_assert_str_eq(s->checks[CHECK_KEYIDS].summary, "not checked: bios-tdx skipped");
	ck_assert_str_eq(s->checks[CHECK_HIBERNATION].summary, "not checked: bios-tdx skipped");
	STATE_IS(s, "disabled");
}
END_TEST

START_TEST(test_kvm_asked) {
	host_ready();
	fx.h.kvm_dev_asked = true;
	fx.h.kvm_vm_types_tdx = true;
	fx.h.kvm_td_max_vcpus = 4;
	fx.h.fw.md_max_vcpus_known = true;
	fx.h.fw.md_max_vcpus = 576;
	struct tdx_status *s = derive();
	STATE_IS(s, "ready");
	CHECK_IS(s, CHECK_KVM_VM_TYPES, "pass");
	ck_assert_uint_eq(s->max_vcpus, 4);
	ck_assert_uint_eq(s->module_max_vcpus, 576);
	ck_assert_str_eq(s->sources[SRC_MAX_VCPUS], "/dev/kvm:KVM_CAP_MAX_VCPUS");
	ck_assert_str_eq(s->sources[SRC_MODULE_MAX_VCPUS],
	                 "/sys/firmware/tdx/tdx_module/metadata/9900000100000008");

	/* the module's limit is the smaller one */
	fx.h.fw.md_max_vcpus = 2;
	s = derive();
	ck_assert_uint_eq(s->max_vcpus, 2);
	ck_assert_str_eq(s->sources[SRC_MAX_VCPUS], "computed");
	CHECK_IS(s, CHECK_MAX_VCPUS, "fail");
	STATE_IS(s, "degraded");

	/* param Y but KVM does not list TDX VMs: TDX is not up */
	fx.h.fw.md_max_vcpus = 576;
	fx.h.kvm_vm_types_tdx = false;
	s = derive();
	CHECK_IS(s, CHECK_KVM_VM_TYPES, "fail");
	ck_assert(!s->tdx_up);
	ck_assert_uint_eq(s->max_vcpus, 0);
	ck_assert_ptr_null(s->sources[SRC_MAX_VCPUS]);
	STATE_IS(s, "disabled");
}
END_TEST

START_TEST(test_unsupported_vendor) {
	host_ready();
	strcpy(fx.h.cpuinfo.vendor_id, "AuthenticAMD");
	struct tdx_status *s = derive();
	STATE_IS(s, "unsupported");
	CHECK_IS(s, CHECK_CPU_VENDOR, "fail");
	CHECK_IS(s, CHECK_BIOS_TDX, "skip");
	ck_assert_str_eq(s->checks[CHECK_BIOS_TDX].summary, "not checked: cpu-vendor failed");
	ck_assert_str_eq(s->checks[CHECK_KEYIDS].summary, "not checked: bios-tdx skipped");
	ck_assert_str_eq(s->checks[CHECK_MODULE_INIT].summary, "not checked: bios-tdx skipped");
	ck_assert_str_eq(s->checks[CHECK_KVM_TDX].summary, "not checked: bios-tdx skipped");
	/* kvm_intel is beside the point on an AMD CPU: no failure next to the real reason */
	ck_assert_str_eq(s->checks[CHECK_KVM_MODULE].summary, "not checked: cpu-vendor failed");
	ck_assert(strstr(s->reason, "AuthenticAMD"));
}
END_TEST

START_TEST(test_guest) {
	host_ready();
	fx.h.cpuinfo.hypervisor = true;
	fx.h.cpuinfo.tdx_guest = true;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_BARE_METAL, "fail");
	ck_assert_str_eq(s->checks[CHECK_BIOS_TDX].summary, "not checked: bare-metal failed");
	ck_assert_str_eq(s->checks[CHECK_KVM_MODULE].summary, "not checked: bare-metal failed");
	STATE_IS(s, "unsupported");

	fx.h.cpuinfo.tdx_guest = false;
	s = derive();
	CHECK_IS(s, CHECK_BARE_METAL, "warn");
	CHECK_IS(s, CHECK_BIOS_TDX, "pass");
	STATE_IS(s, "ready");
}
END_TEST

START_TEST(test_bios_off) {
	/* v7.1 on a host whose BIOS left TDX off: the platform line is no fault */
	host_ready();
	struct tdx_host *h = &fx.h;
	h->cpuinfo.tdx_host_platform = false;
	memset(&h->kmsg, 0, sizeof(h->kmsg));
	h->kmsg.readable = true;
	kl(&h->kmsg.kvm_prereq[KVM_PREREQ_PLATFORM],
	   "virt/tdx: TDX not supported by the host platform");
	h->kvm.tdx_enabled = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_BIOS_TDX, "fail");
	SUMMARY_HAS(s, CHECK_BIOS_TDX, "\"virt/tdx: TDX not supported by the host platform\"");
	HINT_HAS(s, CHECK_BIOS_TDX, "BIOS");
	STATE_IS(s, "unsupported");
	ck_assert(!s->total_keyids_known);
	CHECK_IS(s, CHECK_KEYID_CAPACITY, "skip");
}
END_TEST

START_TEST(test_too_few_keyids) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->cpuinfo.tdx_host_platform = false;
	h->kmsg.keyid_start = 32;
	h->kmsg.keyid_end = 33;
	kl(&h->kmsg.keyid_range, "virt/tdx: BIOS enabled: private KeyID range [32, 33)");
	kl(&h->kmsg.too_few_keyids,
	   "virt/tdx: initialization failed: too few private KeyIDs available.");
	h->kmsg.init = MODULE_INIT_NONE;
	h->kvm.tdx_enabled = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_KEYIDS, "fail");
	SUMMARY_HAS(s, CHECK_KEYIDS, "too few private KeyIDs available");
	STATE_IS(s, "unsupported");
	ck_assert_uint_eq(s->total_keyids, 0);
	ck_assert(s->total_keyids_known);
	ck_assert_str_eq(s->sources[SRC_TOTAL_KEYIDS], "/dev/kmsg");
	ck_assert_str_eq(s->checks[CHECK_KEYID_CAPACITY].summary, "not checked: keyids failed");
}
END_TEST

START_TEST(test_hibernation) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->cpuinfo.tdx_host_platform = false;
	h->kmsg.init = MODULE_INIT_FAILED; /* a parser may file it as an init failure */
	kl(&h->kmsg.init_line, "virt/tdx: initialization failed: Hibernation support is enabled");
	kl(&h->kmsg.hibernation, "virt/tdx: initialization failed: Hibernation support is enabled");
	kl(&h->kmsg.kvm_prereq[KVM_PREREQ_NO_KEYIDS],
	   "kvm_intel: tdx: no TDX private KeyIDs available");
	h->kvm.tdx_enabled = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_BIOS_TDX, "pass");
	CHECK_IS(s, CHECK_HIBERNATION, "fail");
	SUMMARY_HAS(s, CHECK_HIBERNATION, "Hibernation support is enabled");
	HINT_HAS(s, CHECK_HIBERNATION, "nohibernate");
	/* a configuration refusal, not a failed bring-up */
	STATE_IS(s, "disabled");
	ck_assert(strstr(s->reason, "hibernation"));
	/* reloading KVM cannot help: the hint says what can */
	CHECK_IS(s, CHECK_KVM_TDX, "fail");
	HINT_HAS(s, CHECK_KVM_TDX, "nohibernate");
	ck_assert_uint_eq(s->total_keyids, 31);
	CHECK_IS(s, CHECK_KEYID_CAPACITY, "warn");
}
END_TEST

START_TEST(test_kvm_not_loaded) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.loaded = false;
	h->kvm.has_tdx_param = h->kvm.tdx_enabled = false;
	h->kmsg.init = MODULE_INIT_NONE;
	h->kmsg.init_line.present = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	STATE_IS(s, "disabled");
	CHECK_IS(s, CHECK_KVM_MODULE, "fail");
	HINT_HAS(s, CHECK_KVM_MODULE, "modprobe kvm_intel tdx=1");
	ck_assert_str_eq(s->checks[CHECK_KVM_TDX].summary, "not checked: kvm-module failed");
	CHECK_IS(s, CHECK_MODULE_INIT, "skip");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "no initialization was attempted");
	CHECK_IS(s, CHECK_KERNEL_TDX, "skip");
	CHECK_IS(s, CHECK_MAX_VCPUS, "skip");
	CHECK_IS(s, CHECK_TDX_MEMORY, "skip");
	ck_assert(!s->kvm_tdx_enabled);
	ck_assert_ptr_null(s->sources[SRC_KVM_TDX_ENABLED]);
	ck_assert_uint_eq(s->max_vcpus, 0);
	/* TotalKeyIDs is known from the log while TDX is not up */
	ck_assert_uint_eq(s->total_keyids, 31);

	h->kvm.modinfo_has_tdx = 0;
	s = derive();
	CHECK_IS(s, CHECK_KERNEL_TDX, "fail");
	HINT_HAS(s, CHECK_KERNEL_TDX, "CONFIG_KVM_INTEL_TDX");

	/* the operator blacklisted it */
	h->kvm.modinfo_has_tdx = 1;
	fx.ep.blocked_by_policy = true;
	strcpy(fx.ep.policy_file, "/etc/modprobe.d/no-kvm.conf");
	s = derive_ep(&fx.ep);
	STATE_IS(s, "disabled");
	ck_assert(strstr(s->reason, "/etc/modprobe.d/no-kvm.conf"));
	HINT_HAS(s, CHECK_KVM_MODULE, "/etc/modprobe.d/no-kvm.conf");

	/* someone loaded it on a CPU without (enabled) VMX: failed, in the kernel's words */
	memset(&fx.ep, 0, sizeof(fx.ep));
	kl(&h->kmsg.no_hw_support, "kvm: no hardware support for 'kvm_intel'");
	s = derive_ep(&fx.ep);
	STATE_IS(s, "failed");
	ck_assert(strstr(s->reason, "no hardware support for 'kvm_intel'"));
	HINT_HAS(s, CHECK_KVM_MODULE, "VT-x");
	h->kmsg.no_hw_support.present = false;

	/* tdxd's own load failed without a kernel line: its words and hint reach the check */
	memset(&fx.ep, 0, sizeof(fx.ep));
	fx.ep.attempted = fx.ep.failed = true;
	strcpy(fx.ep.failure, "module kvm_intel not found in /lib/modules/6.16.0");
	strcpy(fx.ep.hint, "install the kernel's modules package (linux-modules-6.16.0)");
	s = derive_ep(&fx.ep);
	STATE_IS(s, "failed");
	SUMMARY_HAS(s, CHECK_KVM_MODULE, "module kvm_intel not found");
	HINT_HAS(s, CHECK_KVM_MODULE, "linux-modules-6.16.0");

	/* while the enable sequence runs */
	memset(&fx.ep, 0, sizeof(fx.ep));
	fx.ep.running = true;
	s = derive_ep(&fx.ep);
	STATE_IS(s, "starting");
}
END_TEST

START_TEST(test_kvm_tdx_off) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.tdx_enabled = false;
	h->kmsg.init = MODULE_INIT_NONE;
	h->kmsg.init_line.present = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->hp_kvm_tdx = false;
	struct tdx_status *s = derive();
	STATE_IS(s, "disabled");
	CHECK_IS(s, CHECK_KVM_TDX, "fail");
	HINT_HAS(s, CHECK_KVM_TDX, "options kvm_intel tdx=1");
	HINT_HAS(s, CHECK_KVM_TDX, "kvm_intel.tdx=1");
	ck_assert(strstr(s->reason, "tdx reads N"));
	CHECK_IS(s, CHECK_KERNEL_TDX, "pass");

	fx.ep.in_use = true;
	strcpy(fx.ep.in_use_reason, "used by 2 VMs");
	s = derive_ep(&fx.ep);
	STATE_IS(s, "disabled");
	ck_assert(strstr(s->reason, "used by 2 VMs"));

	/* a missing KVM prerequisite is a failed bring-up */
	kl(&h->kmsg.kvm_prereq[KVM_PREREQ_EPT], "kvm_intel: EPT is required for TDX");
	s = derive();
	STATE_IS(s, "failed");
	SUMMARY_HAS(s, CHECK_KVM_TDX, "\"kvm_intel: EPT is required for TDX\"");
	HINT_HAS(s, CHECK_KVM_TDX, "kvm_intel.ept=0");
}
END_TEST

START_TEST(test_init_failed_seamcall) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.loaded = false; /* v6.16-v7.0: the failed bring-up fails the load */
	h->kvm.tdx_enabled = false;
	h->hp_kvm_tdx = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->kmsg.init = MODULE_INIT_FAILED;
	h->kmsg.init_error = -5;
	kl(&h->kmsg.init_line, "virt/tdx: module initialization failed (-5)");
	kl(&h->kmsg.seamcall, "virt/tdx: SEAMCALL (0x0000000000000008) failed: 0xc000030000000000");
	struct tdx_status *s = derive();
	STATE_IS(s, "failed");
	CHECK_IS(s, CHECK_MODULE_INIT, "fail");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "failed (-5)");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "\"virt/tdx: SEAMCALL (0x0000000000000008) failed");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "\"virt/tdx: module initialization failed (-5)\"");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "SEAMCALL returned an error");
	HINT_HAS(s, CHECK_MODULE_INIT, "reboot");
	HINT_HAS(s, CHECK_MODULE_INIT, "CPU online in every package");
	ck_assert(!s->module_initialized);
	ck_assert(strstr(s->reason, "bring-up failed"));
	CHECK_IS(s, CHECK_TDX_MEMORY, "skip");

	/* the daemon loaded it again without TDX */
	fx.ep.attempted = fx.ep.failed = fx.ep.fell_back = true;
	strcpy(fx.ep.failure, "modprobe kvm_intel tdx=1: Input/output error");
	s = derive_ep(&fx.ep);
	STATE_IS(s, "failed");
	ck_assert(strstr(s->reason, "Input/output error"));
	ck_assert(strstr(s->reason, "without TDX"));
}
END_TEST

START_TEST(test_init_failed_tdmr) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.loaded = false;
	h->hp_kvm_tdx = false;
	h->misc.capacity_known = h->misc.current_known = false;
	h->kmsg.init = MODULE_INIT_FAILED;
	h->kmsg.init_error = -28;
	kl(&h->kmsg.init_line, "virt/tdx: module initialization failed (-28)");
	kl(&h->kmsg.tdmr, "virt/tdx: initialization failed: TDMRs exhausted.");
	struct tdx_status *s = derive();
	STATE_IS(s, "failed");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "too many memory regions");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "\"virt/tdx: initialization failed: TDMRs exhausted.\"");
	HINT_HAS(s, CHECK_MODULE_INIT, "reduce or reorder memory");
	HINT_HAS(s, CHECK_MODULE_INIT, "reboot");

	/* the BIOS did not load the module: -ENODEV */
	h->kmsg.tdmr.present = false;
	h->kmsg.init_error = -19;
	kl(&h->kmsg.init_line, "virt/tdx: module initialization failed (-19)");
	kl(&h->kmsg.not_loaded, "virt/tdx: module not loaded");
	s = derive();
	STATE_IS(s, "failed");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "\"virt/tdx: module not loaded\"");
	HINT_HAS(s, CHECK_MODULE_INIT, "SEAM Loader");
}
END_TEST

START_TEST(test_max_vcpu_line) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.loaded = false;
	h->hp_kvm_tdx = false;
	h->kmsg.init = MODULE_INIT_OK;
	h->misc.capacity_known = h->misc.current_known = false;
	kl(&h->kmsg.max_vcpu, "kvm_intel: Disable TDX: MAX_VCPU_PER_TD (2) smaller than number of "
	                      "logical CPUs (4).");
	h->kmsg.max_vcpu_module = 2;
	h->kmsg.max_vcpu_cpus = 4;
	struct tdx_status *s = derive();
	STATE_IS(s, "failed");
	CHECK_IS(s, CHECK_MAX_VCPUS, "fail");
	SUMMARY_HAS(s, CHECK_MAX_VCPUS, "MAX_VCPU_PER_TD (2)");
	HINT_HAS(s, CHECK_MAX_VCPUS, "nr_cpus=2");
	ck_assert_uint_eq(s->module_max_vcpus, 2);
	ck_assert_uint_eq(s->max_vcpus, 0);

	/* a later successful load this boot: the old line no longer decides */
	h->kvm.loaded = true;
	h->hp_kvm_tdx = true;
	h->misc.capacity_known = h->misc.current_known = true;
	s = derive();
	STATE_IS(s, "ready");
}
END_TEST

START_TEST(test_cpu_packages) {
	host_ready();
	struct tdx_host *h = &fx.h;
	fx.cpus[2].online = fx.cpus[3].online = false;
	fx.pk[1].online_cpus = 0;
	h->n_online = 2;
	static int dark1[] = {1};
	h->dark_nodes = dark1; /* node 1 is package 1: named once */
	h->n_dark_nodes = 1;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_CPU_PACKAGES, "fail");
	SUMMARY_HAS(s, CHECK_CPU_PACKAGES, "no online CPU in package 1 (CPUs 2-3)");
	ck_assert(!strstr(s->checks[CHECK_CPU_PACKAGES].summary, "NUMA node"));
	HINT_HAS(s, CHECK_CPU_PACKAGES, "echo 1 > /sys/devices/system/cpu/cpu2/online");
	STATE_IS(s, "degraded");
	ck_assert(strstr(s->reason, "package 1"));

	/* a NUMA node with present CPUs, none online, package unknown */
	host_ready();
	fx.cpus[2] = (struct host_cpu){.present = true, .package = -1, .node = 1};
	fx.cpus[3] = (struct host_cpu){.present = true, .package = -1, .node = 1};
	fx.h.n_packages = 1;
	static int dark[] = {1};
	fx.h.dark_nodes = dark;
	fx.h.n_dark_nodes = 1;
	s = derive();
	CHECK_IS(s, CHECK_CPU_PACKAGES, "fail");
	SUMMARY_HAS(s, CHECK_CPU_PACKAGES, "NUMA node 1 has present CPUs (2-3) but none online");
	STATE_IS(s, "degraded");

	/* an offline SMT sibling of unknown package only warns */
	host_ready();
	fx.cpus[3] = (struct host_cpu){.present = true, .package = -1, .node = 1};
	fx.pk[1] = (struct host_package){1, 1, 1};
	fx.h.n_unknown_package_offline = 1;
	s = derive();
	CHECK_IS(s, CHECK_CPU_PACKAGES, "warn");
	SUMMARY_HAS(s, CHECK_CPU_PACKAGES, "1 offline CPU of unknown package (3)");
	STATE_IS(s, "ready");
}
END_TEST

START_TEST(test_keyid_capacity) {
	host_ready();
	fx.h.misc.current = 31;
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_KEYID_CAPACITY, "fail");
	HINT_HAS(s, CHECK_KEYID_CAPACITY, "TD");
	STATE_IS(s, "degraded");

	fx.h.misc.current_known = false;
	s = derive();
	CHECK_IS(s, CHECK_KEYID_CAPACITY, "warn");
	SUMMARY_HAS(s, CHECK_KEYID_CAPACITY, "usage unknown");
	STATE_IS(s, "ready");
	ck_assert_str_eq(s->reason, "TDX is ready: 31 guest KeyIDs (usage unknown)");
	ck_assert_ptr_null(s->sources[SRC_USED_KEYIDS]);
}
END_TEST

START_TEST(test_total_keyids_order) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->misc.capacity_source = "/sys/fs/cgroup/misc.capacity";
	h->fw.present = true;
	h->fw.has_nr_guest_keyids = true;
	h->fw.nr_guest_keyids = 15;
	h->fw.has_keyid_num = true;
	h->fw.keyid_num = 64;
	struct tdx_status *s = derive();
	ck_assert_uint_eq(s->total_keyids, 31);

	h->misc.capacity_known = false;
	s = derive();
	ck_assert_uint_eq(s->total_keyids, 15); /* nr_guest_keyids as is */
	ck_assert_str_eq(s->sources[SRC_TOTAL_KEYIDS], "/sys/firmware/tdx/nr_guest_keyids");

	h->fw.has_nr_guest_keyids = false;
	s = derive();
	ck_assert_uint_eq(s->total_keyids, 63); /* keyid_num counts the global KeyID */
	ck_assert_str_eq(s->sources[SRC_TOTAL_KEYIDS], "/sys/firmware/tdx/keyid_num");

	h->fw.has_keyid_num = false;
	h->kmsg.source = "/run/tdxd/kernel-log";
	s = derive();
	ck_assert_uint_eq(s->total_keyids, 31); /* [32, 64): b - a - 1 */
	ck_assert_str_eq(s->sources[SRC_TOTAL_KEYIDS], "/run/tdxd/kernel-log");
}
END_TEST

START_TEST(test_module_version_order) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->tdx_host_dev = true;
	h->tdx_host_version_known = true;
	h->th_major = 1;
	h->th_minor = 5;
	h->th_update = 6;
	kl(&h->kmsg.version_line, "virt/tdx: Module version: 1.5.24");
	h->kmsg.version_major = 1;
	h->kmsg.version_minor = 5;
	h->kmsg.version_update = 24;
	h->fw.has_version = true;
	h->fw.major_version = 1;
	h->fw.minor_version = 0;
	h->fw.build_date = 20240725;
	h->fw.build_num = 784;
	struct tdx_status *s = derive();
	ck_assert_str_eq(s->module_version, "1.5.06");
	ck_assert_str_eq(s->sources[SRC_MODULE_VERSION], "/sys/devices/faux/tdx_host/version");
	ck_assert_uint_eq(s->module_build_date, 20240725);
	ck_assert_uint_eq(s->module_build_number, 784);
	ck_assert_str_eq(s->sources[SRC_MODULE_BUILD_DATE],
	                 "/sys/firmware/tdx/tdx_module/build_date");

	h->tdx_host_version_known = false;
	s = derive();
	ck_assert_str_eq(s->module_version, "1.5"); /* the line had no update part */
	ck_assert_str_eq(s->sources[SRC_MODULE_VERSION], "/dev/kmsg");

	h->kmsg.version_line.present = false;
	h->fw.md_version_known = true;
	h->fw.md_major = 1;
	h->fw.md_minor = 5;
	h->fw.md_update = 3;
	s = derive();
	ck_assert_str_eq(s->module_version, "1.5.03");

	h->fw.md_version_known = false;
	s = derive();
	ck_assert_str_eq(s->module_version, "1.0");
	ck_assert_str_eq(s->sources[SRC_MODULE_VERSION],
	                 "/sys/firmware/tdx/tdx_module/major_version");

	h->fw.has_version = false;
	kl(&h->kmsg.vendor_module_line, "virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, "
	                                "major_version 1, minor_version 5, build_date 20240725, "
	                                "build_num 784");
	h->kmsg.vendor_major = 1;
	h->kmsg.vendor_minor = 5;
	h->kmsg.build_date = 20240725;
	h->kmsg.build_num = 784;
	s = derive();
	ck_assert_str_eq(s->module_version, "1.5");
	ck_assert_uint_eq(s->module_build_number, 784);
	ck_assert_str_eq(s->sources[SRC_MODULE_BUILD_NUMBER], "/dev/kmsg");
}
END_TEST

START_TEST(test_guest_phys_addr_bits) {
	host_ready();
	ck_assert_uint_eq(derive()->guest_phys_addr_bits, 52);
	fx.h.cpuinfo.ept_5level = false;
	ck_assert_uint_eq(derive()->guest_phys_addr_bits, 48);
	fx.h.cpuinfo.has_vmx_flags = false;
	struct tdx_status *s = derive();
	ck_assert_uint_eq(s->guest_phys_addr_bits, 0);
	ck_assert_ptr_null(s->sources[SRC_GUEST_PHYS_ADDR_BITS]);
}
END_TEST

static void add_outside(uint64_t id, bool online) {
	struct memory_info *m = &fx.h.mem;
	fx.outside[m->n_outside] = (struct outside_block){.id = id, .online = online};
	strcpy(fx.outside[m->n_outside].state, online ? "online" : "offline");
	m->outside = fx.outside;
	m->n_outside++;
}

START_TEST(test_convertible_memory) {
	host_ready();
	struct tdx_host *h = &fx.h;
	/* two adjacent CMRs: merged for the test, published as they are */
	ck_assert_int_eq(range_set_add(&h->cmrs, GIB(1) + MIB(64), GIB(2)), 0);
	ck_assert_int_eq(range_set_add(&h->cmrs, MIB(1), GIB(1) + MIB(64)), 0);
	h->cmrs_source = "/dev/kmsg";
	add_outside(0, true); /* [0, 128 MiB): [0, 1 MiB) is ignored */
	add_outside(8, true); /* straddles the two CMRs: fine once merged */
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "pass");
	ck_assert_uint_eq(s->cmrs.n, 2);
	/* published sorted by base, not merged */
	ck_assert_uint_eq(s->cmrs.items[0].start, MIB(1));
	ck_assert_uint_eq(s->cmrs.items[1].start, GIB(1) + MIB(64));
	ck_assert_uint_eq(s->cmr_bytes, GIB(2) - MIB(1));
	ck_assert_str_eq(s->sources[SRC_CONVERTIBLE_MEMORY], "/dev/kmsg");

	add_outside(16, true); /* [2 GiB, 2 GiB + 128 MiB) */
	add_outside(17, true);
	s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "fail");
	SUMMARY_HAS(s, CHECK_CONVERTIBLE_MEMORY, "memory16-17 [0x80000000, 0x90000000)");
	HINT_HAS(s, CHECK_CONVERTIBLE_MEMORY, "memory16/state");
	STATE_IS(s, "degraded");

	/* the firmware map covers boot memory only: blocks 16-17 are not in it at all, so they
	 * were hot-added and count whole (online outside the CMRs: still a failure) */
	h->mem.memmap_present = true;
	ck_assert_int_eq(range_set_add(&h->mem.system_ram, 0, GIB(2)), 0);
	s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "fail");
	SUMMARY_HAS(s, CHECK_CONVERTIBLE_MEMORY, "memory16-17");

	/* a boot block half in a firmware hole: only its System RAM half must be convertible */
	h->mem.n_outside = 0;
	add_outside(16, true);
	ck_assert_int_eq(range_set_add(&h->mem.system_ram, GIB(2), GIB(2) + MIB(64)), 0);
	ck_assert_int_eq(range_set_add(&h->cmrs, GIB(2), GIB(2) + MIB(64)), 0);
	s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "pass");

	/* before the initialization, a hot-added block outside the CMRs that is only present
	 * (offline) warns: the initialization would take it all the same */
	h->kvm.tdx_enabled = false;
	h->hp_kvm_tdx = false;
	h->kmsg.init = MODULE_INIT_NONE;
	h->kmsg.init_line.present = false;
	h->mem.n_outside = 0;
	add_outside(40, false);
	s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "warn");
	SUMMARY_HAS(s, CHECK_CONVERTIBLE_MEMORY, "offline: memory40");
	HINT_HAS(s, CHECK_CONVERTIBLE_MEMORY, "remove it before enabling TDX");

	range_set_clear(&h->cmrs);
	s = derive();
	CHECK_IS(s, CHECK_CONVERTIBLE_MEMORY, "skip");
}
END_TEST

START_TEST(test_tdx_memory) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->tdx_memory_known = true;
	ck_assert_int_eq(range_set_add(&h->tdx_memory, MIB(1), GIB(1) + MIB(64)), 0);
	ck_assert_int_eq(range_set_add(&h->tdx_memory, GIB(1) + MIB(64), GIB(2)), 0);
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_TDX_MEMORY, "pass");

	/* a block straddling two recorded ranges is refused by the kernel */
	add_outside(8, true);
	s = derive();
	CHECK_IS(s, CHECK_TDX_MEMORY, "fail");
	SUMMARY_HAS(s, CHECK_TDX_MEMORY, "memory8 [0x40000000, 0x48000000)");
	STATE_IS(s, "degraded");

	/* offline hot-added blocks and dax devices outside: listed as a warning */
	h->mem.n_outside = 0;
	add_outside(20, false);
	strcpy(fx.dax[0].name, "dax0.0");
	ck_assert_int_eq(range_set_add(&fx.dax[0].ranges, GIB(4), GIB(8)), 0);
	h->mem.dax = fx.dax;
	h->mem.n_dax = 1;
	s = derive();
	CHECK_IS(s, CHECK_TDX_MEMORY, "warn");
	SUMMARY_HAS(s, CHECK_TDX_MEMORY, "memory20");
	SUMMARY_HAS(s, CHECK_TDX_MEMORY, "dax0.0 [0x100000000, 0x200000000)");
	STATE_IS(s, "ready");

	/* before the module is initialized: skip */
	h->kvm.tdx_enabled = false;
	h->hp_kvm_tdx = false;
	h->kmsg.init = MODULE_INIT_NONE;
	s = derive();
	CHECK_IS(s, CHECK_TDX_MEMORY, "skip");
	ck_assert(!s->module_initialized);
}
END_TEST

START_TEST(test_memory_auto_online) {
	host_ready();
	strcpy(fx.h.mem.auto_online, "online_movable");
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_MEMORY_AUTO_ONLINE, "warn");
	HINT_HAS(s, CHECK_MEMORY_AUTO_ONLINE, "MemoryGate=warn");
	HINT_HAS(s, CHECK_MEMORY_AUTO_ONLINE, "auto_online_blocks");
	STATE_IS(s, "ready");
	fx.h.mem.auto_online[0] = 0;
	CHECK_IS(derive(), CHECK_MEMORY_AUTO_ONLINE, "skip");
}
END_TEST

START_TEST(test_tdmr_limit_warns) {
	host_ready();
	kl(&fx.h.kmsg.tdmr_limit, "virt/tdx: consumed TDMRs reaching limit: 62 used out of 64");
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_MODULE_INIT, "warn");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "62 used out of 64");
	STATE_IS(s, "ready");
}
END_TEST

/* ---- module currency and lifecycle ---- */

static struct tdx_status *derive_min(const char *minimum, const struct enable_progress *ep) {
	static struct module_version min;
	struct status_policy p = {.cpu_guard = POLICY_ENFORCE,
	                          .memory_gate = POLICY_WARN,
	                          .kvm_module = "kvm_intel",
	                          .minimum_module_version = minimum ? &min : NULL};
	if (minimum)
		ck_assert_int_eq(module_version_parse(minimum, &min), 0);
	if (fx.derived)
		tdx_status_done(&fx.s);
	ck_assert_int_eq(status_derive(&fx.h, &p, ep, &fx.s), 0);
	fx.derived = true;
	for (int i = 0; i < _CHECK_MAX; i++)
		if (fx.s.checks[i].result == CHECK_WARN || fx.s.checks[i].result == CHECK_FAIL)
			ck_assert_msg(fx.s.checks[i].hint[0], "%s has no hint",
			              check_id_to_string(i));
	return &fx.s;
}

/* A v7.2 host: tdx_host with the module and loader versions and the upload device. */
static void host_v72(void) {
	host_ready();
	fx.h.tdx_host_dev = fx.h.tdx_host_version_known = true;
	fx.h.th_major = 1, fx.h.th_minor = 5, fx.h.th_update = 20;
	fx.h.seamldr_version_known = true;
	fx.h.sl_major = 2, fx.h.sl_minor = 0, fx.h.sl_update = 1;
	fx.h.remaining_updates_known = true;
	fx.h.remaining_updates = 14;
	fx.h.module_update_supported = true;
}

START_TEST(test_module_version) {
	host_v72();
	struct tdx_status *s = derive_min(NULL, NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "skip");
	SUMMARY_HAS(s, CHECK_MODULE_VERSION, "MinimumModuleVersion=");
	STATE_IS(s, "ready");

	s = derive_min("1.5.24", NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "fail");
	SUMMARY_HAS(s, CHECK_MODULE_VERSION, "1.5.20");
	SUMMARY_HAS(s, CHECK_MODULE_VERSION, "1.5.24");
	HINT_HAS(s, CHECK_MODULE_VERSION, "tdxctl update-module");
	STATE_IS(s, "degraded"); /* rule 5: the fifth degrading check */
	ck_assert_ptr_nonnull(strstr(s->reason, "below the configured minimum 1.5.24"));

	/* numeric per component: 1.5.20 is above 1.5.6 (1.5.06) */
	s = derive_min("1.5.6", NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "pass");
	SUMMARY_HAS(s, CHECK_MODULE_VERSION, "1.5.06");
	STATE_IS(s, "ready");
	s = derive_min("1.5.20", NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "pass");
	s = derive_min("2.0.0", NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "fail");

	/* only "1.5" known (an older kernel's log line): not comparable, skip */
	fx.h.tdx_host_dev = fx.h.tdx_host_version_known = false;
	kl(&fx.h.kmsg.version_line, "virt/tdx: TDX module: version 1.5");
	fx.h.kmsg.version_major = 1, fx.h.kmsg.version_minor = 5;
	fx.h.kmsg.version_has_update = false;
	s = derive_min("1.5.24", NULL);
	ck_assert_str_eq(s->module_version, "1.5");
	CHECK_IS(s, CHECK_MODULE_VERSION, "skip");
	STATE_IS(s, "ready");
	/* no version at all: skip */
	fx.h.kmsg.version_line.present = false;
	s = derive_min("1.5.24", NULL);
	CHECK_IS(s, CHECK_MODULE_VERSION, "skip");
}
END_TEST

START_TEST(test_kexec) {
	host_v72();
	struct tdx_status *s = derive();
	CHECK_IS(s, CHECK_KEXEC, "pass");
	ck_assert_str_eq(check_category(CHECK_KEXEC), "kernel");

	fx.h.cpuinfo.bug_tdx_pw_mce = true;
	s = derive(); /* kernel version unknown, nothing logged: no warning */
	CHECK_IS(s, CHECK_KEXEC, "pass");

	static const struct {
		uint32_t major, minor, patch;
		const char *result;
	} kernels[] = {
	    {6, 17, 4, "pass"}, {6, 17, 5, "warn"}, {6, 18, 0, "warn"},
	    {6, 16, 9, "pass"}, {7, 1, 4, "warn"},
	};
	for (size_t i = 0; i < ELEMENTSOF(kernels); i++) {
		fx.h.kernel_version_known = true;
		fx.h.kernel_major = kernels[i].major;
		fx.h.kernel_minor = kernels[i].minor;
		fx.h.kernel_patch = kernels[i].patch;
		snprintf(fx.h.osrelease, sizeof fx.h.osrelease, "%u.%u.%u-1-amd64",
		         kernels[i].major, kernels[i].minor, kernels[i].patch);
		s = derive();
		ck_assert_msg(
		    streq(check_result_to_string(s->checks[CHECK_KEXEC].result), kernels[i].result),
		    "%s: kexec %s", fx.h.osrelease,
		    check_result_to_string(s->checks[CHECK_KEXEC].result));
		STATE_IS(s, "ready"); /* a warning only */
	}
	s = derive();
	SUMMARY_HAS(s, CHECK_KEXEC, "7.1.4-1-amd64");
	HINT_HAS(s, CHECK_KEXEC, "kdump");

	/* the kernel said so: warns whatever the version, quoting it */
	fx.h.kernel_version_known = false;
	fx.h.osrelease[0] = 0;
	kl(&fx.h.kmsg.kexec_refused, "kexec: Not allowed on platform with tdx_pw_mce bug");
	s = derive();
	CHECK_IS(s, CHECK_KEXEC, "warn");
	SUMMARY_HAS(s, CHECK_KEXEC, "Not allowed on platform with tdx_pw_mce bug");
}
END_TEST

START_TEST(test_module_lifecycle_values) {
	host_v72();
	struct tdx_status *s = derive();
	ck_assert_str_eq(s->seamldr_version, "2.0.01");
	ck_assert_uint_eq(s->updates_remaining, 14);
	ck_assert_str_eq(s->module_update, "idle");

	fx.h.remaining_updates = 0;
	s = derive(); /* no check judges the count */
	ck_assert_uint_eq(s->updates_remaining, 0);
	STATE_IS(s, "ready");

	fx.h.seamldr_version_known = fx.h.remaining_updates_known = false;
	fx.h.module_update_supported = false;
	s = derive();
	ck_assert_str_eq(s->seamldr_version, "");
	ck_assert_uint_eq(s->updates_remaining, UINT32_MAX);
	ck_assert_str_eq(s->module_update, "unsupported");

	struct enable_progress ep = {.update_running = true};
	fx.h.module_update_supported = true;
	s = derive_ep(&ep);
	ck_assert_str_eq(s->module_update, "running");
	ep = (struct enable_progress){.update_failed = true};
	s = derive_ep(&ep);
	ck_assert_str_eq(s->module_update, "failed");
	STATE_IS(s, "ready"); /* the module still works */
}
END_TEST

START_TEST(test_module_unusable_after_update) {
	host_v72();
	kl(&fx.h.kmsg.version_line, "virt/tdx: TDX module version 1.5.16");
	fx.h.kmsg.version_major = 1, fx.h.kmsg.version_minor = 5, fx.h.kmsg.version_update = 16;
	fx.h.kmsg.version_has_update = true;
	fx.h.tdx_host_version_known = false;
	fx.h.tdx_host_version_enxio = true;
	struct tdx_status *s = derive();
	STATE_IS(s, "failed");
	ck_assert_ptr_nonnull(strstr(s->reason, "reboot"));
	CHECK_IS(s, CHECK_MODULE_INIT, "fail");
	SUMMARY_HAS(s, CHECK_MODULE_INIT, "ENXIO");
	HINT_HAS(s, CHECK_MODULE_INIT, "reboot");
	/* the boot log's version is not the running one */
	ck_assert_str_eq(s->module_version, "");
	ck_assert_str_eq(s->module_update, "failed");

	/* while tdxd's own update runs, ENXIO is expected: not a failure yet */
	struct enable_progress ep = {.update_running = true};
	s = derive_ep(&ep);
	STATE_IS(s, "ready");
	ck_assert_str_eq(s->module_update, "running");
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_ready);
	tcase_add_test(tc, test_ready_v71_param_and_hotplug);
	tcase_add_test(tc, test_ready_param_only_without_log);
	tcase_add_test(tc, test_log_unreadable_no_flag);
	tcase_add_test(tc, test_vendor_kvm_without_param);
	tcase_add_test(tc, test_kvm_asked);
	tcase_add_test(tc, test_unsupported_vendor);
	tcase_add_test(tc, test_guest);
	tcase_add_test(tc, test_bios_off);
	tcase_add_test(tc, test_too_few_keyids);
	tcase_add_test(tc, test_hibernation);
	tcase_add_test(tc, test_kvm_not_loaded);
	tcase_add_test(tc, test_kvm_tdx_off);
	tcase_add_test(tc, test_init_failed_seamcall);
	tcase_add_test(tc, test_init_failed_tdmr);
	tcase_add_test(tc, test_max_vcpu_line);
	tcase_add_test(tc, test_cpu_packages);
	tcase_add_test(tc, test_keyid_capacity);
	tcase_add_test(tc, test_total_keyids_order);
	tcase_add_test(tc, test_module_version_order);
	tcase_add_test(tc, test_guest_phys_addr_bits);
	tcase_add_test(tc, test_convertible_memory);
	tcase_add_test(tc, test_tdx_memory);
	tcase_add_test(tc, test_memory_auto_online);
	tcase_add_test(tc, test_tdmr_limit_warns);
	tcase_add_test(tc, test_module_version);
	tcase_add_test(tc, test_kexec);
	tcase_add_test(tc, test_module_lifecycle_values);
	tcase_add_test(tc, test_module_unusable_after_update);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
