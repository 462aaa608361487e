/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The capabilities document: parsed back with json-c, every key present with the right type. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "capabilities.h"
#include "macro.h"
#include "tdxctl-format.h"
#include "check-run.h"

static struct json_object *parse(const struct tdx_status *s, bool pretty) {
	/* the identity the probe of a real host gives */
	struct tdx_host h = {0};
	strcpy(h.hostname, "tdx-host-1");
	strcpy(h.osrelease, "6.18.0-tdx");
	strcpy(h.boot_id, "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f");
	struct host_identity id;
	host_identity_of(&h, &id);
	_cleanup_free_ char *text = capabilities_to_string(s, &id, pretty);
	ck_assert_ptr_nonnull(text);
	struct json_object *o = json_tokener_parse(text);
	ck_assert_msg(o != NULL, "not JSON: %s", text);
	return o;
}

static struct json_object *key(struct json_object *o, const char *k, json_type t) {
	struct json_object *v = NULL;
	ck_assert_msg(json_object_object_get_ex(o, k, &v), "key %s missing", k);
	ck_assert_msg(json_object_is_type(v, t), "key %s has type %s", k,
	              json_type_to_name(json_object_get_type(v)));
	return v;
}

/* A status with every field set, one CMR above INT64_MAX. */
static void full_status(struct tdx_status *s) {
	memset(s, 0, sizeof(*s));
	s->state = TDX_STATE_READY;
	s->ready = true;
	strcpy(s->reason, "TDX is ready: 29 of 31 guest KeyIDs free");
	for (int i = 0; i < _CHECK_MAX; i++) {
		s->checks[i].result = CHECK_PASS;
		snprintf(s->checks[i].summary, sizeof(s->checks[i].summary), "fine %d", i);
	}
	s->checks[CHECK_MEMORY_AUTO_ONLINE].result = CHECK_WARN;
	strcpy(s->checks[CHECK_MEMORY_AUTO_ONLINE].hint,
	       "echo offline > /sys/devices/system/memory/auto_online_blocks");
	strcpy(s->module_version, "1.5.24");
	s->module_build_date = 20240725;
	s->module_build_number = 784;
	s->module_max_vcpus = 512;
	s->max_vcpus = 128;
	s->total_keyids = 31;
	s->total_keyids_known = true;
	s->used_keyids = 2;
	s->used_keyids_known = true;
	ck_assert_int_eq(range_set_add(&s->cmrs, MIB(1), GIB(2)), 0);
	ck_assert_int_eq(range_set_add(&s->cmrs, 0x8000000000000000ULL, 0xF000000000000000ULL), 0);
	s->cmr_bytes = range_set_bytes(&s->cmrs);
	s->guest_phys_addr_bits = 52;
	s->packages = calloc(2, sizeof(struct host_package));
	ck_assert_ptr_nonnull(s->packages);
	s->packages[0] = (struct host_package){0, 56, 56};
	s->packages[1] = (struct host_package){1, 56, 55};
	s->n_packages = 2;
	strcpy(s->kvm_module, "kvm_intel");
	s->cpu_guard = POLICY_ENFORCE;
	s->memory_gate = POLICY_WARN;
	s->sources[SRC_TOTAL_KEYIDS] = "/sys/fs/cgroup/misc.capacity";
	s->sources[SRC_MAX_VCPUS] = "/dev/kvm:KVM_CAP_MAX_VCPUS";
}

