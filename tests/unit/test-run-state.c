/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "run-state.h"
#include "check-run.h"

#define BOOT "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"

START_TEST(test_state_roundtrip) {
	struct run_state s = {
	    .has_tdx_enabled = true,
	    .tdx_enabled = true,
	    .has_module_initialized = true,
	    .module_initialized = false,
	    .kvm_module = "kvm_intel",
	    .cpu_guard = "enforce",
	    .memory_gate = "warn",
	    .boot_id = BOOT,
	};
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(run_state_format(&s, &t), 0);
	ck_assert_str_eq(t, "TDX_ENABLED=1\nMODULE_INITIALIZED=0\nKVM_MODULE=kvm_intel\n"
	                    "CPU_GUARD=enforce\nMEMORY_GATE=warn\nBOOT_ID=" BOOT "\n");
	struct run_state p;
	ck_assert_int_eq(run_state_parse(t, &p, NULL), 0);
	ck_assert(p.has_tdx_enabled && p.tdx_enabled);
	ck_assert(p.has_module_initialized && !p.module_initialized);
	ck_assert_str_eq(p.kvm_module, "kvm_intel");
	ck_assert_str_eq(p.cpu_guard, "enforce");
	ck_assert_str_eq(p.memory_gate, "warn");
	ck_assert_str_eq(p.boot_id, BOOT);
	ck_assert(run_state_is_current(&p, BOOT));
	ck_assert(!run_state_is_current(&p, "00000000-0000-0000-0000-000000000000"));
	ck_assert(run_state_is_current(&p, NULL));
	struct run_state empty = {0};
	ck_assert(run_state_is_current(&empty, BOOT));
}
END_TEST

