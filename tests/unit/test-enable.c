/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The enable sequence's pure parts: enable_plan_decide() on probed copies of the fixture trees
 * (loaded with/without TDX, idle/in use, blacklisted, install /bin/false, one-shot failures,
 * packages without online CPU), enable_explain() on kernel log records, kvm_dev_ask() with a
 * faked /dev/kvm, and the libkmod lookups (alias, modprobe.d options, blacklist, install,
 * which file says so) against a module directory and modprobe.d made by the test. */
#include <check.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "config.h"
#include "enable-plan.h"
#include "fileio.h"
#include "kmod-util.h"
#include "kvm-dev.h"
#include "kmsg.h"
#include "macro.h"
#include "status.h"
#include "check-run.h"

#define ck_assert_has(text, needle)                                                                \
	ck_assert_msg(strstr((text), (needle)), "\"%s\" lacks \"%s\"", (text), (needle))
#define ck_assert_lacks(text, needle)                                                              \
	ck_assert_msg(!strstr((text), (needle)), "\"%s\" has \"%s\"", (text), (needle))

/* ---- the plan, on fixture trees ---- */

struct case_state {
	struct tdx_host h;
	struct tdx_status s;
	struct tdxd_config c;
	struct kmod_module_facts k;
	bool have_k;
	bool builtin;
};

static struct case_state cs;

static void load_fixture(const char *name) {
	char root[512];
	struct probe_options o = {.kvm_module = "kvm_intel"};

	tdx_host_done(&cs.h);
	tdx_status_done(&cs.s);
	memset(&cs, 0, sizeof cs);
	snprintf(root, sizeof root, "%s/%s", FIXTURES_DIR, name);
	ck_assert_int_eq(probe_host(root, &o, &cs.h), 0);
	config_defaults(&cs.c);
	cs.k = (struct kmod_module_facts){.found = true, .has_tdx_param = 1};
	snprintf(cs.k.name, sizeof cs.k.name, "kvm_intel");
	cs.have_k = true;
}

static struct enable_plan decide(void) {
	struct enable_plan p;
	struct status_policy pol = {.kvm_module = cs.c.kvm_module};
	tdx_status_done(&cs.s);
	memset(&cs.s, 0, sizeof cs.s);
	ck_assert_int_eq(status_derive(&cs.h, &pol, NULL, &cs.s), 0);
	struct enable_input in = {
	    .host = &cs.h,
	    .status = &cs.s,
	    .config = &cs.c,
	    .kmod = cs.have_k ? &cs.k : NULL,
	    .builtin = cs.builtin,
	};
	memset(&p, 0x55, sizeof p);
	ck_assert_int_eq(enable_plan_decide(&in, &p), 0);
	return p;
}

static void unload(void) {
	cs.h.kvm.loaded = false;
	cs.h.kvm.has_tdx_param = false;
	cs.h.kvm.tdx_enabled = false;
	cs.h.kvm.refcnt = -1;
	cs.h.kvm.n_holders = 0;
}

static void teardown_case(void) {
	tdx_host_done(&cs.h);
	tdx_status_done(&cs.s);
	memset(&cs, 0, sizeof cs);
}

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

/* ---- /dev/kvm ---- */

struct fake_kvm {
	uint64_t vm_types;
	int create_vm_result;
	int max_vcpus;
	int open_result;
	int open_fds;
	int calls_create;
	int calls_on_vm_fd;
};

static int fake_open(void *u) {
	struct fake_kvm *f = u;
	if (f->open_result >= 0)
		f->open_fds++;
	return f->open_result;
}

static int fake_ioctl(void *u, int fd, unsigned long req, unsigned long arg) {
	struct fake_kvm *f = u;
	if (fd == 10 && req == TDXD_KVM_CHECK_EXTENSION && arg == TDXD_KVM_CAP_VM_TYPES)
		return (int)f->vm_types;
	if (fd == 10 && req == TDXD_KVM_CREATE_VM && arg == TDXD_KVM_X86_TDX_VM) {
		f->calls_create++;
		if (f->create_vm_result >= 0)
			f->open_fds++;
		return f->create_vm_result;
	}
	if (fd == 11 && req == TDXD_KVM_CHECK_EXTENSION && arg == TDXD_KVM_CAP_MAX_VCPUS) {
		f->calls_on_vm_fd++;
		return f->max_vcpus;
	}
	return -EINVAL;
}

static void fake_close(void *u, int fd) {
	struct fake_kvm *f = u;
	ck_assert(fd == 10 || fd == 11);
	f->open_fds--;
}

