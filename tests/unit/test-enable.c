/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The enable sequence's decisions and the kernel-log explanations of a failure (enable-plan.c,
 * enable-explain.c). test-enable-kmod.c: /dev/kvm (faked) and libkmod. */
#include "check-run.h"
#include "enable-test.h"

START_TEST(test_plan_ready_does_nothing) {
	/* a daemon restart on a host already up never reloads */
	load_fixture("spr-2s-v6.16-ready");
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_NONE);
	ck_assert_has(p.message, "already loaded with TDX");
	load_fixture("emr-2s-v7.1-ready");
	ck_assert_int_eq(decide().action, ENABLE_ACTION_NONE);
}
END_TEST

START_TEST(test_plan_in_use) {
	load_fixture("kvm-no-tdx-in-use"); /* refcnt 3 */
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_IN_USE);
	ck_assert_has(p.message, "held by 3 users (refcnt 3)");
	ck_assert_has(p.message, "kvm_intel.tdx=1");
	ck_assert_has(p.message, "options kvm_intel tdx=1");
	ck_assert_has(p.hint, "stop the VMs");

	cs.h.kvm.refcnt = 1;
	cs.h.kvm.n_holders = 1;
	snprintf(cs.h.kvm.holders, sizeof cs.h.kvm.holders, "kvmgt");
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_IN_USE);
	ck_assert_has(p.message, "held by 1 user (refcnt 1, holders: kvmgt)");

	/* a holder without a reference still holds it */
	cs.h.kvm.refcnt = 0;
	ck_assert_int_eq(decide().action, ENABLE_ACTION_IN_USE);

	/* an unreadable use count is not "idle" */
	cs.h.kvm.n_holders = 0;
	cs.h.kvm.refcnt = -1;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_IN_USE);
	ck_assert_has(p.message, "cannot be read");
}
END_TEST

START_TEST(test_plan_idle_reload) {
	load_fixture("kvm-no-tdx-in-use");
	cs.h.kvm.refcnt = 0;
	cs.h.kvm.n_holders = 0;
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_RELOAD);
	ck_assert_str_eq(p.module, "kvm_intel");
	ck_assert_str_eq(p.options, "tdx=1");
	ck_assert_str_eq(p.fallback_options, "tdx=0");

	cs.c.reload_kvm = RELOAD_KVM_NEVER;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_IN_USE);
	ck_assert_has(p.message, "ReloadKVM=never");

	cs.c.reload_kvm = RELOAD_KVM_IF_IDLE;
	cs.builtin = true;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_IN_USE);
	ck_assert_has(p.message, "built into the kernel");
	ck_assert_has(p.hint, "kvm_intel.tdx=1");
}
END_TEST

START_TEST(test_plan_load) {
	load_fixture("kvm-no-tdx-in-use");
	unload();
	snprintf(cs.c.kvm_module_options, sizeof cs.c.kvm_module_options, "tdx=1 nested=0");
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_LOAD);
	ck_assert_str_eq(p.options, "tdx=1 nested=0");
	ck_assert_str_eq(p.fallback_options, "nested=0 tdx=0");
	ck_assert_uint_eq(p.n_cpus_to_online, 0);

	/* an alias in KVMModule: the resolved name is loaded */
	snprintf(cs.c.kvm_module, sizeof cs.c.kvm_module, "kvm-intel");
	ck_assert_str_eq(decide().module, "kvm_intel");

	/* no libkmod answer (a test tree without lib/modules): decide as if installed */
	cs.have_k = false;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_LOAD);
	ck_assert_str_eq(p.module, "kvm-intel");
}
END_TEST

START_TEST(test_plan_blocked) {
	load_fixture("kvm-no-tdx-in-use");
	unload();
	cs.k.blacklisted = true;
	snprintf(cs.k.policy_file, sizeof cs.k.policy_file, "/etc/modprobe.d/no-kvm.conf");
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_BLOCKED);
	ck_assert_has(p.message, "blacklisted in /etc/modprobe.d/no-kvm.conf");
	ck_assert_has(p.hint, "/etc/modprobe.d/no-kvm.conf");
	ck_assert_has(p.hint, "EnableTDX=no");

	cs.k.blacklisted = false;
	cs.k.install_blocks = true;
	snprintf(cs.k.install_cmd, sizeof cs.k.install_cmd, "/bin/false");
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_BLOCKED);
	ck_assert_has(p.message, "install kvm_intel /bin/false");
	ck_assert_has(p.message, "/etc/modprobe.d/no-kvm.conf");

	/* loaded by hand despite the blacklist: still not reloaded by tdxd */
	load_fixture("kvm-no-tdx-in-use");
	cs.h.kvm.refcnt = 0;
	cs.k.blacklisted = true;
	ck_assert_int_eq(decide().action, ENABLE_ACTION_BLOCKED);
}
END_TEST

