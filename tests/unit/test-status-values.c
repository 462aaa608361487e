/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readiness model, continued (test-status.c): packages, KeyIDs, the published values and their
 * sources, memory, the module's lifecycle checks. */
#include "check-run.h"
#include "status-host.h"

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
	Suite *s = suite_create("status-values");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
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