START_TEST(test_kvm_dev) {
	struct fake_kvm f = {
	    .vm_types = 0x23, .create_vm_result = 11, .max_vcpus = 96, .open_result = 10};
	struct kvm_dev_ops ops = {fake_open, fake_ioctl, fake_close, &f};
	struct kvm_dev_answers a;

	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(a.asked);
	ck_assert(a.tdx_vm_type);
	ck_assert_uint_eq(a.vm_types, 0x23);
	ck_assert_uint_eq(a.td_max_vcpus, 96);
	ck_assert_int_eq(a.create_vm_error, 0);
	ck_assert_int_eq(f.open_fds, 0); /* both fds closed */

	/* no TDX VM type: no throw-away VM */
	f = (struct fake_kvm){.vm_types = 0x3, .create_vm_result = 11, .open_result = 10};
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(!a.tdx_vm_type);
	ck_assert_int_eq(f.calls_create, 0);
	ck_assert_uint_eq(a.td_max_vcpus, 0);

	/* the VM cannot be created: the answer stays, the limit is unknown */
	f = (struct fake_kvm){.vm_types = 0x20, .create_vm_result = -ENOMEM, .open_result = 10};
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(a.tdx_vm_type);
	ck_assert_int_eq(a.create_vm_error, -ENOMEM);
	ck_assert_uint_eq(a.td_max_vcpus, 0);
	ck_assert_int_eq(f.calls_on_vm_fd, 0);
	ck_assert_int_eq(f.open_fds, 0);

	/* no /dev/kvm: an error, answers untouched */
	f = (struct fake_kvm){.open_result = -ENOENT};
	memset(&a, 0x77, sizeof a);
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), -ENOENT);
	ck_assert_uint_eq(a.td_max_vcpus, 0x77777777);
}
END_TEST

/* ---- libkmod against a module directory made by the test ---- */

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text) {
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void copy_file(const char *from, const char *to) {
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

static bool make_module_tree(void) {
	char d[256], cmd[2048];
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tdxd-kmod.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(d, sizeof d, "%s/lib/modules/9.9.9-test/kernel/arch/x86/kvm", tmpdir);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/etc/modprobe.d' '%s/lib/modprobe.d'", d,
	         tmpdir, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/kvm-intel.ko", d);
	copy_file(FAKE_KVM_INTEL_KO, cmd);
	snprintf(cmd, sizeof cmd, "%s/kvm.ko", d);
	copy_file(FAKE_KVM_KO, cmd);
	if (!DEPMOD[0])
		return false;
	snprintf(cmd, sizeof cmd, "'%s' -b '%s' 9.9.9-test 2>/dev/null", DEPMOD, tmpdir);
	return system(cmd) == 0;
}

static void remove_tree(void) {
	char cmd[300];
	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	(void)system(cmd);
	tmpdir[0] = 0;
}

START_TEST(test_kmod_paths_for_root) {
	struct kmod_paths p = {0};
	char want[512];

	make_module_tree();
	ck_assert_int_eq(kmod_paths_for_root(tmpdir, &p), 0);
	ck_assert(p.have_modules);
	/* the only version directory in the tree (not the running kernel's) */
	snprintf(want, sizeof want, "%s/lib/modules/9.9.9-test", tmpdir);
	ck_assert_str_eq(p.dirname, want);
	/* only the modprobe.d directories that exist in the tree, in libkmod's order */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	ck_assert_str_eq(p.config[0], want);
	snprintf(want, sizeof want, "%s/lib/modprobe.d", tmpdir);
	ck_assert_str_eq(p.config[1], want);
	ck_assert_ptr_null(p.config[2]);
	kmod_paths_done(&p);

	/* a tree without modules: a directory that does not exist, never the host's */
	ck_assert_int_eq(kmod_paths_for_root("/nonexistent-tdxd-root", &p), 0);
	ck_assert(!p.have_modules);
	ck_assert(startswith(p.dirname, "/nonexistent-tdxd-root/"));
	ck_assert_ptr_null(p.config[0]);
	kmod_paths_done(&p);
	remove_tree();
}
END_TEST

/* Is libkmod mapped into this process? */
static bool libkmod_mapped(void) {
	_cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	bool found = false;
	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "/libkmod.so") != NULL;
	return found;
}

/* libkmod is loaded while a context lives and unloaded with the last one (kmod-dl.h). */
START_TEST(test_kmod_loaded_while_used) {
	struct kmod_paths p = {0};
	struct kmod_ctx *a = NULL, *b = NULL;
	ck_assert(!libkmod_mapped());
	ck_assert_int_eq(kmod_paths_for_root("/nonexistent-tdxd-root", &p), 0);
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &a), 0);
	ck_assert(libkmod_mapped());
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &b), 0);
	kmod_ctx_free(a);
	ck_assert(libkmod_mapped()); /* b still uses it */
	kmod_ctx_free(b);
	ck_assert(!libkmod_mapped());
	kmod_paths_done(&p);
}
END_TEST

static struct kmod_module_facts lookup(const char *name) {
	struct kmod_paths p = {0};
	struct kmod_ctx *ctx = NULL;
	struct kmod_module_facts f;
	ck_assert_int_eq(kmod_paths_for_root(tmpdir, &p), 0);
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &ctx), 0);
	memset(&f, 0x55, sizeof f);
	ck_assert_int_eq(kmod_module_facts_lookup(ctx, p.config, name, &f), 0);
	kmod_ctx_free(ctx);
	kmod_paths_done(&p);
	return f;
}

