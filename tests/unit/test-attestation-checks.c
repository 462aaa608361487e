/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attestation decision, continued (test-attestation-decide.c): the quote and collateral
 * services, readiness by State, the reason, sanitizing, and the whole matrix. */
#include "check-run.h"
#include "attestation-test.h"

/* ---- quote-service ---- */

START_TEST(test_quote_unit_down) {
	static const struct {
		enum unit_state s;
		const char *summary, *hint;
	} cases[] = {
	    {UNIT_INACTIVE, "the Quote Generation Service (qgsd.service) is not running",
	     "systemctl enable --now qgsd.service"},
	    {UNIT_FAILED, "the Quote Generation Service (qgsd.service) has failed",
	     "journalctl -b -u qgsd.service"},
	    {UNIT_ACTIVATING, "the Quote Generation Service (qgsd.service) is still starting",
	     "journalctl -b -u qgsd.service"},
	    {UNIT_MASKED, "the Quote Generation Service (qgsd.service) is masked",
	     "systemctl unmask qgsd.service"},
	    {UNIT_NOT_FOUND, "the Quote Generation Service is not installed (no unit qgsd.service)",
	     "tdx-qgs"},
	};
	for (int vsock = 0; vsock < 2; vsock++)
		for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
			setup();
			if (vsock) {
				f.qgs = (struct qgs_config){QGS_TRANSPORT_VSOCK, 4050, 2};
				f.qgs_socket = NODE_MISSING;
			}
			in.quote_unit_state = cases[i].s;
			run();
			assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
			ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary, cases[i].summary);
			assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->hint, cases[i].hint);
			ck_assert(!st.ready);
			ck_assert_str_eq(st.reason + strlen("attestation is not available: "),
			                 cases[i].summary);
			assert_wellformed();
		}
	/* the documented example sentence */
	setup();
	in.quote_unit_state = UNIT_INACTIVE;
	run();
	ck_assert_str_eq(st.reason, "attestation is not available: the Quote Generation Service "
	                            "(qgsd.service) is not running");
	/* QuoteServiceUnit= */
	in.quote_unit = "tdx-qgs.service";
	run();
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "the Quote Generation Service (tdx-qgs.service) is not running");
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->hint,
	                 "systemctl enable --now tdx-qgs.service");
	in.quote_unit_state = UNIT_NOT_FOUND;
	run();
	assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->hint, "QuoteServiceUnit=");
	in.quote_unit = "";
	in.quote_unit_state = UNIT_INACTIVE;
	run();
	assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->summary, "(qgsd.service)");
}
END_TEST

START_TEST(test_quote_transports) {
	/* active, Unix socket: the socket decides */
	f.qgs_socket = NODE_MISSING;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "the Quote Generation Service (qgsd.service) is active but "
	                 "/var/run/tdx-qgs/qgs.socket does not exist");
	assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->hint, "active before it listens");
	f.real_root = true;
	f.qgs_socket = NODE_WRONG_TYPE;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "/var/run/tdx-qgs/qgs.socket exists but is not a socket");
	assert_wellformed();

	/* active, vsock: the unit state alone (no socket needed) */
	setup();
	f.qgs = (struct qgs_config){QGS_TRANSPORT_VSOCK, 4050, 2};
	f.qgs_socket = NODE_MISSING;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_PASS);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "the Quote Generation Service (qgsd.service) runs, on AF_VSOCK port 4050");
	ck_assert(st.ready);
}
END_TEST

/* Under --root (unit not asked): the files alone. */
START_TEST(test_quote_files_only) {
	in.quote_unit_state = UNIT_UNKNOWN;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_PASS);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "/var/run/tdx-qgs/qgs.socket exists; qgsd.service's state was not asked");
	ck_assert(st.ready);

	f.qgs_socket = NODE_MISSING;
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
	ck_assert_str_eq(
	    chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	    "the Quote Generation Service does not listen: /var/run/tdx-qgs/qgs.socket "
	    "does not exist and /etc/qgs.conf has no port line");
	assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->hint, "tdx-qgs");
	ck_assert(!st.ready);

	f.qgs = (struct qgs_config){QGS_TRANSPORT_VSOCK, 4050, 2};
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_PASS);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "/etc/qgs.conf selects AF_VSOCK port 4050 (line 2); qgsd.service's state "
	                 "was not asked");
	ck_assert(st.ready);
	assert_wellformed();
}
END_TEST

