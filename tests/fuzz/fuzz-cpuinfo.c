/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/cpuinfo. */
#include "cpuinfo.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT)
		return 0;
	struct cpuinfo c;
	memset(&c, 0, sizeof(c));
	(void)cpuinfo_parse((const char *)data, size, &c);
	fuzz_assert(c.n_processors <= size);
	return 0;
}
