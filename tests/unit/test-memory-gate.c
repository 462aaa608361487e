/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory gate's range logic: the verdict, the TDX memory snapshot, /proc/iomem. */
#include <check.h>
#include <inttypes.h>

#include "macro.h"
#include "iomem.h"
#include "memory-gate.h"
#include "check-run.h"

#define BS MIB(128)

/* A gate prepared from CMRs and (when tm != NULL) the TDX memory recorded at init. */
static void gate_init(struct memory_gate *g, const struct range *cmrs, size_t n_cmrs,
                      const struct range *tm, size_t n_tm, bool initialized,
                      enum policy_mode mode) {
	struct tdx_host h = {0};
	struct tdx_status s = {.module_initialized = initialized};
	for (size_t i = 0; i < n_cmrs; i++)
		ck_assert_int_eq(range_set_add(&h.cmrs, cmrs[i].start, cmrs[i].end), 0);
	if (tm) {
		h.tdx_memory_known = true;
		for (size_t i = 0; i < n_tm; i++)
			ck_assert_int_eq(range_set_add(&h.tdx_memory, tm[i].start, tm[i].end), 0);
	}
	*g = (struct memory_gate){0};
	ck_assert_int_eq(memory_gate_prepare(g, &h, &s, mode), 0);
	range_set_clear(&h.cmrs);
	range_set_clear(&h.tdx_memory);
}

static struct memory_verdict decide(const struct memory_gate *g, uint64_t a, uint64_t size) {
	struct memory_verdict v;
	memset(&v, 0xaa, sizeof v);
	ck_assert_int_eq(memory_gate_decide(g, a, size, &v), 0);
	return v;
}

#define assert_reason_has(v, s)                                                                    \
	ck_assert_msg(strstr((v).reason, (s)), "reason \"%s\" lacks \"%s\"", (v).reason, (s))

static const struct range two_adjacent_cmrs[] = {{MIB(1), GIB(2)}, {GIB(2), GIB(4)}};
static const struct range cmrs_with_gap[] = {{MIB(1), GIB(2)}, {GIB(4), GIB(8)}};

