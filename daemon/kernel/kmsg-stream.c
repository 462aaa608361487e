/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel log as a stream (kmsg.h): /dev/kmsg records and bare saved lines fed to the
 * parser, this boot's TDX lines extracted for /run/tdxd/kernel-log, and two copies merged.
 * Pure. The recognition of each line is kmsg.c. */
#include <stdio.h>
#include "kmsg-internal.h"
#include "macro.h"
int kmsg_split_record(const char *line, size_t len, uint64_t *ret_seq, const char **ret_msg,
                      size_t *ret_msg_len) {
	const char *semi = memchr(line, ';', len);
	if (!semi)
		return -EINVAL;
	/* the prefix is short and plain ASCII: PRIO,SEQ,TS,FLAGS[,more...] */
	char pfx[128];
	size_t pl = (size_t)(semi - line);
	if (pl >= sizeof(pfx))
		return -EINVAL;
	memcpy(pfx, line, pl);
	pfx[pl] = 0;
	const char *s = pfx;
	uint64_t prio, seq, ts;
	if (!kmsg_scan_u64(&s, &prio) || *s++ != ',' || !kmsg_scan_u64(&s, &seq) || *s++ != ',' ||
	    !kmsg_scan_u64(&s, &ts) || *s++ != ',')
		return -EINVAL;
	/* FLAGS: "-", "c" or "+", maybe followed by ",caller=..." */
	if (*s == 0)
		return -EINVAL;
	*ret_seq = seq;
	*ret_msg = semi + 1;
	*ret_msg_len = len - pl - 1;
	/* PRIO is facility << 3 | level; the kernel's own messages are facility 0 (LOG_KERN). */
	return (prio >> 3) != 0 ? 1 : 0;
}

typedef int (*line_fn)(const char *line, size_t len, void *u);

static int for_each_line(const char *buf, size_t size, line_fn fn, void *u) {
	const char *p = buf, *end = buf + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int r = fn(p, l, u);
		if (r < 0)
			return r;
		p += l + 1;
	}
	return 0;
}

static int feed_record_line(const char *line, size_t len, void *u) {
	struct kmsg_parser *p = u;
	/* dictionary continuation lines (" SUBSYSTEM=cpu") and blank lines carry no message */
	if (len == 0 || line[0] == ' ' || (len == 1 && line[0] == '\r'))
		return 0;
	uint64_t seq;
	const char *msg;
	size_t ml;
	int k = kmsg_split_record(line, len, &seq, &msg, &ml);
	if (k < 0) {
		p->n_malformed++;
		return 0;
	}
	if (!p->have_record || seq < p->first_seq)
		p->first_seq = seq;
	p->have_record = true;
	if (k > 0)
		return 0; /* written by userspace: not a kernel fact */
	int r = kmsg_parser_feed_message(p, msg, ml, seq);
	return r < 0 ? r : 0;
}

static int feed_bare_line(const char *line, size_t len, void *u) {
	struct kmsg_parser *p = u;
	if (len == 0 || line[0] == ' ')
		return 0;
	int r = kmsg_parser_feed_message(p, line, len, 0);
	return r < 0 ? r : 0;
}

int kmsg_parser_feed_records(struct kmsg_parser *p, const char *buf, size_t size) {
	return for_each_line(buf, size, feed_record_line, p);
}

int kmsg_parser_feed_lines(struct kmsg_parser *p, const char *buf, size_t size) {
	return for_each_line(buf, size, feed_bare_line, p);
}

int kmsg_parser_finish(struct kmsg_parser *p) {
	struct kmsg_facts *f = p->facts;
	int r = 0;
	if (f) {
		size_t have = _KMSG_CMR_FORMAT_MAX;
		for (size_t i = 0; i < _KMSG_CMR_FORMAT_MAX; i++)
			if (streq_ptr(f->cmr_format, kmsg_cmr_format_to_string(i)))
				have = i;
		for (size_t i = 0; i < _KMSG_CMR_FORMAT_MAX && i <= have; i++) {
			if (p->cmr[i].n == 0)
				continue;
			/* CMRs from an earlier source stay when they are in a better format, and
			 * are merged with these when in the same one */
			if (i != have)
				range_set_clear(&f->cmrs);
			for (size_t j = 0; j < p->cmr[i].n && r >= 0; j++)
				r = range_set_add(&f->cmrs, p->cmr[i].items[j].start,
				                  p->cmr[i].items[j].end);
			range_set_normalize(&f->cmrs, false);
			f->cmr_format = kmsg_cmr_format_to_string(i);
			break;
		}
	}
	kmsg_parser_done(p);
	return r;
}

int kmsg_parse_stream(const char *buf, size_t size, struct kmsg_facts *f, size_t *ret_malformed) {
	struct kmsg_parser p;
	kmsg_parser_init(&p, f);
	int r = kmsg_parser_feed_records(&p, buf, size);
	if (r < 0) {
		kmsg_parser_done(&p);
		return r;
	}
	if (ret_malformed)
		*ret_malformed = p.n_malformed;
	return kmsg_parser_finish(&p);
}

