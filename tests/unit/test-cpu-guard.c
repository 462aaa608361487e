/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPU guard's decisions: cpu_guard_decide() on hand-built hosts and on a probed copy of a
 * fixture tree (packages known from topology, from the saved map, from the NUMA node), and the
 * udev helper's cpu_guard_helper_decide(). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cpu-guard.h"
#include "fileio.h"
#include "macro.h"
#include "parse-util.h"
#include "run-state.h"
#include "status.h"
#include "check-run.h"

/* Two packages of two CPUs: 0,1 in package 0 and 2,3 in package 1, all online, TDX up. */
struct fixture {
	struct tdx_host h;
	struct host_cpu cpus[8];
	struct tdx_status s;
};

static struct fixture fx;

static void host_two_packages(void) {
	memset(&fx, 0, sizeof fx);
	fx.h.cpus = fx.cpus;
	fx.h.n_cpus = 4;
	for (unsigned c = 0; c < 4; c++)
		fx.cpus[c] = (struct host_cpu){.present = true,
		                               .online = true,
		                               .package = c < 2 ? 0 : 1,
		                               .node = c < 2 ? 0 : 1,
		                               .package_source = "topology"};
	fx.h.n_present = fx.h.n_online = 4;
	fx.s.tdx_up = true;
	fx.s.module_initialized = true;
}

static void set_offline(unsigned cpu, const char *source) {
	fx.cpus[cpu].online = false;
	fx.cpus[cpu].package_source = source;
	if (!source)
		fx.cpus[cpu].package = -1;
	fx.h.n_online--;
}

static struct cpu_verdict decide(enum policy_mode mode, unsigned cpu) {
	struct cpu_verdict v;
	memset(&v, 0x55, sizeof v);
	ck_assert_int_eq(cpu_guard_decide(&fx.h, &fx.s, mode, cpu, &v), 0);
	return v;
}

#define ck_assert_has(text, needle)                                                                \
	ck_assert_msg(strstr((text), (needle)), "\"%s\" lacks \"%s\"", (text), (needle))
#define ck_assert_lacks(text, needle)                                                              \
	ck_assert_msg(!strstr((text), (needle)), "\"%s\" has \"%s\"", (text), (needle))

START_TEST(test_sibling_online_allowed) {
	host_two_packages();
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(v.exists);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.package, 1);
	ck_assert_has(v.reason, "package 1 keeps CPU 3 online");
	ck_assert_lacks(v.reason, "CPUGuard=");
}
END_TEST

START_TEST(test_last_cpu_refused_no_td) {
	host_two_packages();
	set_offline(3, "saved"); /* its topology is gone; the saved map still names package 1 */
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(v.exists);
	ck_assert(!v.allowed);
	ck_assert(!v.tds_exist);
	ck_assert_int_eq(v.package, 1);
	ck_assert_has(v.reason, "CPU 2 is the last online CPU of package 1 (CPUs 2-3");
	ck_assert_has(v.reason, "no TD exists now");
	ck_assert_has(v.reason, "kernel would allow");
	ck_assert_has(v.reason, "echo 1 > /sys/devices/system/cpu/cpu3/online");
	ck_assert_lacks(v.reason, "EBUSY");
	/* the other package is not affected */
	ck_assert(decide(POLICY_ENFORCE, 0).allowed);
}
END_TEST

START_TEST(test_last_cpu_refused_tds_exist) {
	host_two_packages();
	set_offline(3, "saved");
	fx.h.misc.current_known = true;
	fx.h.misc.current = 2;
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(!v.allowed);
	ck_assert(v.tds_exist);
	ck_assert_has(v.reason, "2 TDs hold KeyIDs now");
	ck_assert_has(v.reason, "EBUSY");
	/* usage known and zero: no TD */
	fx.h.misc.current = 0;
	v = decide(POLICY_ENFORCE, 2);
	ck_assert(!v.tds_exist);
	ck_assert_has(v.reason, "no TD exists now");
}
END_TEST

START_TEST(test_package_from_node_inference) {
	host_two_packages();
	set_offline(3, "node");
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "(CPUs 2-3");
}
END_TEST

START_TEST(test_offline_cpu_unknown_package_not_counted) {
	/* CPU 3 offline and its package unknown: package 1 is {2}, CPU 2 is still its last. */
	host_two_packages();
	set_offline(3, NULL);
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "package 1 (CPUs 2;");
	ck_assert_has(v.reason, "package 1 has no other CPU");
}
END_TEST

START_TEST(test_unknown_package_allowed_with_warning) {
	host_two_packages();
	fx.cpus[3].package = -1;
	fx.cpus[3].package_source = NULL;
	struct cpu_verdict v = decide(POLICY_ENFORCE, 3);
	ck_assert(v.exists);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.package, -1);
	ck_assert_has(v.reason, "warning");
	ck_assert_has(v.reason, "package is unknown");
}
END_TEST

