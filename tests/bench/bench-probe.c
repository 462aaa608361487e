/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-probe: how long one full probe of a host takes (probe_host() + status_derive(), what
 * tdxd does at start and on every Refresh, and what `tdxctl check` does), on a fixture tree.
 *
 *   bench-probe ROOT [ITERATIONS]      (default 20)
 *
 * Prints the first probe separately (cold dentry/page cache for a freshly generated tree),
 * then min / median / mean / max over the remaining iterations, and the peak RSS. Not a test:
 * speed is measured here, not asserted (tools/bench.sh runs it on the very large host). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "host.h"
#include "macro.h"
#include "status.h"

static double clock_ms(clockid_t id) {
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void) {
	return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this process: on a shared machine, what the probe costs without the time it
 * waited for a processor */
static double cpu_ms(void) {
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One probe + derivation; the state and a few sizes go to *ret_* for the report. */
static int probe_once(const char *root, double *ret_ms, double *ret_cpu_ms,
                      enum tdx_state *ret_state, struct tdx_host *keep) {
	struct probe_options opts = {.kvm_module = "kvm_intel", .use_journal = false};
	struct status_policy policy = {
	    .cpu_guard = POLICY_ENFORCE,
	    .memory_gate = POLICY_ENFORCE,
	    .kvm_module = "kvm_intel",
	};
	struct tdx_host h = {0};
	struct tdx_status s = {0};
	double t0 = now_ms(), c0 = cpu_ms();
	int r;

	r = probe_host(root, &opts, &h);
	if (r < 0)
		return r;
	r = status_derive(&h, &policy, NULL, &s);
	*ret_ms = now_ms() - t0;
	*ret_cpu_ms = cpu_ms() - c0;
	if (r >= 0) {
		*ret_state = s.state;
		if (keep) {
			keep->n_present = h.n_present;
			keep->n_online = h.n_online;
			keep->n_packages = h.n_packages;
			keep->mem.n_blocks = h.mem.n_blocks;
			keep->cmrs.n = h.cmrs.n;
			keep->n_warnings = h.n_warnings;
		}
	}
	tdx_status_done(&s);
	tdx_host_done(&h);
	return r;
}

int main(int argc, char **argv) {
	if (argc < 2 || argc > 3 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
		fprintf(stderr, "usage: %s ROOT [ITERATIONS]\n", argv[0]);
		return argc < 2 || argc > 3 ? 2 : 0;
	}
	const char *root = argv[1];
	long iterations = 20;
	if (argc == 3) {
		char *end;
		errno = 0;
		iterations = strtol(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || iterations < 1 || iterations > 1000000) {
			fprintf(stderr, "%s: invalid ITERATIONS '%s'\n", argv[0], argv[2]);
			return 2;
		}
	}

	struct tdx_host info = {0};
	enum tdx_state state = TDX_STATE_UNSUPPORTED;
	double first, first_cpu;
	int r = probe_once(root, &first, &first_cpu, &state, &info);
	if (r < 0) {
		fprintf(stderr, "%s: probing %s failed: %s\n", argv[0], root, strerror(-r));
		return 1;
	}
	printf("host %s: state %s, %u CPUs present (%u online) in %zu packages, %zu memory "
	       "blocks, %zu CMRs, %zu probe warnings\n",
	       root, tdx_state_to_string(state), info.n_present, info.n_online, info.n_packages,
	       info.mem.n_blocks, info.cmrs.n, info.n_warnings);
	printf("first probe (cold): %.2f ms (CPU %.2f ms)\n", first, first_cpu);

	_cleanup_free_ double *ms = calloc((size_t)iterations, sizeof(double));
	_cleanup_free_ double *cpu = calloc((size_t)iterations, sizeof(double));
	if (!ms || !cpu) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return 1;
	}
	double sum = 0;
	for (long i = 0; i < iterations; i++) {
		r = probe_once(root, &ms[i], &cpu[i], &state, NULL);
		if (r < 0) {
			fprintf(stderr, "%s: probe %ld failed: %s\n", argv[0], i, strerror(-r));
			return 1;
		}
		sum += ms[i];
	}
	qsort(ms, (size_t)iterations, sizeof(double), cmp_double);
	qsort(cpu, (size_t)iterations, sizeof(double), cmp_double);
	printf("probe_host + status_derive, %ld iterations: min %.2f ms, median %.2f ms, "
	       "mean %.2f ms, max %.2f ms per probe\n",
	       iterations, ms[0], ms[iterations / 2], sum / (double)iterations, ms[iterations - 1]);
	printf("CPU time per probe: min %.2f ms, median %.2f ms\n", cpu[0], cpu[iterations / 2]);

	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
	return 0;
}
