/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TDX module image header check: a good image, each bad field, truncated and oversized
 * images, page counts above the kernel's limits and page counts whose product would overflow
 * 32-bit arithmetic. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "module-image.h"

static void put16(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A well-formed image: header, 1 sigstruct page, n module pages of patterned bytes. */
static uint8_t *make_image(uint32_t sig_pages, uint32_t mod_pages, size_t *ret_size) {
	size_t size = 4096 + ((size_t)sig_pages + mod_pages) * 4096;
	uint8_t *p = calloc(1, size);
	ck_assert_ptr_nonnull(p);
	put16(p, 0x200);
	memcpy(p + 4, "TDX-BLOB", 8);
	put32(p + 12, sig_pages);
	put32(p + 16, mod_pages);
	for (size_t i = 4096; i < size; i++)
		p[i] = (uint8_t)(i * 7);
	*ret_size = size;
	return p;
}

static int check(const uint8_t *p, size_t size, char *msg) {
	return module_image_validate(p, size, NULL, msg, 256);
}

START_TEST(test_good) {
	size_t n;
	uint8_t *p = make_image(1, 3, &n);
	struct module_image_info info;
	char msg[256] = "x";
	ck_assert_int_eq(module_image_validate(p, n, &info, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(info.version, 0x200);
	ck_assert_uint_eq(info.sigstruct_nr_pages, 1);
	ck_assert_uint_eq(info.module_nr_pages, 3);
	ck_assert_uint_eq(info.expected_size, 5 * 4096);
	/* the largest image the kernel takes */
	free(p);
	p = make_image(1, 496, &n);
	ck_assert_int_eq(check(p, n, msg), 0);
	free(p);
}
END_TEST

START_TEST(test_checksum_reported_not_refused) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	struct module_image_info info;
	char msg[256];
	uint16_t sum = module_image_word_sum(p, n);
	/* a checksum that makes the word sum zero */
	put16(p + 2, (uint16_t)(0x10000 - sum));
	ck_assert_uint_eq(module_image_word_sum(p, n), 0);
	ck_assert_int_eq(module_image_validate(p, n, &info, msg, sizeof(msg)), 0);
	ck_assert(info.checksum_sums_to_zero);
	ck_assert_uint_eq(info.checksum, (uint16_t)(0x10000 - sum));
	/* a wrong checksum: the kernel does not read the field, neither does the validator */
	put16(p + 2, 0x1234);
	ck_assert_int_eq(module_image_validate(p, n, &info, msg, sizeof(msg)), 0);
	ck_assert(!info.checksum_sums_to_zero);
	free(p);
	/* odd lengths: the last byte counts as a word */
	const uint8_t odd[3] = {0x01, 0x02, 0x03};
	ck_assert_uint_eq(module_image_word_sum(odd, 3), 0x0201 + 0x03);
}
END_TEST

START_TEST(test_bad_signature) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	char msg[256];
	memcpy(p + 4, "TDX-BLAB", 8);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "signature (offset 4) is \"TDX-BLAB\""));
	ck_assert_ptr_nonnull(strstr(msg, "not a TDX module image"));
	/* non-printable bytes are escaped, never printed raw */
	memset(p + 4, 0, 8);
	p[5] = 0x7f;
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "\"\\x00\\x7f\\x00"));
	free(p);
}
END_TEST

START_TEST(test_bad_version) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	char msg[256];
	/* the earlier 0x100 layout of the posted series */
	put16(p, 0x100);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "version (offset 0) is 0x100, expected 0x200"));
	/* byte order: 0x0002 read big-endian would be 0x200 */
	p[0] = 0x02;
	p[1] = 0x00;
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "is 0x2,"));
	free(p);
}
END_TEST

START_TEST(test_reserved_nonzero) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	char msg[256];
	p[4095] = 0x01;
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "reserved header byte at offset 4095 is 0x01"));
	p[4095] = 0;
	p[20] = 0xff;
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "offset 20 "));
	free(p);
}
END_TEST

START_TEST(test_page_limits) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	char msg[256];
	put32(p + 12, 2);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "sigstruct_nr_pages (offset 12) is 2, the kernel "
	                                  "accepts at most 1"));
	put32(p + 12, 1);
	put32(p + 16, 497);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "module_nr_pages (offset 16) is 497"));
	/* counts whose product with 4096 overflows 32 bits (the kernel computes in u32) */
	put32(p + 12, 0x100000);
	put32(p + 16, 1);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "sigstruct_nr_pages"));
	put32(p + 12, 1);
	put32(p + 16, UINT32_MAX);
	ck_assert_int_eq(check(p, n, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "module_nr_pages (offset 16) is 4294967295"));
	/* zero pages: nothing the P-SEAMLDR could install */
	put32(p + 16, 0);
	ck_assert_int_eq(check(p, n - 4096, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "module_nr_pages (offset 16) is 0"));
	put32(p + 12, 0);
	put32(p + 16, 1);
	ck_assert_int_eq(check(p, n - 4096, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "sigstruct_nr_pages (offset 12) is 0"));
	free(p);
}
END_TEST

START_TEST(test_truncated) {
	size_t n;
	uint8_t *p = make_image(1, 1, &n);
	char msg[256];
	ck_assert_int_eq(check(p, 0, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "is 0 bytes, shorter than the 4096-byte"));
	ck_assert_int_eq(check(p, 4095, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "4095 bytes"));
	ck_assert_int_eq(check(NULL, 100, msg), -EINVAL);
	/* a header alone where pages are promised */
	ck_assert_int_eq(check(p, 4096, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "promises 12288"));
	/* one byte short of the last page */
	ck_assert_int_eq(check(p, n - 1, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "is 12287 bytes"));
	/* msg may be NULL */
	ck_assert_int_eq(module_image_validate(p, n - 1, NULL, NULL, 0), -EINVAL);
	free(p);
}
END_TEST

START_TEST(test_size_mismatch_long) {
	size_t n;
	uint8_t *p = make_image(1, 2, &n);
	char msg[256];
	uint8_t *q = realloc(p, n + 4096);
	ck_assert_ptr_nonnull(q);
	memset(q + n, 0, 4096);
	/* a trailing extra page: the kernel wants exactly header + pages */
	ck_assert_int_eq(check(q, n + 4096, msg), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "is 20480 bytes, but its header (sigstruct_nr_pages 1, "
	                                  "module_nr_pages 2) promises 16384"));
	/* a short message buffer is truncated, never overrun */
	char small[16];
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(module_image_validate(q, n + 1, NULL, small, sizeof(small)), -EINVAL);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	free(q);
}
END_TEST

START_TEST(test_oversized) {
	if (sizeof(size_t) <= 4)
		return;
	uint8_t hdr[4096] = {0};
	char msg[256];
	/* the size is judged before any byte past the header is read */
	ck_assert_int_eq(check(hdr, (size_t)UINT32_MAX + 1, msg), -EFBIG);
	ck_assert_ptr_nonnull(strstr(msg, "larger than any TDX module image"));
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("module-image");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_checksum_reported_not_refused);
	tcase_add_test(tc, test_bad_signature);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_reserved_nonzero);
	tcase_add_test(tc, test_page_limits);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_size_mismatch_long);
	tcase_add_test(tc, test_oversized);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
