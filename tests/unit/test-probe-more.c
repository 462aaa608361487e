/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host probe, continued (test-probe.c): block ids, package lists, KeyID usage, empty,
 * garbage and hostile trees, the big host, the fixture trees. */
#include "check-run.h"
#include "probe-host.h"

/* Block ids come sorted whatever the directory's order: nearly dense (a bitmap) and sparse
 * (a radix sort, ids up to 2^64-1). */
START_TEST(test_block_ids_sorted) {
	static const uint64_t dense[] = {64, 3, 0, 63, 1, 2, 65};
	static const uint64_t dense_sorted[] = {0, 1, 2, 3, 63, 64, 65};
	static const uint64_t sparse[] = {1000000, 7, 0, UINT64_C(1) << 40, 300, 5};
	static const uint64_t sparse_sorted[] = {0, 5, 7, 300, 1000000, UINT64_C(1) << 40};
	const uint64_t *sets[] = {dense, sparse}, *want[] = {dense_sorted, sparse_sorted};
	size_t sizes[] = {ELEMENTSOF(dense), ELEMENTSOF(sparse)};

	for (size_t k = 0; k < 2; k++) {
		mkroot();
		put("/sys/devices/system/memory/block_size_bytes", "8000000\n");
		for (size_t i = 0; i < sizes[k]; i++) {
			char path[96];
			snprintf(path, sizeof path, "/sys/devices/system/memory/memory%llu",
			         (unsigned long long)sets[k][i]);
			mkdirs(path);
		}
		struct tdx_host h;
		ck_assert_int_eq(probe_host(root, NULL, &h), 0);
		ck_assert_uint_eq(h.mem.n_blocks, sizes[k]);
		for (size_t i = 0; i < sizes[k]; i++)
			ck_assert_uint_eq(h.mem.block_ids[i], want[k][i]);
		tdx_host_done(&h);
		rmroot();
	}
}
END_TEST

/* package_cpus_list: one read names the online CPUs of a package, so their own
 * physical_package_id is not needed; an offline CPU is never taken from a list. */
START_TEST(test_package_lists) {
	mkroot();
	put("/sys/devices/system/cpu/present", "0-7\n");
	put("/sys/devices/system/cpu/online", "0-4,6-7\n");
	put("/sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
	put("/sys/devices/system/cpu/cpu0/topology/package_cpus_list", "0-3,5\n");
	put("/sys/devices/system/cpu/cpu4/topology/physical_package_id", "1\n");
	put("/sys/devices/system/cpu/cpu4/topology/package_cpus_list", "4,6-7\n");
	mkdirs("/sys/devices/system/cpu/cpu5");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_warnings, 0);
	for (unsigned c = 0; c < 8; c++) {
		ck_assert_int_eq(h.cpus[c].package, c == 5 ? -1 : c < 4 ? 0 : 1);
		if (c != 5)
			ck_assert_str_eq(h.cpus[c].package_source, "topology");
	}
	ck_assert_uint_eq(h.n_packages, 2);
	ck_assert_uint_eq(h.packages[0].online_cpus, 4);
	ck_assert_uint_eq(h.packages[1].online_cpus, 3);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

/* The KeyID usage as the daemon re-reads it for the bus: one descriptor, one pread() a read. */
START_TEST(test_misc_usage) {
	mkroot();
	put("/sys/fs/cgroup/misc.capacity", "sev 10\ntdx 31\n");
	put("/sys/fs/cgroup/misc.current", "sev 0\ntdx 2\n");
	struct misc_cgroup m;
	ck_assert_int_eq(probe_misc_cgroup(root, &m), 0);
	const char *path = misc_current_path(&m);
	ck_assert_str_eq(path, "/sys/fs/cgroup/misc.current");

	bool replaceable = false, known = false;
	uint32_t used = 0;
	int fd = misc_usage_open(root, path, &replaceable);
	ck_assert_int_ge(fd, 0);
	ck_assert(replaceable); /* not a cgroup file system */
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), 0);
	ck_assert(known);
	ck_assert_uint_eq(used, 2);
	/* rewritten in place: the same descriptor sees the new text */
	put("/sys/fs/cgroup/misc.current", "tdx 7\n");
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), 0);
	ck_assert_uint_eq(used, 7);
	/* no tdx line: no answer */
	put("/sys/fs/cgroup/misc.current", "sev 1\n");
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), 0);
	ck_assert(!known);
	put("/sys/fs/cgroup/misc.current", "tdx lots\n");
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), -EINVAL);
	/* replaced under its name (sed -i): the descriptor is stale, a new one reads the file */
	put("/sys/fs/cgroup/misc.current.new", "tdx 9\n");
	char a[128], b[128];
	snprintf(a, sizeof a, "%s/sys/fs/cgroup/misc.current.new", root);
	snprintf(b, sizeof b, "%s/sys/fs/cgroup/misc.current", root);
	ck_assert_int_eq(rename(a, b), 0);
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), -ESTALE);
	close(fd);
	fd = misc_usage_open(root, path, &replaceable);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(misc_usage_read(fd, replaceable, &known, &used), 0);
	ck_assert_uint_eq(used, 9);
	close(fd);
	ck_assert_int_eq(unlink(b), 0);
	ck_assert_int_eq(misc_usage_open(root, path, &replaceable), -ENOENT);

	/* no misc.capacity found: nothing to keep open */
	m = (struct misc_cgroup){0};
	ck_assert_ptr_null(misc_current_path(&m));
	rmroot();
}
END_TEST

