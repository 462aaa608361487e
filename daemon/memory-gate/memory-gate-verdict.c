/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory gate's pure part: the verdict on a physical range, the TDX memory snapshot and
 * the /proc/iomem parser. No I/O, no logging (docs/kernel-interfaces.md, *Memory hotplug and TDX
 * memory*). */
#include <inttypes.h>
#include <stdarg.h>

#include "macro.h"
#include "memory-gate.h"

#define ONE_MIB MIB(1)

/* Sorted by start with no overlap: what probes and the saved file give, so the common case
 * skips the sort (this runs on every probe, and hosts have 100,000 blocks). */
static bool sorted_disjoint(const struct range_set *s) {
	for (size_t i = 1; i < s->n; i++)
		if (s->items[i].start < s->items[i - 1].end)
			return false;
	return true;
}

/* Drop [0, 1 MiB) from a set sorted by start: only a prefix can reach below it. */
static void clip_first_mib(struct range_set *s) {
	size_t drop = 0;
	for (size_t i = 0; i < s->n && s->items[i].start < ONE_MIB; i++) {
		if (s->items[i].end <= ONE_MIB)
			drop = i + 1;
		else
			s->items[i].start = ONE_MIB;
	}
	if (drop > 0) {
		memmove(s->items, s->items + drop, (s->n - drop) * sizeof(s->items[0]));
		s->n -= drop;
	}
}

int memory_gate_prepare(struct memory_gate *g, const struct tdx_host *h, const struct tdx_status *s,
                        enum policy_mode mode) {
	struct range_set cmrs = {0}, tm = {0};
	int r;

	if (h->cmrs.n > 0) {
		r = range_set_copy(&cmrs, &h->cmrs);
		if (r < 0)
			goto fail;
		/* Adjacent CMRs together hold a range that straddles them: merge. The kernel never
		 * makes [0, 1 MiB) TDX memory, so it is no part of the test. */
		range_set_normalize(&cmrs, true);
		clip_first_mib(&cmrs);
	}
	if (h->tdx_memory_known) {
		r = range_set_copy(&tm, &h->tdx_memory);
		if (r < 0)
			goto fail;
		/* Not merged: the kernel wants a block inside ONE tdx_memlist entry. */
		if (!sorted_disjoint(&tm))
			range_set_normalize(&tm, false);
		clip_first_mib(&tm);
	}

	range_set_clear(&g->cmrs);
	range_set_clear(&g->tdx_memory);
	g->cmrs_known = h->cmrs.n > 0;
	g->cmrs = cmrs;
	g->initialized = s && s->module_initialized;
	g->tdx_memory_known = h->tdx_memory_known;
	g->tdx_memory = tm;
	g->mode = mode;
	return 0;
fail:
	range_set_clear(&cmrs);
	range_set_clear(&tm);
	return r;
}

void memory_gate_done(struct memory_gate *g) {
	range_set_clear(&g->cmrs);
	range_set_clear(&g->tdx_memory);
	g->cmrs_known = g->tdx_memory_known = g->initialized = false;
}

void memory_range_format(uint64_t first, uint64_t last, char *buf, size_t size) {
	if (last == UINT64_MAX)
		snprintf(buf, size, "[0x%" PRIx64 ", 0x10000000000000000)", first);
	else
		snprintf(buf, size, "[0x%" PRIx64 ", 0x%" PRIx64 ")", first, last + 1);
}

/* [first, last] inside one range of a sorted set of disjoint ranges (inclusive last, so a
 * range that ends at 2^64 can be asked: no range of a set can hold it). */
static bool contains(const struct range_set *s, uint64_t first, uint64_t last) {
	return last != UINT64_MAX && range_set_contains(s, first, last + 1);
}

static bool overlaps(const struct range_set *s, uint64_t first, uint64_t last) {
	/* No range holds the byte at 2^64 - 1 (ends are exclusive and fit in 64 bits). */
	if (last == UINT64_MAX)
		return range_set_overlaps(s, first, UINT64_MAX);
	return range_set_overlaps(s, first, last + 1);
}

static void say(struct memory_verdict *v, bool allowed, enum memory_refusal why, const char *fmt,
                ...) _printf_(4, 5);
static void say(struct memory_verdict *v, bool allowed, enum memory_refusal why, const char *fmt,
                ...) {
	va_list ap;
	v->allowed = allowed;
	v->why = why;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
}