START_TEST(test_tdx_not_up_allowed) {
	host_two_packages();
	set_offline(3, "saved");
	fx.s.tdx_up = false;
	fx.s.module_initialized = false;
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(v.allowed);
	ck_assert_has(v.reason, "TDX is not enabled in KVM and the TDX module is not initialized");
	ck_assert_has(v.reason, "last online CPU of package 1");

	/* either one is enough for the guard */
	fx.s.module_initialized = true;
	ck_assert(!decide(POLICY_ENFORCE, 2).allowed);
	fx.s.module_initialized = false;
	fx.s.tdx_up = true;
	ck_assert(!decide(POLICY_ENFORCE, 2).allowed);
}
END_TEST

START_TEST(test_modes_same_verdict_reason_names_mode) {
	host_two_packages();
	set_offline(3, "saved");
	struct cpu_verdict v = decide(POLICY_WARN, 2);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "CPUGuard=warn");
	v = decide(POLICY_OFF, 2);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "CPUGuard=off");
	v = decide(POLICY_OFF, 0);
	ck_assert(v.allowed);
	ck_assert_has(v.reason, "CPUGuard=off");
	v = decide(POLICY_ENFORCE, 2);
	ck_assert_lacks(v.reason, "CPUGuard=");
}
END_TEST

START_TEST(test_no_such_cpu) {
	host_two_packages();
	fx.h.n_cpus = 6; /* 4 and 5 possible but not present */
	struct cpu_verdict v = decide(POLICY_ENFORCE, 99999);
	ck_assert(!v.exists);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "CPU 99999 does not exist");
	v = decide(POLICY_ENFORCE, 5);
	ck_assert(!v.exists);
	ck_assert_has(v.reason, "CPU 5 does not exist or is not present");
	ck_assert(decide(POLICY_ENFORCE, 3).exists);
}
END_TEST

START_TEST(test_already_offline_and_offlined) {
	host_two_packages();
	set_offline(3, "saved");
	set_offline(2, "saved");
	struct cpu_verdict v = decide(POLICY_ENFORCE, 2);
	ck_assert(v.allowed);
	ck_assert_has(v.reason, "already offline");
	/* the daemon's view of an offline that just happened: judged as if still online */
	ck_assert_int_eq(cpu_guard_decide_offlined(&fx.h, &fx.s, 2, &v), 0);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "CPU 2 is the last online CPU of package 1");
	/* with a sibling still online it was fine */
	fx.cpus[3].online = true;
	ck_assert_int_eq(cpu_guard_decide_offlined(&fx.h, &fx.s, 2, &v), 0);
	ck_assert(v.allowed);
}
END_TEST

START_TEST(test_long_list_shortened) {
	/* 4096 CPUs, package 1 = the odd ones: its list is 2048 single numbers. */
	static struct host_cpu many[4096];
	memset(&fx, 0, sizeof fx);
	fx.h.cpus = many;
	fx.h.n_cpus = 4096;
	for (unsigned c = 0; c < 4096; c++)
		many[c] = (struct host_cpu){.present = true,
		                            .online = c % 2 == 0 || c == 4095,
		                            .package = (int)(c % 2),
		                            .node = -1,
		                            .package_source = "saved"};
	fx.s.tdx_up = true;
	struct cpu_verdict v = decide(POLICY_ENFORCE, 4095);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "(CPUs 1,3,5,");
	ck_assert_has(v.reason, ",...;");
	ck_assert_has(v.reason, "no other of them is online");
	ck_assert_uint_lt(strlen(v.reason), CHECK_TEXT_MAX - 1);
}
END_TEST

/* On a probed copy of a real-looking fixture: the kernel's view after offlines (topology/
 * gone, online lists updated), packages from topology, the saved map and the NUMA node. */
static char tmpdir[64];

