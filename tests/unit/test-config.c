/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tdxd.conf: defaults, every key, and every kind of bad line reported as file:line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "macro.h"
#include "check-run.h"

static char **problems;
static size_t n_problems;

static void free_problems(void) {
	for (size_t i = 0; i < n_problems; i++)
		free(problems[i]);
	problems = mfree(problems);
	n_problems = 0;
}

static void parse(const char *text, struct tdxd_config *c) {
	free_problems();
	config_defaults(c);
	ck_assert_int_eq(config_parse("/etc/tdxd/tdxd.conf", text, c, &problems, &n_problems), 0);
}

static bool has_problem(const char *text) {
	for (size_t i = 0; i < n_problems; i++)
		if (strstr(problems[i], text))
			return true;
	return false;
}

#define PROBLEM(text)                                                                              \
	ck_assert_msg(has_problem(text), "no problem \"%s\" among %zu: %s", text, n_problems,      \
	              n_problems ? problems[0] : "")

static void assert_defaults(const struct tdxd_config *c) {
	ck_assert(c->enable_tdx);
	ck_assert_str_eq(c->kvm_module, "kvm_intel");
	ck_assert_str_eq(c->kvm_module_options, "tdx=1");
	ck_assert_int_eq(c->reload_kvm, RELOAD_KVM_IF_IDLE);
	ck_assert(c->fallback_without_tdx);
	ck_assert(c->online_cpus_for_init);
	ck_assert_int_eq(c->cpu_guard, POLICY_ENFORCE);
	ck_assert_int_eq(c->memory_gate, POLICY_ENFORCE);
	ck_assert_str_eq(c->memory_online_type, "online_movable");
	ck_assert_str_eq(c->nfd_feature_file, "");
	ck_assert_str_eq(c->prometheus_text_file, "");
	ck_assert_str_eq(c->minimum_module_version, "");
}

START_TEST(test_defaults) {
	struct tdxd_config c;
	config_defaults(&c);
	assert_defaults(&c);
	parse("", &c);
	assert_defaults(&c);
	ck_assert_uint_eq(n_problems, 0);
}
END_TEST

START_TEST(test_shipped_file) {
	/* the spec's example file: comments, every key at its default, no problem */
	struct tdxd_config c;
	parse("[Manager]\n"
	      "# load the KVM module with TDX enabled at start\n"
	      "EnableTDX=yes\n"
	      "KVMModule=kvm_intel\n"
	      "KVMModuleOptions=tdx=1\n"
	      "; if loaded without TDX: reload when no VM holds it (if-idle), or never\n"
	      "ReloadKVM=if-idle\n"
	      "FallbackWithoutTDX=yes\n"
	      "OnlineCPUsForInit=yes\n"
	      "CPUGuard=enforce\n"
	      "MemoryGate=enforce\n"
	      "MemoryOnlineType=online_movable\n"
	      "NFDFeatureFile=\n"
	      "MinimumModuleVersion=\n",
	      &c);
	ck_assert_msg(n_problems == 0, "%s", n_problems ? problems[0] : "");
	assert_defaults(&c);
}
END_TEST

START_TEST(test_every_key) {
	struct tdxd_config c;
	parse("[Manager]\n"
	      "EnableTDX=no\n"
	      "KVMModule = kvm_test\n"
	      "KVMModuleOptions=tdx=1 dump_invalid_vmcs=1\n"
	      "ReloadKVM=never\n"
	      "FallbackWithoutTDX=false\n"
	      "OnlineCPUsForInit=0\n"
	      "CPUGuard=warn\n"
	      "MemoryGate=off\n"
	      "MemoryOnlineType=online_kernel\n"
	      "NFDFeatureFile=/etc/kubernetes/node-feature-discovery/features.d/tdxd\n"
	      "PrometheusTextFile=/var/lib/prometheus/node-exporter/tdxd.prom\n",
	      &c);
	ck_assert_msg(n_problems == 0, "%s", n_problems ? problems[0] : "");
	ck_assert(!c.enable_tdx);
	ck_assert_str_eq(c.kvm_module, "kvm_test");
	ck_assert_str_eq(c.kvm_module_options, "tdx=1 dump_invalid_vmcs=1");
	ck_assert_int_eq(c.reload_kvm, RELOAD_KVM_NEVER);
	ck_assert(!c.fallback_without_tdx);
	ck_assert(!c.online_cpus_for_init);
	ck_assert_int_eq(c.cpu_guard, POLICY_WARN);
	ck_assert_int_eq(c.memory_gate, POLICY_OFF);
	ck_assert_str_eq(c.memory_online_type, "online_kernel");
	ck_assert_str_eq(c.nfd_feature_file,
	                 "/etc/kubernetes/node-feature-discovery/features.d/tdxd");
	ck_assert_str_eq(c.prometheus_text_file, "/var/lib/prometheus/node-exporter/tdxd.prom");
}
END_TEST