START_TEST(test_full_document) {
	struct tdx_status s;
	full_status(&s);
	struct json_object *o = parse(&s, _i == 1);

	ck_assert_str_eq(json_object_get_string(key(o, "schema", json_type_string)),
	                 "tdxd.capabilities.v1");
	ck_assert_str_eq(json_object_get_string(key(o, "state", json_type_string)), "ready");
	ck_assert(json_object_get_boolean(key(o, "ready", json_type_boolean)));
	ck_assert_str_eq(json_object_get_string(key(o, "reason", json_type_string)),
	                 "TDX is ready: 29 of 31 guest KeyIDs free");

	struct json_object *m = key(o, "module", json_type_object);
	ck_assert_str_eq(json_object_get_string(key(m, "version", json_type_string)), "1.5.24");
	ck_assert_int_eq(json_object_get_int64(key(m, "build_date", json_type_int)), 20240725);
	ck_assert_int_eq(json_object_get_int64(key(m, "build_number", json_type_int)), 784);
	ck_assert_int_eq(json_object_get_int64(key(m, "max_vcpus_per_td", json_type_int)), 512);
	ck_assert_int_eq(json_object_get_int64(key(o, "max_vcpus_per_td", json_type_int)), 128);

	struct json_object *k = key(o, "keyids", json_type_object);
	ck_assert_int_eq(json_object_get_int64(key(k, "total", json_type_int)), 31);
	ck_assert_int_eq(json_object_get_int64(key(k, "used", json_type_int)), 2);
	ck_assert_int_eq(json_object_get_int64(key(k, "free", json_type_int)), 29);

	struct json_object *cm = key(o, "convertible_memory", json_type_object);
	ck_assert_uint_eq(json_object_get_uint64(key(cm, "bytes", json_type_int)),
	                  GIB(2) - MIB(1) + 0x7000000000000000ULL);
	struct json_object *regions = key(cm, "regions", json_type_array);
	ck_assert_uint_eq(json_object_array_length(regions), 2);
	struct json_object *r0 = json_object_array_get_idx(regions, 0);
	ck_assert_uint_eq(json_object_get_uint64(key(r0, "base", json_type_int)), MIB(1));
	ck_assert_uint_eq(json_object_get_uint64(key(r0, "size", json_type_int)), GIB(2) - MIB(1));
	/* above INT64_MAX: must round-trip as an unsigned integer, not a double or negative */
	struct json_object *r1 = json_object_array_get_idx(regions, 1);
	ck_assert_uint_eq(json_object_get_uint64(key(r1, "base", json_type_int)),
	                  0x8000000000000000ULL);
	ck_assert_uint_eq(json_object_get_uint64(key(r1, "size", json_type_int)),
	                  0x7000000000000000ULL);

	ck_assert_int_eq(json_object_get_int64(key(o, "guest_phys_addr_bits", json_type_int)), 52);

	struct json_object *pk = key(o, "packages", json_type_array);
	ck_assert_uint_eq(json_object_array_length(pk), 2);
	struct json_object *p1 = json_object_array_get_idx(pk, 1);
	ck_assert_int_eq(json_object_get_int64(key(p1, "id", json_type_int)), 1);
	ck_assert_int_eq(json_object_get_int64(key(p1, "cpus", json_type_int)), 56);
	ck_assert_int_eq(json_object_get_int64(key(p1, "online_cpus", json_type_int)), 55);

	struct json_object *pol = key(o, "policy", json_type_object);
	ck_assert_str_eq(json_object_get_string(key(pol, "cpu_guard", json_type_string)),
	                 "enforce");
	ck_assert_str_eq(json_object_get_string(key(pol, "memory_gate", json_type_string)), "warn");

	struct json_object *checks = key(o, "checks", json_type_array);
	ck_assert_uint_eq(json_object_array_length(checks), _CHECK_MAX);
	for (int i = 0; i < _CHECK_MAX; i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);
		ck_assert_str_eq(json_object_get_string(key(c, "id", json_type_string)),
		                 check_id_to_string(i));
		ck_assert_str_eq(json_object_get_string(key(c, "category", json_type_string)),
		                 check_category(i));
		key(c, "summary", json_type_string);
		key(c, "hint", json_type_string);
		key(c, "result", json_type_string);
	}
	struct json_object *last = json_object_array_get_idx(checks, CHECK_MEMORY_AUTO_ONLINE);
	ck_assert_str_eq(json_object_get_string(key(last, "result", json_type_string)), "warn");
	ck_assert(strstr(json_object_get_string(key(last, "hint", json_type_string)),
	                 "auto_online_blocks"));

	struct json_object *src = key(o, "sources", json_type_object);
	ck_assert_int_eq(json_object_object_length(src), 2);
	ck_assert_str_eq(json_object_get_string(key(src, "TotalKeyIDs", json_type_string)),
	                 "/sys/fs/cgroup/misc.capacity");
	ck_assert_str_eq(json_object_get_string(key(src, "MaxVCPUsPerTD", json_type_string)),
	                 "/dev/kvm:KVM_CAP_MAX_VCPUS");

	json_object_put(o);
	tdx_status_done(&s);
}
END_TEST

