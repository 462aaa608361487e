/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by test-probe.c and test-probe-more.c: a host tree built under a temporary root and
 * the helpers around it. */

#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include "fileio.h"
#include "host.h"
#include "macro.h"

#define BOOT       "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
#define OTHER_BOOT "00000000-1111-2222-3333-444444444444"

static char root[64];

/* tmpfs when there is one: sysfs lives in memory too, and the trees are thousands of files */
static inline void mkroot(void) {
	strcpy(root, access("/dev/shm", W_OK) == 0 ? "/dev/shm/tdxd-probe-XXXXXX"
	                                           : "/tmp/tdxd-probe-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static inline void rmroot(void) {
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static inline void mkdirs(const char *path) {
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

static inline void put_bin(const char *path, const void *data, size_t n) {
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
static inline void put(const char *path, const char *contents) {
	put_bin(path, contents, strlen(contents));
}

static inline void putf(const char *contents, const char *fmt, ...) _printf_(2, 3);
static inline void putf(const char *contents, const char *fmt, ...) {
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	put(path, contents);
}

static inline void link_node(unsigned cpu, unsigned node) {
	char p[512], t[64];
	snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%u", cpu);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/cpu%u/node%u", root, cpu, node);
	snprintf(t, sizeof(t), "../../node/node%u", node);
	ck_assert_int_eq(symlink(t, p), 0);
}

static inline bool has_warning(const struct tdx_host *h, const char *needle) {
	for (size_t i = 0; i < h->n_warnings; i++)
		if (strstr(h->warnings[i], needle))
			return true;
	return false;
}

static inline void dump_warnings(const struct tdx_host *h) {
	for (size_t i = 0; i < h->n_warnings; i++)
		fprintf(stderr, "  warning: %s\n", h->warnings[i]);
}

static const char cpuinfo_block[] = "processor\t: %d\nvendor_id\t: GenuineIntel\n"
                                    "flags\t\t: fpu vmx tme tdx_host_platform\n"
                                    "vmx flags\t: ept ept_5level\n"
                                    "bugs\t\t: tdx_pw_mce\n"
                                    "address sizes\t: 46 bits physical, 57 bits virtual\n\n";

/* A 2-package, 8-CPU v6.16-era host with a vendor kernel log (CMR lines). */
static inline void build_host(void) {
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