START_TEST(test_quote_service_unit) {
	struct tdxd_config c;
	config_defaults(&c);
	ck_assert_str_eq(c.quote_service_unit, "qgsd.service");
	parse("[Manager]\nQuoteServiceUnit=tdx-qgs@vsock.service\n", &c);
	ck_assert_msg(n_problems == 0, "%s", n_problems ? problems[0] : "");
	ck_assert_str_eq(c.quote_service_unit, "tdx-qgs@vsock.service");

	/* not unit names: each reported with its line, the default kept */
	parse("[Manager]\n"
	      "QuoteServiceUnit=qgsd\n"
	      "QuoteServiceUnit=qgs d.service\n"
	      "QuoteServiceUnit=/usr/lib/systemd/system/qgsd.service\n"
	      "QuoteServiceUnit=\n"
	      "QuoteServiceUnit=.service\n"
	      "QuoteServiceUnit=qgsd.conf\n",
	      &c);
	ck_assert_str_eq(c.quote_service_unit, "qgsd.service");
	PROBLEM("tdxd.conf:2: QuoteServiceUnit=qgsd: not a systemd unit name");
	PROBLEM("tdxd.conf:3: QuoteServiceUnit=qgs d.service: not a systemd unit name");
	PROBLEM("tdxd.conf:4: QuoteServiceUnit=/usr/lib/systemd/system/qgsd.service: not");
	PROBLEM("tdxd.conf:5: QuoteServiceUnit=: not a systemd unit name");
	PROBLEM("tdxd.conf:6: QuoteServiceUnit=.service: not a systemd unit name");
	PROBLEM("tdxd.conf:7: QuoteServiceUnit=qgsd.conf: not a systemd unit name");

	ck_assert(unit_name_valid("pccs.service"));
	ck_assert(unit_name_valid("qgs-vsock.socket"));
	ck_assert(!unit_name_valid("a@b@c.service"));
	ck_assert(!unit_name_valid("@x.service"));
}
END_TEST

START_TEST(test_bad_values) {
	struct tdxd_config c;
	parse("[Manager]\n"
	      "EnableTDX=maybe\n"
	      "CPUGuard=strict\n"
	      "MemoryGate=\n"
	      "ReloadKVM=always\n"
	      "MemoryOnlineType=online_fast\n"
	      "KVMModule=kvm intel\n"
	      "NFDFeatureFile=relative/path\n"
	      "OnlineCPUsForInit=2\n"
	      "PrometheusTextFile=/var/lib/prometheus/node-exporter/tdxd.txt\n",
	      &c);
	/* each bad value keeps the default for that key and is reported with its line */
	assert_defaults(&c);
	ck_assert_uint_eq(n_problems, 9);
	PROBLEM("/etc/tdxd/tdxd.conf:2: EnableTDX=maybe");
	PROBLEM("/etc/tdxd/tdxd.conf:3: CPUGuard=strict");
	PROBLEM("/etc/tdxd/tdxd.conf:4: MemoryGate=");
	PROBLEM("/etc/tdxd/tdxd.conf:5: ReloadKVM=always");
	PROBLEM("/etc/tdxd/tdxd.conf:6: MemoryOnlineType=online_fast");
	PROBLEM("/etc/tdxd/tdxd.conf:7: KVMModule=kvm intel");
	PROBLEM("/etc/tdxd/tdxd.conf:8: NFDFeatureFile=relative/path");
	PROBLEM("/etc/tdxd/tdxd.conf:9: OnlineCPUsForInit=2");
	PROBLEM("/etc/tdxd/tdxd.conf:10: "
	        "PrometheusTextFile=/var/lib/prometheus/node-exporter/tdxd.txt");

	/* too long for its buffer */
	char big[600];
	memset(big, 'o', sizeof(big));
	big[sizeof(big) - 1] = 0;
	_cleanup_free_ char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[Manager]\nKVMModuleOptions=%s\n", big), 0);
	parse(text, &c);
	ck_assert_str_eq(c.kvm_module_options, "tdx=1");
	PROBLEM("tdxd.conf:2: KVMModuleOptions=: value longer than");
}
END_TEST