START_TEST(test_empty_document) {
	/* nothing known: every key still there, numbers 0, strings "" */
	struct tdx_status s = {0};
	s.state = TDX_STATE_UNSUPPORTED;
	struct json_object *o = parse(&s, false);
	static const char *const top[] = {"schema",
	                                  "state",
	                                  "ready",
	                                  "reason",
	                                  "module",
	                                  "max_vcpus_per_td",
	                                  "keyids",
	                                  "convertible_memory",
	                                  "guest_phys_addr_bits",
	                                  "packages",
	                                  "policy",
	                                  "checks",
	                                  "sources",
	                                  "host",
	                                  "generated_usec",
	                                  "attestation"};
	for (size_t i = 0; i < ELEMENTSOF(top); i++) {
		struct json_object *v = NULL;
		ck_assert_msg(json_object_object_get_ex(o, top[i], &v), "%s missing", top[i]);
	}
	ck_assert_int_eq(json_object_object_length(o), (int)ELEMENTSOF(top));
	ck_assert_str_eq(json_object_get_string(key(o, "state", json_type_string)), "unsupported");
	ck_assert(!json_object_get_boolean(key(o, "ready", json_type_boolean)));
	struct json_object *m = key(o, "module", json_type_object);
	ck_assert_str_eq(json_object_get_string(key(m, "version", json_type_string)), "");
	ck_assert_int_eq(json_object_get_int64(key(m, "build_date", json_type_int)), 0);
	struct json_object *k = key(o, "keyids", json_type_object);
	ck_assert_int_eq(json_object_get_int64(key(k, "total", json_type_int)), 0);
	ck_assert_int_eq(json_object_get_int64(key(k, "free", json_type_int)), 0);
	struct json_object *cm = key(o, "convertible_memory", json_type_object);
	ck_assert_uint_eq(json_object_array_length(key(cm, "regions", json_type_array)), 0);
	ck_assert_int_eq(json_object_get_int64(key(cm, "bytes", json_type_int)), 0);
	ck_assert_uint_eq(json_object_array_length(key(o, "packages", json_type_array)), 0);
	ck_assert_int_eq(json_object_object_length(key(o, "sources", json_type_object)), 0);
	struct json_object *a = key(o, "attestation", json_type_object);
	ck_assert_int_eq(json_object_object_length(a), 2);
	ck_assert(!json_object_get_boolean(key(a, "ready", json_type_boolean)));
	ck_assert_str_eq(json_object_get_string(key(a, "reason", json_type_string)), "");
	json_object_put(o);
}
END_TEST

START_TEST(test_attestation) {
	/* AttestationReady and AttestationReason, as the bus has them */
	struct tdx_status s = {0};
	s.state = TDX_STATE_READY;
	s.attestation_ready = true;
	strcpy(s.attestation_reason, "attestation is available");
	struct json_object *o = parse(&s, false);
	struct json_object *a = key(o, "attestation", json_type_object);
	ck_assert(json_object_get_boolean(key(a, "ready", json_type_boolean)));
	ck_assert_str_eq(json_object_get_string(key(a, "reason", json_type_string)),
	                 "attestation is available");
	json_object_put(o);
}
END_TEST

START_TEST(test_used_above_total) {
	/* a transient misc cgroup reading must not wrap "free" around */
	struct tdx_status s = {0};
	s.total_keyids = 3;
	s.total_keyids_known = true;
	s.used_keyids = 5;
	s.used_keyids_known = true;
	struct json_object *o = parse(&s, false);
	struct json_object *k = key(o, "keyids", json_type_object);
	ck_assert_int_eq(json_object_get_int64(key(k, "free", json_type_int)), 0);
	json_object_put(o);
}
END_TEST

static char *render_opts(int (*fn)(struct json_object *, FILE *, const struct format_options *),
                         struct json_object *o, const struct format_options *opts) {
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(o, f, opts), 0);
	fclose(f);
	return buf;
}

static char *render(int (*fn)(struct json_object *, FILE *, const struct format_options *),
                    struct json_object *o) {
	return render_opts(fn, o, NULL);
}

