/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host probe (kernel/probe.c and probe-*.c) on trees built here: a full host, vendor
 * firmware, saved logs, v7.2 lifecycle files. test-probe-more.c has the rest. */
#include "check-run.h"
#include "probe-host.h"

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
	tcase_add_test(tc, test_v72_module_lifecycle);
	tcase_add_test(tc, test_v72_no_update);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
