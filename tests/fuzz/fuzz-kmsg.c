/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev/kmsg record streams and the saved kernel-log lines: the parser, the TDX line
 * extraction, and the merge that rewrites /run/tdxd/kernel-log (a merge with itself adds
 * nothing: no saved line may be lost or doubled). */
#include "fuzz-util.h"
#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT)
		return 0;
	struct kmsg_facts f = {0};
	size_t malformed = 0;
	(void)kmsg_parse_stream((const char *)data, size, &f, &malformed);
	kmsg_facts_done(&f);
	struct kmsg_facts g = {0};
	(void)kmsg_parse_saved((const char *)data, size, &g);
	kmsg_facts_done(&g);

	char *x = NULL;
	if (kmsg_extract_tdx((const char *)data, size, "kvm_intel", &x) >= 0) {
		char *m = NULL, *m2 = NULL, *m3 = NULL;
		/* merging is idempotent: the saved lines again add nothing */
		if (kmsg_merge_lines(x, NULL, &m) >= 0 && kmsg_merge_lines(x, x, &m2) >= 0 &&
		    kmsg_merge_lines(m, x, &m3) >= 0) {
			fuzz_assert(strcmp(m, m2) == 0);
			fuzz_assert(strcmp(m, m3) == 0);
		}
		free(m);
		free(m2);
		free(m3);
	}
	free(x);
	char *y = NULL;
	if (kmsg_extract_tdx_lines((const char *)data, size, &y) >= 0)
		free(y);
	return 0;
}
