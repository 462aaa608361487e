/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "check-run.h"

#define BOOT       "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
#define OTHER_BOOT "00000000-1111-2222-3333-444444444444"

static char root[64];

/* tmpfs when there is one: sysfs lives in memory too, and the trees are thousands of files */
static void mkroot(void) {
	strcpy(root, access("/dev/shm", W_OK) == 0 ? "/dev/shm/tdxd-probe-XXXXXX"
	                                           : "/tmp/tdxd-probe-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void rmroot(void) {
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void mkdirs(const char *path) {
	char p[512];
	snprintf(p, sizeof(p), "%s%s", root, path);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			(void)mkdir(p, 0755);
			*s = '/';
		}
	(void)mkdir(p, 0755);
}

static void put_bin(const char *path, const void *data, size_t n) {
	char p[512];
	snprintf(p, sizeof(p), "%s", path);
	*strrchr(p, '/') = 0;
	mkdirs(p);
	snprintf(p, sizeof(p), "%s%s", root, path);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

/* Plain writes: write_file_atomic_at() syncs every file, far too slow for a 960-CPU tree. */
static void put(const char *path, const char *contents) {
	put_bin(path, contents, strlen(contents));
}

static void putf(const char *contents, const char *fmt, ...) _printf_(2, 3);
static void putf(const char *contents, const char *fmt, ...) {
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	put(path, contents);
}

static void link_node(unsigned cpu, unsigned node) {
	char p[512], t[64];
	snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%u", cpu);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/cpu%u/node%u", root, cpu, node);
	snprintf(t, sizeof(t), "../../node/node%u", node);
	ck_assert_int_eq(symlink(t, p), 0);
}

static bool has_warning(const struct tdx_host *h, const char *needle) {
	for (size_t i = 0; i < h->n_warnings; i++)
		if (strstr(h->warnings[i], needle))
			return true;
	return false;
}

static void dump_warnings(const struct tdx_host *h) {
	for (size_t i = 0; i < h->n_warnings; i++)
		fprintf(stderr, "  warning: %s\n", h->warnings[i]);
}

static const char cpuinfo_block[] = "processor\t: %d\nvendor_id\t: GenuineIntel\n"
                                    "flags\t\t: fpu vmx tme tdx_host_platform\n"
                                    "vmx flags\t: ept ept_5level\n"
                                    "bugs\t\t: tdx_pw_mce\n"
                                    "address sizes\t: 46 bits physical, 57 bits virtual\n\n";

/* A 2-package, 8-CPU v6.16-era host with a vendor kernel log (CMR lines). */
static void build_host(void) {
	char buf[4096] = "";
	for (int i = 0; i < 8; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), cpuinfo_block, i);
	put("/proc/cpuinfo", buf);
	put("/proc/sys/kernel/random/boot_id", BOOT "\n");
	put("/dev/kmsg", "6,0,0,-;Linux version 6.16.5\n"
	                 "6,10,100,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                 " SUBSYSTEM=cpu\n"
	                 "6,11,101,-;virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                 "6,12,102,-;virt/tdx: CMR: [0x100000000, 0x180000000)\n"
	                 "6,900,9000,-;virt/tdx: 6303780 KB allocated for PAMT\n"
	                 "6,901,9001,-;virt/tdx: module initialized\n");
	put("/sys/fs/cgroup/misc.capacity", "sev 0\ntdx 31\n");
	put("/sys/fs/cgroup/misc.current", "tdx 2\n");
	put("/sys/module/kvm_intel/initstate", "live\n");
	put("/sys/module/kvm_intel/refcnt", "3\n");
	put("/sys/module/kvm_intel/parameters/tdx", "Y\n");
	mkdirs("/sys/module/kvm_intel/holders");
	put("/sys/devices/system/cpu/hotplug/states", "  0: offline\n 93: kvm/cpu/tdx:online\n"
	                                              "235: online\n");
	/* CPUs 0-7, 3 and 7 offline (their topology/ gone) */
	put("/sys/devices/system/cpu/present", "0-7\n");
	put("/sys/devices/system/cpu/online", "0-2,4-6\n");
	for (unsigned c = 0; c < 8; c++) {
		if (c != 3 && c != 7)
			putf(c < 4 ? "0\n" : "1\n",
			     "/sys/devices/system/cpu/cpu%u/topology/physical_package_id", c);
		link_node(c, c < 4 ? 0 : 1);
	}
	put("/sys/devices/system/node/node0/cpulist", "0-2\n");
	put("/sys/devices/system/node/node1/cpulist", "4-6\n");
	put("/run/tdxd/state", "TDX_ENABLED=1\nBOOT_ID=" BOOT "\n");
	put("/run/tdxd/cpu-package", "0 0\n7 1\n");
	put("/run/tdxd/tdx-memory", "0x100000 0x80000000\n0x100000000 0x180000000\n");
	/* memory: 128 MiB blocks, 0-15 (boot) and 32-39 (4 GiB..5 GiB), 64 hot-added at 8 GiB */
	put("/sys/devices/system/memory/block_size_bytes", "8000000\n");
	put("/sys/devices/system/memory/auto_online_blocks", "offline\n");
	for (unsigned b = 0; b < 16; b++)
		mkdirs((snprintf(buf, sizeof(buf), "/sys/devices/system/memory/memory%u", b), buf));
	for (unsigned b = 32; b < 40; b++)
		mkdirs((snprintf(buf, sizeof(buf), "/sys/devices/system/memory/memory%u", b), buf));
	put("/sys/devices/system/memory/memory64/state", "offline\n");
	put("/sys/firmware/memmap/0/start", "0x0\n");
	put("/sys/firmware/memmap/0/end", "0x9ffff\n");
	put("/sys/firmware/memmap/0/type", "System RAM\n");
	put("/sys/firmware/memmap/1/start", "0x100000\n");
	put("/sys/firmware/memmap/1/end", "0x7fffffff\n");
	put("/sys/firmware/memmap/1/type", "System RAM\n");
	put("/sys/firmware/memmap/2/start", "0x80000000\n");
	put("/sys/firmware/memmap/2/end", "0x8fffffff\n");
	put("/sys/firmware/memmap/2/type", "Reserved\n");
	put("/sys/firmware/memmap/3/start", "0x100000000\n");
	put("/sys/firmware/memmap/3/end", "0x17fffffff\n");
	put("/sys/firmware/memmap/3/type", "System RAM\n");
	put("/sys/bus/dax/devices/dax0.0/mapping0/start", "0x400000000\n");
	put("/sys/bus/dax/devices/dax0.0/mapping0/end", "0x43fffffff\n");
	put("/sys/bus/dax/devices/dax0.0/mapping1/start", "0x480000000\n");
	put("/sys/bus/dax/devices/dax0.0/mapping1/end", "0x4bfffffff\n");
	put("/sys/bus/dax/devices/dax1.0/resource", "0x500000000\n");
	put("/sys/bus/dax/devices/dax1.0/size", "1073741824\n");
}

