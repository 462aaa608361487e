/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>

#include "macro.h"
#include "tdx-metadata.h"
#include "check-run.h"

START_TEST(test_field_ids) {
	uint64_t id;
	ck_assert_int_eq(tdx_md_parse_field_id("9900000100000008", &id), 0);
	ck_assert_uint_eq(id, TDX_MD_MAX_VCPUS_PER_TD);
	ck_assert_int_eq(tdx_md_parse_field_id("9000000300000080", &id), 0);
	ck_assert_uint_eq(id, TDX_MD_CMR_BASE);
	ck_assert_int_eq(tdx_md_parse_field_id("0A00000300000008", &id), 0);
	ck_assert_uint_eq(id, 0x0A00000300000008ULL);
	ck_assert_int_eq(tdx_md_parse_field_id("0a00000300000008", &id), 0);
	ck_assert_uint_eq(id, 0x0A00000300000008ULL);

	id = 5;
	ck_assert_int_eq(tdx_md_parse_field_id("990000010000008", &id), -EINVAL);
	ck_assert_int_eq(tdx_md_parse_field_id("99000001000000080", &id), -EINVAL);
	ck_assert_int_eq(tdx_md_parse_field_id("0x00000100000008", &id), -EINVAL);
	ck_assert_int_eq(tdx_md_parse_field_id("", &id), -EINVAL);
	ck_assert_int_eq(tdx_md_parse_field_id("990000010000000g", &id), -EINVAL);
	ck_assert_uint_eq(id, 5);

	ck_assert_uint_eq(tdx_md_element_size(TDX_MD_MAX_VCPUS_PER_TD), 2);
	ck_assert_uint_eq(tdx_md_element_size(TDX_MD_NUM_CMRS), 2);
	ck_assert_uint_eq(tdx_md_element_size(TDX_MD_CMR_BASE), 8);
	ck_assert_uint_eq(tdx_md_element_size(TDX_MD_CMR_SIZE), 8);
	ck_assert_uint_eq(tdx_md_element_size(TDX_MD_MAJOR_VERSION), 2);
	ck_assert_uint_eq(tdx_md_element_size(0x9100000000000013ULL), 1);
	ck_assert_uint_eq(tdx_md_element_size(0x1900000200000000ULL), 4);
}
END_TEST

START_TEST(test_decode) {
	static const uint8_t u16le[] = {0x00, 0x02}; /* 512 */
	uint64_t v = 0;
	ck_assert_int_eq(tdx_md_decode_scalar(TDX_MD_MAX_VCPUS_PER_TD, u16le, 2, &v), 0);
	ck_assert_uint_eq(v, 512);
	v = 7;
	ck_assert_int_eq(tdx_md_decode_scalar(TDX_MD_MAX_VCPUS_PER_TD, u16le, 1, &v), -EBADMSG);
	ck_assert_int_eq(tdx_md_decode_scalar(TDX_MD_MAX_VCPUS_PER_TD, u16le, 0, &v), -EBADMSG);
	ck_assert_uint_eq(v, 7);

	static const uint8_t arr[] = {
	    0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, /* 0x100000 */
	    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* 0x100000000 */
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	_cleanup_free_ uint64_t *e = NULL;
	size_t n = 0;
	ck_assert_int_eq(tdx_md_decode(TDX_MD_CMR_BASE, arr, sizeof(arr), &e, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(e[0], 0x100000);
	ck_assert_uint_eq(e[1], 0x100000000ULL);
	ck_assert_uint_eq(e[2], UINT64_MAX);

	uint64_t *none = NULL;
	ck_assert_int_eq(tdx_md_decode(TDX_MD_CMR_BASE, arr, 13, &none, &n), -EBADMSG);
	ck_assert_int_eq(tdx_md_decode(TDX_MD_CMR_BASE, arr, 0, &none, &n), -EBADMSG);
	ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_cmrs) {
	const uint64_t base[] = {0x100000000ULL, 0x100000, 0, 0};
	const uint64_t size[] = {0x3f7a000000ULL, 0x77700000, 0, 0};
	struct range_set s = {0};
	ck_assert_int_eq(tdx_md_cmrs(2, base, 4, size, 4, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.items[0].start, 0x100000);
	ck_assert_uint_eq(s.items[0].end, 0x77800000);
	ck_assert_uint_eq(s.items[1].end, 0x407a000000ULL);
	/* zero-size entries are padding */
	ck_assert_int_eq(tdx_md_cmrs(4, base, 4, size, 4, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	/* fewer elements than NUM_CMRS */
	ck_assert_int_eq(tdx_md_cmrs(5, base, 4, size, 4, &s), -EBADMSG);
	ck_assert_int_eq(tdx_md_cmrs(2, base, 1, size, 4, &s), -EBADMSG);
	ck_assert_uint_eq(s.n, 2);
	/* overflow */
	const uint64_t hb[] = {UINT64_MAX - 10};
	const uint64_t hs[] = {100};
	ck_assert_int_eq(tdx_md_cmrs(1, hb, 1, hs, 1, &s), -ERANGE);
	ck_assert_uint_eq(s.n, 2);
	range_set_clear(&s);
}
END_TEST

int main(void) {
	Suite *s = suite_create("tdx-metadata");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, test_field_ids);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_cmrs);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
