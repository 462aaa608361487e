/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdint.h>

#include "efivar-sgx.h"
#include "macro.h"
#include "check-run.h"

/* An efivarfs file of SgxRegistrationStatus: attributes NV|BS|RT, then the data. */
static size_t var(uint8_t *b, uint16_t version, uint16_t size, uint16_t status, uint8_t error) {
	const uint8_t v[] = {0x07,
	                     0x00,
	                     0x00,
	                     0x00,
	                     (uint8_t)version,
	                     (uint8_t)(version >> 8),
	                     (uint8_t)size,
	                     (uint8_t)(size >> 8),
	                     (uint8_t)status,
	                     (uint8_t)(status >> 8),
	                     error};
	memcpy(b, v, sizeof(v));
	return sizeof(v);
}

START_TEST(test_good) {
	uint8_t b[16];
	struct sgx_registration_status s;
	size_t n = var(b, 1, 3, 0x0003, 0);
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
	ck_assert_uint_eq(s.attributes, 7);
	ck_assert_uint_eq(s.version, 1);
	ck_assert_uint_eq(s.size, 3);
	ck_assert_uint_eq(s.status, 3);
	ck_assert_uint_eq(s.error_code, 0);
	ck_assert(sgx_registration_complete(&s));
}
END_TEST

/* Little-endian throughout, attributes included. */
START_TEST(test_byte_order) {
	const uint8_t b[] = {0x27, 0x00, 0x00, 0x80, 0x01, 0x00, 0x03, 0x00, 0x01, 0x80, 0xa6};
	struct sgx_registration_status s;
	ck_assert_int_eq(sgx_registration_status_parse(b, sizeof(b), &s), 0);
	ck_assert_uint_eq(s.attributes, 0x80000027u);
	ck_assert_uint_eq(s.status, 0x8001);
	ck_assert_uint_eq(s.error_code, 0xa6);
	ck_assert(sgx_registration_complete(&s));
}
END_TEST

START_TEST(test_truncated) {
	uint8_t b[16];
	struct sgx_registration_status s = {.status = 0x5555};
	size_t n = var(b, 1, 3, 1, 0);
	/* every shorter length: nothing to read, or data ending before size says */
	for (size_t l = 0; l < n; l++) {
		ck_assert_int_eq(sgx_registration_status_parse(b, l, &s), -EBADMSG);
		ck_assert_uint_eq(s.status, 0x5555); /* untouched */
	}
	ck_assert_int_eq(sgx_registration_status_parse(NULL, 0, &s), -EBADMSG);
	/* size below the two fields */
	for (uint16_t sz = 0; sz < 3; sz++) {
		n = var(b, 1, sz, 1, 0);
		ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), -EBADMSG);
	}
	/* size larger than the data */
	n = var(b, 1, 4, 1, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), -EBADMSG);
}
END_TEST

/* Only version 1 is read or written by Intel's registration agent for this variable. */
START_TEST(test_wrong_version) {
	uint8_t b[16];
	struct sgx_registration_status s;
	static const uint16_t versions[] = {0, 2, 3, 0x0100, 0xffff};
	for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
		size_t n = var(b, versions[i], 3, 1, 0);
		ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), -EPROTONOSUPPORT);
		ck_assert_uint_eq(s.version, versions[i]);
		ck_assert_uint_eq(s.attributes, 7);
	}
	/* a wrong version is reported even when too short for the rest */
	(void)var(b, 2, 3, 1, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, 8, &s), -EPROTONOSUPPORT);
}
END_TEST

/* A later revision may append fields: a larger size with its bytes present is read. */
START_TEST(test_longer) {
	uint8_t b[16] = {0};
	struct sgx_registration_status s;
	size_t n = var(b, 1, 5, 1, 0x82);
	b[n] = 0xee;
	b[n + 1] = 0xff;
	ck_assert_int_eq(sgx_registration_status_parse(b, n + 2, &s), 0);
	ck_assert_uint_eq(s.size, 5);
	ck_assert_uint_eq(s.error_code, 0x82);
	/* trailing bytes beyond size are ignored too */
	n = var(b, 1, 3, 1, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, n + 3, &s), 0);
}
END_TEST

START_TEST(test_status_bits) {
	uint8_t b[16];
	struct sgx_registration_status s;
	for (unsigned bit = 0; bit < 16; bit++) {
		size_t n = var(b, 1, 3, (uint16_t)(1u << bit), 0);
		ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
		ck_assert_uint_eq(s.status, 1u << bit);
		/* only bit 0 is SgxRegistrationComplete; bit 1 (package info) is not */
		ck_assert_int_eq(sgx_registration_complete(&s), bit == 0);
		ck_assert_int_eq(!!(s.status & SGX_REG_PACKAGE_INFO), bit == 1);
	}
	size_t n = var(b, 1, 3, 0, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
	ck_assert(!sgx_registration_complete(&s));
	n = var(b, 1, 3, 0xfffe, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
	ck_assert(!sgx_registration_complete(&s));
	n = var(b, 1, 3, 0xffff, 0);
	ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
	ck_assert(sgx_registration_complete(&s));
}
END_TEST

START_TEST(test_error_codes) {
	uint8_t b[16];
	struct sgx_registration_status s;
	for (unsigned code = 0; code < 256; code++) {
		size_t n = var(b, 1, 3, 1, (uint8_t)code);
		ck_assert_int_eq(sgx_registration_status_parse(b, n, &s), 0);
		ck_assert_uint_eq(s.error_code, code);
		bool known = (code >= 0x80 && code <= 0x86) || (code >= 0xa0 && code <= 0xa8);
		ck_assert_int_eq(sgx_registration_error_to_string((uint8_t)code) != NULL, known);
	}
	ck_assert_str_eq(sgx_registration_error_to_string(0x82),
	                 "network error (proxy or connection to the registration server)");
	ck_assert_str_eq(sgx_registration_error_to_string(0xa6),
	                 "the platform instance is unknown to the registration server");
}
END_TEST

static Suite *efivar_suite(void) {
	Suite *s = suite_create("efivar-sgx");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_byte_order);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_wrong_version);
	tcase_add_test(tc, test_longer);
	tcase_add_test(tc, test_status_bits);
	tcase_add_test(tc, test_error_codes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(efivar_suite());
}
