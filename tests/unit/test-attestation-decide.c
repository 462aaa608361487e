/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attestation decision (attestation-decide.c): ids, unit states, the prerequisite rule,
 * sgx, devices and registration. test-attestation-checks.c: the rest. */
#include "check-run.h"
#include "attestation-test.h"

START_TEST(test_all_good) {
	run();
	for (int i = 0; i < _ATT_CHECK_MAX; i++)
		assert_result(i, CHECK_PASS);
	ck_assert(st.ready);
	ck_assert_str_eq(st.reason, "attestation is available");
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary,
	                 "SGX is on, with Flexible Launch Control (CPU flags sgx, sgx_lc)");
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "the Quote Generation Service (qgsd.service) runs and listens on "
	                 "/var/run/tdx-qgs/qgs.socket");
	assert_wellformed();
}
END_TEST

START_TEST(test_ids) {
	static const char *const ids[] = {"sgx", "sgx-devices", "platform-registration",
	                                  "quote-service", "collateral-service"};
	for (int i = 0; i < _ATT_CHECK_MAX; i++)
		ck_assert_str_eq(attestation_check_id_to_string(i), ids[i]);
	ck_assert_ptr_null(attestation_check_id_to_string(_ATT_CHECK_MAX));
	ck_assert_ptr_null(attestation_check_id_to_string(-1));
	ck_assert_str_eq(ATTESTATION_CATEGORY, "attestation");
}
END_TEST

START_TEST(test_unit_states) {
	static const struct {
		const char *load, *active;
		enum unit_state s;
	} map[] = {
	    {"loaded", "active", UNIT_ACTIVE},
	    {"loaded", "reloading", UNIT_ACTIVE},
	    {"loaded", "activating", UNIT_ACTIVATING},
	    {"loaded", "inactive", UNIT_INACTIVE},
	    {"loaded", "deactivating", UNIT_INACTIVE},
	    {"loaded", "failed", UNIT_FAILED},
	    {"not-found", "inactive", UNIT_NOT_FOUND},
	    {"masked", "inactive", UNIT_MASKED},
	    {NULL, "active", UNIT_ACTIVE},
	    {"loaded", NULL, UNIT_UNKNOWN},
	    {NULL, NULL, UNIT_UNKNOWN},
	    {"loaded", "something-new", UNIT_UNKNOWN},
	};
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		ck_assert_int_eq(unit_state_from_systemd(map[i].load, map[i].active), map[i].s);
	for (int s = 0; s < _UNIT_STATE_MAX; s++)
		ck_assert_ptr_nonnull(unit_state_to_string(s));
	ck_assert_ptr_null(unit_state_to_string(_UNIT_STATE_MAX));
	ck_assert_str_eq(unit_state_to_string(UNIT_NOT_FOUND), "not-found");
}
END_TEST

/* ---- prerequisites ---- */

START_TEST(test_prereq_platform) {
	in.cpu_vendor = CHECK_FAIL;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_SKIP);
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary, "not checked: cpu-vendor failed");
	ck_assert_str_eq(chk(ATT_CHECK_SGX_DEVICES)->summary, "not checked: sgx skipped");
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "not checked: sgx skipped");
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary, "not checked: sgx-devices skipped");
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "not checked: quote-service skipped");
	ck_assert(!st.ready);
	assert_wellformed();

	setup();
	in.bare_metal = CHECK_FAIL;
	run();
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary, "not checked: bare-metal failed");
	ck_assert(!st.ready);

	/* "not failing" is enough, as for bios-tdx: a warning or a skip does not hold sgx back */
	setup();
	in.bare_metal = CHECK_WARN;
	in.cpu_vendor = CHECK_SKIP;
	run();
	for (int i = 0; i < _ATT_CHECK_MAX; i++)
		assert_result(i, CHECK_PASS);
	ck_assert(st.ready);
}
END_TEST

START_TEST(test_prereq_chain) {
	f.sgx = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_SGX_DEVICES)->summary, "not checked: sgx failed");
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "not checked: sgx failed");
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary, "not checked: sgx-devices skipped");
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "not checked: quote-service skipped");

	setup();
	f.dev_provision = NODE_MISSING;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_PASS);
	assert_result(ATT_CHECK_SGX_DEVICES, CHECK_FAIL);
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_PASS); /* needs sgx only */
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary, "not checked: sgx-devices failed");
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "not checked: quote-service skipped");

	setup();
	in.quote_unit_state = UNIT_INACTIVE;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "not checked: quote-service failed");
	assert_wellformed();
}
END_TEST

