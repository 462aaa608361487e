/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "nfd-feature.h"
#include "check-run.h"

START_TEST(test_ready_host) {
	struct tdx_status s = {.state = TDX_STATE_READY,
	                       .ready = true,
	                       .max_vcpus = 128,
	                       .total_keyids = 31,
	                       .guest_phys_addr_bits = 52,
	                       .attestation_ready = true};
	strcpy(s.module_version, "1.5.24");
	char *t = NULL;
	ck_assert_int_eq(nfd_feature_format(&s, &t), 0);
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.ready=true\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.state=ready\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.module-version=1.5.24\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.max-vcpus-per-td=128\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.keyids-total=31\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.attestation=true\n"));
	free(t);
}
END_TEST

START_TEST(test_label_values_sanitized) {
	/* An unknown version is an empty value; odd characters never reach a label. */
	struct tdx_status s = {.state = TDX_STATE_FAILED};
	strcpy(s.module_version, "1.5 beta/2");
	char *t = NULL;
	ck_assert_int_eq(nfd_feature_format(&s, &t), 0);
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.module-version=1.5_beta_2\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.ready=false\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.state=failed\n"));
	ck_assert_ptr_nonnull(strstr(t, "\ntdxd.tdx.attestation=false\n"));
	free(t);
}
END_TEST

int main(void) {
	Suite *s = suite_create("nfd-feature");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, test_ready_host);
	tcase_add_test(tc, test_label_values_sanitized);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
