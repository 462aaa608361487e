/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <strings.h>
#include <stdio.h>

#include "macro.h"
#include "parse-util.h"

static const char *skip_ws(const char *s) {
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Only trailing blanks and at most one newline may follow a number. */
static bool only_trailing_ws(const char *s) {
	s = skip_ws(s);
	if (*s == '\n')
		s++;
	return *s == 0;
}

static int parse_digits(const char *s, unsigned base, uint64_t *ret, const char **end) {
	uint64_t v = 0;
	const char *p = s;
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	*ret = v;
	*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *ret) {
	const char *end;
	uint64_t v;
	int r;
	if (!s)
		return -EINVAL;
	s = skip_ws(s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		r = parse_digits(s + 2, 16, &v, &end);
	else
		r = parse_digits(s, 10, &v, &end);
	if (r < 0)
		return r;
	if (!only_trailing_ws(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *ret) {
	uint64_t v;
	int r = parse_u64(s, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_hex_u64(const char *s, uint64_t *ret) {
	const char *end;
	uint64_t v;
	if (!s)
		return -EINVAL;
	s = skip_ws(s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	int r = parse_digits(s, 16, &v, &end);
	if (r < 0)
		return r;
	if (!only_trailing_ws(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_size(const char *s, uint64_t *ret) {
	const char *end;
	uint64_t v;
	int r;
	if (!s)
		return -EINVAL;
	s = skip_ws(s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		r = parse_digits(s + 2, 16, &v, &end);
	else
		r = parse_digits(s, 10, &v, &end);
	if (r < 0)
		return r;
	unsigned shift = 0;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	case 'T':
	case 't':
		shift = 40;
		end++;
		break;
	default: break;
	}
	if (*end != 0)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = v << shift;
	return 0;
}

int parse_kernel_bool(const char *s, bool *ret) {
	if (!s)
		return -EINVAL;
	s = skip_ws(s);
	bool v;
	if (*s == 'Y' || *s == 'y' || *s == '1')
		v = true;
	else if (*s == 'N' || *s == 'n' || *s == '0')
		v = false;
	else
		return -EINVAL;
	if (!only_trailing_ws(s + 1))
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_boolean(const char *s, bool *ret) {
	static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	return -EINVAL;
}

/* Walk "a-b,c" items; calls fn(lo, hi) for each. */
static int cpu_list_walk(const char *s, int (*fn)(unsigned lo, unsigned hi, void *u), void *u) {
	if (!s)
		return -EINVAL;
	const char *p = skip_ws(s);
	if (only_trailing_ws(p))
		return 0;
	for (;;) {
		uint64_t lo, hi;
		const char *end;
		int r = parse_digits(p, 10, &lo, &end);
		if (r < 0)
			return r;
		hi = lo;
		p = end;
		if (*p == '-') {
			r = parse_digits(p + 1, 10, &hi, &end);
			if (r < 0)
				return r;
			p = end;
		}
		if (hi < lo || hi > UINT32_MAX)
			return -EINVAL;
		r = fn((unsigned)lo, (unsigned)hi, u);
		if (r < 0)
			return r;
		if (*p == ',') {
			p++;
			continue;
		}
		if (!only_trailing_ws(p))
			return -EINVAL;
		return 0;
	}
}

struct bitmap_ctx {
	uint8_t *bitmap;
	unsigned max;
};

static int set_range(unsigned lo, unsigned hi, void *u) {
	struct bitmap_ctx *c = u;
	if (hi >= c->max)
		return -ERANGE;
	for (unsigned i = lo; i <= hi; i++)
		bitmap_set(c->bitmap, i);
	return 0;
}

int parse_cpu_list(const char *s, uint8_t *bitmap, unsigned max_cpus) {
	/* validate first so a bad list leaves the bitmap untouched */
	unsigned m;
	int r = cpu_list_max(s, &m);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (m >= max_cpus)
		return -ERANGE;
	struct bitmap_ctx c = {bitmap, max_cpus};
	return cpu_list_walk(s, set_range, &c);
}

static int track_max(unsigned lo, unsigned hi, void *u) {
	int64_t *m = u;
	if ((int64_t)hi > *m)
		*m = hi;
	return 0;
}

int cpu_list_max(const char *s, unsigned *ret) {
	int64_t m = -1;
	int r = cpu_list_walk(s, track_max, &m);
	if (r < 0)
		return r;
	if (m < 0)
		return -ENOENT;
	*ret = (unsigned)m;
	return 0;
}

int cpu_list_to_bitmap(const char *s, unsigned min_bits, uint8_t **ret, unsigned *ret_n) {
	unsigned m = 0;
	int r = cpu_list_max(s, &m);
	if (r < 0 && r != -ENOENT)
		return r;
	if (min_bits > CPUS_MAX || (r >= 0 && m >= CPUS_MAX))
		return -E2BIG;
	unsigned n = r >= 0 && m >= min_bits ? m + 1 : min_bits;
	if (n == 0)
		n = 1;
	uint8_t *b = calloc((n + 7) / 8, 1);
	if (!b)
		return -ENOMEM;
	r = parse_cpu_list(s, b, n);
	if (r < 0) {
		free(b);
		return r;
	}
	*ret = b;
	*ret_n = n;
	return 0;
}

void format_cpu_list(const unsigned *cpus, size_t n, char *buf, size_t size) {
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		int k;
		if (j > i)
			k = snprintf(buf + o, size - o, "%s%u-%u", o ? "," : "", cpus[i], cpus[j]);
		else
			k = snprintf(buf + o, size - o, "%s%u", o ? "," : "", cpus[i]);
		if (k < 0 || (size_t)k >= size - o)
			return; /* truncated, still NUL-terminated */
		o += (size_t)k;
		i = j + 1;
	}
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one (overlong forms,
 * surrogates and code points above U+10FFFF included). */
static size_t utf8_valid_len(const unsigned char *s) {
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t utf8_sanitize(char *s) {
	size_t replaced = 0;
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = utf8_valid_len(p);
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			*p++ = '?';
			replaced++;
			continue;
		}
		p += n;
	}
	return replaced;
}

/* mode 0: escape every control, 1: keep newlines, 2: keep every control (valid UTF-8 only) */
static char *utf8_copy(const char *s, int mode) {
	/* worst case: every byte becomes "\\xNN" (4) or U+FFFD (3) */
	size_t l = strlen(s);
	char *out = malloc(l * 4 + 1), *o = out;
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_valid_len(p);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
			o += 3;
			p++;
			continue;
		}
		bool c0 =
		    mode < 2 && n == 1 && (*p < 0x20 || *p == 0x7f) && !(mode == 1 && *p == '\n');
		bool c1 = mode < 2 && n == 2 && p[0] == 0xc2 && p[1] < 0xa0; /* U+0080-U+009F */
		if (c0 || c1) {
			o += sprintf(o, "\\x%02x", c0 ? p[0] : p[1]);
			p += n;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = 0;
	return out;
}

char *utf8_escape(const char *s, bool keep_newlines) {
	return utf8_copy(s, keep_newlines ? 1 : 0);
}

char *utf8_repair(const char *s) {
	return utf8_copy(s, 2);
}