/* Offline CPUs 9-15 and 24-31 of spr-2s-v6.16-ready the way the kernel shows it. */
static void fixture_one_cpu_left(void) {
	strcpy(tmpdir, "/tmp/test-cpu-guard.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	sh("cp -a '%s/spr-2s-v6.16-ready' '%s/root'", FIXTURES_DIR, tmpdir);
	sh("cd '%s/root/sys/devices/system/cpu' && for c in 9 10 11 12 13 14 15 24 25 26 27 28 29 "
	   "30 31; do echo 0 > cpu$c/online && rm -rf cpu$c/topology; done && "
	   "echo 0-8,16-23 > online && echo 9-15,24-31 > offline && "
	   "echo 8 > ../node/node1/cpulist",
	   tmpdir);
}

static void probe_and_derive(const char *root, struct tdx_host *h, struct tdx_status *s) {
	ck_assert_int_eq(probe_host(root, NULL, h), 0);
	struct status_policy p = {.cpu_guard = POLICY_ENFORCE, .memory_gate = POLICY_ENFORCE};
	ck_assert_int_eq(status_derive(h, &p, NULL, s), 0);
}

START_TEST(test_fixture_saved_map_and_node) {
	char root[128];
	struct tdx_host h = {0};
	struct tdx_status s = {0};
	struct cpu_verdict v;

	fixture_one_cpu_left();
	snprintf(root, sizeof root, "%s/root", tmpdir);
	probe_and_derive(root, &h, &s);
	ck_assert(s.tdx_up || s.module_initialized);
	ck_assert_str_eq(h.cpus[9].package_source, "saved");
	ck_assert_int_eq(h.cpus[9].package, 1);

	ck_assert_int_eq(cpu_guard_decide(&h, &s, POLICY_ENFORCE, 8, &v), 0);
	ck_assert(!v.allowed);
	ck_assert(v.tds_exist); /* the fixture's misc.current has tdx 2 */
	ck_assert_has(v.reason, "CPU 8 is the last online CPU of package 1 (CPUs 8-15,24-31");
	ck_assert_has(v.reason, "EBUSY");
	ck_assert_int_eq(cpu_guard_decide(&h, &s, POLICY_ENFORCE, 7, &v), 0);
	ck_assert(v.allowed);
	ck_assert_int_eq(cpu_guard_decide(&h, &s, POLICY_ENFORCE, 32, &v), 0);
	ck_assert(!v.exists);
	tdx_status_done(&s);
	tdx_host_done(&h);

	/* Without the saved map: node1's online CPU (8, package 1) names the package of the
	 * offline CPUs linked to node1. */
	sh("rm -f '%s/run/tdxd/cpu-package'", root);
	memset(&h, 0, sizeof h);
	memset(&s, 0, sizeof s);
	probe_and_derive(root, &h, &s);
	ck_assert_str_eq(h.cpus[9].package_source, "node");
	ck_assert_int_eq(h.cpus[9].package, 1);
	ck_assert_int_eq(cpu_guard_decide(&h, &s, POLICY_ENFORCE, 8, &v), 0);
	ck_assert(!v.allowed);
	ck_assert_has(v.reason, "(CPUs 8-15,24-31");
	tdx_status_done(&s);
	tdx_host_done(&h);
	sh("rm -rf '%s'", tmpdir);
}
END_TEST

/* The udev helper's decision. */
static struct run_state st;
static uint8_t online_bm[1];
static int pkgs[4];

static struct cpu_guard_helper_input helper_input(void) {
	memset(&st, 0, sizeof st);
	st.has_tdx_enabled = st.tdx_enabled = true;
	st.has_module_initialized = true;
	strcpy(st.cpu_guard, "enforce");
	strcpy(st.boot_id, "8c2f61a4-3b7e-4d19-9a0c-5e6f7d8b9c01");
	/* CPU 2 just went offline; 0,1 online in package 0, 3 offline in package 1 */
	online_bm[0] = 0x3;
	pkgs[0] = pkgs[1] = 0;
	pkgs[2] = pkgs[3] = 1;
	return (struct cpu_guard_helper_input){
	    .state = &st,
	    .boot_id = "8c2f61a4-3b7e-4d19-9a0c-5e6f7d8b9c01",
	    .cpu = 2,
	    .cpu_online = false,
	    .package = 1,
	    .online = online_bm,
	    .packages = pkgs,
	    .n_cpus = 4,
	};
}

static enum cpu_guard_helper_action hdecide(const struct cpu_guard_helper_input *in,
                                            const char *needle) {
	char reason[CHECK_TEXT_MAX] = "";
	enum cpu_guard_helper_action a = cpu_guard_helper_decide(in, reason, sizeof reason);
	ck_assert_has(reason, needle);
	return a;
}

START_TEST(test_helper_reonlines_last_cpu) {
	struct cpu_guard_helper_input in = helper_input();
	ck_assert_int_eq(hdecide(&in, "last online CPU of package 1"), CPU_GUARD_HELPER_REONLINE);
	/* an online CPU of another package, or of unknown package, is no sibling */
	online_bm[0] |= 1u << 3;
	pkgs[3] = -1;
	ck_assert_int_eq(hdecide(&in, "bringing it back online"), CPU_GUARD_HELPER_REONLINE);
	/* module initialized is enough, TDX_ENABLED=0 */
	in = helper_input();
	st.tdx_enabled = false;
	st.module_initialized = true;
	ck_assert_int_eq(hdecide(&in, "bringing it back"), CPU_GUARD_HELPER_REONLINE);
	/* boot id unknown on either side counts as this boot */
	in = helper_input();
	in.boot_id = NULL;
	ck_assert_int_eq(hdecide(&in, "bringing it back"), CPU_GUARD_HELPER_REONLINE);
}
END_TEST

START_TEST(test_helper_sibling_online) {
	struct cpu_guard_helper_input in = helper_input();
	online_bm[0] |= 1u << 3;
	ck_assert_int_eq(hdecide(&in, "package 1 keeps CPU 3 online"), CPU_GUARD_HELPER_NOTHING);
}
END_TEST

START_TEST(test_helper_twice_no_flap) {
	struct cpu_guard_helper_input in = helper_input();
	ck_assert_int_eq(hdecide(&in, "bringing it back"), CPU_GUARD_HELPER_REONLINE);
	/* the second run (or the one racing tdxd) finds it online again */
	in.cpu_online = true;
	ck_assert_int_eq(hdecide(&in, "already online again"), CPU_GUARD_HELPER_NOTHING);
}
END_TEST

START_TEST(test_helper_state_gates) {
	struct cpu_guard_helper_input in = helper_input();
	in.state = NULL;
	ck_assert_int_eq(hdecide(&in, "no usable /run/tdxd/state"), CPU_GUARD_HELPER_NOTHING);

	in = helper_input();
	in.boot_id = "00000000-0000-0000-0000-000000000000";
	ck_assert_int_eq(hdecide(&in, "another boot"), CPU_GUARD_HELPER_NOTHING);

	in = helper_input();
	strcpy(st.cpu_guard, "warn");
	ck_assert_int_eq(hdecide(&in, "CPU_GUARD=warn"), CPU_GUARD_HELPER_NOTHING);
	strcpy(st.cpu_guard, "off");
	ck_assert_int_eq(hdecide(&in, "CPU_GUARD=off"), CPU_GUARD_HELPER_NOTHING);
	st.cpu_guard[0] = 0;
	ck_assert_int_eq(hdecide(&in, "(unset)"), CPU_GUARD_HELPER_NOTHING);

	in = helper_input();
	st.tdx_enabled = false;
	st.module_initialized = false;
	ck_assert_int_eq(hdecide(&in, "neither enabled"), CPU_GUARD_HELPER_NOTHING);
	/* keys missing from the file count as 0 */
	st.has_tdx_enabled = st.has_module_initialized = false;
	st.tdx_enabled = true;
	ck_assert_int_eq(hdecide(&in, "neither enabled"), CPU_GUARD_HELPER_NOTHING);

	in = helper_input();
	in.package = -1;
	ck_assert_int_eq(hdecide(&in, "package is unknown"), CPU_GUARD_HELPER_NOTHING);
}
END_TEST

/* The fixture's own /run/tdxd/state lets the helper act (this boot, enforce, TDX up). */
START_TEST(test_helper_state_from_fixture) {
	struct run_state s;
	char reason[CHECK_TEXT_MAX];
	ck_assert_int_eq(run_state_read(FIXTURES_DIR "/spr-2s-v6.16-ready", &s, NULL), 0);
	char boot[40];
	ck_assert_int_eq(read_boot_id(FIXTURES_DIR "/spr-2s-v6.16-ready", boot, sizeof boot), 0);
	ck_assert(cpu_guard_helper_state_applies(&s, boot, 8, reason, sizeof reason));
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("cpu-guard");
	TCase *tc = tcase_create("decide");
	tcase_add_test(tc, test_sibling_online_allowed);
	tcase_add_test(tc, test_last_cpu_refused_no_td);
	tcase_add_test(tc, test_last_cpu_refused_tds_exist);
	tcase_add_test(tc, test_package_from_node_inference);
	tcase_add_test(tc, test_offline_cpu_unknown_package_not_counted);
	tcase_add_test(tc, test_unknown_package_allowed_with_warning);
	tcase_add_test(tc, test_tdx_not_up_allowed);
	tcase_add_test(tc, test_modes_same_verdict_reason_names_mode);
	tcase_add_test(tc, test_no_such_cpu);
	tcase_add_test(tc, test_already_offline_and_offlined);
	tcase_add_test(tc, test_long_list_shortened);
	tcase_add_test(tc, test_fixture_saved_map_and_node);
	suite_add_tcase(s, tc);

	tc = tcase_create("helper");
	tcase_add_test(tc, test_helper_reonlines_last_cpu);
	tcase_add_test(tc, test_helper_sibling_online);
	tcase_add_test(tc, test_helper_twice_no_flap);
	tcase_add_test(tc, test_helper_state_gates);
	tcase_add_test(tc, test_helper_state_from_fixture);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
