/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "macro.h"
#include "memory-blocks.h"

static inline uint64_t max_u64(uint64_t a, uint64_t b) {
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b) {
	return a < b ? a : b;
}

int memory_block_ram(const struct memory_info *m, uint64_t id, struct range_set *ret) {
	uint64_t start, end;

	if (__builtin_mul_overflow(id, m->block_size, &start) ||
	    __builtin_add_overflow(start, m->block_size, &end))
		return -ERANGE;
	range_set_clear(ret);
	if (m->memmap_present) {
		for (size_t i = 0; i < m->system_ram.n; i++) {
			uint64_t a = max_u64(start, m->system_ram.items[i].start);
			uint64_t b = min_u64(end, m->system_ram.items[i].end);
			if (a < b && range_set_add(ret, a, b) < 0)
				return -ENOMEM;
		}
		range_set_normalize(ret, true);
	}
	/* The firmware map describes boot memory only: a block it does not cover at all was
	 * hot-added (kmem, a DIMM, CXL) and is RAM through and through. */
	if (ret->n == 0 && range_set_add(ret, start, end) < 0)
		return -ENOMEM;
	return range_set_subtract(ret, 0, MIB(1));
}

int memory_block_inside(const struct memory_info *m, uint64_t id,
                        const struct range_set *eligible) {
	struct range_set ram = {0};
	int r = memory_block_ram(m, id, &ram);
	if (r < 0) {
		range_set_clear(&ram);
		return r;
	}
	r = 1;
	for (size_t i = 0; i < ram.n && r; i++)
		if (!range_set_contains(eligible, ram.items[i].start, ram.items[i].end))
			r = 0;
	range_set_clear(&ram);
	return r;
}

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int memory_blocks_outside(const struct memory_info *m, enum block_filter which,
                          const struct range_set *eligible, uint64_t **ret, size_t *ret_n) {
	_cleanup_free_ uint64_t *ids = NULL;
	size_t n = 0;

	if (m->n_outside > 0) {
		ids = calloc(m->n_outside, sizeof(uint64_t));
		if (!ids)
			return -ENOMEM;
	}
	for (size_t i = 0; i < m->n_outside; i++) {
		if ((which == BLOCKS_ONLINE && !m->outside[i].online) ||
		    (which == BLOCKS_OFFLINE && m->outside[i].online))
			continue;
		int r = memory_block_inside(m, m->outside[i].id, eligible);
		if (r < 0)
			return r;
		if (r == 0)
			ids[n++] = m->outside[i].id;
	}
	if (n > 1)
		qsort(ids, n, sizeof(uint64_t), cmp_u64);
	*ret = TAKE_PTR(ids);
	*ret_n = n;
	return 0;
}

void memory_blocks_format(const uint64_t *ids, size_t n, uint64_t bs, char *buf, size_t size) {
	buf[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j > i)
			textf(buf, size, true, "%smemory%" PRIu64 "-%" PRIu64, i ? ", " : "",
			      ids[i], ids[j]);
		else
			textf(buf, size, true, "%smemory%" PRIu64, i ? ", " : "", ids[i]);
		if (bs)
			textf(buf, size, true, " [0x%" PRIx64 ", 0x%" PRIx64 ")", ids[i] * bs,
			      (ids[j] + 1) * bs);
		i = j + 1;
	}
}
