/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>

#include "macro.h"
#include "misc-cgroup.h"
#include "check-run.h"

static int lookup(const char *t, bool *found, uint64_t *v) {
	return misc_cgroup_parse(t, strlen(t), "tdx", found, v);
}

START_TEST(test_lines) {
	bool found;
	uint64_t v = 0;
	ck_assert_int_eq(lookup("sev 509\nsev_es 0\ntdx 31\n", &found, &v), 0);
	ck_assert(found);
	ck_assert_uint_eq(v, 31);
	ck_assert_int_eq(lookup("tdx 0\n", &found, &v), 0);
	ck_assert(found);
	ck_assert_uint_eq(v, 0);
	/* no newline at the end */
	ck_assert_int_eq(lookup("tdx 7", &found, &v), 0);
	ck_assert_uint_eq(v, 7);
	/* "tdxfoo" is another resource */
	ck_assert_int_eq(lookup("tdxfoo 3\ntdx 5\n", &found, &v), 0);
	ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(test_missing_is_no_answer) {
	bool found = true;
	uint64_t v = 1234;
	ck_assert_int_eq(lookup("", &found, &v), 0);
	ck_assert(!found);
	ck_assert_uint_eq(v, 1234);
	found = true;
	ck_assert_int_eq(lookup("sev 509\nsev_es 10\n", &found, &v), 0);
	ck_assert(!found);
	ck_assert_uint_eq(v, 1234);
}
END_TEST

START_TEST(test_garbage) {
	bool found = false;
	uint64_t v = 9;
	ck_assert_int_eq(lookup("tdx \n", &found, &v), -EINVAL);
	ck_assert_int_eq(lookup("tdx abc\n", &found, &v), -EINVAL);
	ck_assert_int_eq(lookup("tdx 0x10\n", &found, &v), -EINVAL);
	ck_assert_int_eq(lookup("tdx 12 34\n", &found, &v), -EINVAL);
	ck_assert_int_eq(lookup("tdx -1\n", &found, &v), -EINVAL);
	ck_assert_int_eq(lookup("tdx 18446744073709551616\n", &found, &v), -ERANGE);
	ck_assert_int_eq(lookup("tdx 1234567890123456789012345678901234567890\n", &found, &v),
	                 -ERANGE);
	ck_assert(!found);
	ck_assert_uint_eq(v, 9);
	ck_assert_int_eq(lookup("tdx 18446744073709551615\n", &found, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	static const char bin[] = "\xff\xfe\x00garbage\ntdx 4\n";
	found = false;
	ck_assert_int_eq(misc_cgroup_parse(bin, sizeof(bin) - 1, "tdx", &found, &v), 0);
	ck_assert(found);
	ck_assert_uint_eq(v, 4);
	static const char nul[] = "tdx 4\0 5\n";
	ck_assert_int_eq(misc_cgroup_parse(nul, sizeof(nul) - 1, "tdx", &found, &v), -EINVAL);
}
END_TEST

int main(void) {
	Suite *s = suite_create("misc-cgroup");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_missing_is_no_answer);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