/* ---- sgx ---- */

START_TEST(test_sgx) {
	f.sgx_disabled = (struct kline){.text = "x86/cpu: SGX disabled by BIOS.", .present = true};
	f.sgx = f.sgx_lc = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary,
	                 "SGX is disabled in the BIOS; the kernel says \"x86/cpu: SGX disabled by "
	                 "BIOS.\"");
	assert_has(chk(ATT_CHECK_SGX)->hint, "SW Guard Extensions (SGX)");
	assert_has(chk(ATT_CHECK_SGX)->hint, "SGX Launch Control Policy");
	assert_has(chk(ATT_CHECK_SGX)->hint, "quoting enclave");
	ck_assert_str_eq(st.reason,
	                 "attestation is not available: SGX is disabled in the BIOS; the "
	                 "kernel says \"x86/cpu: SGX disabled by BIOS.\"");
	assert_wellformed();

	/* the kernel's word wins over flags (and over an unreadable cpuinfo) */
	f.sgx = f.sgx_lc = true;
	f.cpuinfo_read = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_FAIL);

	setup();
	f.sgx = f.sgx_lc = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary,
	                 "SGX is off: /proc/cpuinfo has no sgx CPU flag");
	assert_has(chk(ATT_CHECK_SGX)->hint, "CONFIG_X86_SGX");

	setup();
	f.sgx_lc = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_FAIL);
	assert_has(chk(ATT_CHECK_SGX)->summary, "Flexible Launch Control is off");
	assert_has(chk(ATT_CHECK_SGX)->hint, "Unlocked");
	assert_wellformed();

	setup();
	f.cpuinfo_read = false;
	run();
	assert_result(ATT_CHECK_SGX, CHECK_SKIP);
	ck_assert_str_eq(chk(ATT_CHECK_SGX)->summary,
	                 "not checked: /proc/cpuinfo could not be read");
	ck_assert(!st.ready);
	ck_assert_str_eq(st.reason, "attestation is not available: sgx could not be checked (not "
	                            "checked: /proc/cpuinfo could not be read)");
	assert_wellformed();
}
END_TEST

/* ---- sgx-devices ---- */

START_TEST(test_devices) {
	static const struct {
		enum node_state e, p;
		bool real;
		const char *summary;
	} cases[] = {
	    {NODE_MISSING, NODE_MISSING, false,
	     "/dev/sgx_enclave and /dev/sgx_provision do not exist"},
	    {NODE_MISSING, NODE_PRESENT, false, "/dev/sgx_enclave does not exist"},
	    {NODE_PRESENT, NODE_MISSING, false, "/dev/sgx_provision does not exist"},
	    {NODE_WRONG_TYPE, NODE_WRONG_TYPE, true,
	     "/dev/sgx_enclave and /dev/sgx_provision are not character devices"},
	    {NODE_WRONG_TYPE, NODE_PRESENT, true, "/dev/sgx_enclave is not a character device"},
	    {NODE_MISSING, NODE_WRONG_TYPE, true,
	     "/dev/sgx_enclave does not exist; /dev/sgx_provision is not a character device"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		setup();
		f.real_root = cases[i].real;
		f.dev_enclave = cases[i].e;
		f.dev_provision = cases[i].p;
		run();
		assert_result(ATT_CHECK_SGX_DEVICES, CHECK_FAIL);
		ck_assert_str_eq(chk(ATT_CHECK_SGX_DEVICES)->summary, cases[i].summary);
		assert_has(chk(ATT_CHECK_SGX_DEVICES)->hint, "CONFIG_X86_SGX");
		ck_assert(!st.ready);
		ck_assert_str_eq(st.reason + strlen("attestation is not available: "),
		                 cases[i].summary);
		assert_wellformed();
	}
	setup();
	run();
	ck_assert_str_eq(chk(ATT_CHECK_SGX_DEVICES)->summary,
	                 "/dev/sgx_enclave and /dev/sgx_provision exist");
	f.real_root = true;
	run();
	ck_assert_str_eq(chk(ATT_CHECK_SGX_DEVICES)->summary,
	                 "/dev/sgx_enclave and /dev/sgx_provision exist (character devices)");
}
END_TEST

/* ---- platform-registration ---- */

START_TEST(test_registration_skip) {
	f.reg_status_present = false;
	f.efi = false;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_SKIP);
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "not an EFI boot");
	/* a skip here does not hold attestation back */
	ck_assert(st.ready);
	ck_assert_str_eq(st.reason, "attestation is available");

	f.efi = true;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_SKIP);
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "no SGX registration variables");
	ck_assert(st.ready);
	assert_wellformed();
}
END_TEST

