/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>

#include "cpuinfo.h"
#include "macro.h"
#include "check-run.h"

#define BLOCK(n, flags, extra)                                                                     \
	"processor\t: " #n "\n"                                                                    \
	"vendor_id\t: GenuineIntel\n"                                                              \
	"cpu family\t: 6\n"                                                                        \
	"model\t\t: 143\n"                                                                         \
	"model name\t: Intel(R) Xeon(R) Platinum 8480+\n"                                          \
	"flags\t\t: " flags "\n"                                                                   \
	"vmx flags\t: vnmi preemption_timer posted_intr invvpid ept_x_only ept_ad ept_1gb "        \
	"ept_5level flexpriority apicv tsc_offset vtpr mtf vapic ept vpid unrestricted_guest\n"    \
	"bugs\t\t: spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb tdx_pw_mce\n"        \
	"address sizes\t: 46 bits physical, 57 bits virtual\n" extra "\n"

#define HOST_FLAGS "fpu vme de pse tsc msr pae mce vmx smx est tm2 tme tdx_host_platform"

START_TEST(test_tdx_host) {
	const char *t = BLOCK(0, HOST_FLAGS, "") BLOCK(1, "fpu", "") BLOCK(2, "fpu", "");
	struct cpuinfo c;
	ck_assert_int_eq(cpuinfo_parse(t, strlen(t), &c), 0);
	ck_assert(c.read);
	ck_assert_str_eq(c.vendor_id, "GenuineIntel");
	ck_assert(c.tdx_host_platform);
	ck_assert(c.vmx);
	ck_assert(c.tme);
	ck_assert(!c.hypervisor);
	ck_assert(!c.tdx_guest);
	ck_assert(c.has_vmx_flags);
	ck_assert(c.ept_5level);
	ck_assert(c.bug_tdx_pw_mce);
	ck_assert_uint_eq(c.phys_bits, 46);
	ck_assert_uint_eq(c.virt_bits, 57);
	/* only the first block's flags count, every block is counted */
	ck_assert_uint_eq(c.n_processors, 3);
}
END_TEST

START_TEST(test_guest) {
	const char *t = "processor\t: 0\n"
	                "vendor_id\t: GenuineIntel\n"
	                "flags\t\t: fpu hypervisor tdx_guest vmxx tmee\n"
	                "bugs\t\t:\n"
	                "address sizes\t: 52 bits physical, 48 bits virtual\n";
	struct cpuinfo c;
	ck_assert_int_eq(cpuinfo_parse(t, strlen(t), &c), 0);
	ck_assert(c.hypervisor);
	ck_assert(c.tdx_guest);
	/* whole words only */
	ck_assert(!c.vmx);
	ck_assert(!c.tme);
	ck_assert(!c.has_vmx_flags);
	ck_assert(!c.ept_5level);
	ck_assert(!c.bug_tdx_pw_mce);
	ck_assert_uint_eq(c.n_processors, 1);
}
END_TEST

/* The attestation checks read sgx and sgx_lc (word 9 and word 16 of the feature flags). */
START_TEST(test_sgx_flags) {
	const char *on = BLOCK(0, "fpu vmx tsc_adjust sgx bmi1 enqcmd sgx_lc fsrm", "");
	const char *no_lc = BLOCK(0, "fpu vmx tsc_adjust sgx bmi1 enqcmd fsrm", "");
	const char *off = BLOCK(0, "fpu vmx tsc_adjust bmi1 sgx_lcx xsgx enqcmd", "");
	struct cpuinfo c;
	ck_assert_int_eq(cpuinfo_parse(on, strlen(on), &c), 0);
	ck_assert(c.sgx);
	ck_assert(c.sgx_lc);
	ck_assert_int_eq(cpuinfo_parse(no_lc, strlen(no_lc), &c), 0);
	ck_assert(c.sgx);
	ck_assert(!c.sgx_lc);
	/* whole words only: "sgx_lcx" and "xsgx" are neither */
	ck_assert_int_eq(cpuinfo_parse(off, strlen(off), &c), 0);
	ck_assert(!c.sgx);
	ck_assert(!c.sgx_lc);
	/* a TDX host block without them */
	const char *t = BLOCK(0, HOST_FLAGS, "");
	ck_assert_int_eq(cpuinfo_parse(t, strlen(t), &c), 0);
	ck_assert(!c.sgx);
	ck_assert(!c.sgx_lc);
}
END_TEST

START_TEST(test_amd_no_vmx_flags) {
	const char *t = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n\n"
	                "processor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm vmx\n";
	struct cpuinfo c;
	ck_assert_int_eq(cpuinfo_parse(t, strlen(t), &c), 0);
	ck_assert_str_eq(c.vendor_id, "AuthenticAMD");
	ck_assert(!c.vmx);
	ck_assert_uint_eq(c.n_processors, 2);
}
END_TEST

START_TEST(test_many_cpus) {
	/* 1024 CPUs: counted, parsed once */
	size_t sz = 0;
	char *t = NULL;
	FILE *f = open_memstream(&t, &sz);
	for (int i = 0; i < 1024; i++)
		fprintf(f, BLOCK(% d, HOST_FLAGS, ""), i);
	fclose(f);
	struct cpuinfo c;
	ck_assert_int_eq(cpuinfo_parse(t, sz, &c), 0);
	ck_assert_uint_eq(c.n_processors, 1024);
	ck_assert(c.tdx_host_platform);
	free(t);
}
END_TEST

START_TEST(test_garbage) {
	struct cpuinfo c = {.n_processors = 77};
	ck_assert_int_eq(cpuinfo_parse("", 0, &c), -EINVAL);
	ck_assert_uint_eq(c.n_processors, 77); /* untouched */
	const char *junk = "\x01\x02 binary \xff\n:::\n";
	ck_assert_int_eq(cpuinfo_parse(junk, strlen(junk), &c), -EINVAL);
	ck_assert_int_eq(cpuinfo_parse("processor", 9, &c), -EINVAL);
	ck_assert_int_eq(cpuinfo_parse("processors: 5\n", 14, &c), -EINVAL);

	/* truncated mid-block, no final newline, bad address sizes, an enormous vendor */
	const char *t = "processor\t: 0\n"
	                "vendor_id\t: GenuineIntelGenuineIntelGenuineIntelGenuineIntel\n"
	                "address sizes\t: 99999999999999999999 bits physical, x bits virtual\n"
	                "flags\t\t: fpu vmx";
	ck_assert_int_eq(cpuinfo_parse(t, strlen(t), &c), 0);
	ck_assert(c.vmx);
	ck_assert_uint_eq(c.phys_bits, 0);
	ck_assert_uint_eq(c.virt_bits, 0);
	ck_assert_uint_eq(strlen(c.vendor_id), sizeof(c.vendor_id) - 1);

	/* a NUL in the middle ends nothing: sizes are explicit */
	static const char withnul[] = "processor\t: 0\nflags\t\t: fpu\0 vmx tme\n";
	ck_assert_int_eq(cpuinfo_parse(withnul, sizeof(withnul) - 1, &c), 0);
	ck_assert(c.tme);
}
END_TEST

int main(void) {
	Suite *s = suite_create("cpuinfo");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_tdx_host);
	tcase_add_test(tc, test_guest);
	tcase_add_test(tc, test_sgx_flags);
	tcase_add_test(tc, test_amd_no_vmx_flags);
	tcase_add_test(tc, test_many_cpus);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