int kmsg_parse_saved(const char *buf, size_t size, struct kmsg_facts *f) {
	struct kmsg_parser p;
	kmsg_parser_init(&p, f);
	int r = kmsg_parser_feed_lines(&p, buf, size);
	if (r < 0) {
		kmsg_parser_done(&p);
		return r;
	}
	return kmsg_parser_finish(&p);
}

bool kmsg_message_is_tdx(const char *msg, size_t len) {
	struct kmsg_parser p = {0};
	char buf[MSG_MAX];
	kmsg_copy_msg(buf, msg, len);
	return kmsg_recognise(&p, buf, 0) > 0;
}

struct extract_ctx {
	char *out;
	size_t n, alloc;
	bool records;
	const char *kvm_module;
};

static int extract_line(const char *line, size_t len, void *u) {
	struct extract_ctx *c = u;
	const char *msg = line;
	size_t ml = len;
	uint64_t seq;
	if (len == 0 || line[0] == ' ')
		return 0;
	if (c->records && kmsg_split_record(line, len, &seq, &msg, &ml) != 0)
		return 0;
	char buf[MSG_MAX];
	kmsg_copy_msg(buf, msg, ml);
	struct kmsg_parser p = {.kvm_module = c->kvm_module};
	if (kmsg_recognise(&p, buf, 0) <= 0)
		return 0;
	size_t l = strlen(buf);
	if (GREEDY_REALLOC(c->out, c->alloc, c->n + l + 2) < 0)
		return -ENOMEM;
	memcpy(c->out + c->n, buf, l);
	c->n += l;
	c->out[c->n++] = '\n';
	c->out[c->n] = 0;
	return 0;
}

static int extract(const char *buf, size_t size, bool records, const char *kvm_module, char **ret) {
	struct extract_ctx c = {.records = records, .kvm_module = kvm_module};
	int r = for_each_line(buf, size, extract_line, &c);
	if (r < 0) {
		free(c.out);
		return r;
	}
	if (!c.out && !(c.out = strdup("")))
		return -ENOMEM;
	*ret = c.out;
	return 0;
}

int kmsg_extract_tdx(const char *buf, size_t size, const char *kvm_module, char **ret) {
	return extract(buf, size, true, kvm_module, ret);
}

int kmsg_extract_tdx_lines(const char *buf, size_t size, char **ret) {
	return extract(buf, size, false, NULL, ret);
}

/* A set of lines for kmsg_merge_lines(): open addressing over (pointer, length) pairs into the
 * input texts, so a pathological log of thousands of SEAMCALL lines stays linear. */
struct line_set {
	const char **p;
	size_t *len;
	size_t n, cap;
};

static uint64_t hash_line(const char *s, size_t l) {
	uint64_t h = UINT64_C(1469598103934665603);
	for (size_t i = 0; i < l; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

/* 1 added, 0 already there, -ENOMEM */
static int line_set_add(struct line_set *set, const char *s, size_t l) {
	if ((set->n + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct line_set n = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(size_t)), 0,
		                     cap};
		if (!n.p || !n.len) {
			free(n.p);
			free(n.len);
			return -ENOMEM;
		}
		for (size_t i = 0; i < set->cap; i++)
			if (set->p[i])
				(void)line_set_add(&n, set->p[i], set->len[i]);
		free(set->p);
		free(set->len);
		*set = n;
	}
	for (size_t i = hash_line(s, l) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (!set->p[i]) {
			set->p[i] = s;
			set->len[i] = l;
			set->n++;
			return 1;
		}
		if (set->len[i] == l && memcmp(set->p[i], s, l) == 0)
			return 0;
	}
}

int kmsg_merge_lines(const char *a, const char *b, char **ret) {
	struct line_set set = {0};
	char *out = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;
	const char *texts[] = {a, b};

	for (size_t t = 0; t < ELEMENTSOF(texts) && r >= 0; t++)
		for (const char *s = texts[t]; s && *s;) {
			const char *nl = strchr(s, '\n');
			size_t l = nl ? (size_t)(nl - s) : strlen(s);
			if (l > 0) {
				r = line_set_add(&set, s, l);
				if (r < 0)
					break;
				if (r > 0) {
					if (GREEDY_REALLOC(out, alloc, n + l + 2) < 0) {
						r = -ENOMEM;
						break;
					}
					memcpy(out + n, s, l);
					n += l;
					out[n++] = '\n';
					out[n] = 0;
				}
			}
			s += l + (nl ? 1 : 0);
		}
	free(set.p);
	free(set.len);
	if (r < 0) {
		free(out);
		return r;
	}
	if (!out && !(out = strdup("")))
		return -ENOMEM;
	*ret = out;
	return 0;
}
