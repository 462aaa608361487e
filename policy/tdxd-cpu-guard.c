/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tdxd-cpu-guard: the CPU guard while tdxd is not running (restart, crash, early boot).
 * 60-tdxd.rules runs it on every cpu `offline` event with the kernel name ("cpu3"). It brings
 * the CPU back online when it was the last online CPU of its package, TDX is enabled and
 * /run/tdxd/state (this boot's) says CPU_GUARD=enforce. The decision is
 * cpu_guard_helper_decide(), the same rule tdxd applies.
 *
 * It reads only a handful of files (no probe of the whole host): the state, the saved
 * CPU -> package map, the CPU's online file, the online list, and the topology of online CPUs
 * the map does not know. It only ever writes "1", and not when the CPU is online again (tdxd
 * got there first), so running it twice, or next to tdxd, cannot flap a CPU.
 *
 * Exit status: 0 nothing to do or brought back, 1 bringing it back failed, 2 usage. */
#include <getopt.h>
#include <stdio.h>

#include <systemd/sd-journal.h>

#include "cpu-guard-decide.h"
#include "fileio.h"
#include "macro.h"
#include "parse-util.h"
#include "run-state.h"

#define CPU_DIR "/sys/devices/system/cpu"

static const char *arg_root = "/";
static bool arg_quiet;

static void help(void) {
	printf("tdxd-cpu-guard [--root DIR] [--quiet] CPU\n\n"
	       "Bring CPU (cpuN, N or /devices/system/cpu/cpuN) back online if it was the last\n"
	       "online CPU of its package while TDX is enabled and tdxd's CPU guard enforces.\n"
	       "Run by udev (60-tdxd.rules) on a CPU offline event.\n\n"
	       "  --root DIR   read and write kernel and /run/tdxd files below DIR (tests)\n"
	       "  --quiet      do not say why nothing was done\n");
}

static int parse_cpu_arg(const char *s, unsigned *ret) {
	const char *p = strrchr(s, '/');
	p = p ? p + 1 : s;
	const char *n = startswith(p, "cpu");
	if (n)
		p = n;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	uint32_t v;
	if (parse_u32(p, &v) < 0 || v >= CPUS_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The CPU's online file: 1 online, 0 offline. A CPU without the file (cpu0 on x86) cannot be
 * offline; count it as online. */
static int read_cpu_online(unsigned cpu, bool *ret) {
	char path[64];
	snprintf(path, sizeof path, CPU_DIR "/cpu%u/online", cpu);
	_cleanup_free_ char *t = NULL;
	int r = read_one_line_at(arg_root, path, &t);
	if (r == -ENOENT) {
		*ret = true;
		return 0;
	}
	if (r < 0)
		return r;
	bool b;
	if (parse_kernel_bool(t, &b) < 0) {
		fprintf(stderr, "tdxd-cpu-guard: %s: not 0 or 1: \"%.16s\"\n", path, t);
		return -EINVAL;
	}
	*ret = b;
	return 0;
}

static int read_topology_package(unsigned cpu) {
	char path[96];
	snprintf(path, sizeof path, CPU_DIR "/cpu%u/topology/physical_package_id", cpu);
	_cleanup_free_ char *t = NULL;
	uint32_t v;
	if (read_one_line_at(arg_root, path, &t) < 0 || parse_u32(t, &v) < 0 || v > INT32_MAX)
		return -1;
	return (int)v;
}

static void say(int level, bool act, unsigned cpu, int package, const char *text) {
	/* Under a test root there is no journal to speak of; on a host every action is a
	 * journal record with the catalog's MESSAGE_ID, like tdxd's own. */
	if (act && streq(arg_root, "/")) {
		(void)sd_journal_send("MESSAGE=%s", text, "MESSAGE_ID=%s", CPU_GUARD_MESSAGE_ID,
		                      "PRIORITY=%i", level, "TDXD_CPU=%u", cpu, "TDXD_PACKAGE=%d",
		                      package, "TDXD_ACTION=re-onlined", "SYSLOG_IDENTIFIER=%s",
		                      "tdxd-cpu-guard", NULL);
		return;
	}
	if (act || !arg_quiet || level <= LOG_ERR)
		fprintf(stderr, "tdxd-cpu-guard: %s\n", text);
}

static int run(unsigned cpu) {
	char boot_id[40], reason[CHECK_TEXT_MAX], text[CHECK_TEXT_MAX + 128];
	struct run_state st;
	unsigned line = 0;
	int r;

	struct cpu_guard_helper_input in = {.cpu = cpu, .package = -1};
	if (read_boot_id(arg_root, boot_id, sizeof boot_id) >= 0)
		in.boot_id = boot_id;
	r = run_state_read(arg_root, &st, &line);
	if (r >= 0)
		in.state = &st;
	else if (r != -ENOENT) {
		if (line)
			fprintf(stderr, "tdxd-cpu-guard: %s:%u: malformed line, file ignored\n",
			        RUN_STATE_PATH, line);
		else
			fprintf(stderr, "tdxd-cpu-guard: %s: %s\n", RUN_STATE_PATH, strerror(-r));
	}

	/* Most events end here: no tdxd state, another boot's, not enforce, TDX not up. */
	if (!cpu_guard_helper_state_applies(in.state, in.boot_id, cpu, reason, sizeof reason)) {
		say(LOG_DEBUG, false, cpu, -1, reason);
		return 0;
	}

	r = read_cpu_online(cpu, &in.cpu_online);
	if (r < 0) {
		fprintf(stderr, "tdxd-cpu-guard: cpu%u: cannot read its online file: %s\n", cpu,
		        strerror(-r));
		return r;
	}

	/* Online again (tdxd won the race, or this is a second run): nothing else to read. */
	if (in.cpu_online) {
		(void)cpu_guard_helper_decide(&in, reason, sizeof reason);
		say(LOG_DEBUG, false, cpu, -1, reason);
		return 0;
	}

	_cleanup_free_ struct cpu_package *map = NULL;
	size_t n_map = 0;
	r = run_cpu_package_read(arg_root, &map, &n_map, &line);
	if (r < 0 && r != -ENOENT) {
		if (line)
			fprintf(stderr, "tdxd-cpu-guard: %s:%u: malformed line, file ignored\n",
			        RUN_CPU_PACKAGE_PATH, line);
		else
			fprintf(stderr, "tdxd-cpu-guard: %s: %s\n", RUN_CPU_PACKAGE_PATH,
			        strerror(-r));
	}
	in.package = cpu_package_lookup(map, n_map, cpu);

	_cleanup_free_ char *online = NULL;
	r = read_one_line_at(arg_root, CPU_DIR "/online", &online);
	if (r < 0) {
		fprintf(stderr, "tdxd-cpu-guard: %s: %s\n", CPU_DIR "/online", strerror(-r));
		return r;
	}
	_cleanup_free_ uint8_t *bitmap = NULL;
	r = cpu_list_to_bitmap(online, cpu + 1, &bitmap, &in.n_cpus);
	if (r < 0) {
		fprintf(stderr, "tdxd-cpu-guard: %s: %s: \"%.64s\"\n", CPU_DIR "/online",
		        r == -E2BIG ? "CPU number beyond the kernel's limit" : "malformed CPU list",
		        online);
		return r;
	}
	_cleanup_free_ int *packages = malloc(sizeof(int) * in.n_cpus);
	if (!packages)
		return -ENOMEM;
	/* The map knows every CPU tdxd saw online; only one onlined since needs sysfs. */
	for (unsigned c = 0; c < in.n_cpus; c++) {
		packages[c] = -1;
		if (c == cpu || !bitmap_test(bitmap, c))
			continue;
		packages[c] = cpu_package_lookup(map, n_map, c);
		if (packages[c] < 0)
			packages[c] = read_topology_package(c);
	}
	in.online = bitmap;
	in.packages = packages;

	if (cpu_guard_helper_decide(&in, reason, sizeof reason) == CPU_GUARD_HELPER_NOTHING) {
		say(LOG_DEBUG, false, cpu, in.package, reason);
		return 0;
	}

	char path[64];
	snprintf(path, sizeof path, CPU_DIR "/cpu%u/online", cpu);
	r = write_string_at(arg_root, path, "1");
	if (r < 0) {
		snprintf(text, sizeof text, "%s; writing 1 to %s failed: %s", reason, path,
		         strerror(-r));
		say(LOG_ERR, false, cpu, in.package, text);
		return r;
	}
	snprintf(text, sizeof text,
	         "CPU %u was taken offline while it was the last online CPU of package %d and TDX "
	         "is enabled; tdxd's udev rule brought it back online (CPU_GUARD=enforce "
	         "in " RUN_STATE_PATH ")",
	         cpu, in.package);
	say(LOG_WARNING, true, cpu, in.package, text);
	return 0;
}

int main(int argc, char *argv[]) {
	static const struct option options[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	unsigned cpu;
	int c;

	while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0)
		switch (c) {
		case 'r': arg_root = optarg; break;
		case 'q': arg_quiet = true; break;
		case 'h': help(); return 0;
		default: return 2;
		}
	if (optind != argc - 1) {
		fprintf(stderr, "tdxd-cpu-guard: expected one CPU (e.g. cpu3); see --help\n");
		return 2;
	}
	if (parse_cpu_arg(argv[optind], &cpu) < 0) {
		fprintf(stderr, "tdxd-cpu-guard: not a CPU: \"%s\"\n", argv[optind]);
		return 2;
	}
	return run(cpu) < 0 ? 1 : 0;
}