START_TEST(test_quote_bad_config) {
	f.qgs_conf_error = -EINVAL;
	snprintf(f.qgs_conf_message, sizeof(f.qgs_conf_message),
	         "line 2: port \"40x\" is not a number up to 4294967295");
	for (int u = 0; u < _UNIT_STATE_MAX; u++) {
		in.quote_unit_state = u;
		run();
		assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
		ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
		                 "/etc/qgs.conf: line 2: port \"40x\" is not a number up to "
		                 "4294967295: the Quote Generation Service does not start with it");
		assert_has(chk(ATT_CHECK_QUOTE_SERVICE)->hint, "systemctl restart qgsd.service");
		assert_wellformed();
	}
	setup();
	f.qgs_conf_error = -EACCES;
	snprintf(f.qgs_conf_message, sizeof(f.qgs_conf_message), "Permission denied");
	run();
	assert_result(ATT_CHECK_QUOTE_SERVICE, CHECK_FAIL);
	ck_assert_str_eq(chk(ATT_CHECK_QUOTE_SERVICE)->summary,
	                 "/etc/qgs.conf cannot be read: Permission denied");
	assert_wellformed();
}
END_TEST

/* ---- collateral-service ---- */

START_TEST(test_collateral_config) {
	f.qcnl_present = false;
	f.pccs_url[0] = f.pccs_host[0] = 0;
	run();
	assert_result(ATT_CHECK_COLLATERAL_SERVICE, CHECK_WARN);
	assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	           "/etc/sgx_default_qcnl.conf does not exist");
	assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->hint, "libsgx-dcap-default-qpl");
	assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->hint, "\"pccs_url\"");
	/* a warning never holds attestation back */
	ck_assert(st.ready);
	assert_has(st.reason,
	           "attestation is available, with a warning: /etc/sgx_default_qcnl.conf");
	assert_wellformed();

	f.qcnl_present = true;
	run();
	assert_result(ATT_CHECK_COLLATERAL_SERVICE, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "/etc/sgx_default_qcnl.conf names no \"pccs_url\"");
	assert_wellformed();

	f.qcnl_error = -EINVAL;
	snprintf(f.qcnl_message, sizeof(f.qcnl_message), "line 3: unexpected character");
	run();
	assert_result(ATT_CHECK_COLLATERAL_SERVICE, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "/etc/sgx_default_qcnl.conf: line 3: unexpected character");
	assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->hint, "comments are allowed");
	assert_wellformed();

	setup();
	snprintf(f.pccs_url, sizeof(f.pccs_url), "pccs.example.net:8081");
	f.pccs_host[0] = 0;
	run();
	assert_result(ATT_CHECK_COLLATERAL_SERVICE, CHECK_WARN);
	ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
	                 "\"pccs_url\" in /etc/sgx_default_qcnl.conf is not a URL: "
	                 "\"pccs.example.net:8081\"");
	assert_wellformed();
}
END_TEST

START_TEST(test_collateral_remote) {
	for (int u = 0; u < _UNIT_STATE_MAX; u++) {
		in.pccs_unit_state = u; /* not consulted for a remote PCCS */
		run();
		assert_result(ATT_CHECK_COLLATERAL_SERVICE, CHECK_PASS);
		ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary,
		                 "\"pccs_url\" is "
		                 "https://pccs.example.net:8081/sgx/certification/v4/ (remote, not "
		                 "contacted by tdxd)");
	}
}
END_TEST

