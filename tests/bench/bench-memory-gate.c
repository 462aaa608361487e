/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How long the memory gate takes to decide on one memory block on a very large host:
 * 100,000 TDX memory ranges recorded at initialization and 64 CMRs (the spec asks for
 * microseconds per event). Prints the time per verdict for the prepare step and for
 * decide() before and after initialization. Not a CTest: run it by hand or from
 * tools/bench.sh. */
#include <inttypes.h>
#include <time.h>

#include "macro.h"
#include "memory-gate.h"

#define N_RANGES 100000
#define N_CMRS   64
#define BS       MIB(128)

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench(const char *what, const struct memory_gate *g, unsigned rounds) {
	uint64_t n = 0, allowed = 0;
	uint64_t t0 = now_ns();
	for (unsigned r = 0; r < rounds; r++)
		for (uint64_t b = 0; b < 2 * N_RANGES; b++) {
			struct memory_verdict v;
			if (memory_gate_decide(g, MIB(1) + b * BS, BS, &v) < 0)
				return -1;
			allowed += v.allowed;
			n++;
		}
	uint64_t dt = now_ns() - t0;
	printf("%-34s %9" PRIu64 " verdicts  %8.3f us/verdict  (%" PRIu64 " allowed)\n", what, n,
	       (double)dt / 1000.0 / (double)n, allowed);
	return 0;
}

int main(int argc, char *argv[]) {
	struct tdx_host h = {0};
	struct tdx_status s = {0};
	struct memory_gate g = {0};
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 5;

	if (rounds == 0)
		rounds = 1;
	/* 64 CMRs with gaps between them, 100,000 one-block ranges every other block: the
	 * worst case for the kernel's "inside one range" rule (nothing merges). */
	for (uint64_t i = 0; i < N_CMRS; i++)
		if (range_set_add(&h.cmrs, MIB(1) + i * 3200 * BS,
		                  MIB(1) + (i * 3200 + 3000) * BS) < 0)
			return 1;
	h.tdx_memory_known = true;
	for (uint64_t i = 0; i < N_RANGES; i++)
		if (range_set_add(&h.tdx_memory, MIB(1) + 2 * i * BS, MIB(1) + (2 * i + 1) * BS) <
		    0)
			return 1;

	printf("memory gate: %d TDX memory ranges, %d CMRs, %u rounds over %d blocks\n", N_RANGES,
	       N_CMRS, rounds, 2 * N_RANGES);

	uint64_t t0 = now_ns();
	s.module_initialized = true;
	if (memory_gate_prepare(&g, &h, &s, POLICY_ENFORCE) < 0)
		return 1;
	printf("%-34s %8.3f ms\n", "prepare (once per probe)", (double)(now_ns() - t0) / 1e6);
	if (bench("decide, module initialized", &g, rounds) < 0)
		return 1;
	memory_gate_done(&g);

	s.module_initialized = false;
	if (memory_gate_prepare(&g, &h, &s, POLICY_ENFORCE) < 0)
		return 1;
	if (bench("decide, before initialization", &g, rounds) < 0)
		return 1;
	memory_gate_done(&g);

	range_set_clear(&h.cmrs);
	range_set_clear(&h.tdx_memory);
	return 0;
}