START_TEST(test_inside_one_cmr) {
	struct memory_gate g;
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_ENFORCE);
	struct memory_verdict v = decide(&g, GIB(5), BS);
	ck_assert(v.valid);
	ck_assert(v.allowed);
	ck_assert(v.verified);
	ck_assert_int_eq(v.why, MEMORY_ELIGIBLE);
	assert_reason_has(v, "[0x140000000, 0x148000000)");
	assert_reason_has(v, "inside the convertible memory regions");
	/* the last block of a CMR, and one byte more */
	ck_assert(decide(&g, GIB(8) - BS, BS).allowed);
	ck_assert(!decide(&g, GIB(8) - BS, BS + 1).allowed);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_straddle_adjacent_cmrs) {
	struct memory_gate g;
	gate_init(&g, two_adjacent_cmrs, 2, NULL, 0, false, POLICY_ENFORCE);
	ck_assert_uint_eq(g.cmrs.n, 1); /* merged */
	struct memory_verdict v = decide(&g, GIB(2) - BS, 2 * BS);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.why, MEMORY_ELIGIBLE);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_straddle_gap) {
	struct memory_gate g;
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_ENFORCE);
	struct memory_verdict v = decide(&g, GIB(2) - BS, 2 * BS);
	ck_assert(v.valid);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_OUTSIDE_CMRS);
	assert_reason_has(v, "outside the convertible memory regions");
	assert_reason_has(v, "[0x78000000, 0x88000000)");
	/* entirely inside the gap */
	v = decide(&g, GIB(3), BS);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_OUTSIDE_CMRS);
	/* past the last CMR */
	ck_assert(!decide(&g, GIB(8), BS).allowed);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_one_mib_boundary) {
	struct memory_gate g;
	/* A BIOS that reports a CMR from 0: [0, 1 MiB) is clipped. */
	static const struct range cmr0[] = {{0, GIB(2)}};
	static const struct range tm[] = {{MIB(1), GIB(2)}};
	gate_init(&g, cmr0, 1, NULL, 0, false, POLICY_ENFORCE);
	ck_assert_uint_eq(g.cmrs.n, 1);
	ck_assert_uint_eq(g.cmrs.items[0].start, MIB(1));
	/* before init: what lies below 1 MiB never becomes TDX memory, so only the rest counts */
	struct memory_verdict v = decide(&g, MIB(1), 4096);
	ck_assert(v.allowed);
	v = decide(&g, MIB(1) - 4096, 8192);
	ck_assert(v.allowed);
	v = decide(&g, 0, 4096);
	ck_assert(v.allowed);
	assert_reason_has(v, "below 1 MiB");
	memory_gate_done(&g);

	/* after init: the kernel's list starts at 1 MiB, a range reaching below is refused */
	gate_init(&g, cmr0, 1, tm, 1, true, POLICY_ENFORCE);
	ck_assert(decide(&g, MIB(1), 4096).allowed);
	v = decide(&g, MIB(1) - 4096, 8192);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_BELOW_1MIB);
	assert_reason_has(v, "below 1 MiB");
	ck_assert(!decide(&g, 0, BS).allowed);
	memory_gate_done(&g);

	/* a recorded range entirely below 1 MiB is dropped, one reaching above it is clipped */
	static const struct range tm_low[] = {
	    {0, 640 << 10}, {768 << 10, GIB(1)}, {GIB(1), GIB(2)}};
	gate_init(&g, NULL, 0, tm_low, 3, true, POLICY_ENFORCE);
	ck_assert_uint_eq(g.tdx_memory.n, 2);
	ck_assert_uint_eq(g.tdx_memory.items[0].start, MIB(1));
	ck_assert_uint_eq(g.tdx_memory.items[0].end, GIB(1));
	ck_assert_int_eq(decide(&g, 0, 4096).why, MEMORY_BELOW_1MIB);
	ck_assert_int_eq(decide(&g, GIB(1) - BS / 2, BS).why, MEMORY_NOT_IN_ONE_RANGE);
	memory_gate_done(&g);

	/* a CMR that starts just above 1 MiB: the boundary byte is outside */
	static const struct range cmr_up[] = {{MIB(1) + 4096, GIB(2)}};
	gate_init(&g, cmr_up, 1, NULL, 0, false, POLICY_ENFORCE);
	ck_assert(!decide(&g, MIB(1), 8192).allowed);
	ck_assert(decide(&g, MIB(1) + 4096, 4096).allowed);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_top_of_address_space) {
	struct memory_gate g;
	static const struct range big[] = {{MIB(1), UINT64_MAX}};
	gate_init(&g, big, 1, NULL, 0, false, POLICY_ENFORCE);
	/* the last byte: valid, but no range of 64-bit exclusive ends can hold it */
	struct memory_verdict v = decide(&g, UINT64_MAX, 1);
	ck_assert(v.valid);
	ck_assert(!v.allowed);
	assert_reason_has(v, "[0xffffffffffffffff, 0x10000000000000000)");
	/* a block ending exactly at 2^64 is valid */
	v = decide(&g, UINT64_MAX - BS + 1, BS);
	ck_assert(v.valid);
	ck_assert(!v.allowed);
	/* one below the top fits inside [1 MiB, 2^64 - 1) */
	v = decide(&g, UINT64_MAX - BS, BS);
	ck_assert(v.valid);
	ck_assert(v.allowed);
	/* the whole space from 1 */
	v = decide(&g, 1, UINT64_MAX);
	ck_assert(v.valid);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_invalid) {
	struct memory_gate g;
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_ENFORCE);
	struct memory_verdict v = decide(&g, GIB(5), 0);
	ck_assert(!v.valid);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_INVALID_RANGE);
	assert_reason_has(v, "empty");
	v = decide(&g, UINT64_MAX - BS + 2, BS); /* one past 2^64 */
	ck_assert(!v.valid);
	assert_reason_has(v, "past 2^64");
	ck_assert(!decide(&g, UINT64_MAX, 2).valid);
	ck_assert(!decide(&g, 2, UINT64_MAX).valid);
	ck_assert(!decide(&g, 0, 0).valid);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_unknown_cmrs) {
	struct memory_gate g;
	static const struct range tm[] = {{MIB(1), GIB(2)}, {GIB(4), GIB(8)}};

	/* before init: allowed, and the reason says it could not be verified */
	gate_init(&g, NULL, 0, NULL, 0, false, POLICY_ENFORCE);
	struct memory_verdict v = decide(&g, GIB(100), BS);
	ck_assert(v.allowed);
	ck_assert(!v.verified);
	assert_reason_has(v, "could not be verified");
	memory_gate_done(&g);

	/* after init: only the init-time memory is eligible */
	gate_init(&g, NULL, 0, tm, 2, true, POLICY_ENFORCE);
	ck_assert(decide(&g, GIB(4), BS).allowed);
	v = decide(&g, GIB(100), BS);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_ADDED_AFTER_INIT);
	assert_reason_has(v, "added after the TDX module was initialized; the kernel would "
	                     "refuse it");
	assert_reason_has(v, "[0x1900000000, 0x1908000000)");
	memory_gate_done(&g);

	/* after init without a record: the kernel refuses all memory added since */
	gate_init(&g, NULL, 0, NULL, 0, true, POLICY_ENFORCE);
	v = decide(&g, GIB(4), BS);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_TDX_MEMORY_UNKNOWN);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_after_init_with_cmrs) {
	struct memory_gate g;
	static const struct range tm[] = {{MIB(1), GIB(2)}, {GIB(4), GIB(6)}};
	gate_init(&g, cmrs_with_gap, 2, tm, 2, true, POLICY_ENFORCE);
	/* inside a CMR, but not present at init: hot-added later */
	struct memory_verdict v = decide(&g, GIB(7), BS);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_ADDED_AFTER_INIT);
	ck_assert(!strstr(v.reason, "outside the convertible"));
	/* outside both */
	v = decide(&g, GIB(9), BS);
	ck_assert(!v.allowed);
	assert_reason_has(v, "added after the TDX module was initialized");
	assert_reason_has(v, "also outside the convertible memory regions");
	/* half in, half out */
	v = decide(&g, GIB(6) - BS, 2 * BS);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_NOT_IN_ONE_RANGE);
	ck_assert(decide(&g, GIB(6) - BS, BS).allowed);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_straddle_adjacent_init_ranges) {
	struct memory_gate g;
	/* adjacent entries in the kernel's list (e.g. two NUMA nodes): never merged */
	static const struct range tm[] = {{GIB(4), GIB(6)}, {GIB(6), GIB(8)}};
	gate_init(&g, NULL, 0, tm, 2, true, POLICY_ENFORCE);
	ck_assert_uint_eq(g.tdx_memory.n, 2);
	struct memory_verdict v = decide(&g, GIB(6) - BS / 2, BS);
	ck_assert(v.valid);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.why, MEMORY_NOT_IN_ONE_RANGE);
	assert_reason_has(v, "not inside one range");
	ck_assert(decide(&g, GIB(6), BS).allowed);
	ck_assert(decide(&g, GIB(6) - BS, BS).allowed);
	memory_gate_done(&g);
}
END_TEST

