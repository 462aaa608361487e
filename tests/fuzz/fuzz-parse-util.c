/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The number, boolean and CPU list parsers; CPU lists round-trip through format_cpu_list;
 * the UTF-8 sanitizers leave valid UTF-8 without control characters. */
#include <stdbool.h>

#include "fuzz-util.h"
#include "parse-util.h"

static void check_clean(const char *s, bool newlines_ok) {
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		fuzz_assert(*p >= 0x20 || (newlines_ok && *p == '\n'));
		fuzz_assert(*p != 0x7f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 64 * 1024)
		return 0;
	char *s = fuzz_strndup(data, size);
	uint64_t u;
	uint32_t u32;
	bool b;
	(void)parse_u64(s, &u);
	(void)parse_u32(s, &u32);
	(void)parse_hex_u64(s, &u);
	(void)parse_size(s, &u);
	(void)parse_kernel_bool(s, &b);
	(void)parse_boolean(s, &b);

	unsigned max;
	(void)cpu_list_max(s, &max);
	uint8_t *bm = NULL;
	unsigned n = 0;
	if (cpu_list_to_bitmap(s, 0, &bm, &n) >= 0) {
		fuzz_assert(n >= 1 && n <= CPUS_MAX);
		unsigned *cpus = malloc(sizeof(unsigned) * n);
		size_t k = 0;
		for (unsigned c = 0; c < n; c++)
			if (bitmap_test(bm, c))
				cpus[k++] = c;
		/* "N-M," at most 10 bytes a CPU for numbers below 8192 */
		size_t bufsize = k * 10 + 1;
		char *buf = malloc(bufsize);
		format_cpu_list(cpus, k, buf, bufsize);
		uint8_t *bm2 = NULL;
		unsigned n2 = 0;
		fuzz_assert(cpu_list_to_bitmap(buf, n, &bm2, &n2) >= 0);
		fuzz_assert(n2 == n);
		fuzz_assert(memcmp(bm, bm2, (n + 7) / 8) == 0);
		free(bm2);
		free(buf);
		free(cpus);
		free(bm);
	}

	char *e = utf8_escape(s, false);
	check_clean(e, false);
	free(e);
	e = utf8_escape(s, true);
	check_clean(e, true);
	char *e2 = utf8_repair(e); /* escaped text is valid UTF-8: nothing to repair */
	fuzz_assert(strcmp(e, e2) == 0);
	free(e2);
	free(e);
	(void)utf8_sanitize(s);
	check_clean(s, false);
	free(s);
	return 0;
}
