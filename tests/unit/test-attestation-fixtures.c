/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "attestation-decide.h"
#include "attestation-probe.h"
#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "status.h"
#include "check-run.h"

/* The attestation fixtures (tests/fixtures/attest-*, see their READMEs) through the host probe,
 * the readiness model, the attestation probe and the decision, as the daemon will run them:
 * with the unit states unknown (--root, `tdxctl check`: the files alone) and, where the
 * fixture models a live host, with the states systemd would report. */

#define P CHECK_PASS
#define W CHECK_WARN
#define F CHECK_FAIL
#define S CHECK_SKIP

static const struct fixture_case {
	const char *name;
	enum unit_state quote, pccs;
	enum check_result r[_ATT_CHECK_MAX]; /* sgx, sgx-devices, registration, quote, collateral */
	bool ready;
	const char *reason; /* AttestationReason */
} cases[] = {
    {"attest-ready", UNIT_UNKNOWN, UNIT_UNKNOWN, {P, P, P, P, P}, true, "attestation is available"},
    {"attest-ready", UNIT_ACTIVE, UNIT_ACTIVE, {P, P, P, P, P}, true, "attestation is available"},
    {"attest-ready",
     UNIT_INACTIVE,
     UNIT_UNKNOWN,
     {P, P, P, F, S},
     false,
     "attestation is not available: the Quote Generation Service (qgsd.service) is not running"},
    {"attest-sgx-bios-off",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {F, S, S, S, S},
     false,
     "attestation is not available: SGX is disabled in the BIOS; the kernel says \"x86/cpu: SGX "
     "disabled by BIOS.\""},
    {"attest-sgx-devices-missing",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, F, P, S, S},
     false,
     "attestation is not available: /dev/sgx_enclave and /dev/sgx_provision do not exist"},
    {"attest-registration-pending",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, W, P, P},
     true,
     "attestation is available, with a warning: platform registration is pending: the BIOS "
     "posted a registration request (EFI variable SgxRegistrationServerRequest); "
     "SgxRegistrationStatus status 0x0000"},
    {"attest-registration-error",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, W, P, P},
     true,
     "attestation is available, with a warning: platform registration ended in error 0xa6 (the "
     "platform instance is unknown to the registration server)"},
    {"attest-qgs-vsock",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, P, P, P},
     true,
     "attestation is available"},
    {"attest-qgs-vsock",
     UNIT_ACTIVE,
     UNIT_UNKNOWN,
     {P, P, P, P, P},
     true,
     "attestation is available"},
    {"attest-qgs-vsock",
     UNIT_INACTIVE,
     UNIT_UNKNOWN,
     {P, P, P, F, S},
     false,
     "attestation is not available: the Quote Generation Service (qgsd.service) is not running"},
    {"attest-qcnl-no-pccs-url",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, P, P, W},
     true,
     "attestation is available, with a warning: /etc/sgx_default_qcnl.conf names no "
     "\"pccs_url\""},
    {"attest-local-pccs",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, P, P, P},
     true,
     "attestation is available"},
    {"attest-local-pccs",
     UNIT_ACTIVE,
     UNIT_ACTIVE,
     {P, P, P, P, P},
     true,
     "attestation is available"},
    {"attest-local-pccs",
     UNIT_ACTIVE,
     UNIT_INACTIVE,
     {P, P, P, P, W},
     true,
     "attestation is available, with a warning: \"pccs_url\" is "
     "https://localhost:8081/sgx/certification/v4/, but the local PCCS (pccs.service) is not "
     "running"},
    {"attest-non-efi",
     UNIT_UNKNOWN,
     UNIT_UNKNOWN,
     {P, P, S, P, P},
     true,
     "attestation is available"},
};

static void judge(const char *root, enum unit_state quote, enum unit_state pccs,
                  struct tdx_status *ret_status, struct attestation_facts *ret_facts,
                  struct attestation_status *ret) {
	struct tdx_host h;
	const struct status_policy policy = {POLICY_ENFORCE, POLICY_ENFORCE, "kvm_intel", NULL};

	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_int_eq(status_derive(&h, &policy, NULL, ret_status), 0);
	ck_assert_int_eq(attestation_probe(&h, ret_facts), 0);
	const struct attestation_input in = {
	    .facts = ret_facts,
	    .cpu_vendor = ret_status->checks[CHECK_CPU_VENDOR].result,
	    .bare_metal = ret_status->checks[CHECK_BARE_METAL].result,
	    .state = ret_status->state,
	    .quote_unit_state = quote,
	    .pccs_unit_state = pccs,
	};
	attestation_decide(&in, ret);
	tdx_host_done(&h);
}

