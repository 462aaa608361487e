/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "ranges.h"

void range_set_clear(struct range_set *s) {
	s->items = mfree(s->items);
	s->n = s->n_alloc = 0;
}

int range_set_add(struct range_set *s, uint64_t start, uint64_t end) {
	if (end <= start)
		return -EINVAL;
	if (GREEDY_REALLOC(s->items, s->n_alloc, s->n + 1) < 0)
		return -ENOMEM;
	s->items[s->n++] = (struct range){start, end};
	return 0;
}

static int cmp_range(const void *a, const void *b) {
	const struct range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

void range_set_normalize(struct range_set *s, bool merge_adjacent) {
	if (s->n == 0)
		return;
	qsort(s->items, s->n, sizeof(struct range), cmp_range);
	size_t o = 0;
	for (size_t i = 1; i < s->n; i++) {
		struct range *last = &s->items[o];
		struct range *cur = &s->items[i];
		if (merge_adjacent ? cur->start <= last->end
		                   : (cur->start == last->start && cur->end == last->end)) {
			if (cur->end > last->end)
				last->end = cur->end;
			continue;
		}
		s->items[++o] = *cur;
	}
	s->n = o + 1;
}

int range_set_subtract(struct range_set *s, uint64_t start, uint64_t end) {
	struct range_set out = {0};
	for (size_t i = 0; i < s->n; i++) {
		struct range r = s->items[i];
		if (r.end <= start || r.start >= end) {
			if (range_set_add(&out, r.start, r.end) < 0)
				goto oom;
			continue;
		}
		if (r.start < start && range_set_add(&out, r.start, start) < 0)
			goto oom;
		if (r.end > end && range_set_add(&out, end, r.end) < 0)
			goto oom;
	}
	range_set_clear(s);
	*s = out;
	return 0;
oom:
	range_set_clear(&out);
	return -ENOMEM;
}

/* Index of the last range whose start <= addr, or -1. Needs a sorted set. */
static ssize_t find_le(const struct range_set *s, uint64_t addr) {
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->items[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* Both tests expect a normalized set of disjoint ranges (CMRs are merged; memblock ranges and
 * firmware map entries never overlap), so only the range starting at or before the address
 * can match. */
bool range_set_contains(const struct range_set *s, uint64_t start, uint64_t end) {
	if (end <= start)
		return false;
	ssize_t i = find_le(s, start);
	return i >= 0 && s->items[i].end >= end;
}

bool range_set_overlaps(const struct range_set *s, uint64_t start, uint64_t end) {
	if (end <= start)
		return false;
	ssize_t i = find_le(s, end - 1);
	return i >= 0 && s->items[i].end > start;
}

uint64_t range_set_bytes(const struct range_set *s) {
	uint64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		t += s->items[i].end - s->items[i].start;
	return t;
}

int range_set_copy(struct range_set *dst, const struct range_set *src) {
	struct range_set c = {0};
	for (size_t i = 0; i < src->n; i++)
		if (range_set_add(&c, src->items[i].start, src->items[i].end) < 0) {
			range_set_clear(&c);
			return -ENOMEM;
		}
	range_set_clear(dst);
	*dst = c;
	return 0;
}