START_TEST(test_modes_in_reason) {
	struct memory_gate g;
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_WARN);
	struct memory_verdict v = decide(&g, GIB(3), BS);
	ck_assert(!v.allowed); /* the enforce verdict in every mode */
	assert_reason_has(v, "outside the convertible memory regions");
	assert_reason_has(v, "MemoryGate=warn");
	memory_gate_done(&g);
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_OFF);
	v = decide(&g, GIB(5), BS);
	ck_assert(v.allowed);
	assert_reason_has(v, "MemoryGate=off");
	memory_gate_done(&g);
	gate_init(&g, cmrs_with_gap, 2, NULL, 0, false, POLICY_ENFORCE);
	v = decide(&g, GIB(3), BS);
	ck_assert(!strstr(v.reason, "MemoryGate="));
	memory_gate_done(&g);
}
END_TEST

/* 100,000 init-time ranges (one block each, every other block) and 64 CMRs with gaps: the
 * O(log n) verdict agrees with a linear scan on every block. Speed: tests/bench. */
START_TEST(test_huge_host) {
	enum { N_TM = 100000, N_CMR = 64 };
	struct tdx_host h = {0};
	struct tdx_status s = {.module_initialized = true};
	struct memory_gate g = {0};
	/* CMR i covers blocks [i * 3200, i * 3200 + 3000): 200 blocks of gap each time */
	for (uint64_t i = 0; i < N_CMR; i++)
		ck_assert_int_eq(
		    range_set_add(&h.cmrs, MIB(1) + i * 3200 * BS, MIB(1) + (i * 3200 + 3000) * BS),
		    0);
	h.tdx_memory_known = true;
	for (uint64_t i = 0; i < N_TM; i++)
		ck_assert_int_eq(
		    range_set_add(&h.tdx_memory, MIB(1) + 2 * i * BS, MIB(1) + (2 * i + 1) * BS),
		    0);
	ck_assert_int_eq(memory_gate_prepare(&g, &h, &s, POLICY_ENFORCE), 0);
	ck_assert_uint_eq(g.cmrs.n, N_CMR);
	ck_assert_uint_eq(g.tdx_memory.n, N_TM);

	size_t n_allowed = 0;
	for (uint64_t b = 0; b < 2 * N_TM; b++) {
		uint64_t a = MIB(1) + b * BS;
		bool in_cmr = false;
		for (size_t i = 0; i < h.cmrs.n && !in_cmr; i++)
			in_cmr = h.cmrs.items[i].start <= a && a + BS <= h.cmrs.items[i].end;
		bool expect = in_cmr && b % 2 == 0;
		struct memory_verdict v;
		ck_assert_int_eq(memory_gate_decide(&g, a, BS, &v), 0);
		ck_assert_msg(v.allowed == expect, "block %" PRIu64 ": %s", b, v.reason);
		n_allowed += v.allowed;
	}
	/* 64 CMRs x 1500 even blocks each, clipped to the 200,000 blocks tested */
	ck_assert_uint_gt(n_allowed, 0);
	ck_assert_uint_lt(n_allowed, N_TM);
	memory_gate_done(&g);
	range_set_clear(&h.cmrs);
	range_set_clear(&h.tdx_memory);
}
END_TEST