START_TEST(test_registration_pending) {
	/* the request variable alone, with a complete status, with an incomplete one */
	for (int k = 0; k < 3; k++) {
		setup();
		f.reg_request_present = true;
		f.reg_status_present = k > 0;
		f.reg_status.status = k == 2 ? 0 : 1;
		run();
		assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_WARN);
		assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
		           "platform registration is pending");
		assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
		           "SgxRegistrationServerRequest");
		if (k > 0)
			assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
			           k == 2 ? "status 0x0000" : "status 0x0001");
		assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->hint, "sgx-ra-service");
		assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->hint, "SGX Auto MP Registration");
		/* a warning: attestation still available (quotes of an unregistered platform
		 * fail at the verifier, which the reason says) */
		ck_assert(st.ready);
		assert_has(st.reason, "attestation is available, with a warning: platform "
		                      "registration is pending");
		assert_wellformed();
	}
	/* bit 0 clear without a request */
	setup();
	f.reg_status.status = SGX_REG_PACKAGE_INFO;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "platform registration is not complete (SgxRegistrationStatus status "
	                 "0x0002)");
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->hint, "mpa_registration_tool.service");
	/* ... after a failed attempt */
	f.reg_status.error_code = 0x82;
	run();
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "platform registration is not complete (SgxRegistrationStatus status "
	                 "0x0002); the last attempt ended in error 0x82 (network error (proxy or "
	                 "connection to the registration server))");
	/* the request variable together with an error code */
	f.reg_request_present = true;
	run();
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "error 0x82");
	assert_wellformed();
}
END_TEST

START_TEST(test_registration_error) {
	f.reg_status.error_code = 0xa6;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "platform registration ended in error 0xa6 (the platform instance is "
	                 "unknown to the registration server)");
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->hint, "SGX Factory Reset");
	ck_assert(st.ready);
	f.reg_status.error_code = 0x42;
	run();
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "platform registration ended in error 0x42 (unknown code)");
	assert_wellformed();
}
END_TEST

START_TEST(test_registration_unreadable) {
	f.reg_status_error = -EPROTONOSUPPORT;
	f.reg_status.version = 2;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "the EFI variable SgxRegistrationStatus has version 2, this tdxd reads "
	                 "version 1");
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->hint, "mpa_manage");
	f.reg_status_error = -EBADMSG;
	run();
	ck_assert_str_eq(
	    chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	    "the EFI variable SgxRegistrationStatus cannot be read: it is shorter than "
	    "its header says");
	f.reg_status_error = -EACCES;
	run();
	ck_assert_str_eq(
	    chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	    "the EFI variable SgxRegistrationStatus cannot be read: Permission denied");
	ck_assert(st.ready);
	assert_wellformed();
	/* a pending request says more than an unreadable status */
	f.reg_request_present = true;
	run();
	assert_has(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary, "pending");
}
END_TEST

START_TEST(test_registration_ok) {
	f.reg_status.status = SGX_REG_COMPLETE;
	run();
	assert_result(ATT_CHECK_PLATFORM_REGISTRATION, CHECK_PASS);
	ck_assert_str_eq(chk(ATT_CHECK_PLATFORM_REGISTRATION)->summary,
	                 "the platform is registered (SgxRegistrationStatus status 0x0001)");
}
END_TEST
static Suite *decide_suite(void) {
	Suite *s = suite_create("attestation-decide");
	TCase *tc = tcase_create("decide");
	/* the matrix is 20,000 decisions: under ASan on a loaded machine Check's 4 s default is
	 * too close (a bound on a hang, not a timing assertion) */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_all_good);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_unit_states);
	tcase_add_test(tc, test_prereq_platform);
	tcase_add_test(tc, test_prereq_chain);
	tcase_add_test(tc, test_sgx);
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_registration_skip);
	tcase_add_test(tc, test_registration_pending);
	tcase_add_test(tc, test_registration_error);
	tcase_add_test(tc, test_registration_unreadable);
	tcase_add_test(tc, test_registration_ok);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(decide_suite());
}