int memory_gate_decide(const struct memory_gate *g, uint64_t address, uint64_t size,
                       struct memory_verdict *ret) {
	struct memory_verdict v = {.valid = true, .verified = true};
	char rng[64];

	if (size == 0 || size - 1 > UINT64_MAX - address) {
		v.valid = false;
		say(&v, false, MEMORY_INVALID_RANGE,
		    "invalid range: address 0x%" PRIx64 " size 0x%" PRIx64 " %s", address, size,
		    size == 0 ? "is empty" : "runs past 2^64");
		*ret = v;
		return 0;
	}

	uint64_t last = address + size - 1;
	memory_range_format(address, last, rng, sizeof rng);

	/* The CMR test covers the part at or above 1 MiB: the kernel leaves [0, 1 MiB) out of
	 * TDX memory, so memory there never reaches the module's configuration. */
	enum { CMR_UNKNOWN, CMR_INSIDE, CMR_OUTSIDE, CMR_BELOW_1MIB } cmr;
	if (last < ONE_MIB)
		cmr = CMR_BELOW_1MIB;
	else if (!g->cmrs_known)
		cmr = CMR_UNKNOWN;
	else
		cmr = contains(&g->cmrs, address > ONE_MIB ? address : ONE_MIB, last) ? CMR_INSIDE
		                                                                      : CMR_OUTSIDE;

	if (!g->initialized) {
		switch (cmr) {
		case CMR_OUTSIDE:
			say(&v, false, MEMORY_OUTSIDE_CMRS,
			    "%s is outside the convertible memory regions: it cannot be TDX "
			    "memory, "
			    "and while it is present (online or not) the TDX module initialization "
			    "would fail; remove it before enabling TDX",
			    rng);
			break;
		case CMR_UNKNOWN:
			v.verified = false;
			say(&v, true, MEMORY_ELIGIBLE,
			    "%s could not be verified: the convertible memory regions are unknown "
			    "(this kernel does not report them); the TDX module is not initialized "
			    "yet, so the kernel accepts it, and it becomes TDX memory at the "
			    "initialization",
			    rng);
			break;
		case CMR_BELOW_1MIB:
			say(&v, true, MEMORY_ELIGIBLE,
			    "%s lies below 1 MiB, which the kernel never makes TDX memory", rng);
			break;
		case CMR_INSIDE:
			say(&v, true, MEMORY_ELIGIBLE,
			    "%s lies inside the convertible memory regions; the TDX module is not "
			    "initialized yet",
			    rng);
			break;
		}
	} else if (!g->tdx_memory_known) {
		/* Without the record, only what the kernel guarantees is certain: it refuses all
		 * memory added after the initialization. */
		say(&v, false, MEMORY_TDX_MEMORY_UNKNOWN,
		    "%s cannot be verified: the TDX module is initialized and the memory present "
		    "then was not recorded (/run/tdxd/tdx-memory); memory added after the "
		    "initialization is refused by the kernel",
		    rng);
	} else if (address < ONE_MIB) {
		say(&v, false, MEMORY_BELOW_1MIB,
		    "%s reaches below 1 MiB, which is never TDX memory; the kernel would refuse it",
		    rng);
	} else if (!contains(&g->tdx_memory, address, last)) {
		bool part = overlaps(&g->tdx_memory, address, last);
		say(&v, false, part ? MEMORY_NOT_IN_ONE_RANGE : MEMORY_ADDED_AFTER_INIT,
		    part ? "%s is not inside one range of the memory present when the TDX module "
		           "was initialized; the kernel would refuse it%s"
		         : "%s was added after the TDX module was initialized; the kernel would "
		           "refuse it%s",
		    rng,
		    cmr == CMR_OUTSIDE ? " (it is also outside the convertible memory regions)"
		                       : "");
	} else if (cmr == CMR_OUTSIDE) {
		/* The module accepted it at initialization, so the CMR data disagrees with the
		 * kernel; the spec wants both tests, and the operator should know. */
		say(&v, false, MEMORY_OUTSIDE_CMRS,
		    "%s is outside the convertible memory regions (although it was present when "
		    "the TDX module was initialized)",
		    rng);
	} else {
		say(&v, true, MEMORY_ELIGIBLE,
		    "%s is TDX memory: it was present when the TDX module was initialized", rng);
	}

	if (g->mode != POLICY_ENFORCE) {
		size_t l = strlen(v.reason);
		snprintf(v.reason + l, sizeof v.reason - l, " (MemoryGate=%s: %s)",
		         policy_mode_to_string(g->mode),
		         g->mode == POLICY_WARN ? "tdxd reports but does not act"
		                                : "tdxd does not act on hot-added memory");
	}
	*ret = v;
	return 0;
}

int memory_gate_snapshot(const uint64_t *block_ids, size_t n_blocks, uint64_t block_size,
                         const struct range_set *exclude, struct range_set *ret) {
	struct range_set s = {0};
	int r = 0;

	if (block_size == 0)
		return -EINVAL;
	for (size_t i = 0; i < n_blocks;) {
		size_t j = i;
		/* ids are sorted; a duplicate continues the run like a successor */
		while (j + 1 < n_blocks &&
		       (block_ids[j + 1] == block_ids[j] || block_ids[j + 1] == block_ids[j] + 1))
			j++;
		if (block_ids[j] >= UINT64_MAX / block_size) {
			r = -ERANGE;
			goto fail;
		}
		r = range_set_add(&s, block_ids[i] * block_size, (block_ids[j] + 1) * block_size);
		if (r < 0)
			goto fail;
		i = j + 1;
	}
	range_set_normalize(&s, false);
	for (size_t i = 0; exclude && i < exclude->n; i++) {
		r = range_set_subtract(&s, exclude->items[i].start, exclude->items[i].end);
		if (r < 0)
			goto fail;
	}
	r = range_set_subtract(&s, 0, ONE_MIB);
	if (r < 0)
		goto fail;
	range_set_clear(ret);
	*ret = s;
	return 0;
fail:
	range_set_clear(&s);
	return r;
}