START_TEST(test_kmod_lookup) {
	char want[512];
	if (!make_module_tree()) {
		remove_tree();
		return; /* no depmod: nothing to index with */
	}
	struct kmod_module_facts f = lookup("kvm_intel");
	ck_assert(f.found);
	ck_assert_str_eq(f.name, "kvm_intel");
	ck_assert_int_eq(f.has_tdx_param, 1);
	ck_assert(!f.blacklisted && !f.install_blocks);
	ck_assert_str_eq(f.options, "");

	/* a dash is an underscore; a CPU modalias resolves through modules.alias */
	ck_assert_str_eq(lookup("kvm-intel").name, "kvm_intel");
	f = lookup("cpu:type:x86,ven0000fam0006mod008F:feature:,0085,");
	ck_assert(f.found);
	ck_assert_str_eq(f.name, "kvm_intel");

	/* kvm has no tdx parameter */
	f = lookup("kvm");
	ck_assert(f.found);
	ck_assert_int_eq(f.has_tdx_param, 0);

	ck_assert(!lookup("no_such_module").found);

	/* modprobe.d: an alias, options (libkmod merges them) */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "kvm.conf",
	           "# test\nalias tdx-kvm kvm_intel\noptions kvm_intel nested=0\n"
	           "options kvm-intel tdx=1\n");
	ck_assert_str_eq(lookup("tdx-kvm").name, "kvm_intel");
	f = lookup("kvm_intel");
	ck_assert_has(f.options, "nested=0");
	ck_assert_has(f.options, "tdx=1");

	/* blacklist in a vendor file; the file is found and named */
	snprintf(want, sizeof want, "%s/lib/modprobe.d", tmpdir);
	write_file(want, "20-no-kvm.conf", "blacklist kvm-intel\n");
	f = lookup("kvm_intel");
	ck_assert(f.blacklisted);
	snprintf(want, sizeof want, "%s/lib/modprobe.d/20-no-kvm.conf", tmpdir);
	ck_assert_str_eq(f.policy_file, want);

	/* the same name in /etc masks the vendor file (libkmod's rule) */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "20-no-kvm.conf", "# allowed again\n");
	ck_assert(!lookup("kvm_intel").blacklisted);

	/* install ... /bin/false */
	write_file(want, "99-off.conf", "install kvm_intel /bin/false\n");
	f = lookup("kvm_intel");
	ck_assert(f.install_blocks);
	ck_assert_str_eq(f.install_cmd, "/bin/false");
	snprintf(want, sizeof want, "%s/etc/modprobe.d/99-off.conf", tmpdir);
	ck_assert_str_eq(f.policy_file, want);

	/* a module not installed is still blocked by name */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "98-other.conf", "blacklist not_installed\n");
	f = lookup("not_installed");
	ck_assert(!f.found);
	ck_assert(f.blacklisted);
	remove_tree();
}
END_TEST

START_TEST(test_kmod_config_find) {
	char a[512], b[512];
	char *file = NULL;

	make_module_tree();
	snprintf(a, sizeof a, "%s/etc/modprobe.d", tmpdir);
	snprintf(b, sizeof b, "%s/lib/modprobe.d", tmpdir);
	char *config[] = {a, b, NULL};

	write_file(b, "b.conf", "blacklist kvm_intel\n");
	write_file(b, "a.conf", "  # blacklist kvm_intel\nblacklist kvm_amd\n");
	write_file(a, "c.conf", "blacklist\tkvm-intel  # second\n");
	write_file(a, "notes.txt", "blacklist kvm_intel\n"); /* not a .conf file */
	ck_assert_int_eq(kmod_config_find(config, "blacklist", "kvm_intel", &file), 0);
	/* sorted by name across directories: b.conf comes before c.conf */
	ck_assert_has(file, "/lib/modprobe.d/b.conf");
	free(file);
	file = NULL;
	ck_assert_int_eq(kmod_config_find(config, "install", "kvm_intel", &file), -ENOENT);
	ck_assert_ptr_null(file);
	remove_tree();

	ck_assert(kmod_install_command_blocks("/bin/false"));
	ck_assert(kmod_install_command_blocks("  /usr/bin/false --reason"));
	ck_assert(kmod_install_command_blocks("/bin/true"));
	ck_assert(kmod_install_command_blocks("false"));
	ck_assert(!kmod_install_command_blocks("/sbin/modprobe --ignore-install kvm_intel"));
	ck_assert(!kmod_install_command_blocks("/bin/falsetto"));
	ck_assert(!kmod_install_command_blocks(""));

	ck_assert(kmod_names_equal("kvm-intel", "kvm_intel"));
	ck_assert(!kmod_names_equal("kvm_intel", "kvm_intel2"));
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
	tcase_add_test(tc, test_kvm_dev);
	suite_add_tcase(s, tc);

	tc = tcase_create("libkmod");
	tcase_add_checked_fixture(tc, NULL, remove_tree);
	tcase_add_test(tc, test_kmod_paths_for_root);
	tcase_add_test(tc, test_kmod_loaded_while_used);
	tcase_add_test(tc, test_kmod_lookup);
	tcase_add_test(tc, test_kmod_config_find);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