START_TEST(test_full_host) {
	mkroot();
	build_host();
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert_str_eq(h.root, root);
	ck_assert_str_eq(h.boot_id, BOOT);
	ck_assert(!h.run_files_stale);

	ck_assert(h.cpuinfo.read);
	ck_assert(h.cpuinfo.tdx_host_platform && h.cpuinfo.ept_5level && h.cpuinfo.bug_tdx_pw_mce);
	/* only the first of the 8 processor blocks is read (its flags stand for all) */
	ck_assert_uint_eq(h.cpuinfo.n_processors, 1);

	ck_assert(h.kmsg.readable);
	ck_assert_str_eq(h.kmsg.source, "/dev/kmsg");
	ck_assert_uint_eq(h.kmsg.keyid_end, 64);
	ck_assert_int_eq(h.kmsg.init, MODULE_INIT_OK);
	ck_assert_uint_eq(h.kmsg.init_line.seq, 901);
	ck_assert_uint_eq(h.kmsg.last_seq, 901);
	ck_assert(h.kmsg.ring_complete);
	ck_assert_str_eq(h.kmsg.tdx_lines, "virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                                   "virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                                   "virt/tdx: CMR: [0x100000000, 0x180000000)\n"
	                                   "virt/tdx: 6303780 KB allocated for PAMT\n"
	                                   "virt/tdx: module initialized\n");

	ck_assert(!h.fw.present);
	ck_assert_str_eq(h.kvm.name, "kvm_intel");
	ck_assert(h.kvm.loaded && h.kvm.has_tdx_param && h.kvm.tdx_enabled);
	ck_assert_int_eq(h.kvm.refcnt, 3);
	ck_assert_uint_eq(h.kvm.n_holders, 0);
	ck_assert_int_eq(h.kvm.modinfo_has_tdx, -1);

	ck_assert(h.misc.capacity_known && h.misc.current_known);
	ck_assert_uint_eq(h.misc.capacity, 31);
	ck_assert_uint_eq(h.misc.current, 2);
	ck_assert_str_eq(h.misc.capacity_source, "/sys/fs/cgroup/misc.capacity");

	ck_assert(h.hp_states_read && h.hp_kvm_tdx && !h.hp_virt_tdx);
	ck_assert(!h.tdx_host_dev);

	ck_assert_uint_eq(h.n_cpus, 8);
	ck_assert_uint_eq(h.n_present, 8);
	ck_assert_uint_eq(h.n_online, 6);
	ck_assert_int_eq(h.cpus[0].package, 0);
	ck_assert_str_eq(h.cpus[0].package_source, "topology");
	ck_assert_int_eq(h.cpus[0].node, 0);
	/* CPU 3: not in the saved map, inferred from node0 (all package 0) */
	ck_assert(!h.cpus[3].online);
	ck_assert_int_eq(h.cpus[3].node, 0);
	ck_assert_int_eq(h.cpus[3].package, 0);
	ck_assert_str_eq(h.cpus[3].package_source, "node");
	/* CPU 7: from the saved map */
	ck_assert_int_eq(h.cpus[7].package, 1);
	ck_assert_str_eq(h.cpus[7].package_source, "saved");
	ck_assert_uint_eq(h.n_packages, 2);
	ck_assert_int_eq(h.packages[1].id, 1);
	ck_assert_uint_eq(h.packages[1].present_cpus, 4);
	ck_assert_uint_eq(h.packages[1].online_cpus, 3);
	ck_assert_uint_eq(h.n_dark_nodes, 0);
	ck_assert_uint_eq(h.n_unknown_package_offline, 0);

	ck_assert_uint_eq(h.cmrs.n, 2);
	ck_assert_str_eq(h.cmrs_source, "/dev/kmsg");
	ck_assert(h.tdx_memory_known);
	ck_assert_uint_eq(h.tdx_memory.n, 2);

	ck_assert(h.mem.present);
	ck_assert_uint_eq(h.mem.block_size, 0x8000000);
	ck_assert_str_eq(h.mem.auto_online, "offline");
	ck_assert_uint_eq(h.mem.n_blocks, 25);
	ck_assert_uint_eq(h.mem.block_ids[0], 0);
	ck_assert_uint_eq(h.mem.block_ids[24], 64);
	ck_assert(h.mem.memmap_present);
	ck_assert_uint_eq(h.mem.system_ram.n, 3);
	ck_assert_uint_eq(h.mem.system_ram.items[1].end, 0x80000000); /* inclusive end + 1 */
	/* blocks 32-39 (4..5 GiB) lie outside the CMRs and have no state file: skipped; block
	 * 64 is outside and was read */
	ck_assert_uint_eq(h.mem.n_outside, 1);
	ck_assert_uint_eq(h.mem.outside[0].id, 64);
	ck_assert(!h.mem.outside[0].online);
	ck_assert_str_eq(h.mem.outside[0].state, "offline");
	ck_assert_uint_eq(h.mem.n_dax, 2);
	ck_assert_str_eq(h.mem.dax[0].name, "dax0.0");
	ck_assert_uint_eq(h.mem.dax[0].ranges.n, 2);
	ck_assert_uint_eq(h.mem.dax[0].ranges.items[0].end, 0x440000000ULL);
	ck_assert_uint_eq(h.mem.dax[1].ranges.items[0].start, 0x500000000ULL);
	ck_assert_uint_eq(h.mem.dax[1].ranges.items[0].end, 0x540000000ULL);

	tdx_host_done(&h);
	ck_assert_ptr_null(h.root);
	rmroot();
}
END_TEST

