/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Sorted physical address ranges [start, end) with O(log n) containment tests. Used for the
 * CMRs, the TDX memory recorded at module initialization, and System RAM from the firmware
 * memory map. Pure: no I/O. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range {
	uint64_t start;
	uint64_t end; /* exclusive; end > start */
};

struct range_set {
	struct range *items;
	size_t n;
	size_t n_alloc;
};

void range_set_clear(struct range_set *s);
int range_set_add(struct range_set *s, uint64_t start, uint64_t end);
/* Sort by start; with merge_adjacent, overlapping and touching ranges become one (the CMR
 * rule). Without it, only exact duplicates are dropped (the tdx_memlist rule: a block must lie
 * inside one entry). */
void range_set_normalize(struct range_set *s, bool merge_adjacent);
/* Remove [start, end) from every range (e.g. clip [0, 1 MiB)). Keeps the set sorted. */
int range_set_subtract(struct range_set *s, uint64_t start, uint64_t end);

/* True when [start, end) lies entirely inside one range of a normalized set. */
bool range_set_contains(const struct range_set *s, uint64_t start, uint64_t end);
/* True when [start, end) overlaps any range. */
bool range_set_overlaps(const struct range_set *s, uint64_t start, uint64_t end);
uint64_t range_set_bytes(const struct range_set *s);
int range_set_copy(struct range_set *dst, const struct range_set *src);

#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)
