/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Memory blocks against eligible ranges, as the kernel counts memory: a block's RAM is its
 * range clipped to the firmware map's System RAM (a block the map does not cover at all was
 * hot-added and is RAM through and through), with [0, 1 MiB) dropped. Pure: no I/O. Used by the
 * memory checks (status.c) and by the enable sequence's prerequisites (enable-plan.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "ranges.h"

/* The RAM of block `id`. -ERANGE when the block lies past 2^64. */
int memory_block_ram(const struct memory_info *m, uint64_t id, struct range_set *ret);

/* 1 when every piece of the block's RAM lies inside one range of `eligible`, 0 when not. */
int memory_block_inside(const struct memory_info *m, uint64_t id, const struct range_set *eligible);

enum block_filter {
	BLOCKS_OFFLINE,
	BLOCKS_ONLINE,
	BLOCKS_ANY,
};

/* The examined blocks (m->outside: the probe reads the state of every block not inside the
 * CMRs or the recorded TDX memory) matching `which` and not inside `eligible`, sorted. */
int memory_blocks_outside(const struct memory_info *m, enum block_filter which,
                          const struct range_set *eligible, uint64_t **ret, size_t *ret_n);

/* "memory40-47 [0x500000000, 0x600000000), memory90 [...]": runs of consecutive ids joined. */
void memory_blocks_format(const uint64_t *ids, size_t n, uint64_t block_size, char *buf,
                          size_t size);