START_TEST(test_minimum_module_version) {
	struct tdxd_config c;
	parse("[Manager]\nMinimumModuleVersion=1.5.24\n", &c);
	ck_assert_msg(n_problems == 0, "%s", n_problems ? problems[0] : "");
	ck_assert_str_eq(c.minimum_module_version, "1.5.24");
	ck_assert_uint_eq(c.minimum_module_version_parsed.major, 1);
	ck_assert_uint_eq(c.minimum_module_version_parsed.minor, 5);
	ck_assert_uint_eq(c.minimum_module_version_parsed.update, 24);

	/* the operator's unpadded form is the same version as the kernel's padded one */
	parse("[Manager]\nMinimumModuleVersion = 1.5.6\n", &c);
	ck_assert_uint_eq(n_problems, 0);
	ck_assert_uint_eq(c.minimum_module_version_parsed.update, 6);

	/* garbage: a warning naming the key and the value, the default (no minimum) kept */
	static const char *const bad[] = {"1.5",      "1.5.x",   "v1.5.24",
	                                  "1.5.24.1", "-1.5.24", "99999999999.0.0"};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = NULL, *want = NULL;
		ck_assert_int_ge(asprintf(&text, "[Manager]\nMinimumModuleVersion=%s\n", bad[i]),
		                 0);
		ck_assert_int_ge(asprintf(&want,
		                          "tdxd.conf:2: MinimumModuleVersion=%s: not a TDX "
		                          "module version",
		                          bad[i]),
		                 0);
		parse(text, &c);
		ck_assert_uint_eq(n_problems, 1);
		PROBLEM(want);
		ck_assert_str_eq(c.minimum_module_version, "");
	}

	/* an empty value resets an earlier line */
	parse("[Manager]\nMinimumModuleVersion=1.5.24\nMinimumModuleVersion=\n", &c);
	ck_assert_str_eq(c.minimum_module_version, "");
	ck_assert_uint_eq(c.minimum_module_version_parsed.major, 0);
}
END_TEST

START_TEST(test_unknown_and_junk) {
	struct tdxd_config c;
	parse("# comment\n"
	      "EnableTDX=no\n"
	      "[Manager]\n"
	      "CpuGuard=off\n"
	      "just some words\n"
	      "=value\n"
	      "  # indented comment\n"
	      "MemoryGate=warn # not a comment\n"
	      "[Other]\n"
	      "CPUGuard=off\n"
	      "[Manager\n"
	      "CPUGuard=warn\n",
	      &c);
	ck_assert(c.enable_tdx);                         /* outside [Manager] */
	ck_assert_int_eq(c.cpu_guard, POLICY_ENFORCE);   /* wrong case, [Other], broken header */
	ck_assert_int_eq(c.memory_gate, POLICY_ENFORCE); /* trailing text is part of the value */
	PROBLEM("tdxd.conf:2: EnableTDX= outside the [Manager] section");
	PROBLEM("tdxd.conf:4: unknown key CpuGuard=");
	PROBLEM("tdxd.conf:5: not a Key=value line");
	PROBLEM("tdxd.conf:6: assignment without a key");
	PROBLEM("tdxd.conf:8: MemoryGate=warn # not a comment");
	PROBLEM("tdxd.conf:9: unknown section [Other]");
	PROBLEM("tdxd.conf:11: malformed section header [Manager");
	ck_assert_uint_eq(n_problems, 7);
}
END_TEST

START_TEST(test_crlf_and_no_final_newline) {
	struct tdxd_config c;
	parse("[Manager]\r\nCPUGuard=warn\r\nMemoryGate=off", &c);
	ck_assert_msg(n_problems == 0, "%s", n_problems ? problems[0] : "");
	ck_assert_int_eq(c.cpu_guard, POLICY_WARN);
	ck_assert_int_eq(c.memory_gate, POLICY_OFF);
}
END_TEST

START_TEST(test_duplicates) {
	struct tdxd_config c;
	parse("[Manager]\nCPUGuard=warn\nCPUGuard=off\n[Manager]\nMemoryGate=off\n", &c);
	ck_assert_int_eq(c.cpu_guard, POLICY_OFF);   /* the later one counts */
	ck_assert_int_eq(c.memory_gate, POLICY_OFF); /* a repeated section is fine */
	ck_assert_uint_eq(n_problems, 1);
	PROBLEM("tdxd.conf:3: CPUGuard= set again (line 2)");
}
END_TEST

START_TEST(test_load) {
	struct tdxd_config c;
	char path[] = "/tmp/test-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	static const char text[] = "[Manager]\nMemoryGate=warn\nBogus=1\n";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);

	free_problems();
	ck_assert_int_eq(config_load(path, &c, &problems, &n_problems), 0);
	ck_assert_int_eq(c.memory_gate, POLICY_WARN);
	ck_assert_uint_eq(n_problems, 1);
	_cleanup_free_ char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "%s:3: unknown key Bogus=", path), 0);
	PROBLEM(want);
	unlink(path);

	free_problems();
	c.cpu_guard = POLICY_OFF;
	ck_assert_int_eq(config_load(path, &c, &problems, &n_problems), -ENOENT);
	assert_defaults(&c);
	ck_assert_uint_eq(n_problems, 0);
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, free_problems);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_shipped_file);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_minimum_module_version);
	tcase_add_test(tc, test_quote_service_unit);
	tcase_add_test(tc, test_unknown_and_junk);
	tcase_add_test(tc, test_crlf_and_no_final_newline);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
