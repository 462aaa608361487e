/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/iomem: the driver-managed ranges the memory gate excludes. */
#include "fuzz-util.h"
#include "iomem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT)
		return 0;
	char *s = fuzz_strndup(data, size);
	struct range_set r = {0};
	unsigned line = 0;
	if (iomem_parse_driver_managed(s, &r, &line) >= 0)
		for (size_t i = 0; i < r.n; i++)
			fuzz_assert(r.items[i].start < r.items[i].end);
	range_set_clear(&r);
	free(s);
	return 0;
}