START_TEST(test_plan_not_found_no_support) {
	load_fixture("kvm-no-tdx-in-use");
	unload();
	cs.k.found = false;
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_NOT_FOUND);
	ck_assert_has(p.message, "not found");

	/* a kernel without KVM TDX support: nothing to enable, nothing loaded (spec: the
	 * kernel-tdx check fails, State disabled) */
	cs.k.found = true;
	cs.k.has_tdx_param = 0;
	cs.h.kvm.modinfo_has_tdx = 0;
	snprintf(cs.c.kvm_module_options, sizeof cs.c.kvm_module_options, "tdx=1 nested=0");
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_NO_SUPPORT);
	ck_assert_has(p.message, "nothing to enable");
	ck_assert_has(p.message, "no tdx parameter");
	ck_assert_uint_eq(p.n_cpus_to_online, 0);
	/* ... and an idle module without the parameter is not reloaded either */
	cs.h.kvm.loaded = true;
	cs.h.kvm.refcnt = 0;
	ck_assert_int_eq(decide().action, ENABLE_ACTION_NO_SUPPORT);
	/* the operator's blacklist still wins */
	cs.h.kvm.loaded = false;
	cs.k.blacklisted = true;
	ck_assert_int_eq(decide().action, ENABLE_ACTION_BLOCKED);

	load_fixture("hibernation");
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_NO_SUPPORT);
	ck_assert_has(p.message, "ibernation");
}
END_TEST

START_TEST(test_plan_unsupported) {
	static const char *const trees[] = {"amd-host", "bios-disabled", "td-guest"};
	for (size_t i = 0; i < ELEMENTSOF(trees); i++) {
		load_fixture(trees[i]);
		struct enable_plan p = decide();
		ck_assert_msg(p.action == ENABLE_ACTION_UNSUPPORTED, "%s: %s", trees[i],
		              enable_action_to_string(p.action));
		ck_assert_has(p.message, "nothing to enable");
	}
}
END_TEST

START_TEST(test_plan_one_shot) {
	load_fixture("spr-2s-v6.16-init-failed"); /* kvm_intel failed to load (v6.16) */
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_LOAD_WITHOUT_TDX);
	ck_assert_has(p.message, "already failed this boot");
	ck_assert_has(p.hint, "reboot");

	cs.c.fallback_without_tdx = false;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_ONE_SHOT);
	ck_assert_has(p.hint, "reboot");

	load_fixture("tdmr-exhausted");
	ck_assert_int_eq(decide().action, ENABLE_ACTION_LOAD_WITHOUT_TDX);
}
END_TEST

/* Package 1 (CPUs 16-31, 48-63 in this fixture) goes dark; its CPUs' package is remembered. */
static void dark_package_1(void) {
	for (unsigned c = 0; c < cs.h.n_cpus; c++)
		if (cs.h.cpus[c].package == 1) {
			cs.h.cpus[c].online = false;
			cs.h.cpus[c].package_source = "saved";
		}
	for (size_t i = 0; i < cs.h.n_packages; i++)
		if (cs.h.packages[i].id == 1)
			cs.h.packages[i].online_cpus = 0;
}

START_TEST(test_plan_cpus) {
	load_fixture("kvm-no-tdx-in-use");
	unload();
	dark_package_1();
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_LOAD);
	ck_assert_uint_eq(p.n_cpus_to_online, 1);
	ck_assert_uint_eq(p.cpus_to_online[0], 16);

	cs.c.online_cpus_for_init = false;
	p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_CPUS_REFUSED);
	ck_assert_str_eq(p.message, "cannot enable TDX: no online CPU in package 1 (CPUs "
	                            "16-31,48-63); online one, e.g. echo 1 > "
	                            "/sys/devices/system/cpu/cpu16/online");
	ck_assert_has(p.hint, "OnlineCPUsForInit=yes");

	/* an idle reload needs them too */
	load_fixture("kvm-no-tdx-in-use");
	cs.h.kvm.refcnt = 0;
	cs.c.online_cpus_for_init = false;
	dark_package_1();
	ck_assert_int_eq(decide().action, ENABLE_ACTION_CPUS_REFUSED);
}
END_TEST