START_TEST(test_human_status) {
	struct tdx_status s;
	full_status(&s);
	struct json_object *o = capabilities_build(&s);
	ck_assert_ptr_nonnull(o);
	_cleanup_free_ char *t = render(format_status_human, o);

	/* the labels, in the spec's order */
	static const char *const labels[] = {"State: ready",
	                                     "Reason: TDX is ready: 29 of 31 guest KeyIDs free",
	                                     "Module: 1.5.24",
	                                     "Max vCPUs/TD: 128",
	                                     "KeyIDs: 2/31",
	                                     "Convertible memory: ",
	                                     "Guest address width: 52",
	                                     "Packages: 2 (0: 56/56 online, 1: 55/56 online)",
	                                     "CPU guard: enforce",
	                                     "Memory gate: warn"};
	const char *at = t;
	for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
		const char *p = strstr(at, labels[i]);
		ck_assert_msg(p, "\"%s\" missing or out of order in:\n%s", labels[i], t);
		at = p;
	}
	ck_assert(strstr(t, "20240725"));
	ck_assert(strstr(t, "784"));
	ck_assert(strstr(t, "512"));
	ck_assert(strstr(t, "in 2 regions"));
	/* the non-pass check with its hint, and no pass check */
	ck_assert(strstr(t, "memory-auto-online"));
	ck_assert(strstr(t, "hint: echo offline"));
	ck_assert(!strstr(t, "cpu-vendor"));
	/* aligned like hostnamectl: every colon of the label block in the same column */
	ck_assert(strstr(t, "              State: ready\n"));
	ck_assert(strstr(t, "Guest address width: 52 bits\n"));

	json_object_put(o);
	tdx_status_done(&s);
}
END_TEST

START_TEST(test_human_checks) {
	struct tdx_status s;
	full_status(&s);
	struct json_object *o = capabilities_build(&s);
	_cleanup_free_ char *t = render(format_checks_human, o);
	for (int i = 0; i < _CHECK_MAX; i++)
		ck_assert_msg(strstr(t, check_id_to_string(i)), "%s missing",
		              check_id_to_string(i));
	ck_assert(
	    strstr(t, "platform:\n  [pass] cpu-vendor: fine 0\n  [pass] bare-metal: fine 1\n"));
	ck_assert(strstr(t, "[warn] memory-auto-online: fine 15\n         hint: echo offline"));
	/* a pass check prints no hint line */
	ck_assert(!strstr(t, "fine 0\n         hint"));
	ck_assert(strstr(t, "\nState: ready: TDX is ready"));
	char want[128];
	/* every check passes but one warning, however many checks there are */
	snprintf(want, sizeof want, "\n%d passed, 1 warning, 0 failed, 0 skipped\nState: ready",
	         _CHECK_MAX - 1);
	ck_assert_msg(strstr(t, want), "no '%s' in:\n%s", want, t);
	ck_assert(!strstr(t, "\x1b["));
	json_object_put(o);
	tdx_status_done(&s);
}
END_TEST

/* An AMD host: cpu-vendor fails, everything after it is skipped (some naming their cause,
 * some not: the kernel-tdx hint names kvm_intel, which cannot apply here). */
static void amd_status(struct tdx_status *s) {
	full_status(s);
	s->state = TDX_STATE_UNSUPPORTED;
	s->ready = false;
	strcpy(s->reason, "TDX is not supported here");
	s->checks[CHECK_CPU_VENDOR].result = CHECK_FAIL;
	strcpy(s->checks[CHECK_CPU_VENDOR].summary, "the CPU vendor is AuthenticAMD");
	strcpy(s->checks[CHECK_CPU_VENDOR].hint, "use SEV-SNP tooling");
	for (int i = CHECK_BIOS_TDX; i < _CHECK_MAX; i++) {
		if (i == CHECK_CPU_PACKAGES || i == CHECK_MEMORY_AUTO_ONLINE)
			continue;
		s->checks[i].result = CHECK_SKIP;
		s->checks[i].hint[0] = 0;
		strcpy(s->checks[i].summary, "not checked: bios-tdx skipped");
	}
	strcpy(s->checks[CHECK_BIOS_TDX].summary, "not checked: cpu-vendor failed");
	strcpy(s->checks[CHECK_KERNEL_TDX].summary, "not checked: kvm_intel is not loaded");
	strcpy(s->checks[CHECK_KERNEL_TDX].hint, "check with modinfo -p kvm_intel | grep tdx");
	s->checks[CHECK_MEMORY_AUTO_ONLINE].result = CHECK_PASS;
}