START_TEST(test_empty_root) {
	mkroot();
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(!h.cpuinfo.read && !h.kmsg.readable && !h.fw.present && !h.kvm.loaded);
	ck_assert_int_eq(h.kvm.refcnt, -1);
	ck_assert(!h.misc.capacity_file && !h.hp_states_read && !h.mem.present);
	ck_assert_uint_eq(h.n_cpus, 0);
	ck_assert_str_eq(h.boot_id, "");
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_garbage_files) {
	mkroot();
	put("/proc/cpuinfo", "\x01\x02\x03 binary");
	put("/proc/sys/kernel/random/boot_id", "xyz\n");
	put("/dev/kmsg", "junk\n6,1\n\xff\xfe\n");
	put("/sys/fs/cgroup/misc.capacity", "tdx 99999999999\n");
	put("/sys/fs/cgroup/misc.current", "tdx -1\n");
	put("/sys/module/kvm_intel/initstate", "live\n");
	put("/sys/module/kvm_intel/refcnt", "many\n");
	put("/sys/module/kvm_intel/parameters/tdx", "maybe\n");
	put("/sys/devices/faux/tdx_host/version", "1.x.3\n");
	put("/sys/devices/system/cpu/present", "0-3,garbage\n");
	put("/sys/devices/system/node/node2147483646/cpulist", "0\n");
	put("/sys/devices/system/memory/block_size_bytes", "zz\n");
	put("/sys/firmware/memmap/0/type", "System RAM\n");
	put("/sys/firmware/memmap/0/start", "0x1000\n");
	put("/sys/firmware/memmap/0/end", "0x10\n");
	put("/sys/firmware/tdx/keyid_num", "0x1ffffffff");
	put("/sys/bus/dax/devices/dax0.0/resource", "nope\n");
	put("/run/tdxd/tdx-memory", "0x200 0x100\n");
	put("/run/tdxd/cpu-package", "zero one\n");
	put("/run/tdxd/state", "this is not a state file\n");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert(has_warning(&h, "/proc/cpuinfo:"));
	ck_assert(has_warning(&h, "/proc/sys/kernel/random/boot_id:"));
	ck_assert(has_warning(&h, "/dev/kmsg: 3 malformed records"));
	ck_assert(has_warning(&h, "/sys/fs/cgroup/misc.capacity: \"tdx\" value out of range"));
	ck_assert(has_warning(&h, "/sys/fs/cgroup/misc.current: malformed"));
	ck_assert(has_warning(&h, "/sys/module/kvm_intel/refcnt:"));
	ck_assert(has_warning(&h, "/sys/module/kvm_intel/parameters/tdx:"));
	ck_assert(has_warning(&h, "/sys/devices/faux/tdx_host/version:"));
	ck_assert(has_warning(&h, "/sys/devices/system/cpu/present: malformed"));
	ck_assert(has_warning(&h, "/sys/devices/system/memory/block_size_bytes:"));
	ck_assert(has_warning(&h, "/sys/firmware/memmap/0/end:"));
	ck_assert(has_warning(&h, "/sys/firmware/tdx/keyid_num: number out of range"));
	ck_assert(has_warning(&h, "/sys/bus/dax/devices/dax0.0/resource:"));
	ck_assert(has_warning(&h, "/run/tdxd/state:1:"));
	ck_assert(has_warning(&h, "/run/tdxd/tdx-memory:1:"));
	ck_assert(!h.cpuinfo.read);
	ck_assert(!h.misc.capacity_known && h.misc.capacity_file);
	ck_assert(!h.tdx_host_version_known);
	ck_assert(!h.fw.has_keyid_num);
	ck_assert_uint_eq(h.mem.block_size, 0);
	ck_assert_uint_eq(h.mem.system_ram.n, 0);
	ck_assert(!h.tdx_memory_known);
	ck_assert_uint_eq(h.mem.n_dax, 1);
	ck_assert_uint_eq(h.mem.dax[0].ranges.n, 0);
	tdx_host_done(&h);

	/* valid CPU lists, absurd node and package ids, a huge memory block id */
	put("/sys/devices/system/cpu/present", "0-1\n");
	put("/sys/devices/system/cpu/online", "0\n");
	put("/sys/devices/system/cpu/cpu0/topology/physical_package_id", "4294967295\n");
	link_node(1, 2147483647);
	put("/sys/devices/system/memory/block_size_bytes", "80000000\n");
	mkdirs("/sys/devices/system/memory/memory18446744073709551615");
	put("/run/tdxd/tdx-memory", "0x100000 0x200000\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(has_warning(&h, "cpu0/topology/physical_package_id: not a package id"));
	ck_assert(has_warning(&h, "/run/tdxd/cpu-package:1:"));
	ck_assert_int_eq(h.cpus[0].package, -1);
	ck_assert_int_eq(h.cpus[1].node, -1);
	ck_assert_uint_eq(h.mem.n_blocks, 1);
	ck_assert_uint_eq(h.mem.n_outside, 0);
	ck_assert(has_warning(&h, "memory18446744073709551615: beyond the 64-bit address space"));
	tdx_host_done(&h);
	rmroot();
}
END_TEST

/* 8 packages x 120 CPUs, 50,000 memory blocks of 128 MiB (6.1 TiB), all inside the CMRs. The
 * probe must scale by not reading a file per block: a block inside the CMRs is judged from
 * its number alone. Some of those blocks carry a directory where their state file would be;
 * reading one would warn, so no warning proves they were not read. (How fast the probe is
 * belongs to tests/bench/bench-probe.) */
START_TEST(test_big_host_no_per_block_reads) {
	mkroot();
	char p[256], v[64];
	put("/sys/devices/system/cpu/present", "0-959\n");
	put("/sys/devices/system/cpu/online", "0-959\n");
	for (unsigned c = 0; c < 960; c++) {
		snprintf(v, sizeof(v), "%u\n", c / 120);
		putf(v, "/sys/devices/system/cpu/cpu%u/topology/physical_package_id", c);
	}
	for (unsigned n = 0; n < 8; n++) {
		snprintf(v, sizeof(v), "%u-%u\n", n * 120, n * 120 + 119);
		putf(v, "/sys/devices/system/node/node%u/cpulist", n);
	}
	put("/sys/devices/system/memory/block_size_bytes", "8000000\n");
	for (unsigned b = 0; b < 50000; b++) {
		snprintf(p, sizeof(p), "%s/sys/devices/system/memory/memory%u", root, b);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		if (b % 997 == 1) {
			snprintf(p, sizeof(p), "%s/sys/devices/system/memory/memory%u/state", root,
			         b);
			ck_assert_int_eq(mkdir(p, 0755), 0);
		}
	}
	snprintf(v, sizeof(v), "6,1,1,-;virt/tdx: CMR: [0x0, 0x%llx)\n", 50000ULL << 27);
	put("/dev/kmsg", v);
	put("/run/tdxd/tdx-memory", "0x100000 0x61a800000000\n");

	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_online, 960);
	ck_assert_uint_eq(h.n_packages, 8);
	ck_assert_uint_eq(h.packages[7].online_cpus, 120);
	ck_assert_uint_eq(h.mem.n_blocks, 50000);
	ck_assert_uint_eq(h.mem.block_ids[49999], 49999);
	ck_assert_uint_eq(h.mem.n_outside, 0);
	ck_assert_uint_eq(h.n_warnings, 0);
	tdx_host_done(&h);

	/* the control: a block outside the CMRs is read, and its bad state file named */
	snprintf(v, sizeof(v), "6,1,1,-;virt/tdx: CMR: [0x0, 0x%llx)\n", 49000ULL << 27);
	put("/dev/kmsg", v);
	ck_assert_int_eq(unlink(strcat(strcpy(p, root), "/run/tdxd/tdx-memory")), 0);
	put("/sys/devices/system/memory/memory49999/state", "online\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_uint_eq(h.mem.n_outside, 1); /* the others have no state file */
	ck_assert_uint_eq(h.mem.outside[0].id, 49999);
	ck_assert(has_warning(&h, "/sys/devices/system/memory/memory49851/state: a directory"));
	tdx_host_done(&h);
	rmroot();
}
END_TEST

/* Files tdxd reads replaced by what a hostile or broken --root can hold: each is refused with
 * a warning naming the path, nothing blocks (Check's timeout would fail the test), and the
 * rest of the host is still probed. */
START_TEST(test_hostile_files) {
	mkroot();
	build_host();
	char p[512];
#define AT(path) (snprintf(p, sizeof(p), "%s%s", root, path), p)
	/* FIFOs: opening one for reading used to wait for a writer forever */
	unlink(AT("/sys/devices/system/cpu/online"));
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	unlink(AT("/proc/cpuinfo"));
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	unlink(AT("/dev/kmsg"));
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	unlink(AT("/sys/devices/system/cpu/cpu1/topology/physical_package_id"));
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	/* a directory where a file is expected */
	unlink(AT("/sys/devices/system/memory/block_size_bytes"));
	ck_assert_int_eq(mkdir(p, 0755), 0);
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert(has_warning(&h, "/sys/devices/system/cpu/online: not a regular file"));
	ck_assert(has_warning(&h, "/proc/cpuinfo: not a regular file"));
	ck_assert(has_warning(&h, "/dev/kmsg: not a regular file"));
	ck_assert(has_warning(&h, "cpu1/topology/physical_package_id: not a regular file"));
	ck_assert(has_warning(&h, "block_size_bytes: a directory where a file is expected"));
	ck_assert_uint_eq(h.n_cpus, 8); /* present still read */
	ck_assert_int_eq(h.cpus[0].package, 0);
	tdx_host_done(&h);

	/* a kernel log larger than the printk ring can be (2^25 bytes): refused, not parsed */
	unlink(AT("/dev/kmsg"));
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (1 << 25) + 1), 0); /* sparse: costs no disk */
	close(fd);
	/* a char device that never ends (/dev/zero) read as the kernel log: stops at the bound */
	if (access("/dev/zero", R_OK) == 0) {
		unlink(AT("/proc/cpuinfo"));
		ck_assert_int_eq(symlink("/dev/zero", p), 0);
	}
	/* CPU numbers past the kernel's NR_CPUS */
	put("/sys/devices/system/cpu/present", "0-8192\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert(has_warning(&h, "/dev/kmsg: larger than the kernel writes"));
	ck_assert(has_warning(&h, "/sys/devices/system/cpu/present: CPU 8192 is beyond"));
	ck_assert_uint_eq(h.n_cpus, 0);
	if (access("/dev/zero", R_OK) == 0)
		ck_assert(has_warning(&h, "/proc/cpuinfo: not a regular file"));
	tdx_host_done(&h);

	/* the kernel log as a never-ending device: read up to the bound, then a warning */
	if (access("/dev/zero", R_OK) == 0) {
		unlink(AT("/dev/kmsg"));
		ck_assert_int_eq(symlink("/dev/zero", p), 0);
		ck_assert_int_eq(probe_host(root, NULL, &h), 0);
		ck_assert(has_warning(&h, "/dev/kmsg: more than 33554432 bytes"));
		tdx_host_done(&h);
	}
#undef AT
	rmroot();
}
END_TEST