START_TEST(test_snapshot) {
	struct range_set s = {0}, ex = {0};
	const uint64_t ids[] = {0, 1, 2, 2, 5, 6, 10};
	ck_assert_int_eq(range_set_add(&ex, 5 * BS, 6 * BS), 0); /* a kmem device */
	ck_assert_int_eq(memory_gate_snapshot(ids, ELEMENTSOF(ids), BS, &ex, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.items[0].start, MIB(1)); /* clipped */
	ck_assert_uint_eq(s.items[0].end, 3 * BS);
	ck_assert_uint_eq(s.items[1].start, 6 * BS);
	ck_assert_uint_eq(s.items[1].end, 7 * BS);
	ck_assert_uint_eq(s.items[2].start, 10 * BS);
	ck_assert_uint_eq(s.items[2].end, 11 * BS);

	/* failures leave the output alone */
	const uint64_t huge[] = {UINT64_MAX / BS};
	ck_assert_int_eq(memory_gate_snapshot(huge, 1, BS, NULL, &s), -ERANGE);
	ck_assert_int_eq(memory_gate_snapshot(ids, ELEMENTSOF(ids), 0, NULL, &s), -EINVAL);
	ck_assert_uint_eq(s.n, 3);

	/* no blocks: an empty set */
	ck_assert_int_eq(memory_gate_snapshot(NULL, 0, BS, NULL, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	range_set_clear(&s);
	range_set_clear(&ex);
}
END_TEST

START_TEST(test_snapshot_matches_gate) {
	/* A snapshot taken at init and then used by the gate: present blocks allowed, a new
	 * block past them refused with the "added after" reason. */
	const uint64_t ids[] = {0, 2, 3, 4, 5, 6, 7};
	struct tdx_host h = {0};
	struct tdx_status st = {.module_initialized = true};
	struct memory_gate g = {0};
	ck_assert_int_eq(memory_gate_snapshot(ids, ELEMENTSOF(ids), GIB(2), NULL, &h.tdx_memory),
	                 0);
	h.tdx_memory_known = true;
	ck_assert_int_eq(memory_gate_prepare(&g, &h, &st, POLICY_ENFORCE), 0);
	ck_assert(decide(&g, 3 * GIB(2), GIB(2)).allowed);
	ck_assert(decide(&g, 2 * GIB(2), 6 * GIB(2)).allowed); /* one contiguous range */
	struct memory_verdict v = decide(&g, GIB(2), GIB(2));  /* the hole at block 1 */
	ck_assert_int_eq(v.why, MEMORY_ADDED_AFTER_INIT);
	ck_assert_int_eq(decide(&g, 8 * GIB(2), GIB(2)).why, MEMORY_ADDED_AFTER_INIT);
	memory_gate_done(&g);
	range_set_clear(&h.tdx_memory);
}
END_TEST

START_TEST(test_iomem) {
	const char *text = "00000000-00000fff : Reserved\n"
	                   "00001000-0009ffff : System RAM\n"
	                   "00100000-7fffffff : System RAM\n"
	                   "  01000000-01ffffff : Kernel code\n"
	                   "100000000-47fffffff : System RAM\n"
	                   "480000000-87fffffff : dax0.0\n"
	                   "  480000000-87fffffff : System RAM (kmem)\n"
	                   "880000000-8bfffffff : virtio0\n"
	                   "  880000000-8afffffff : System RAM (virtio_mem)\n";
	struct range_set s = {0};
	ck_assert_int_eq(iomem_parse_driver_managed(text, &s, NULL), 0);
	ck_assert_uint_eq(s.n, 1); /* the two driver-managed ranges touch: merged */
	ck_assert_uint_eq(s.items[0].start, 0x480000000);
	ck_assert_uint_eq(s.items[0].end, 0x8b0000000);

	/* not root: the kernel shows zeros */
	const char *hidden = "00000000-00000000 : System RAM\n"
	                     "00000000-00000000 : dax0.0\n"
	                     "  00000000-00000000 : System RAM (kmem)\n";
	ck_assert_int_eq(iomem_parse_driver_managed(hidden, &s, NULL), -EACCES);
	ck_assert_uint_eq(s.n, 1); /* untouched */

	unsigned line = 0;
	ck_assert_int_eq(
	    iomem_parse_driver_managed("00000000-00000fff : Reserved\nbogus\n", &s, &line),
	    -EINVAL);
	ck_assert_uint_eq(line, 2);
	ck_assert_int_eq(iomem_parse_driver_managed("fff-100 : System RAM\n", &s, &line), -EINVAL);
	ck_assert_uint_eq(line, 1);
	range_set_clear(&s);
}
END_TEST

START_TEST(test_range_format) {
	char buf[64];
	memory_range_format(GIB(4), GIB(4) + BS - 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "[0x100000000, 0x108000000)");
	memory_range_format(UINT64_MAX - 4095, UINT64_MAX, buf, sizeof buf);
	ck_assert_str_eq(buf, "[0xfffffffffffff000, 0x10000000000000000)");
}
END_TEST

int main(void) {
	Suite *s = suite_create("memory-gate");
	TCase *tc = tcase_create("verdict");
	tcase_add_test(tc, test_inside_one_cmr);
	tcase_add_test(tc, test_straddle_adjacent_cmrs);
	tcase_add_test(tc, test_straddle_gap);
	tcase_add_test(tc, test_one_mib_boundary);
	tcase_add_test(tc, test_top_of_address_space);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_unknown_cmrs);
	tcase_add_test(tc, test_after_init_with_cmrs);
	tcase_add_test(tc, test_straddle_adjacent_init_ranges);
	tcase_add_test(tc, test_modes_in_reason);
	tcase_add_test(tc, test_huge_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_snapshot_matches_gate);
	tcase_add_test(tc, test_iomem);
	tcase_add_test(tc, test_range_format);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