START_TEST(test_collateral_local) {
	static const struct {
		enum unit_state s;
		enum check_result r;
		const char *tail, *hint;
	} cases[] = {
	    {UNIT_UNKNOWN, CHECK_PASS, ", a local PCCS; pccs.service's state was not asked", NULL},
	    {UNIT_ACTIVE, CHECK_PASS, ", and the local PCCS (pccs.service) runs", NULL},
	    {UNIT_INACTIVE, CHECK_WARN, ", but the local PCCS (pccs.service) is not running",
	     "systemctl enable --now pccs.service"},
	    {UNIT_FAILED, CHECK_WARN, ", but the local PCCS (pccs.service) is failed",
	     "journalctl -b -u pccs.service"},
	    {UNIT_ACTIVATING, CHECK_WARN, ", but the local PCCS (pccs.service) is still starting",
	     "systemctl enable --now pccs.service"},
	    {UNIT_MASKED, CHECK_WARN, ", but the local PCCS (pccs.service) is masked",
	     "systemctl unmask pccs.service"},
	    {UNIT_NOT_FOUND, CHECK_WARN, ", but no local PCCS is installed (no unit pccs.service)",
	     "sgx-dcap-pccs"},
	};
	static const char *const urls[][2] = {
	    {"https://localhost:8081/sgx/certification/v4/", "localhost"},
	    {"https://127.0.0.1:8081/sgx/certification/v4/", "127.0.0.1"},
	    {"https://[::1]:8081/sgx/certification/v4/", "::1"},
	};
	for (size_t k = 0; k < ELEMENTSOF(urls); k++)
		for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
			char want[CHECK_TEXT_MAX];
			setup();
			snprintf(f.pccs_url, sizeof(f.pccs_url), "%s", urls[k][0]);
			snprintf(f.pccs_host, sizeof(f.pccs_host), "%s", urls[k][1]);
			f.pccs_local = true;
			in.pccs_unit_state = cases[i].s;
			run();
			assert_result(ATT_CHECK_COLLATERAL_SERVICE, cases[i].r);
			snprintf(want, sizeof(want), "\"pccs_url\" is %s%s", urls[k][0],
			         cases[i].tail);
			ck_assert_str_eq(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary, want);
			if (cases[i].hint) {
				assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->hint, cases[i].hint);
				assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->hint,
				           "a PCCS of your network");
			}
			ck_assert(st.ready);
			assert_wellformed();
		}
}
END_TEST

/* ---- AttestationReady ---- */

START_TEST(test_ready_by_state) {
	for (int s = 0; s < _TDX_STATE_MAX; s++) {
		in.state = s;
		run();
		bool up = s == TDX_STATE_READY || s == TDX_STATE_DEGRADED;
		ck_assert_int_eq(st.ready, up);
		if (!up) {
			char want[128];
			snprintf(want, sizeof(want),
			         "attestation is not available: TDX is not up (State %s)",
			         tdx_state_to_string(s));
			ck_assert_str_eq(st.reason, want);
		}
		/* the checks themselves do not depend on State */
		for (int i = 0; i < _ATT_CHECK_MAX; i++)
			assert_result(i, CHECK_PASS);
		assert_wellformed();
	}
}
END_TEST

/* The first failure in table order is the reason. */
START_TEST(test_reason_order) {
	f.qgs_socket = NODE_MISSING;
	in.quote_unit_state = UNIT_UNKNOWN;
	f.reg_request_present = true;
	f.qcnl_present = false;
	run();
	ck_assert(!st.ready);
	assert_has(st.reason, "attestation is not available: the Quote Generation Service does "
	                      "not listen");
	f.dev_enclave = NODE_MISSING;
	run();
	ck_assert_str_eq(st.reason,
	                 "attestation is not available: /dev/sgx_enclave does not exist");
	f.sgx_lc = false;
	run();
	assert_has(st.reason, "attestation is not available: SGX Flexible Launch Control is off");
}
END_TEST

