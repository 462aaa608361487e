/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the libFuzzer targets: a NUL-terminated copy of the input (most parsers take C
 * strings), and an assert that survives NDEBUG (a failed round trip must crash the run). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_INPUT (1u << 20)

#define fuzz_assert(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", __FILE__, __LINE__,  \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