static unsigned count_lines(const char *t, const char *until) {
	const char *end = strstr(t, until);
	unsigned n = 0;
	ck_assert_ptr_nonnull(end);
	for (const char *p = t; p < end; p++)
		n += *p == '\n';
	return n;
}

START_TEST(test_human_checks_folded) {
	struct tdx_status s;
	amd_status(&s);
	struct json_object *o = capabilities_build(&s);
	_cleanup_free_ char *t = render(format_checks_human, o);
	/* on an AMD host all but cpu-vendor and its three passes are skips that follow from it */
	const int n_skipped = _CHECK_MAX - 4;
	char want[512];
	snprintf(want, sizeof want,
	         "platform:\n  [fail] cpu-vendor: the CPU vendor is AuthenticAMD\n"
	         "         hint: use SEV-SNP tooling\n\n"
	         "%d checks not run: cpu-vendor failed\n"
	         "3 passed, 0 warnings, 1 failed, %d skipped\n"
	         "State: unsupported: TDX is not supported here\n",
	         n_skipped, n_skipped);
	ck_assert_msg(strstr(t, want), "%s", t);
	/* the spec's promise for an AMD host: at most five lines before the count line */
	ck_assert_uint_le(count_lines(t, "3 passed"), 5);
	ck_assert(!strstr(t, "modinfo"));
	ck_assert(!strstr(t, "[pass]"));

	/* --all: every check, but still no hint that cannot apply on this platform */
	struct format_options all = {.all = true};
	_cleanup_free_ char *u = render_opts(format_checks_human, o, &all);
	for (int i = 0; i < _CHECK_MAX; i++)
		ck_assert_msg(strstr(u, check_id_to_string(i)), "%s missing",
		              check_id_to_string(i));
	ck_assert(strstr(u, "[skip] keyids: not checked: bios-tdx skipped\n"));
	ck_assert(!strstr(u, "checks not run"));
	ck_assert(!strstr(u, "modinfo"));
	snprintf(want, sizeof want, "\n3 passed, 0 warnings, 1 failed, %d skipped\n", n_skipped);
	ck_assert(strstr(u, want));

	/* status: the same markers, the same fold */
	_cleanup_free_ char *st = render(format_status_human, o);
	snprintf(want, sizeof want,
	         "Checks not passing:\n  [fail] cpu-vendor: the CPU vendor is AuthenticAMD\n"
	         "         hint: use SEV-SNP tooling\n"
	         "  %d checks not run: cpu-vendor failed\n\n"
	         "3 passed, 0 warnings, 1 failed, %d skipped\n",
	         n_skipped, n_skipped);
	ck_assert_msg(strstr(st, want), "%s", st);
	json_object_put(o);
	tdx_status_done(&s);
}
END_TEST

START_TEST(test_human_fold_chain) {
	/* On an Intel host, only the skips that name a failed check (or a skip that does) fold;
	 * the others stay, with their hints, and so do the passes when nothing folds. */
	struct tdx_status s;
	full_status(&s);
	s.checks[CHECK_MODULE_INIT].result = CHECK_FAIL;
	strcpy(s.checks[CHECK_MODULE_INIT].summary, "the module failed to initialize");
	s.checks[CHECK_MAX_VCPUS].result = CHECK_SKIP;
	strcpy(s.checks[CHECK_MAX_VCPUS].summary, "not checked: module-init failed");
	s.checks[CHECK_TDX_MEMORY].result = CHECK_SKIP;
	strcpy(s.checks[CHECK_TDX_MEMORY].summary, "not checked: max-vcpus skipped");
	s.checks[CHECK_KVM_VM_TYPES].result = CHECK_SKIP;
	strcpy(s.checks[CHECK_KVM_VM_TYPES].summary, "not checked: /dev/kvm was not asked");
	strcpy(s.checks[CHECK_KVM_VM_TYPES].hint, "load kvm");
	struct json_object *o = capabilities_build(&s);
	_cleanup_free_ char *t = render(format_checks_human, o);
	ck_assert_msg(strstr(t, "\n2 checks not run: module-init failed\n"), "%s", t);
	ck_assert(strstr(t, "[skip] kvm-vm-types: not checked: /dev/kvm was not asked\n"
	                    "         hint: load kvm\n"));
	ck_assert(!strstr(t, "max-vcpus"));
	char want[128];
	snprintf(want, sizeof want, "%d passed, 1 warning, 1 failed, 3 skipped\n", _CHECK_MAX - 5);
	ck_assert_msg(strstr(t, want), "no '%s' in:\n%s", want, t);
	json_object_put(o);
	tdx_status_done(&s);
}
END_TEST