START_TEST(test_fixture) {
	const struct fixture_case *c = &cases[_i];
	char root[512];
	struct tdx_status s;
	struct attestation_facts f;
	struct attestation_status a;

	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, c->name);
	judge(root, c->quote, c->pccs, &s, &f, &a);
	/* the attestation checks never change State: every one of these hosts is ready */
	ck_assert_msg(s.state == TDX_STATE_READY, "%s: State %s", c->name,
	              tdx_state_to_string(s.state));
	for (int i = 0; i < _ATT_CHECK_MAX; i++) {
		const struct check *k = &a.checks[i];
		ck_assert_msg(k->result == c->r[i], "%s (qgsd %s, pccs %s): %s is %s: %s (%s)",
		              c->name, unit_state_to_string(c->quote),
		              unit_state_to_string(c->pccs), attestation_check_id_to_string(i),
		              check_result_to_string(k->result), k->summary, k->hint);
		if (k->result == CHECK_FAIL || k->result == CHECK_WARN)
			ck_assert_msg(k->hint[0], "%s: %s without a hint", c->name,
			              attestation_check_id_to_string(i));
	}
	ck_assert_msg(a.ready == c->ready, "%s: ready %d: %s", c->name, a.ready, a.reason);
	ck_assert_str_eq(a.reason, c->reason);
	tdx_status_done(&s);
}
END_TEST