/* Quoted text (a URL with any bytes, the kernel's line) comes out as valid UTF-8. */
START_TEST(test_sanitized) {
	snprintf(f.pccs_url, sizeof(f.pccs_url), "https://pccs.example.net/\xff\xfe\n");
	run();
	assert_has(chk(ATT_CHECK_COLLATERAL_SERVICE)->summary, "https://pccs.example.net/???");
	f.sgx_disabled =
	    (struct kline){.text = "x86/cpu: SGX disabled by BIOS.\x80", .present = true};
	run();
	assert_has(chk(ATT_CHECK_SGX)->summary, "BIOS.?\"");
	assert_has(st.reason, "BIOS.?\"");
}
END_TEST

/* Every combination of a few facts and unit states: well-formed, and ready exactly when the
 * rule of docs/readiness.md says. */
START_TEST(test_matrix) {
	static const enum check_result platform[] = {CHECK_PASS, CHECK_WARN, CHECK_FAIL,
	                                             CHECK_SKIP};
	unsigned n = 0;
	for (int pv = 0; pv < 4; pv++)
		for (int sg = 0; sg < 4; sg++)
			for (int dv = 0; dv < 3; dv++)
				for (int rg = 0; rg < 5; rg++)
					for (int q = 0; q < _UNIT_STATE_MAX; q++)
						for (int tr = 0; tr < 3; tr++)
							for (int pc = 0; pc < 4; pc++) {
								setup();
								in.cpu_vendor = platform[pv];
								f.cpuinfo_read = sg != 3;
								f.sgx = sg != 1;
								f.sgx_lc = sg != 2;
								f.dev_provision = dv;
								f.real_root = dv == 2;
								f.reg_status_present = rg != 0;
								f.reg_request_present = rg == 2;
								f.reg_status.status =
								    rg == 3 ? 0 : 1;
								f.reg_status.error_code =
								    rg == 4 ? 0xa2 : 0;
								in.quote_unit_state = q;
								if (tr == 1)
									f.qgs = (struct qgs_config){
									    QGS_TRANSPORT_VSOCK, 5,
									    1};
								f.qgs_socket = tr == 2
								                   ? NODE_MISSING
								                   : NODE_PRESENT;
								f.pccs_local = pc > 0;
								in.pccs_unit_state =
								    pc == 2   ? UNIT_INACTIVE
								    : pc == 3 ? UNIT_ACTIVE
								              : UNIT_UNKNOWN;
								run();
								assert_wellformed();
								bool want = true;
								for (int i = 0; i < _ATT_CHECK_MAX;
								     i++)
									if (chk(i)->result ==
									    CHECK_FAIL)
										want = false;
								want =
								    want &&
								    chk(ATT_CHECK_SGX)->result ==
								        CHECK_PASS &&
								    chk(ATT_CHECK_SGX_DEVICES)
								            ->result ==
								        CHECK_PASS &&
								    chk(ATT_CHECK_QUOTE_SERVICE)
								            ->result == CHECK_PASS;
								ck_assert_int_eq(st.ready, want);
								n++;
							}
	ck_assert_uint_gt(n, 10000);
}
END_TEST

static Suite *decide_suite(void) {
	Suite *s = suite_create("attestation-checks");
	TCase *tc = tcase_create("decide");
	/* the matrix is 20,000 decisions: under ASan on a loaded machine Check's 4 s default is
	 * too close (a bound on a hang, not a timing assertion) */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_quote_unit_down);
	tcase_add_test(tc, test_quote_transports);
	tcase_add_test(tc, test_quote_files_only);
	tcase_add_test(tc, test_quote_bad_config);
	tcase_add_test(tc, test_collateral_config);
	tcase_add_test(tc, test_collateral_remote);
	tcase_add_test(tc, test_collateral_local);
	tcase_add_test(tc, test_ready_by_state);
	tcase_add_test(tc, test_reason_order);
	tcase_add_test(tc, test_sanitized);
	tcase_add_test(tc, test_matrix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(decide_suite());
}
