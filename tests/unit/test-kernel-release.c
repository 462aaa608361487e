/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel release strings as distributions write them, and garbage. */
#include <check.h>

#include "check-run.h"
#include "kernel-release.h"
#include "macro.h"

START_TEST(test_parse) {
	static const struct {
		const char *s;
		uint32_t major, minor, patch;
	} good[] = {
	    {"6.18.0-1-amd64", 6, 18, 0},  {"7.2.0-rc3", 7, 2, 0}, {"6.17.5", 6, 17, 5},
	    {"6.8.0-1028-intel", 6, 8, 0}, {"7.1", 7, 1, 0},       {"6.19-rc1", 6, 19, 0},
	    {"6.16.7+deb13", 6, 16, 7},    {"6.12.1\n", 6, 12, 1}, {"5.14.0_x", 5, 14, 0},
	};
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		struct kernel_release k;
		ck_assert_msg(kernel_release_parse(good[i].s, &k) == 0, "refused %s", good[i].s);
		ck_assert_uint_eq(k.major, good[i].major);
		ck_assert_uint_eq(k.minor, good[i].minor);
		ck_assert_uint_eq(k.patch, good[i].patch);
	}
	static const char *const bad[] = {"",      "6",     "6.",    ".18",   "6.18.",
	                                  "6.18x", "v6.18", "linux", "6.x.1", "99999999999.1"};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(kernel_release_parse(bad[i], NULL) == -EINVAL, "accepted \"%s\"",
		              bad[i]);
	ck_assert_int_eq(kernel_release_parse(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_compare) {
	struct kernel_release k;
	ck_assert_int_eq(kernel_release_parse("6.17.5-1-amd64", &k), 0);
	ck_assert_int_eq(kernel_release_compare(&k, 6, 17, 5), 0);
	ck_assert_int_gt(kernel_release_compare(&k, 6, 17, 4), 0);
	ck_assert_int_lt(kernel_release_compare(&k, 6, 18, 0), 0);
	ck_assert_int_eq(kernel_release_parse("6.100.0", &k), 0);
	ck_assert_int_gt(kernel_release_compare(&k, 6, 18, 0), 0);
	ck_assert_int_lt(kernel_release_compare(&k, 7, 0, 0), 0);
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("kernel-release");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_compare);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
