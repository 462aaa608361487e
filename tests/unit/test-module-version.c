/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Module versions for MinimumModuleVersion=: parsing the kernel's and the operator's forms,
 * numeric comparison, garbage. */
#include <check.h>
#include <string.h>

#include "check-run.h"
#include "macro.h"
#include "module-version.h"

START_TEST(test_parse) {
	struct module_version v;
	ck_assert_int_eq(module_version_parse("1.5.24", &v), 0);
	ck_assert_uint_eq(v.major, 1);
	ck_assert_uint_eq(v.minor, 5);
	ck_assert_uint_eq(v.update, 24);
	/* the kernel's zero padding and a sysfs newline */
	ck_assert_int_eq(module_version_parse("1.2.03\n", &v), 0);
	ck_assert_uint_eq(v.update, 3);
	ck_assert_int_eq(module_version_parse("0.0.00", &v), 0);
	ck_assert_int_eq(module_version_parse("4294967295.0.4294967295", &v), 0);
	ck_assert_uint_eq(v.major, UINT32_MAX);
	ck_assert_int_eq(module_version_parse("1.5.6", NULL), 0);
}
END_TEST

START_TEST(test_garbage) {
	static const char *const bad[] = {
	    "",       "1",      "1.5",       "1.5.",    ".5.6",          "1..6",  "1.5.6.7",
	    "1.5.6 ", " 1.5.6", "1.5.6\n\n", "-1.5.6",  "+1.5.6",        "1.5.x", "v1.5.6",
	    "1,5,6",  "1.5.6a", "0x1.5.6",   "1.5.6\t", "one.two.three",
	};
	struct module_version v = {7, 7, 7};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(module_version_parse(bad[i], &v) == -EINVAL, "accepted \"%s\"",
		              bad[i]);
	ck_assert_int_eq(module_version_parse(NULL, &v), -EINVAL);
	ck_assert_int_eq(module_version_parse("4294967296.0.0", &v), -ERANGE);
	ck_assert_int_eq(module_version_parse("1.5.99999999999999999999", &v), -ERANGE);
	/* a failed parse leaves the result alone */
	ck_assert_uint_eq(v.major, 7);
}
END_TEST

static int cmp(const char *a, const char *b) {
	struct module_version x, y;
	ck_assert_int_eq(module_version_parse(a, &x), 0);
	ck_assert_int_eq(module_version_parse(b, &y), 0);
	return module_version_compare(&x, &y);
}

START_TEST(test_compare) {
	ck_assert_int_eq(cmp("1.5.24", "1.5.24"), 0);
	ck_assert_int_eq(cmp("1.5.6", "1.5.06"), 0);
	/* numeric, not textual: 10 > 9 */
	ck_assert_int_gt(cmp("1.5.10", "1.5.9"), 0);
	ck_assert_int_lt(cmp("1.5.9", "1.5.10"), 0);
	ck_assert_int_gt(cmp("1.10.0", "1.9.99"), 0);
	ck_assert_int_gt(cmp("2.0.0", "1.99.99"), 0);
	ck_assert_int_lt(cmp("1.5.24", "2.0.00"), 0);
	ck_assert_int_gt(cmp("4294967295.0.0", "0.0.0"), 0);
	ck_assert_int_lt(cmp("0.0.0", "4294967295.0.0"), 0);
}
END_TEST

START_TEST(test_format) {
	char buf[MODULE_VERSION_STRING_MAX];
	struct module_version v = {1, 5, 6};
	ck_assert_str_eq(module_version_format(&v, buf, sizeof(buf)), "1.5.06");
	v = (struct module_version){UINT32_MAX, UINT32_MAX, UINT32_MAX};
	ck_assert_str_eq(module_version_format(&v, buf, sizeof(buf)),
	                 "4294967295.4294967295.4294967295");
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("module-version");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
