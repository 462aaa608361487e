/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Range sets driven by a byte program: each 17-byte step is an operation and a range. After
 * normalizing, the set is sorted (and disjoint when merged); subtracting a range from a merged
 * set leaves nothing of it. */
#include <stdbool.h>

#include "fuzz-util.h"
#include "ranges.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 17 * 4096)
		return 0;
	struct range_set s = {0}, c = {0};
	bool merged = false; /* sorted and disjoint: what overlaps() and contains() need */
	for (size_t i = 0; i + 17 <= size; i += 17) {
		uint64_t a, b;
		memcpy(&a, data + i + 1, 8);
		memcpy(&b, data + i + 9, 8);
		switch (data[i] % 5) {
		case 0:
			if (range_set_add(&s, a, b) >= 0)
				merged = false;
			break;
		case 1:
			if (range_set_subtract(&s, a, b) >= 0 && a < b && merged)
				fuzz_assert(!range_set_overlaps(&s, a, b));
			break;
		case 2:
			merged = data[i] & 0x80;
			range_set_normalize(&s, merged);
			for (size_t j = 0; j + 1 < s.n; j++) {
				fuzz_assert(s.items[j].start <= s.items[j + 1].start);
				if (merged) /* touching ranges become one */
					fuzz_assert(s.items[j].end < s.items[j + 1].start);
			}
			break;
		case 3:
			if (merged && a < b && range_set_contains(&s, a, b))
				fuzz_assert(range_set_overlaps(&s, a, b));
			(void)range_set_bytes(&s);
			break;
		case 4:
			if (range_set_copy(&c, &s) >= 0)
				fuzz_assert(c.n == s.n);
			break;
		}
	}
	range_set_clear(&s);
	range_set_clear(&c);
	return 0;
}