START_TEST(test_outside_blocks_read) {
	mkroot();
	build_host();
	/* an online block inside the CMRs but outside the memory recorded at init */
	put("/run/tdxd/tdx-memory", "0x100000 0x40000000\n0x100000000 0x180000000\n");
	put("/sys/devices/system/memory/memory10/state", "online_movable\n");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	/* blocks 8-15 are outside tdx-memory: 10 and 64 have a state file */
	ck_assert_uint_eq(h.mem.n_outside, 2);
	ck_assert_uint_eq(h.mem.outside[0].id, 10);
	ck_assert(h.mem.outside[0].online);
	ck_assert_str_eq(h.mem.outside[0].state, "online_movable");
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_dark_node_and_unknown) {
	mkroot();
	put("/sys/devices/system/cpu/present", "0-5\n");
	put("/sys/devices/system/cpu/online", "0-1\n");
	put("/sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
	put("/sys/devices/system/cpu/cpu1/topology/physical_package_id", "0\n");
	link_node(0, 0);
	link_node(1, 0);
	link_node(2, 0); /* offline, node0 is one package: inferred */
	link_node(3, 1); /* node1 has no online CPU: dark */
	link_node(4, 1);
	/* CPU 5: no node link, no saved map: unknown */
	mkdirs("/sys/devices/system/cpu/cpu5");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_int_eq(h.cpus[2].package, 0);
	ck_assert_int_eq(h.cpus[3].package, -1);
	ck_assert_uint_eq(h.n_dark_nodes, 1);
	ck_assert_int_eq(h.dark_nodes[0], 1);
	ck_assert_uint_eq(h.n_unknown_package_offline, 3);
	ck_assert_uint_eq(h.n_packages, 1);
	ck_assert_uint_eq(h.packages[0].present_cpus, 3);
	ck_assert_uint_eq(h.packages[0].online_cpus, 2);
	tdx_host_done(&h);

	/* a node spanning two packages infers nothing */
	put("/sys/devices/system/cpu/online", "0-1,3\n");
	put("/sys/devices/system/cpu/cpu3/topology/physical_package_id", "1\n");
	put("/sys/devices/system/cpu/present", "0-4\n");
	char p[256];
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/cpu3/node1", root);
	unlink(p);
	link_node(3, 0);
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_int_eq(h.cpus[2].package, -1);
	ck_assert_uint_eq(h.n_packages, 2);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

static void le64(uint8_t *b, uint64_t v) {
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void build_vendor_metadata(bool truncated) {
	put("/sys/firmware/tdx/keyid_num", "0x00000040");
	put("/sys/firmware/tdx/nr_guest_keyids", "0x0000003f");
	put("/sys/firmware/tdx/tdx_module/status", "initialized");
	put("/sys/firmware/tdx/tdx_module/major_version", "0x00000001");
	put("/sys/firmware/tdx/tdx_module/minor_version", "0x00000005");
	put("/sys/firmware/tdx/tdx_module/build_num", "0x00000310");
	put("/sys/firmware/tdx/tdx_module/build_date", "20240725");
	const char *md = "/sys/firmware/tdx/tdx_module/metadata/";
	char p[256];
	static const uint8_t vcpus[] = {0x00, 0x02};
	snprintf(p, sizeof(p), "%s9900000100000008", md);
	put_bin(p, vcpus, 2);
	static const uint8_t maj[] = {1, 0}, min[] = {5, 0}, upd[] = {24, 0}, ncmr[] = {2, 0};
	snprintf(p, sizeof(p), "%s0800000100000004", md);
	put_bin(p, maj, 2);
	snprintf(p, sizeof(p), "%s0800000100000003", md);
	put_bin(p, min, 2);
	snprintf(p, sizeof(p), "%s0800000100000005", md);
	put_bin(p, upd, 2);
	snprintf(p, sizeof(p), "%s9000000100000000", md);
	put_bin(p, ncmr, 2);
	uint8_t base[32] = {0}, size[32] = {0};
	le64(base, 0x100000);
	le64(base + 8, 0x100000000ULL);
	le64(size, 0x7ff00000);
	le64(size + 8, 0x40000000);
	snprintf(p, sizeof(p), "%s9000000300000080", md);
	put_bin(p, base, truncated ? 12 : sizeof(base));
	snprintf(p, sizeof(p), "%s9000000300000100", md);
	put_bin(p, size, sizeof(size));
}

START_TEST(test_vendor_firmware) {
	mkroot();
	build_host();
	build_vendor_metadata(false);
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.fw.present);
	ck_assert(h.fw.has_keyid_num && h.fw.has_nr_guest_keyids);
	ck_assert_uint_eq(h.fw.keyid_num, 64);
	ck_assert_uint_eq(h.fw.nr_guest_keyids, 63);
	ck_assert_str_eq(h.fw.status, "initialized");
	ck_assert(h.fw.has_version);
	ck_assert_uint_eq(h.fw.minor_version, 5);
	ck_assert_uint_eq(h.fw.build_num, 784);
	ck_assert_uint_eq(h.fw.build_date, 20240725);
	ck_assert(h.fw.md_max_vcpus_known);
	ck_assert_uint_eq(h.fw.md_max_vcpus, 512);
	ck_assert(h.fw.md_version_known);
	ck_assert_uint_eq(h.fw.md_major, 1);
	ck_assert_uint_eq(h.fw.md_minor, 5);
	ck_assert_uint_eq(h.fw.md_update, 24);
	ck_assert(h.fw.md_cmrs_known);
	/* the metadata wins over the log's CMR lines */
	ck_assert_str_eq(h.cmrs_source, "/sys/firmware/tdx/tdx_module/metadata");
	ck_assert_uint_eq(h.cmrs.n, 2);
	ck_assert_uint_eq(h.cmrs.items[0].end, 0x80000000);
	ck_assert_uint_eq(h.cmrs.items[1].end, 0x140000000ULL);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_vendor_metadata_truncated) {
	mkroot();
	build_host();
	build_vendor_metadata(true);
	char p[256];
	snprintf(p, sizeof(p), "%s/sys/firmware/tdx/tdx_module/metadata/9900000100000008", root);
	ck_assert_int_eq(truncate(p, 1), 0);
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(has_warning(&h, "/sys/firmware/tdx/tdx_module/metadata/9000000300000080: "
	                          "truncated"));
	ck_assert(has_warning(&h, "/sys/firmware/tdx/tdx_module/metadata/9900000100000008: "
	                          "truncated"));
	ck_assert(!h.fw.md_cmrs_known);
	ck_assert(!h.fw.md_max_vcpus_known);
	ck_assert(h.fw.md_version_known);
	/* falls back to the log */
	ck_assert_str_eq(h.cmrs_source, "/dev/kmsg");
	tdx_host_done(&h);

	/* 2 CMRs claimed, the base array holds only one */
	uint8_t base[8];
	le64(base, 0x100000);
	put_bin("/sys/firmware/tdx/tdx_module/metadata/9000000300000080", base, 8);
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(has_warning(&h, "9000000300000080: truncated: 1 elements, NUM_CMRS is 2"));
	ck_assert(!h.fw.md_cmrs_known);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_saved_kernel_log) {
	mkroot();
	build_host();
	/* the ring wrapped: no TDX line left in it */
	put("/dev/kmsg", "6,50000,1,-;usb 1-1: new high-speed USB device\n");
	put("/run/tdxd/kernel-log", "virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                            "virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                            "virt/tdx: module initialized\n");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(h.kmsg.readable);
	ck_assert_str_eq(h.kmsg.source, "/run/tdxd/kernel-log");
	ck_assert(h.kmsg.keyid_range.present);
	ck_assert_uint_eq(h.kmsg.keyid_range.seq, 0);
	ck_assert_int_eq(h.kmsg.init, MODULE_INIT_OK);
	ck_assert_uint_eq(h.kmsg.last_seq, 50000);
	ck_assert(!h.kmsg.ring_complete); /* starts at 50000: the boot lines are gone */
	ck_assert_str_eq(h.cmrs_source, "/run/tdxd/kernel-log");
	/* what the daemon saves again keeps every saved line, plus the ring's new ones */
	ck_assert_str_eq(h.kmsg.tdx_lines, "virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                                   "virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                                   "virt/tdx: module initialized\n");
	tdx_host_done(&h);

	put("/dev/kmsg",
	    "6,50000,1,-;virt/tdx: module initialized\n"
	    "4,50001,1,-;virt/tdx: consumed TDMRs reaching limit: 62 used out of 64\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_str_eq(h.kmsg.source, "/dev/kmsg");
	ck_assert_uint_eq(h.kmsg.init_line.seq, 50000);
	ck_assert_str_eq(h.kmsg.tdx_lines,
	                 "virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                 "virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                 "virt/tdx: module initialized\n"
	                 "virt/tdx: consumed TDMRs reaching limit: 62 used out of 64\n");
	tdx_host_done(&h);

	/* no readable ring: nothing new to save */
	char kp[256];
	snprintf(kp, sizeof(kp), "%s/dev/kmsg", root);
	ck_assert_int_eq(unlink(kp), 0);
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(h.kmsg.readable);
	ck_assert_ptr_null(h.kmsg.tdx_lines);
	ck_assert_int_eq(h.kmsg.init, MODULE_INIT_OK);
	tdx_host_done(&h);
	put("/dev/kmsg", "6,50000,1,-;usb 1-1: new high-speed USB device\n");

	/* from another boot: every /run/tdxd file is ignored */
	put("/run/tdxd/state", "BOOT_ID=" OTHER_BOOT "\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(h.run_files_stale);
	ck_assert(!h.kmsg.keyid_range.present);
	ck_assert_int_eq(h.kmsg.init, MODULE_INIT_NONE);
	ck_assert(!h.tdx_memory_known);
	ck_assert_int_eq(h.cpus[7].package, 1); /* node inference still works */
	ck_assert_str_eq(h.cpus[7].package_source, "node");
	ck_assert_uint_eq(h.cmrs.n, 0);
	ck_assert_ptr_null(h.cmrs_source);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_v72_module_lifecycle) {
	mkroot();
	put("/sys/devices/faux/tdx_host/version", "1.5.24\n");
	put("/sys/devices/faux/tdx_host/seamldr_version", "2.0.03\n");
	put("/sys/devices/faux/tdx_host/num_remaining_updates", "14\n");
	put("/sys/devices/faux/tdx_host/firmware/tdx_module/status", "idle\n");
	/* the class link of a real host is a symlink into the device */
	mkdirs("/sys/class/firmware");
	_cleanup_free_ char *link = NULL;
	ck_assert_int_ge(asprintf(&link, "%s/sys/class/firmware/tdx_module", root), 0);
	ck_assert_int_eq(symlink("../../devices/faux/tdx_host/firmware/tdx_module", link), 0);
	put("/proc/sys/kernel/osrelease", "7.2.0-1-amd64\n");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.tdx_host_version_known && !h.tdx_host_version_enxio);
	ck_assert_uint_eq(h.th_update, 24);
	ck_assert(h.seamldr_version_known);
	ck_assert_uint_eq(h.sl_major, 2);
	ck_assert_uint_eq(h.sl_minor, 0);
	ck_assert_uint_eq(h.sl_update, 3);
	ck_assert(h.remaining_updates_known);
	ck_assert_uint_eq(h.remaining_updates, 14);
	ck_assert(h.module_update_supported);
	ck_assert_str_eq(h.osrelease, "7.2.0-1-amd64");
	ck_assert(h.kernel_version_known);
	ck_assert_uint_eq(h.kernel_major, 7);
	ck_assert_uint_eq(h.kernel_minor, 2);
	ck_assert_uint_eq(h.kernel_patch, 0);
	tdx_host_done(&h);

	/* zero updates left is a value, not an unknown */
	put("/sys/devices/faux/tdx_host/num_remaining_updates", "0\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(h.remaining_updates_known);
	ck_assert_uint_eq(h.remaining_updates, 0);
	tdx_host_done(&h);

	/* after a failed update: version reads ENXIO (the tree's marker in place of the file) */
	_cleanup_free_ char *v = NULL;
	ck_assert_int_ge(asprintf(&v, "%s/sys/devices/faux/tdx_host/version", root), 0);
	ck_assert_int_eq(unlink(v), 0);
	put("/sys/devices/faux/tdx_host/version.errno", "ENXIO\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.tdx_host_dev && h.tdx_host_version_enxio && !h.tdx_host_version_known);
	tdx_host_done(&h);

	/* an unknown marker name is loud, never a silent "missing" */
	put("/sys/devices/faux/tdx_host/version.errno", "ENXOI\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(!h.tdx_host_version_enxio && !h.tdx_host_version_known);
	ck_assert(has_warning(&h, "tdx_host/version"));
	tdx_host_done(&h);

	/* root-only attributes read by an unprivileged caller: unknown, no warning */
	put("/sys/devices/faux/tdx_host/version", "1.5.24\n");
	put("/sys/devices/faux/tdx_host/seamldr_version.errno", "EACCES\n");
	put("/sys/devices/faux/tdx_host/num_remaining_updates.errno", "EACCES\n");
	_cleanup_free_ char *sl = NULL, *nr = NULL;
	ck_assert_int_ge(asprintf(&sl, "%s/sys/devices/faux/tdx_host/seamldr_version", root), 0);
	ck_assert_int_ge(asprintf(&nr, "%s/sys/devices/faux/tdx_host/num_remaining_updates", root),
	                 0);
	ck_assert_int_eq(unlink(sl), 0);
	ck_assert_int_eq(unlink(nr), 0);
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	dump_warnings(&h);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.tdx_host_version_known && !h.seamldr_version_known &&
	          !h.remaining_updates_known);
	tdx_host_done(&h);

	/* garbage */
	put("/sys/devices/faux/tdx_host/seamldr_version", "2.0\n");
	put("/sys/devices/faux/tdx_host/num_remaining_updates", "-1\n");
	put("/proc/sys/kernel/osrelease", "linux\n");
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert(!h.seamldr_version_known && !h.remaining_updates_known);
	ck_assert(has_warning(&h, "seamldr_version: not major.minor.update"));
	ck_assert(has_warning(&h, "num_remaining_updates: not a decimal count"));
	ck_assert(has_warning(&h, "osrelease: not a kernel release"));
	ck_assert(!h.kernel_version_known);
	ck_assert_str_eq(h.osrelease, "linux");
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_v72_no_update) {
	/* a v7.2 host whose module cannot be updated at run time: tdx_host without the seamldr
	 * attributes and without the upload device */
	mkroot();
	put("/sys/devices/faux/tdx_host/version", "1.5.06\n");
	put("/proc/sys/kernel/osrelease", "6.18.3\n");
	struct tdx_host h;
	ck_assert_int_eq(probe_host(root, NULL, &h), 0);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.tdx_host_version_known);
	ck_assert(!h.seamldr_version_known && !h.remaining_updates_known);
	ck_assert(!h.module_update_supported);
	ck_assert_uint_eq(h.kernel_minor, 18);
	ck_assert_uint_eq(h.kernel_patch, 3);
	tdx_host_done(&h);
	rmroot();
}
END_TEST

START_TEST(test_v72_and_cgroup_v1) {
	mkroot();
	put("/sys/devices/faux/tdx_host/version", "1.5.06\n");
	put("/sys/devices/system/cpu/hotplug/states", " 93: virt/tdx:online\n");
	put("/sys/fs/cgroup/misc/misc.capacity", "tdx 63\n");
	put("/sys/fs/cgroup/misc/misc.current", "tdx 0\n");
	put("/sys/module/kvm_intel/parameters/tdx", "N\n"); /* built in: no initstate */
	struct tdx_host h;
	struct probe_options o = {.kvm_module = "kvm_intel", .use_journal = true};
	ck_assert_int_eq(probe_host(root, &o, &h), 0);
	ck_assert_uint_eq(h.n_warnings, 0);
	ck_assert(h.tdx_host_dev && h.tdx_host_version_known);
	ck_assert_uint_eq(h.th_minor, 5);
	ck_assert_uint_eq(h.th_update, 6);
	ck_assert(h.hp_virt_tdx && !h.hp_kvm_tdx);
	ck_assert(h.misc.capacity_known);
	ck_assert_uint_eq(h.misc.capacity, 63);
	ck_assert_str_eq(h.misc.current_source, "/sys/fs/cgroup/misc/misc.current");
	ck_assert(h.kvm.loaded && h.kvm.has_tdx_param && !h.kvm.tdx_enabled);
	/* journal fallback is never used under a test root */
	ck_assert(!h.kmsg.readable);
	tdx_host_done(&h);

	struct misc_cgroup m;
	ck_assert_int_eq(probe_misc_cgroup(root, &m), 0);
	ck_assert_uint_eq(m.capacity, 63);
	/* no tdx line: a file but no answer */
	put("/sys/fs/cgroup/misc/misc.capacity", "sev 10\n");
	ck_assert_int_eq(probe_misc_cgroup(root, &m), 0);
	ck_assert(m.capacity_file && !m.capacity_known);
	put("/sys/fs/cgroup/misc/misc.capacity", "tdx lots\n");
	m.capacity = 77;
	ck_assert_int_eq(probe_misc_cgroup(root, &m), -EINVAL);
	ck_assert_uint_eq(m.capacity, 77);
	rmroot();
}
END_TEST

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
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");
	tcase_add_test(tc, test_full_host);
	tcase_add_test(tc, test_outside_blocks_read);
	tcase_add_test(tc, test_dark_node_and_unknown);
	tcase_add_test(tc, test_vendor_firmware);
	tcase_add_test(tc, test_vendor_metadata_truncated);
	tcase_add_test(tc, test_saved_kernel_log);
	tcase_add_test(tc, test_v72_and_cgroup_v1);
	tcase_add_test(tc, test_block_ids_sorted);
	tcase_add_test(tc, test_package_lists);
	tcase_add_test(tc, test_misc_usage);
	tcase_add_test(tc, test_empty_root);
	tcase_add_test(tc, test_v72_module_lifecycle);
	tcase_add_test(tc, test_v72_no_update);
	tcase_add_test(tc, test_garbage_files);
	tcase_add_test(tc, test_big_host_no_per_block_reads);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_lifecycle_fixtures);
	tcase_add_test(tc, test_fixture_trees);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