START_TEST(test_human_color) {
	struct tdx_status s;
	amd_status(&s);
	struct json_object *o = capabilities_build(&s);
	struct format_options c = {.color = true};
	_cleanup_free_ char *t = render_opts(format_checks_human, o, &c);
	ck_assert_msg(strstr(t, "  [\x1b[0;1;31mfail\x1b[0m] cpu-vendor:"), "%s", t);
	json_object_put(o);
	tdx_status_done(&s);

	setenv("SYSTEMD_COLORS", "1", 1);
	unsetenv("NO_COLOR");
	ck_assert(format_use_color(-1));
	setenv("NO_COLOR", "1", 1);
	ck_assert(!format_use_color(-1));
	unsetenv("NO_COLOR");
	setenv("SYSTEMD_COLORS", "0", 1);
	ck_assert(!format_use_color(-1));
	unsetenv("SYSTEMD_COLORS");
	ck_assert(!format_use_color(-1)); /* not a terminal */
}
END_TEST

START_TEST(test_host_keys) {
	char root[] = "/tmp/test-capabilities-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(root));
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
	         "mkdir -p %1$s/proc/sys/kernel/random && echo tdx-host-7 > "
	         "%1$s/proc/sys/kernel/hostname && echo 6.18.0-tdx > "
	         "%1$s/proc/sys/kernel/osrelease",
	         root);
	ck_assert_int_eq(system(cmd), 0);
	struct tdx_status s;
	full_status(&s);
	struct json_object *o = capabilities_build(&s);
	/* read by the probe of that tree, as the daemon and tdxctl check do */
	struct tdx_host th;
	ck_assert_int_eq(probe_host(root, NULL, &th), 0);
	struct host_identity id;
	host_identity_of(&th, &id);
	tdx_host_done(&th);
	ck_assert_int_eq(capabilities_add_host(o, &id, 1764921600123456ULL), 0);
	struct json_object *h = key(o, "host", json_type_object);
	ck_assert_str_eq(json_object_get_string(key(h, "hostname", json_type_string)),
	                 "tdx-host-7");
	ck_assert_str_eq(json_object_get_string(key(h, "kernel", json_type_string)), "6.18.0-tdx");
	/* unreadable: "" like every unknown string of the document */
	ck_assert_str_eq(json_object_get_string(key(h, "boot_id", json_type_string)), "");
	ck_assert_uint_eq(json_object_get_uint64(key(o, "generated_usec", json_type_int)),
	                  1764921600123456ULL);
	/* the published form carries them too */
	json_object_put(o);
	o = parse(&s, false);
	h = key(o, "host", json_type_object);
	ck_assert_uint_gt(strlen(json_object_get_string(key(h, "kernel", json_type_string))), 0);
	ck_assert_uint_gt(json_object_get_uint64(key(o, "generated_usec", json_type_int)), 0);
	json_object_put(o);
	tdx_status_done(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_format_bytes) {
	char b[32];
	format_bytes(512, b, sizeof(b));
	ck_assert_str_eq(b, "512 B");
	format_bytes(GIB(256), b, sizeof(b));
	ck_assert_str_eq(b, "256.0 GiB");
	format_bytes(GIB(1) + MIB(512), b, sizeof(b));
	ck_assert_str_eq(b, "1.5 GiB");
	format_bytes(UINT64_MAX, b, sizeof(b));
	ck_assert_str_eq(b, "15.9 EiB");
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("capabilities");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_full_document, 0, 2);
	tcase_add_test(tc, test_empty_document);
	tcase_add_test(tc, test_attestation);
	tcase_add_test(tc, test_used_above_total);
	tcase_add_test(tc, test_human_status);
	tcase_add_test(tc, test_human_checks);
	tcase_add_test(tc, test_human_checks_folded);
	tcase_add_test(tc, test_human_fold_chain);
	tcase_add_test(tc, test_human_color);
	tcase_add_test(tc, test_host_keys);
	tcase_add_test(tc, test_format_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