/* Every fixture tree present probes without error (the fixtures' own content is asserted by
 * the status and bus tests). */
/* The module-lifecycle fixture trees (no expected.json until their checks exist): what the
 * probe reads from each. */
static void probe_fixture(const char *name, struct tdx_host *h) {
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	ck_assert_int_eq(probe_host(path, NULL, h), 0);
	dump_warnings(h);
	ck_assert_uint_eq(h->n_warnings, 0);
}

START_TEST(test_lifecycle_fixtures) {
	struct tdx_host h;

	probe_fixture("gnr-2s-v7.2-ready", &h);
	ck_assert(h.seamldr_version_known && h.remaining_updates_known);
	ck_assert_uint_eq(h.remaining_updates, 14);
	ck_assert(h.module_update_supported);
	tdx_host_done(&h);

	probe_fixture("gnr-2s-v7.2-no-updates-left", &h);
	ck_assert(h.tdx_host_version_known && h.remaining_updates_known);
	ck_assert_uint_eq(h.remaining_updates, 0);
	ck_assert_uint_eq(h.sl_major, 2);
	ck_assert_uint_eq(h.sl_update, 1);
	ck_assert(h.module_update_supported);
	ck_assert_str_eq(h.osrelease, "7.2.1-1-default");
	tdx_host_done(&h);

	probe_fixture("gnr-2s-v7.2-update-failed", &h);
	ck_assert(h.tdx_host_dev && h.tdx_host_version_enxio && !h.tdx_host_version_known);
	ck_assert_uint_eq(h.remaining_updates, 13);
	tdx_host_done(&h);

	probe_fixture("gnr-2s-v7.2-below-minimum", &h);
	ck_assert(h.tdx_host_version_known);
	ck_assert_uint_eq(h.th_update, 20);
	tdx_host_done(&h);

	probe_fixture("emr-2s-v7.1-kdump-unavailable", &h);
	ck_assert(h.cpuinfo.bug_tdx_pw_mce);
	ck_assert(h.kernel_version_known);
	ck_assert_uint_eq(h.kernel_major, 7);
	ck_assert_uint_eq(h.kernel_minor, 1);
	ck_assert_uint_eq(h.kernel_patch, 4);
	ck_assert(!h.kmsg.kexec_refused.present);
	ck_assert(!h.tdx_host_dev && !h.module_update_supported);
	tdx_host_done(&h);

	probe_fixture("emr-2s-v7.1-kexec-refused", &h);
	ck_assert(h.cpuinfo.bug_tdx_pw_mce);
	ck_assert(h.kmsg.kexec_refused.present);
	ck_assert_str_eq(h.kmsg.kexec_refused.text,
	                 "kexec: Not allowed on platform with tdx_pw_mce bug");
	/* kept with the TDX lines, so a wrapped ring does not lose it */
	ck_assert_ptr_nonnull(strstr(h.kmsg.tdx_lines, "tdx_pw_mce bug"));
	tdx_host_done(&h);
}
END_TEST

START_TEST(test_fixture_trees) {
	DIR *d = opendir(FIXTURES_DIR);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		char path[512];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, de->d_name);
		if (!is_dir_at("/", path))
			continue;
		struct tdx_host h;
		ck_assert_int_eq(probe_host(path, NULL, &h), 0);
		if (h.n_warnings)
			fprintf(stderr, "%s:\n", de->d_name);
		dump_warnings(&h);
		tdx_host_done(&h);
	}
	closedir(d);
}
END_TEST

int main(void) {
	Suite *s = suite_create("probe-more");
	TCase *tc = tcase_create("probe");
	tcase_add_test(tc, test_block_ids_sorted);
	tcase_add_test(tc, test_package_lists);
	tcase_add_test(tc, test_misc_usage);
	tcase_add_test(tc, test_empty_root);
	tcase_add_test(tc, test_garbage_files);
	tcase_add_test(tc, test_big_host_no_per_block_reads);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_lifecycle_fixtures);
	tcase_add_test(tc, test_fixture_trees);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
