/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readiness model on hand-built hosts: one host per state rule and per check result. */
#include "check-run.h"
#include "status-host.h"

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

/* The KVM module is still in its init (initstate "coming"): it has registered its hotplug
 * state, but the TDX module initialization it runs has not ended. Nothing says initialized,
 * so nothing (the memory gate's record of the TDX memory) takes it for done. */
START_TEST(test_kvm_module_coming) {
	host_ready();
	struct tdx_host *h = &fx.h;
	h->kvm.loaded = false; /* initstate coming */
	h->kvm.has_tdx_param = h->kvm.tdx_enabled = false;
	h->kmsg.init = MODULE_INIT_NONE;
	h->kmsg.init_line.present = false;
	h->hp_kvm_tdx = true;
	struct tdx_status *s = derive();
	ck_assert(!s->module_initialized);
	ck_assert(!s->tdx_up);

	/* live: now the hotplug state is evidence */
	h->kvm.loaded = true;
	s = derive();
	ck_assert(s->module_initialized);
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
	tcase_add_test(tc, test_kvm_module_coming);
	tcase_add_test(tc, test_kvm_tdx_off);
	tcase_add_test(tc, test_init_failed_seamcall);
	tcase_add_test(tc, test_init_failed_tdmr);
	tcase_add_test(tc, test_max_vcpu_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
