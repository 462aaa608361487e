/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* misc.capacity / misc.current: the first line of the input names the resource looked up. */
#include "fuzz-util.h"
#include "misc-cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT)
		return 0;
	bool found = false;
	uint64_t v = 7;
	(void)misc_cgroup_parse((const char *)data, size, "tdx", &found, &v);
	if (!found)
		fuzz_assert(v == 7); /* untouched when there is no line */
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl && nl > data) {
		char *res = fuzz_strndup(data, (size_t)(nl - data));
		(void)misc_cgroup_parse((const char *)nl + 1, size - (size_t)(nl - data) - 1, res,
		                        &found, &v);
		free(res);
	}
	return 0;
}