START_TEST(test_plan_memory) {
	/* v6.16-v7.0, before the module initialization, CMRs known from the log */
	load_fixture("vendor-cmr-log");
	unload();
	cs.h.kmsg.init = MODULE_INIT_NONE;
	cs.h.kmsg.init_line.present = cs.h.kmsg.pamt.present = false;
	cs.h.hp_kvm_tdx = false;
	ck_assert_uint_gt(cs.h.cmrs.n, 0);
	ck_assert_uint_gt(cs.h.mem.block_size, 0);
	ck_assert_int_eq(decide().action, ENABLE_ACTION_LOAD);

	/* a DIMM hot-added outside the CMRs and left offline: it is in memblock all the same,
	 * so the initialization would fail until reboot: refused up front */
	uint64_t id = 0x5000000000ull / cs.h.mem.block_size;
	struct outside_block *o = realloc(cs.h.mem.outside, (cs.h.mem.n_outside + 1) * sizeof(*o));
	ck_assert_ptr_nonnull(o);
	cs.h.mem.outside = o;
	o[cs.h.mem.n_outside++] =
	    (struct outside_block){.id = id, .online = false, .state = "offline"};
	struct enable_plan p = decide();
	ck_assert_int_eq(p.action, ENABLE_ACTION_MEMORY_REFUSED);
	ck_assert_has(p.message, "memory outside the convertible memory regions is present");
	ck_assert_has(p.message, "0x5000000000");
	ck_assert_has(p.hint, "remove that memory first");

	/* unknown CMRs: nothing to judge by, the load goes ahead */
	range_set_clear(&cs.h.cmrs);
	ck_assert_int_eq(decide().action, ENABLE_ACTION_LOAD);
}
END_TEST

START_TEST(test_options_without_tdx) {
	char b[128];
	enable_options_without_tdx("tdx=1", true, b, sizeof b);
	ck_assert_str_eq(b, "tdx=0");
	enable_options_without_tdx("", true, b, sizeof b);
	ck_assert_str_eq(b, "tdx=0");
	enable_options_without_tdx("nested=0 tdx=Y  enable_apicv=1 tdx", true, b, sizeof b);
	ck_assert_str_eq(b, "nested=0 enable_apicv=1 tdx=0");
	/* tdx_foo is another parameter */
	enable_options_without_tdx("tdx_foo=1 tdx=1", true, b, sizeof b);
	ck_assert_str_eq(b, "tdx_foo=1 tdx=0");
	/* for a kernel without the parameter: no tdx option at all */
	enable_options_without_tdx("tdx=1", false, b, sizeof b);
	ck_assert_str_eq(b, "");
	enable_options_without_tdx("tdx=1 nested=0", false, b, sizeof b);
	ck_assert_str_eq(b, "nested=0");
}
END_TEST

/* ---- explaining a failure from the kernel log ---- */

static struct kmsg_facts kf;

static void parse_log(const char *text) {
	kmsg_facts_done(&kf);
	memset(&kf, 0, sizeof kf);
	ck_assert_int_ge(kmsg_parse_stream(text, strlen(text), &kf, NULL), 0);
	kf.readable = true;
}

static const char log_v616_init_failed[] =
    "6,60,210113,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
    "3,83,7390117,-;virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000\n"
    "3,84,7390123,-;virt/tdx: RCX 0x0000000000000000 RDX 0x9100000100000008 R08 0x0\n"
    "3,86,7390130,-;virt/tdx: module initialization failed (-5)\n";

START_TEST(test_explain_init_failure) {
	char f[CHECK_TEXT_MAX], h[CHECK_TEXT_MAX];
	bool one_shot = false;

	parse_log(log_v616_init_failed);
	ck_assert(
	    enable_explain(&kf, 80, "kvm_intel", true, -EIO, f, sizeof f, h, sizeof h, &one_shot));
	ck_assert(one_shot);
	ck_assert_has(f, "loading kvm_intel with tdx=1 failed (Input/output error)");
	ck_assert_has(f, "SEAMCALL");
	ck_assert_has(f, "\"virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000\"");
	ck_assert_has(f, "\"virt/tdx: module initialization failed (-5)\"");
	ck_assert_has(h, "reboot");

	/* lines written before the load began are not this load's reason */
	ck_assert(
	    !enable_explain(&kf, 86, "kvm_intel", true, -EIO, f, sizeof f, h, sizeof h, &one_shot));
	ck_assert(!one_shot);
	ck_assert_has(f, "the kernel log gives no reason");
	ck_assert_lacks(f, "SEAMCALL");
	ck_assert_has(h, "journalctl -k");
}
END_TEST

