/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Prometheus textfile formatter (spec 9.4). With "--dump DIR" it writes the text for
 * the fixture hosts to DIR/<fixture>.prom instead, for tests/unit/check-prometheus.py, which
 * reads them with a real parser of the exposition format. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-run.h"
#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "prometheus.h"

static struct tdx_status ready_status(void) {
	struct tdx_status s = {.state = TDX_STATE_READY,
	                       .ready = true,
	                       .max_vcpus = 576,
	                       .total_keyids = 63,
	                       .total_keyids_known = true,
	                       .used_keyids = 5,
	                       .used_keyids_known = true,
	                       .cmr_bytes = 1ULL << 40};
	s.sources[SRC_CONVERTIBLE_MEMORY] = "/sys/firmware/tdx/cmr";
	strcpy(s.module_version, "1.5.24");
	for (int i = 0; i < _CHECK_MAX; i++)
		s.checks[i].result = CHECK_PASS;
	s.checks[CHECK_MEMORY_AUTO_ONLINE].result = CHECK_WARN;
	return s;
}

static bool has_line(const char *text, const char *line) {
	size_t l = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[l] == '\n')
			return true;
	return false;
}

START_TEST(test_ready_host) {
	struct tdx_status s = ready_status();
	struct prometheus_counters c = {.cpu_offline_blocked_total = 3, .memory_refused_total = 2};
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(prometheus_format(&s, &c, PROMETHEUS_YES, "1.0.7", &t), 0);
	ck_assert(has_line(t, "tdxd_ready 1"));
	ck_assert(has_line(t, "tdxd_state{state=\"ready\"} 1"));
	ck_assert(has_line(t, "tdxd_state{state=\"failed\"} 0"));
	ck_assert(has_line(t, "tdxd_state{state=\"unsupported\"} 0"));
	ck_assert(has_line(t, "tdxd_keyids_total 63"));
	ck_assert(has_line(t, "tdxd_keyids_used 5"));
	ck_assert(has_line(t, "tdxd_keyids_free 58"));
	ck_assert(has_line(t, "tdxd_max_vcpus_per_td 576"));
	ck_assert(has_line(t, "tdxd_convertible_memory_bytes 1099511627776"));
	ck_assert(has_line(t, "tdxd_module_info{version=\"1.5.24\",seamldr_version=\"1.0.7\"} 1"));
	ck_assert(has_line(t, "tdxd_check{id=\"cpu-vendor\",result=\"pass\"} 1"));
	ck_assert(has_line(t, "tdxd_check{id=\"memory-auto-online\",result=\"warn\"} 1"));
	ck_assert(has_line(t, "tdxd_attestation_ready 1"));
	ck_assert(has_line(t, "# TYPE tdxd_cpu_offline_blocked_total counter"));
	ck_assert(has_line(t, "tdxd_cpu_offline_blocked_total 3"));
	ck_assert(has_line(t, "tdxd_memory_refused_total 2"));
	ck_assert(has_line(t, "# TYPE tdxd_keyids_free gauge"));
	ck_assert(
	    has_line(t, "# HELP tdxd_ready Whether the host can run TDs now (1) or not (0)."));
}
END_TEST

START_TEST(test_unknowns_left_out) {
	/* Nothing known beyond the state: no number may stand in for "unknown". */
	struct tdx_status s = {.state = TDX_STATE_UNSUPPORTED};
	for (int i = 0; i < _CHECK_MAX; i++)
		s.checks[i].result = CHECK_SKIP;
	s.checks[CHECK_CPU_VENDOR].result = CHECK_FAIL;
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(prometheus_format(&s, NULL, PROMETHEUS_UNKNOWN, NULL, &t), 0);
	ck_assert(has_line(t, "tdxd_ready 0"));
	ck_assert(has_line(t, "tdxd_state{state=\"unsupported\"} 1"));
	ck_assert(has_line(t, "tdxd_check{id=\"cpu-vendor\",result=\"fail\"} 1"));
	const char *absent[] = {"tdxd_keyids_total",
	                        "tdxd_keyids_used",
	                        "tdxd_keyids_free",
	                        "tdxd_max_vcpus_per_td",
	                        "tdxd_convertible_memory_bytes",
	                        "tdxd_module_info",
	                        "tdxd_attestation_ready",
	                        "tdxd_cpu_offline_blocked_total",
	                        "tdxd_memory_refused_total"};
	for (size_t i = 0; i < ELEMENTSOF(absent); i++)
		ck_assert_msg(!strstr(t, absent[i]), "%s written although unknown:\n%s", absent[i],
		              t);
}
END_TEST

