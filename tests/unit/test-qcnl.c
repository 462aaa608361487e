/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <limits.h>

#include "macro.h"
#include "qcnl.h"
#include "qgs-config.h"
#include "check-run.h"

/* ---- /etc/sgx_default_qcnl.conf ---- */

static int qcnl(const char *text, char *url, char *err) {
	url[0] = err[0] = 0;
	return qcnl_parse(text, strlen(text), url, PCCS_URL_MAX, err, 256);
}

/* The file as Intel's libsgx-dcap-default-qpl ships it: // comments, commas leading lines. */
START_TEST(test_qcnl_shipped) {
	const char *t =
	    "{\n"
	    "  // *** ATTENTION : This file is in JSON format so the keys are case sensitive. "
	    "Don't change them.\n"
	    "  \n"
	    "  //PCCS server address\n"
	    "  \"pccs_url\": \"https://localhost:8081/sgx/certification/v4/\"\n"
	    "\n"
	    "  // To accept insecure HTTPS certificate, set this option to false\n"
	    "  ,\"use_secure_cert\": false\n"
	    "\n"
	    "  // You can use the Intel PCS or another PCCS to get quote verification collateral.\n"
	    "  //,\"collateral_service\": \"https://api.trustedservices.intel.com/sgx/"
	    "certification/v4/\"\n"
	    "  ,\"pccs_api_version\": \"3.1\"\n"
	    "  ,\"retry_times\": 6\n"
	    "  ,\"retry_delay\": 10\n"
	    "  ,\"local_pck_url\": \"http://localhost:8081/sgx/certification/v4/\"\n"
	    "}\n";
	char url[PCCS_URL_MAX], err[256];
	ck_assert_int_eq(qcnl(t, url, err), 0);
	ck_assert_str_eq(url, "https://localhost:8081/sgx/certification/v4/");
}
END_TEST

/* json-c's tokener in non-strict mode takes // and block comments anywhere between tokens. */
START_TEST(test_qcnl_comments) {
	const char *t = "/* header */ { /* a */ \"pccs_url\" /* b */ : // c\n"
	                " \"https://pccs.example.net:8081/x\" /* d */ } // end\n";
	char url[PCCS_URL_MAX], err[256];
	ck_assert_int_eq(qcnl(t, url, err), 0);
	ck_assert_str_eq(url, "https://pccs.example.net:8081/x");
	/* shell comments are not JSON */
	ck_assert_int_eq(qcnl("{\n# no\n\"pccs_url\": \"https://a/\"}", url, err), -EINVAL);
	ck_assert_str_eq(url, "");
	ck_assert_ptr_nonnull(strstr(err, "line 2: "));
}
END_TEST

START_TEST(test_qcnl_missing_key) {
	char url[PCCS_URL_MAX], err[256];
	ck_assert_int_eq(qcnl("{ \"use_secure_cert\": true }", url, err), 0);
	ck_assert_str_eq(url, "");
	ck_assert_int_eq(qcnl("{ \"pccs_url\": \"\" }", url, err), 0);
	ck_assert_str_eq(url, "");
	ck_assert_int_eq(qcnl("{ \"pccs_url\": null }", url, err), 0);
	ck_assert_str_eq(url, "");
	/* keys are case sensitive (the old PCCS_URL= format is not JSON at all) */
	ck_assert_int_eq(qcnl("{ \"PCCS_URL\": \"https://a/\" }", url, err), 0);
	ck_assert_str_eq(url, "");
	ck_assert_int_eq(qcnl("PCCS_URL=https://localhost:8081/sgx/certification/v3/\n", url, err),
	                 -EINVAL);
}
END_TEST

