/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cpuinfo.h"
#include "macro.h"

/* Is word (length wl) one of the blank-separated tokens of [s, end)? */
static bool has_token(const char *s, const char *end, const char *word) {
	size_t wl = strlen(word);
	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		const char *t = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if ((size_t)(s - t) == wl && memcmp(t, word, wl) == 0)
			return true;
	}
	return false;
}

/* Split "key\t: value" into the key (trailing blanks dropped) and the value. */
static bool split_field(const char *line, const char *end, size_t *ret_kl, const char **ret_v) {
	const char *colon = memchr(line, ':', (size_t)(end - line));
	if (!colon)
		return false;
	const char *k = colon;
	while (k > line && (k[-1] == ' ' || k[-1] == '\t'))
		k--;
	const char *v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	*ret_kl = (size_t)(k - line);
	*ret_v = v;
	return true;
}

static bool key_is(const char *line, size_t kl, const char *key) {
	return kl == strlen(key) && memcmp(line, key, kl) == 0;
}

static unsigned parse_small(const char **p, const char *end) {
	unsigned v = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '9' && v < 100000)
		v = v * 10 + (unsigned)(*s++ - '0');
	*p = s;
	return v;
}

/* "46 bits physical, 57 bits virtual" */
static void parse_address_sizes(const char *v, const char *end, struct cpuinfo *c) {
	const char *s = v;
	unsigned phys = parse_small(&s, end);
	if (s == v || (size_t)(end - s) < 15 || memcmp(s, " bits physical,", 15) != 0)
		return;
	s += 15;
	while (s < end && *s == ' ')
		s++;
	const char *vs = s;
	unsigned virt = parse_small(&s, end);
	if (s == vs || (size_t)(end - s) < 13 || memcmp(s, " bits virtual", 13) != 0)
		return;
	c->phys_bits = phys;
	c->virt_bits = virt;
}

int cpuinfo_parse(const char *text, size_t size, struct cpuinfo *ret) {
	struct cpuinfo c = {0};
	const char *p = text, *end = text + size;
	bool in_first = false, first_done = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *line = p;
		p = le + 1;

		if ((size_t)(le - line) > 9 && memcmp(line, "processor", 9) == 0 &&
		    (line[9] == ' ' || line[9] == '\t' || line[9] == ':')) {
			c.n_processors++;
			if (!first_done)
				in_first = true;
			continue;
		}
		if (!in_first)
			continue;
		if (le == line) {
			/* the blank line ending the first block */
			in_first = false;
			first_done = true;
			continue;
		}
		size_t kl;
		const char *v;
		if (!split_field(line, le, &kl, &v))
			continue;
		if (key_is(line, kl, "vendor_id"))
			snprintf(c.vendor_id, sizeof(c.vendor_id), "%.*s", (int)(le - v), v);
		else if (key_is(line, kl, "flags")) {
			c.tdx_host_platform = has_token(v, le, "tdx_host_platform");
			c.hypervisor = has_token(v, le, "hypervisor");
			c.tdx_guest = has_token(v, le, "tdx_guest");
			c.vmx = has_token(v, le, "vmx");
			c.tme = has_token(v, le, "tme");
			c.sgx = has_token(v, le, "sgx");
			c.sgx_lc = has_token(v, le, "sgx_lc");
		} else if (key_is(line, kl, "vmx flags")) {
			c.has_vmx_flags = true;
			c.ept_5level = has_token(v, le, "ept_5level");
		} else if (key_is(line, kl, "bugs"))
			c.bug_tdx_pw_mce = has_token(v, le, "tdx_pw_mce");
		else if (key_is(line, kl, "address sizes"))
			parse_address_sizes(v, le, &c);
	}
	if (c.n_processors == 0)
		return -EINVAL;
	c.read = true;
	*ret = c;
	return 0;
}