START_TEST(test_explain_kernel_reasons) {
	char f[CHECK_TEXT_MAX], h[CHECK_TEXT_MAX];
	bool one_shot = true;

	/* real kvm_intel on a CPU without VMX */
	parse_log("3,500,9000000,-;kvm: no hardware support for 'kvm_intel'\n");
	ck_assert(enable_explain(&kf, 499, "kvm_intel", true, -EOPNOTSUPP, f, sizeof f, h, sizeof h,
	                         &one_shot));
	ck_assert(!one_shot);
	ck_assert_has(f, "(Operation not supported)");
	ck_assert_has(f, "loading kvm_intel with tdx=1 failed");
	(void)enable_explain(&kf, 499, "kvm_intel", false, -EOPNOTSUPP, f, sizeof f, h, sizeof h,
	                     NULL);
	ck_assert_has(f, "loading kvm_intel failed (Operation not supported)");
	ck_assert_has(f, "no hardware support for 'kvm_intel'");
	ck_assert_has(f, "no hardware virtualization support");
	ck_assert_has(f, "\"kvm: no hardware support for 'kvm_intel'\"");
	ck_assert_has(h, "VT-x");

	parse_log("3,600,1,-;kvm_intel: Disable TDX: MAX_VCPU_PER_TD (128) smaller than number "
	          "of logical CPUs (192).\n");
	ck_assert(enable_explain(&kf, 1, "kvm_intel", true, -EINVAL, f, sizeof f, h, sizeof h,
	                         &one_shot));
	ck_assert_has(f, "allows 128 vCPUs per TD, fewer than the 192 logical CPUs");
	ck_assert_has(h, "MAX_VCPUS_PER_TD");

	parse_log("3,700,1,-;virt/tdx: initialization failed: TDMRs exhausted.\n"
	          "3,701,1,-;virt/tdx: module initialization failed (-28)\n");
	ck_assert(enable_explain(&kf, 699, "kvm_intel", true, -ENOSPC, f, sizeof f, h, sizeof h,
	                         &one_shot));
	ck_assert(one_shot);
	ck_assert_has(f, "TDMRs");
	ck_assert_has(h, "reboot");

	/* loaded, but KVM turned TDX off: a prerequisite, with load_error 0 */
	parse_log("4,800,1,-;kvm_intel: EPT is required for TDX\n");
	ck_assert(
	    enable_explain(&kf, 799, "kvm_intel", true, 0, f, sizeof f, h, sizeof h, &one_shot));
	ck_assert(!one_shot);
	ck_assert_has(f, "kvm_intel loaded but TDX did not come up (kvm_intel.tdx reads N)");
	ck_assert_has(f, "EPT is off");
	ck_assert_has(h, "kvm_intel.ept=0");

	/* the BIOS did not load the module */
	parse_log("3,900,1,-;virt/tdx: module not loaded\n");
	ck_assert(
	    enable_explain(&kf, 0, "kvm_intel", true, 0, f, sizeof f, h, sizeof h, &one_shot));
	ck_assert_has(f, "BIOS did not load the TDX module");
	ck_assert_has(h, "SEAM Loader");

	/* an unreadable log says so */
	kmsg_facts_done(&kf);
	memset(&kf, 0, sizeof kf);
	ck_assert(
	    !enable_explain(&kf, 0, "kvm_intel", true, -EINVAL, f, sizeof f, h, sizeof h, NULL));
	ck_assert_has(f, "could not be read");
	kmsg_facts_done(&kf);
	memset(&kf, 0, sizeof kf);
}
END_TEST
static Suite *suite(void) {
	Suite *s = suite_create("enable");
	TCase *tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, NULL, teardown_case);
	tcase_add_test(tc, test_plan_ready_does_nothing);
	tcase_add_test(tc, test_plan_in_use);
	tcase_add_test(tc, test_plan_idle_reload);
	tcase_add_test(tc, test_plan_load);
	tcase_add_test(tc, test_plan_blocked);
	tcase_add_test(tc, test_plan_not_found_no_support);
	tcase_add_test(tc, test_plan_unsupported);
	tcase_add_test(tc, test_plan_one_shot);
	tcase_add_test(tc, test_plan_cpus);
	tcase_add_test(tc, test_plan_memory);
	tcase_add_test(tc, test_options_without_tdx);
	suite_add_tcase(s, tc);

	tc = tcase_create("explain");
	tcase_add_test(tc, test_explain_init_failure);
	tcase_add_test(tc, test_explain_kernel_reasons);
	suite_add_tcase(s, tc);

	tc = tcase_create("kvm-dev");
	suite_add_tcase(s, tc);

	tc = tcase_create("libkmod");
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
