/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>

#include "macro.h"
#include "ranges.h"
#include "check-run.h"

START_TEST(test_normalize_merge) {
	struct range_set s = {0};
	ck_assert_int_eq(range_set_add(&s, GIB(4), GIB(8)), 0);
	ck_assert_int_eq(range_set_add(&s, MIB(1), GIB(2)), 0);
	ck_assert_int_eq(range_set_add(&s, GIB(2), GIB(3)), 0); /* touching */
	ck_assert_int_eq(range_set_add(&s, GIB(1), GIB(2)), 0); /* overlapping */
	ck_assert_int_eq(range_set_add(&s, 5, 5), -EINVAL);
	range_set_normalize(&s, true);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.items[0].start, MIB(1));
	ck_assert_uint_eq(s.items[0].end, GIB(3));
	ck_assert(range_set_contains(&s, GIB(1), GIB(3)));
	ck_assert(!range_set_contains(&s, GIB(2), GIB(4) + 1));
	ck_assert(range_set_overlaps(&s, GIB(3) - 1, GIB(4)));
	ck_assert(!range_set_overlaps(&s, GIB(3), GIB(4)));
	ck_assert_uint_eq(range_set_bytes(&s), GIB(3) - MIB(1) + GIB(4));
	range_set_clear(&s);
}
END_TEST

START_TEST(test_no_merge) {
	struct range_set s = {0};
	range_set_add(&s, GIB(2), GIB(3));
	range_set_add(&s, MIB(1), GIB(2));
	range_set_add(&s, MIB(1), GIB(2));
	range_set_normalize(&s, false);
	ck_assert_uint_eq(s.n, 2);
	/* straddling two adjacent entries is not "inside one" */
	ck_assert(!range_set_contains(&s, GIB(2) - MIB(128), GIB(2) + MIB(128)));
	ck_assert(range_set_contains(&s, GIB(2), GIB(2) + MIB(128)));
	ck_assert(!range_set_contains(&s, GIB(2), GIB(2)));
	range_set_clear(&s);
}
END_TEST

START_TEST(test_subtract_copy) {
	struct range_set s = {0}, c = {0};
	range_set_add(&s, 0, GIB(2));
	ck_assert_int_eq(range_set_subtract(&s, 0, MIB(1)), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.items[0].start, MIB(1));
	ck_assert_int_eq(range_set_subtract(&s, MIB(2), MIB(3)), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(range_set_copy(&c, &s), 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.items[1].start, MIB(3));
	/* the top of the address space */
	range_set_clear(&s);
	ck_assert_int_eq(range_set_add(&s, UINT64_MAX - 10, UINT64_MAX), 0);
	ck_assert(range_set_contains(&s, UINT64_MAX - 5, UINT64_MAX));
	range_set_clear(&s);
	range_set_clear(&c);
	ck_assert(!range_set_contains(&s, 0, 1));
}
END_TEST

int main(void) {
	Suite *s = suite_create("ranges");
	TCase *tc = tcase_create("ranges");
	tcase_add_test(tc, test_normalize_merge);
	tcase_add_test(tc, test_no_merge);
	tcase_add_test(tc, test_subtract_copy);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