START_TEST(test_qcnl_malformed) {
	char url[PCCS_URL_MAX], err[256];
	ck_assert_int_eq(qcnl("", url, err), -EINVAL);
	ck_assert_int_eq(qcnl("   \n", url, err), -EINVAL);
	ck_assert_int_eq(qcnl("{\n\"pccs_url\": \"https://a/\"\n", url, err), -EINVAL); /* open */
	ck_assert_ptr_nonnull(strstr(err, "line 3: "));
	ck_assert_int_eq(qcnl("{\"pccs_url\": \"https://a/\",,}", url, err), -EINVAL);
	ck_assert_int_eq(qcnl("{} {}", url, err), -EINVAL);
	ck_assert_str_eq(err, "line 1: text after the JSON object");
	ck_assert_int_eq(qcnl("[\"pccs_url\"]", url, err), -EBADMSG);
	ck_assert_str_eq(err, "not a JSON object");
	ck_assert_int_eq(qcnl("42", url, err), -EBADMSG);
	ck_assert_int_eq(qcnl("{\"pccs_url\": 8081}", url, err), -EBADMSG);
	ck_assert_str_eq(err, "\"pccs_url\" is not a string");
	ck_assert_int_eq(qcnl("{\"pccs_url\": [\"https://a/\"]}", url, err), -EBADMSG);
	/* embedded NUL: the text ends there for json-c, the rest is not blank */
	static const char nul[] = "{\"pccs_url\": \"https://a/\"}\0garbage";
	ck_assert_int_eq(qcnl_parse(nul, sizeof(nul) - 1, url, sizeof(url), err, sizeof(err)),
	                 -EINVAL);
	/* too long for the caller's buffer */
	char small[8];
	ck_assert_int_eq(
	    qcnl_parse("{\"pccs_url\": \"https://a.b/\"}", 28, small, sizeof(small), NULL, 0),
	    -E2BIG);
	/* err may be NULL */
	ck_assert_int_eq(qcnl_parse("{", 1, url, sizeof(url), NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_url_host) {
	static const struct {
		const char *url, *host;
		bool loopback;
	} ok[] = {
	    {"https://localhost:8081/sgx/certification/v4/", "localhost", true},
	    {"https://LOCALHOST:8081/", "localhost", true},
	    {"https://localhost./", "localhost.", true},
	    {"http://127.0.0.1:8081/sgx", "127.0.0.1", true},
	    {"https://127.1.2.3", "127.1.2.3", true},
	    {"https://[::1]:8081/sgx/certification/v4/", "::1", true},
	    {"https://[0:0:0:0:0:0:0:1]/", "0:0:0:0:0:0:0:1", true},
	    {"https://user:pw@localhost:8081/x", "localhost", true},
	    {"https://localhost?x=1", "localhost", true},
	    {"https://api.trustedservices.intel.com/sgx/certification/v4/",
	     "api.trustedservices.intel.com", false},
	    {"https://pccs.example.net:8081/sgx/certification/v4/", "pccs.example.net", false},
	    {"https://localhost.example.net/", "localhost.example.net", false},
	    {"https://10.0.0.5:8081/", "10.0.0.5", false},
	    {"https://128.0.0.1/", "128.0.0.1", false},
	    {"https://[::2]/", "::2", false},
	    {"https://[fe80::1%25eth0]/", "fe80::1%25eth0", false},
	    {"https://a@b@c.example/", "c.example", false},
	    {"https://x/@localhost/", "x", false}, /* '@' in the path is not userinfo */
	};
	char h[256];
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		ck_assert_msg(url_host(ok[i].url, h, sizeof(h)) == 0, "%s", ok[i].url);
		ck_assert_str_eq(h, ok[i].host);
		ck_assert_msg(host_is_loopback(h) == ok[i].loopback, "%s", ok[i].url);
	}
	static const char *const bad[] = {
	    "localhost:8081", "://localhost/", "https://",       "https:///sgx",
	    "https://:8081/", "https://[::1/", "https://user@/", ""};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(url_host(bad[i], h, sizeof(h)) == -EINVAL, "%s", bad[i]);
	char tiny[4];
	ck_assert_int_eq(url_host("https://localhost/", tiny, sizeof(tiny)), -E2BIG);
}
END_TEST

/* ---- /etc/qgs.conf ---- */

static int qgs(const char *text, struct qgs_config *c, char *err) {
	err[0] = 0;
	return qgs_config_parse(text, strlen(text), c, err, 256);
}

START_TEST(test_qgs_shipped) {
	struct qgs_config c;
	char err[256];
	/* the file as Intel ships it: vsock port 4050 */
	ck_assert_int_eq(qgs("#set port number\nport = 4050\nnumber_threads = 4\n", &c, err), 0);
	ck_assert_int_eq(c.transport, QGS_TRANSPORT_VSOCK);
	ck_assert_uint_eq(c.port, 4050);
	ck_assert_uint_eq(c.port_line, 2);
	ck_assert_str_eq(qgs_transport_to_string(c.transport), "vsock");
	/* and as distributions change it for the Unix socket */
	ck_assert_int_eq(qgs("#set port number\n#port = 4050\nnumber_threads = 4\n", &c, err), 0);
	ck_assert_int_eq(c.transport, QGS_TRANSPORT_UNIX);
	ck_assert_uint_eq(c.port, 0);
	ck_assert_uint_eq(c.port_line, 0);
	ck_assert_str_eq(qgs_transport_to_string(c.transport), "unix");
}
END_TEST

START_TEST(test_qgs_forms) {
	struct qgs_config c;
	char err[256];
	/* blanks anywhere are removed, as qgsd removes them */
	ck_assert_int_eq(qgs("  p o r t\t=\t40 50 \r\n", &c, err), 0);
	ck_assert_uint_eq(c.port, 4050);
	ck_assert_int_eq(qgs("port=1", &c, err), 0); /* no final newline */
	ck_assert_uint_eq(c.port, 1);
	ck_assert_int_eq(qgs("port = +7\n", &c, err), 0);
	ck_assert_uint_eq(c.port, 7);
	/* port 0, an empty value and "-0" mean the Unix socket */
	static const char *const unix_forms[] = {"port = 0\n",
	                                         "port =\n",
	                                         "port = -0\n",
	                                         "",
	                                         "\n\n",
	                                         "# port = 4050\n",
	                                         "  # port = 4050\n",
	                                         "ports = 4050\n",
	                                         "Port = 4050\n",
	                                         "port 4050\n",
	                                         "socket_mode = 0660\nnumber_threads = 8\n"};
	for (size_t i = 0; i < ELEMENTSOF(unix_forms); i++) {
		ck_assert_msg(qgs(unix_forms[i], &c, err) == 0, "%s", unix_forms[i]);
		ck_assert_int_eq(c.transport, QGS_TRANSPORT_UNIX);
		ck_assert_uint_eq(c.port, 0);
	}
	/* while no non-zero port was seen, later port lines are read */
	ck_assert_int_eq(qgs("port = 0\nport = 4051\n", &c, err), 0);
	ck_assert_uint_eq(c.port, 4051);
	ck_assert_uint_eq(c.port_line, 2);
	/* after one, later port lines are not even looked at (qgsd does the same) */
	ck_assert_int_eq(qgs("port = 4050\nport = banana\n", &c, err), 0);
	ck_assert_uint_eq(c.port, 4050);
	/* qgsd keeps 255 bytes of a value: 300 zeros and then digits read as 0 */
	char longv[400] = "port = ";
	memset(longv + 7, '0', 300);
	strcpy(longv + 307, "4050\n");
	ck_assert_int_eq(qgs(longv, &c, err), 0);
	ck_assert_int_eq(c.transport, QGS_TRANSPORT_UNIX);
	longv[7 + 254] = '7'; /* the 255th byte is still read */
	ck_assert_int_eq(qgs(longv, &c, err), 0);
	ck_assert_uint_eq(c.port, 7);
	/* the largest port qgsd takes */
	ck_assert_int_eq(qgs("port = 4294967295\n", &c, err), 0);
	ck_assert_uint_eq(c.port, UINT_MAX);
}
END_TEST

/* What makes qgsd exit instead of listening. */
START_TEST(test_qgs_refused) {
	struct qgs_config c = {.port = 99};
	char err[256];
	static const struct {
		const char *text, *err;
	} bad[] = {
	    {"port = 4050x\n", "line 1: port \"4050x\" is not a number up to 4294967295"},
	    {"\nport = 0x10\n", "line 2: port \"0x10\" is not a number up to 4294967295"},
	    {"port = 4294967296\n", "line 1: port \"4294967296\" is not a number up to 4294967295"},
	    {"port = -1\n", "line 1: port \"-1\" is not a number up to 4294967295"},
	    {"port = -\n", "line 1: port \"-\" is not a number up to 4294967295"},
	    {"port = 99999999999999999999999\n",
	     "line 1: port \"99999999999999999999999\" is not a number up to 4294967295"},
	    {"number_threads = 4\n = 4050\n", "line 2: no key before '='"},
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_msg(qgs(bad[i].text, &c, err) == -EINVAL, "%s", bad[i].text);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_uint_eq(c.port, 99); /* untouched */
	}
	/* err may be NULL */
	ck_assert_int_eq(qgs_config_parse("=1", 2, &c, NULL, 0), -EINVAL);
	/* binary noise: no crash, a verdict */
	static const char noise[] = "\x01\x02port\x00=\xff\n\x7f=";
	(void)qgs_config_parse(noise, sizeof(noise) - 1, &c, err, sizeof(err));
}
END_TEST

static Suite *config_suite(void) {
	Suite *s = suite_create("attestation-configs");
	TCase *tc = tcase_create("qcnl");
	tcase_add_test(tc, test_qcnl_shipped);
	tcase_add_test(tc, test_qcnl_comments);
	tcase_add_test(tc, test_qcnl_missing_key);
	tcase_add_test(tc, test_qcnl_malformed);
	tcase_add_test(tc, test_url_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("qgs");
	tcase_add_test(tc, test_qgs_shipped);
	tcase_add_test(tc, test_qgs_forms);
	tcase_add_test(tc, test_qgs_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(config_suite());
}
