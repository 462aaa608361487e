/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>

#include "macro.h"
#include "parse-util.h"
#include "check-run.h"

START_TEST(test_u64) {
	uint64_t v = 0;
	ck_assert_int_eq(parse_u64("42", &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(parse_u64(" 0x1F\n", &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert_int_eq(parse_u64("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	v = 3;
	ck_assert_int_eq(parse_u64("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(parse_u64("0x10000000000000000", &v), -ERANGE);
	ck_assert_int_eq(parse_u64("", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("12abc", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("1\n\n", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("-1", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("0x", &v), -EINVAL);
	ck_assert_int_eq(parse_u64(NULL, &v), -EINVAL);
	ck_assert_uint_eq(v, 3);

	uint32_t w = 9;
	ck_assert_int_eq(parse_u32("0x00000020", &w), 0); /* keyid_num style */
	ck_assert_uint_eq(w, 32);
	ck_assert_int_eq(parse_u32("4294967296", &w), -ERANGE);
	ck_assert_uint_eq(w, 32);
}
END_TEST

START_TEST(test_hex) {
	uint64_t v = 0;
	ck_assert_int_eq(parse_hex_u64("8000000\n", &v), 0); /* block_size_bytes */
	ck_assert_uint_eq(v, 0x8000000);
	ck_assert_int_eq(parse_hex_u64("0x80000000", &v), 0);
	ck_assert_uint_eq(v, 0x80000000);
	ck_assert_int_eq(parse_hex_u64("fffffffffffffffff", &v), -ERANGE);
	ck_assert_int_eq(parse_hex_u64("xyz", &v), -EINVAL);
	ck_assert_uint_eq(v, 0x80000000);
}
END_TEST

START_TEST(test_size) {
	uint64_t v;
	ck_assert_int_eq(parse_size("4G", &v), 0);
	ck_assert_uint_eq(v, 4ULL << 30);
	ck_assert_int_eq(parse_size("0x100000", &v), 0);
	ck_assert_uint_eq(v, 0x100000);
	ck_assert_int_eq(parse_size("16777216T", &v), -ERANGE);
	ck_assert_int_eq(parse_size("4GB", &v), -EINVAL);
}
END_TEST

START_TEST(test_bools) {
	bool b = false;
	ck_assert_int_eq(parse_kernel_bool("Y\n", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(parse_kernel_bool("N", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(parse_kernel_bool("maybe", &b), -EINVAL);
	ck_assert_int_eq(parse_kernel_bool("YY", &b), -EINVAL);
	ck_assert_int_eq(parse_boolean("on", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(parse_boolean("nope", &b), -EINVAL);
}
END_TEST

START_TEST(test_utf8_sanitize) {
	char ok[] = "SEAMCALL failed: 0x22 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	ck_assert_uint_eq(utf8_sanitize(ok), 0);
	char bad[] = "0x\xff\xfe bad";
	ck_assert_uint_eq(utf8_sanitize(bad), 2);
	ck_assert_str_eq(bad, "0x?? bad");
	/* truncated sequence, overlong '/', a surrogate, above U+10FFFF, control characters */
	char t[] = "a\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x01\t\x7f";
	ck_assert_uint_eq(utf8_sanitize(t), 14);
	ck_assert_str_eq(t, "a??|??|???|????|???");
	char empty[] = "";
	ck_assert_uint_eq(utf8_sanitize(empty), 0);
}
END_TEST

START_TEST(test_cpu_lists) {
	uint8_t bm[16] = {0};
	ck_assert_int_eq(parse_cpu_list("0-3,8,10-11\n", bm, 128), 0);
	ck_assert(bitmap_test(bm, 0) && bitmap_test(bm, 3) && bitmap_test(bm, 8));
	ck_assert(!bitmap_test(bm, 4) && !bitmap_test(bm, 9));
	ck_assert(bitmap_test(bm, 11) && !bitmap_test(bm, 12));
	unsigned m;
	ck_assert_int_eq(cpu_list_max("0-3,8,10-11", &m), 0);
	ck_assert_uint_eq(m, 11);
	ck_assert_int_eq(cpu_list_max("\n", &m), -ENOENT);
	uint8_t z[2] = {0};
	ck_assert_int_eq(parse_cpu_list("0-15,16", z, 16), -ERANGE);
	ck_assert_uint_eq(z[0] | z[1], 0);
	ck_assert_int_eq(parse_cpu_list("3-1", z, 16), -EINVAL);
	ck_assert_int_eq(parse_cpu_list("1,,2", z, 16), -EINVAL);
	ck_assert_int_eq(parse_cpu_list("1-", z, 16), -EINVAL);
	ck_assert_int_eq(cpu_list_max("99999999999", &m), -EINVAL);

	const unsigned cpus[] = {0, 1, 2, 3, 8, 10, 11};
	char buf[64];
	format_cpu_list(cpus, ELEMENTSOF(cpus), buf, sizeof(buf));
	ck_assert_str_eq(buf, "0-3,8,10-11");
	format_cpu_list(cpus, ELEMENTSOF(cpus), buf, 4);
	ck_assert_uint_lt(strlen(buf), 4);
}
END_TEST

/* The reproducer of the cpu-guard crash: a maximum near 2^32 used to wrap (n + 7) / 8 to 0
 * and write past a calloc(0). Lists past the kernel's NR_CPUS are refused, not allocated. */
START_TEST(test_cpu_list_to_bitmap) {
	uint8_t *b = NULL;
	unsigned n = 0;
	ck_assert_int_eq(cpu_list_to_bitmap("0-3,8\n", 4, &b, &n), 0);
	ck_assert_uint_eq(n, 9);
	ck_assert(bitmap_test(b, 0) && bitmap_test(b, 3) && !bitmap_test(b, 4) &&
	          bitmap_test(b, 8));
	free(b);
	b = NULL;
	ck_assert_int_eq(cpu_list_to_bitmap("1", 100, &b, &n), 0); /* min_bits wins */
	ck_assert_uint_eq(n, 100);
	ck_assert(bitmap_test(b, 1) && !bitmap_test(b, 99));
	free(b);
	b = NULL;
	ck_assert_int_eq(cpu_list_to_bitmap("\n", 0, &b, &n), 0); /* empty: one bit, clear */
	ck_assert_uint_eq(n, 1);
	ck_assert(!bitmap_test(b, 0));
	free(b);
	b = NULL;
	ck_assert_int_eq(cpu_list_to_bitmap("0-8191", 0, &b, &n), 0);
	ck_assert_uint_eq(n, CPUS_MAX);
	ck_assert(bitmap_test(b, 8191));
	free(b);
	b = NULL;
	ck_assert_int_eq(cpu_list_to_bitmap("0-8192", 0, &b, &n), -E2BIG);
	ck_assert_int_eq(cpu_list_to_bitmap("4294967295", 0, &b, &n), -E2BIG);
	ck_assert_int_eq(cpu_list_to_bitmap("0,4294967294-4294967295", 4, &b, &n), -E2BIG);
	ck_assert_int_eq(cpu_list_to_bitmap("0-4000000000\n", 4, &b, &n), -E2BIG);
	ck_assert_int_eq(cpu_list_to_bitmap("0", CPUS_MAX + 1, &b, &n), -E2BIG);
	ck_assert_int_eq(cpu_list_to_bitmap("0-x", 4, &b, &n), -EINVAL);
	ck_assert_int_eq(cpu_list_to_bitmap("18446744073709551616", 4, &b, &n) < 0, 1);
	ck_assert_ptr_null(b);
}
END_TEST

/* tdxctl's warnings quote sysfs: ESC, CSI (C1), DEL and broken UTF-8 must not reach the
 * terminal as such. */
START_TEST(test_utf8_escape) {
	char *e = utf8_escape("ok \x1b]0;pwned\x07 \xc2\x9b"
	                      "2J \x7f\xff\xc3(\n\xc3\xa9\xe2\x82\xac",
	                      false);
	ck_assert_str_eq(e, "ok \\x1b]0;pwned\\x07 \\x9b2J \\x7f\xef\xbf\xbd\xef\xbf\xbd(\\x0a"
	                    "\xc3\xa9\xe2\x82\xac");
	free(e);
	e = utf8_escape("a\nb\tc", true); /* newlines kept for multi-line output, tabs not */
	ck_assert_str_eq(e, "a\nb\\x09c");
	free(e);
	e = utf8_escape("", false);
	ck_assert_str_eq(e, "");
	free(e);
	/* the worst case of the size bound: every byte a control */
	char all[256];
	for (int i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	all[255] = 0;
	e = utf8_escape(all, false);
	ck_assert_ptr_nonnull(e);
	for (const char *p = e; *p; p++)
		ck_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
	free(e);
	/* for JSON: only the invalid bytes */
	e = utf8_repair("x\x1b\xffy\xc3\xa9");
	ck_assert_str_eq(e, "x\x1b\xef\xbf\xbdy\xc3\xa9");
	free(e);
}
END_TEST

int main(void) {
	Suite *s = suite_create("parse-util");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_u64);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_bools);
	tcase_add_test(tc, test_cpu_lists);
	tcase_add_test(tc, test_cpu_list_to_bitmap);
	tcase_add_test(tc, test_utf8_escape);
	tcase_add_test(tc, test_utf8_sanitize);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
