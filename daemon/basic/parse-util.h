/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parsers for the number and list formats the kernel uses. No I/O. All return 0 on
 * success or a negative errno (-EINVAL for malformed text, -ERANGE for overflow) and leave
 * the output untouched on failure. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal, or hex with a 0x prefix; surrounding whitespace (and one trailing newline) is
 * allowed, anything else is -EINVAL. */
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);
/* Hex without a prefix (block_size_bytes, phys_index), an optional 0x is tolerated. */
int parse_hex_u64(const char *s, uint64_t *ret);

/* Sizes and addresses for tdxctl: decimal, 0x hex, optional K M G T suffix (powers of 1024).
 * Overflow is -ERANGE. */
int parse_size(const char *s, uint64_t *ret);

/* The kernel's bool parameter format: Y/N, 1/0 (trailing newline allowed). */
int parse_kernel_bool(const char *s, bool *ret);

/* systemd-style booleans for the config file: yes/no, true/false, on/off, 1/0. */
int parse_boolean(const char *s, bool *ret);

/* A CPU list ("0-3,8,10-11\n", or empty) into a bitmap of max_cpus bits (bytes of 8 bits).
 * CPUs >= max_cpus give -ERANGE. */
int parse_cpu_list(const char *s, uint8_t *bitmap, unsigned max_cpus);
/* The highest CPU number named in a list, or -ENOENT for an empty list. */
int cpu_list_max(const char *s, unsigned *ret);

/* The bound on CPU numbers in every list tdxd reads (present, possible, online, node
 * cpulists): x86 Kconfig caps NR_CPUS at 8192 (MAXSMP), so a larger number is not from a
 * kernel. Without it a list naming CPU 4294967295 wraps the bitmap size computation, and
 * "0-1048575" turns one probe into a million file reads. */
#define CPUS_MAX 8192u

/* A CPU list into a newly allocated bitmap of *ret_n bits: the larger of min_bits and the
 * highest CPU named + 1 (an empty list gives min_bits, at least 1). A CPU >= CPUS_MAX, or
 * min_bits > CPUS_MAX, is -E2BIG; malformed text -EINVAL. */
int cpu_list_to_bitmap(const char *s, unsigned min_bits, uint8_t **ret, unsigned *ret_n);

static inline bool bitmap_test(const uint8_t *b, unsigned i) {
	return b[i / 8] & (1u << (i % 8));
}
static inline void bitmap_set(uint8_t *b, unsigned i) {
	b[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Format a CPU set as "0-3,8" into buf. */
void format_cpu_list(const unsigned *cpus, size_t n, char *buf, size_t size);

/* Make s valid UTF-8 without control characters, in place: each byte of an invalid sequence
 * and each control character (tabs and newlines included) becomes '?'. Kernel log lines and
 * sysfs files may carry any bytes, and D-Bus strings must be UTF-8. Returns how many bytes
 * were replaced. */
size_t utf8_sanitize(char *s);

/* For a terminal: a copy of s with each byte of an invalid UTF-8 sequence as U+FFFD and each
 * control character (C0, DEL, C1; newlines kept when keep_newlines) as "\\xNN", so text read
 * from sysfs or a log cannot move the cursor, recolour or retitle the user's terminal. NULL
 * on allocation failure. */
char *utf8_escape(const char *s, bool keep_newlines);
/* Only the invalid UTF-8 bytes replaced (by U+FFFD): for JSON, whose writer escapes the
 * control characters itself but passes other bytes through. */
char *utf8_repair(const char *s);