/* What the probe read from the fixtures, fact by fact. */
START_TEST(test_fixture_facts) {
	char root[512];
	struct tdx_status s;
	struct attestation_facts f;
	struct attestation_status a;

	snprintf(root, sizeof(root), "%s/attest-ready", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert(!f.real_root);
	ck_assert(f.cpuinfo_read && f.sgx && f.sgx_lc);
	ck_assert(f.kmsg_readable && !f.sgx_disabled.present);
	ck_assert_int_eq(f.dev_enclave, NODE_PRESENT);
	ck_assert_int_eq(f.dev_provision, NODE_PRESENT);
	ck_assert(f.efi && f.reg_status_present && !f.reg_request_present);
	ck_assert_int_eq(f.reg_status_error, 0);
	ck_assert_uint_eq(f.reg_status.attributes, 7);
	ck_assert_uint_eq(f.reg_status.status, 3);
	ck_assert(f.qgs_conf_present);
	ck_assert_int_eq(f.qgs_conf_error, 0);
	ck_assert_int_eq(f.qgs.transport, QGS_TRANSPORT_UNIX);
	ck_assert_int_eq(f.qgs_socket, NODE_PRESENT);
	ck_assert(f.qcnl_present);
	ck_assert_int_eq(f.qcnl_error, 0);
	ck_assert_str_eq(f.pccs_url, "https://pccs.dc1.example.net:8081/sgx/certification/v4/");
	ck_assert_str_eq(f.pccs_host, "pccs.dc1.example.net");
	ck_assert(!f.pccs_local);
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-sgx-bios-off", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert(!f.sgx && !f.sgx_lc);
	ck_assert_str_eq(f.sgx_disabled.text, "x86/cpu: SGX disabled by BIOS.");
	ck_assert(!f.efi && !f.reg_status_present);
	ck_assert_int_eq(f.qgs_socket, NODE_MISSING);
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-registration-pending", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert(f.reg_request_present && f.reg_status_present);
	ck_assert_uint_eq(f.reg_status.status, 0);
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-registration-error", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert_uint_eq(f.reg_status.status, 1);
	ck_assert_uint_eq(f.reg_status.error_code, 0xa6);
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-qgs-vsock", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert_int_eq(f.qgs.transport, QGS_TRANSPORT_VSOCK);
	ck_assert_uint_eq(f.qgs.port, 4050);
	ck_assert_uint_eq(f.qgs.port_line, 2);
	ck_assert_int_eq(f.qgs_socket, NODE_MISSING);
	ck_assert_str_eq(a.checks[ATT_CHECK_QUOTE_SERVICE].summary,
	                 "/etc/qgs.conf selects AF_VSOCK port 4050 (line 2); qgsd.service's state "
	                 "was not asked");
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-local-pccs", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert_str_eq(f.pccs_host, "localhost");
	ck_assert(f.pccs_local);
	tdx_status_done(&s);

	snprintf(root, sizeof(root), "%s/attest-non-efi", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert(!f.efi && !f.reg_status_present && !f.reg_request_present);
	ck_assert_str_eq(a.checks[ATT_CHECK_PLATFORM_REGISTRATION].summary,
	                 "not checked: not an EFI boot (no /sys/firmware/efi), so there are no SGX "
	                 "registration variables");
	tdx_status_done(&s);

	/* a pre-attestation fixture: no SGX flags, nothing installed */
	snprintf(root, sizeof(root), "%s/emr-2s-v7.1-ready", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert_int_eq(a.checks[ATT_CHECK_SGX].result, CHECK_FAIL);
	ck_assert(!f.qgs_conf_present && !f.qcnl_present && !f.efi);
	ck_assert(!a.ready);
	tdx_status_done(&s);
	/* a TD guest: the platform prerequisites fail */
	snprintf(root, sizeof(root), "%s/td-guest", FIXTURES_DIR);
	judge(root, UNIT_UNKNOWN, UNIT_UNKNOWN, &s, &f, &a);
	ck_assert_str_eq(a.checks[ATT_CHECK_SGX].summary, "not checked: bare-metal failed");
	ck_assert(!a.ready);
	tdx_status_done(&s);
}
END_TEST

/* ---- the probe over trees made here: broken files become facts, never failures ---- */

static char root[64];

static void mkroot(void) {
	strcpy(root, "/tmp/tdxd-attest-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void rmroot(void) {
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *path, const void *data, size_t n) {
	char p[512];
	snprintf(p, sizeof(p), "%s%s", root, path);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			(void)mkdir(p, 0755);
			*s = '/';
		}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void puts_at(const char *path, const char *text) {
	put(path, text, strlen(text));
}

static void probe(struct attestation_facts *f) {
	struct tdx_host h = {.root = root};
	ck_assert_int_eq(attestation_probe(&h, f), 0);
}

START_TEST(test_probe_empty_root) {
	struct attestation_facts f;
	mkroot();
	probe(&f);
	ck_assert(!f.real_root && !f.cpuinfo_read && !f.sgx);
	ck_assert_int_eq(f.dev_enclave, NODE_MISSING);
	ck_assert_int_eq(f.dev_provision, NODE_MISSING);
	ck_assert(!f.efi && !f.reg_status_present && !f.reg_request_present);
	ck_assert(!f.qgs_conf_present);
	ck_assert_int_eq(f.qgs.transport, QGS_TRANSPORT_UNIX);
	ck_assert_int_eq(f.qgs_socket, NODE_MISSING);
	ck_assert(!f.qcnl_present);
	ck_assert_str_eq(f.pccs_url, "");
	rmroot();
}
END_TEST

START_TEST(test_probe_broken_files) {
	struct attestation_facts f;
	mkroot();
	static const uint8_t truncated[] = {7, 0, 0, 0, 1, 0, 3, 0, 1};
	put(SGX_REGISTRATION_STATUS_PATH, truncated, sizeof(truncated));
	puts_at(QGS_CONF_PATH, "port = 40x\n");
	puts_at(QCNL_CONF_PATH, "PCCS_URL=https://localhost:8081/sgx/certification/v3/\n");
	probe(&f);
	ck_assert(f.efi); /* the variable's directory makes it an EFI boot */
	ck_assert(f.reg_status_present);
	ck_assert_int_eq(f.reg_status_error, -EBADMSG);
	ck_assert_int_eq(f.qgs_conf_error, -EINVAL);
	ck_assert_str_eq(f.qgs_conf_message,
	                 "line 1: port \"40x\" is not a number up to 4294967295");
	ck_assert_int_eq(f.qgs.transport, QGS_TRANSPORT_UNIX);
	ck_assert_int_eq(f.qcnl_error, -EINVAL);
	ck_assert_ptr_nonnull(strstr(f.qcnl_message, "line 1: "));
	ck_assert_str_eq(f.pccs_url, "");

	static const uint8_t v2[] = {7, 0, 0, 0, 2, 0, 3, 0, 1, 0, 0};
	put(SGX_REGISTRATION_STATUS_PATH, v2, sizeof(v2));
	char longurl[PCCS_URL_MAX + 64] = "{\"pccs_url\": \"https://";
	size_t l = strlen(longurl);
	memset(longurl + l, 'a', PCCS_URL_MAX);
	strcpy(longurl + l + PCCS_URL_MAX, "/\"}");
	puts_at(QCNL_CONF_PATH, longurl);
	probe(&f);
	ck_assert_int_eq(f.reg_status_error, -EPROTONOSUPPORT);
	ck_assert_uint_eq(f.reg_status.version, 2);
	ck_assert_int_eq(f.qcnl_error, -E2BIG);
	ck_assert_str_eq(f.qcnl_message, "\"pccs_url\" is longer than 511 bytes");

	/* a directory where a file should be: a read error, named */
	rmroot();
	mkroot();
	char p[512];
	snprintf(p, sizeof(p), "%s/etc", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/qgs.conf", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/sgx_default_qcnl.conf", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	probe(&f);
	ck_assert(f.qgs_conf_present);
	ck_assert_int_eq(f.qgs_conf_error, -EISDIR);
	ck_assert_str_eq(f.qgs_conf_message, "Is a directory");
	ck_assert(f.qcnl_present);
	ck_assert_int_eq(f.qcnl_error, -EISDIR);
	ck_assert_str_eq(f.qcnl_message, "Is a directory");
	rmroot();
}
END_TEST

static Suite *fixtures_suite(void) {
	Suite *s = suite_create("attestation-fixtures");
	TCase *tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_fixture, 0, ELEMENTSOF(cases));
	tcase_add_test(tc, test_fixture_facts);
	suite_add_tcase(s, tc);
	tc = tcase_create("probe");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_probe_empty_root);
	tcase_add_test(tc, test_probe_broken_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(fixtures_suite());
}