START_TEST(test_partly_known) {
	/* Total known, used not: no free count; the loader's version unknown: no label. A used
	 * count above the total (a kernel miscount) gives no free count either. */
	struct tdx_status s = ready_status();
	s.used_keyids_known = false;
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(prometheus_format(&s, NULL, PROMETHEUS_NO, "", &t), 0);
	ck_assert(has_line(t, "tdxd_keyids_total 63"));
	ck_assert(!strstr(t, "tdxd_keyids_used"));
	ck_assert(!strstr(t, "tdxd_keyids_free"));
	ck_assert(has_line(t, "tdxd_module_info{version=\"1.5.24\"} 1"));
	ck_assert(has_line(t, "tdxd_attestation_ready 0"));

	s.used_keyids_known = true;
	s.used_keyids = 64;
	t = mfree(t);
	ck_assert_int_eq(prometheus_format(&s, NULL, PROMETHEUS_NO, NULL, &t), 0);
	ck_assert(has_line(t, "tdxd_keyids_used 64"));
	ck_assert(!strstr(t, "tdxd_keyids_free"));
}
END_TEST

START_TEST(test_label_escaping) {
	struct tdx_status s = ready_status();
	strcpy(s.module_version, "1.5\"x\\y\nz");
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(prometheus_format(&s, NULL, PROMETHEUS_UNKNOWN, "a\"b", &t), 0);
	ck_assert(has_line(
	    t, "tdxd_module_info{version=\"1.5\\\"x\\\\y\\nz\",seamldr_version=\"a\\\"b\"} 1"));
}
END_TEST

START_TEST(test_write_atomic) {
	char root[] = "/tmp/test-prometheus-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(root));
	const char *path = "/var/lib/prometheus/node-exporter/tdxd.prom";
	ck_assert_int_eq(prometheus_write_textfile(root, path, "tdxd_ready 1\n"), 0);
	ck_assert_int_eq(prometheus_write_textfile(root, path, "tdxd_ready 0\n"), 0);
	_cleanup_free_ char *got = NULL;
	ck_assert_int_eq(read_full_file_at(root, path, 4096, &got, NULL), 0);
	ck_assert_str_eq(got, "tdxd_ready 0\n");
	/* Readable by node_exporter's user; no temporary file left beside it. */
	_cleanup_free_ char *p = root_path(root, path);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test \"$(ls %s/var/lib/prometheus/node-exporter)\" = tdxd.prom",
	         root);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The fixture hosts, as tdxctl check derives them, for the parser test. */
static int dump(const char *dir) {
	static const char *const fixtures[] = {
	    "spr-2s-v6.16-ready",
	    "gnr-2s-v7.2-ready",
	    "emr-2s-v7.1-init-failed",
	    "amd-host",
	    "td-guest",
	    "keyids-exhausted",
	    "bios-disabled",
	    "vendor-sysfs-metadata",
	};
	for (size_t i = 0; i < ELEMENTSOF(fixtures); i++) {
		_cleanup_free_ char *root = NULL, *out = NULL, *text = NULL;
		if (asprintf(&root, "%s/%s", FIXTURES_DIR, fixtures[i]) < 0 ||
		    asprintf(&out, "%s/%s.prom", dir, fixtures[i]) < 0)
			return 1;
		struct tdx_host h = {0};
		struct tdx_status s = {0};
		struct status_policy policy = {.kvm_module = "kvm_intel"};
		struct probe_options opts = {.kvm_module = "kvm_intel"};
		if (probe_host(root, &opts, &h) < 0 || status_derive(&h, &policy, NULL, &s) < 0) {
			fprintf(stderr, "%s: probing or deriving failed\n", root);
			return 1;
		}
		tdx_host_done(&h);
		struct prometheus_counters c = {.cpu_offline_blocked_total = i,
		                                .memory_refused_total = 0};
		int r =
		    prometheus_format(&s, &c, PROMETHEUS_UNKNOWN, i % 2 ? "1.0.7" : NULL, &text);
		tdx_status_done(&s);
		if (r < 0 || prometheus_write_textfile("/", out, text) < 0) {
			fprintf(stderr, "%s: %s\n", out, strerror(r < 0 ? -r : errno));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 3 && streq(argv[1], "--dump"))
		return dump(argv[2]);
	Suite *s = suite_create("prometheus");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, test_ready_host);
	tcase_add_test(tc, test_unknowns_left_out);
	tcase_add_test(tc, test_partly_known);
	tcase_add_test(tc, test_label_escaping);
	tcase_add_test(tc, test_write_atomic);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