START_TEST(test_state_garbage) {
	struct run_state p = {.kvm_module = "keep"};
	unsigned line = 0;
	ck_assert_int_eq(run_state_parse("", &p, NULL), 0);
	ck_assert_str_eq(p.kvm_module, "");
	/* unknown keys are fine, blank lines too */
	ck_assert_int_eq(run_state_parse("FUTURE_KEY=1\n\nTDX_ENABLED=0", &p, NULL), 0);
	ck_assert(p.has_tdx_enabled && !p.tdx_enabled);

	strcpy(p.kvm_module, "keep");
	ck_assert_int_eq(run_state_parse("TDX_ENABLED=1\nno equals sign\n", &p, &line), -EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_str_eq(p.kvm_module, "keep");
	ck_assert_int_eq(run_state_parse("TDX_ENABLED=yes\n", &p, &line), -EINVAL);
	ck_assert_uint_eq(line, 1);
	ck_assert_int_eq(run_state_parse("=x\n", &p, &line), -EINVAL);
	char longv[200];
	snprintf(longv, sizeof(longv), "CPU_GUARD=%0150d\n", 0);
	ck_assert_int_eq(run_state_parse(longv, &p, &line), -EINVAL);
}
END_TEST

START_TEST(test_cpu_package) {
	const struct cpu_package e[] = {{0, 0}, {1, 0}, {64, 1}};
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(cpu_package_format(e, 3, &t), 0);
	ck_assert_str_eq(t, "0 0\n1 0\n64 1\n");
	_cleanup_free_ struct cpu_package *p = NULL;
	size_t n;
	ck_assert_int_eq(cpu_package_parse("0 0\n1 0\n64 1\n64 3\n", &p, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(cpu_package_lookup(p, n, 1), 0);
	ck_assert_int_eq(cpu_package_lookup(p, n, 64), 3); /* the later line wins */
	ck_assert_int_eq(cpu_package_lookup(p, n, 2), -1);

	struct cpu_package *q = NULL;
	unsigned line = 0;
	ck_assert_int_eq(cpu_package_parse("0 0\n1\n", &q, &n, &line), -EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_int_eq(cpu_package_parse("0 0 0\n", &q, &n, &line), -EINVAL);
	ck_assert_int_eq(cpu_package_parse("x 0\n", &q, &n, &line), -EINVAL);
	ck_assert_int_eq(cpu_package_parse("0x1 0\n", &q, &n, &line), -EINVAL);
	ck_assert_int_eq(cpu_package_parse("-1 0\n", &q, &n, &line), -EINVAL);
	ck_assert_int_eq(cpu_package_parse("4294967296 0\n", &q, &n, &line), -ERANGE);
	ck_assert_ptr_null(q);
	/* CRLF and blank trailing space are tolerated, no final newline too */
	ck_assert_int_eq(cpu_package_parse("3 1\r\n4 1 ", &q, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	free(q);
}
END_TEST

START_TEST(test_tdx_memory) {
	struct range_set s = {0};
	range_set_add(&s, 0x100000000ULL, 0x2080000000ULL);
	range_set_add(&s, 0x100000, 0x80000000);
	_cleanup_free_ char *t = NULL;
	ck_assert_int_eq(tdx_memory_format(&s, &t), 0);
	ck_assert_str_eq(t, "0x100000 0x80000000\n0x100000000 0x2080000000\n");
	struct range_set p = {0};
	/* adjacent ranges stay apart: a block must lie inside one */
	ck_assert_int_eq(
	    tdx_memory_parse("0x80000000 0x100000000\n0x100000 0x80000000\n", &p, NULL), 0);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.items[0].start, 0x100000);
	ck_assert(!range_set_contains(&p, 0x7f000000, 0x81000000));

	unsigned line = 0;
	ck_assert_int_eq(tdx_memory_parse("0x100 0x200\n0x300 0x200\n", &p, &line), -EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_int_eq(tdx_memory_parse("100 200\n", &p, &line), -EINVAL);
	ck_assert_int_eq(tdx_memory_parse("0x100\n", &p, &line), -EINVAL);
	ck_assert_int_eq(tdx_memory_parse("0x100 0x100\n", &p, &line), -EINVAL);
	ck_assert_int_eq(tdx_memory_parse("0x100 0x10000000000000000\n", &p, &line), -ERANGE);
	ck_assert_uint_eq(p.n, 2); /* untouched */
	range_set_clear(&s);
	range_set_clear(&p);
}
END_TEST

START_TEST(test_files) {
	char tmpl[] = "/tmp/tdxd-run-XXXXXX";
	const char *root = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(root);

	struct run_state s = {.has_tdx_enabled = true, .tdx_enabled = true, .boot_id = BOOT};
	ck_assert_int_eq(run_state_write(root, &s), 0);
	struct run_state p;
	ck_assert_int_eq(run_state_read(root, &p, NULL), 0);
	ck_assert_str_eq(p.boot_id, BOOT);

	const struct cpu_package e[] = {{5, 2}};
	ck_assert_int_eq(run_cpu_package_write(root, e, 1), 0);
	_cleanup_free_ struct cpu_package *q = NULL;
	size_t n;
	ck_assert_int_eq(run_cpu_package_read(root, &q, &n, NULL), 0);
	ck_assert_int_eq(cpu_package_lookup(q, n, 5), 2);

	struct range_set r = {0};
	range_set_add(&r, 0x100000, 0x200000);
	ck_assert_int_eq(run_tdx_memory_write(root, &r), 0);
	range_set_clear(&r);
	ck_assert_int_eq(run_tdx_memory_read(root, &r, NULL), 0);
	ck_assert_uint_eq(r.n, 1);
	range_set_clear(&r);

	ck_assert_int_eq(run_kernel_log_write(root, "virt/tdx: module initialized\n"), 0);
	_cleanup_free_ char *k = NULL;
	size_t ks;
	ck_assert_int_eq(run_kernel_log_read(root, &k, &ks), 0);
	ck_assert_str_eq(k, "virt/tdx: module initialized\n");

	char bootfile[256];
	snprintf(bootfile, sizeof(bootfile), "/proc/sys/kernel/random/boot_id");
	ck_assert_int_eq(write_file_atomic_at(root, bootfile, BOOT "\n"), 0);
	char id[40];
	ck_assert_int_eq(read_boot_id(root, id, sizeof(id)), 0);
	ck_assert_str_eq(id, BOOT);
	ck_assert_int_eq(write_file_atomic_at(root, bootfile, "not-a-uuid\n"), 0);
	ck_assert_int_eq(read_boot_id(root, id, sizeof(id)), -EINVAL);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(run_state_read(root, &p, NULL), -ENOENT);
}
END_TEST

int main(void) {
	Suite *s = suite_create("run-state");
	TCase *tc = tcase_create("files");
	tcase_add_test(tc, test_state_roundtrip);
	tcase_add_test(tc, test_state_garbage);
	tcase_add_test(tc, test_cpu_package);
	tcase_add_test(tc, test_tdx_memory);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
