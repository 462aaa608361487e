/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "parse-util.h"
#include "run-state.h"

/* Saved files are small; anything bigger is not ours. */
#define RUN_FILE_MAX (16u * 1024 * 1024)

/* Calls fn for each non-empty line of text (without its newline). Stops at the first error,
 * reporting that line's number. */
static int for_each_line(const char *text, int (*fn)(char *line, void *u), void *u,
                         unsigned *ret_line) {
	unsigned no = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		no++;
		if (l > 0) {
			_cleanup_free_ char *line = strndup(p, l);
			if (!line)
				return -ENOMEM;
			int r = fn(line, u);
			if (r < 0) {
				if (ret_line)
					*ret_line = no;
				return r;
			}
		}
		p += l + (nl ? 1 : 0);
	}
	return 0;
}

static int set_str(char *dst, size_t size, const char *v) {
	if (strlen(v) >= size)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

static int set_bool01(bool *has, bool *dst, const char *v) {
	if (streq(v, "1"))
		*dst = true;
	else if (streq(v, "0"))
		*dst = false;
	else
		return -EINVAL;
	*has = true;
	return 0;
}

static int state_line(char *line, void *u) {
	struct run_state *s = u;
	char *eq = strchr(line, '=');
	if (!eq || eq == line)
		return -EINVAL;
	*eq = 0;
	const char *k = line, *v = eq + 1;
	if (streq(k, "TDX_ENABLED"))
		return set_bool01(&s->has_tdx_enabled, &s->tdx_enabled, v);
	if (streq(k, "MODULE_INITIALIZED"))
		return set_bool01(&s->has_module_initialized, &s->module_initialized, v);
	if (streq(k, "KVM_MODULE"))
		return set_str(s->kvm_module, sizeof(s->kvm_module), v);
	if (streq(k, "CPU_GUARD"))
		return set_str(s->cpu_guard, sizeof(s->cpu_guard), v);
	if (streq(k, "MEMORY_GATE"))
		return set_str(s->memory_gate, sizeof(s->memory_gate), v);
	if (streq(k, "BOOT_ID"))
		return set_str(s->boot_id, sizeof(s->boot_id), v);
	return 0;
}

int run_state_parse(const char *text, struct run_state *ret, unsigned *ret_line) {
	struct run_state s = {0};
	int r = for_each_line(text, state_line, &s, ret_line);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int run_state_format(const struct run_state *s, char **ret) {
	char *t = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&t, &sz);
	if (!f)
		return -ENOMEM;
	if (s->has_tdx_enabled)
		fprintf(f, "TDX_ENABLED=%d\n", s->tdx_enabled);
	if (s->has_module_initialized)
		fprintf(f, "MODULE_INITIALIZED=%d\n", s->module_initialized);
	if (*s->kvm_module)
		fprintf(f, "KVM_MODULE=%s\n", s->kvm_module);
	if (*s->cpu_guard)
		fprintf(f, "CPU_GUARD=%s\n", s->cpu_guard);
	if (*s->memory_gate)
		fprintf(f, "MEMORY_GATE=%s\n", s->memory_gate);
	if (*s->boot_id)
		fprintf(f, "BOOT_ID=%s\n", s->boot_id);
	if (fclose(f) != 0 || !t) {
		free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

struct cp_ctx {
	struct cpu_package *e;
	size_t n, alloc;
};

/* Exactly two fields separated by blanks (a trailing CR or blanks tolerated). Splits line in
 * place. */
static int two_fields(char *line, char **a, char **b) {
	char *tok[3];
	int n = 0;
	for (char *s = line; *s && n < 3;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = 0;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
	if (n != 2)
		return -EINVAL;
	*a = tok[0];
	*b = tok[1];
	return 0;
}

static int decimal_u32(const char *s, unsigned *ret) {
	if (*s < '0' || *s > '9')
		return -EINVAL;
	uint32_t v;
	int r = parse_u32(s, &v);
	if (r < 0)
		return r;
	/* parse_u32 also takes 0x: the file is decimal */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int cp_line(char *line, void *u) {
	struct cp_ctx *c = u;
	char *a, *b;
	unsigned cpu, pkg;
	int r = two_fields(line, &a, &b);
	if (r < 0)
		return r;
	if ((r = decimal_u32(a, &cpu)) < 0 || (r = decimal_u32(b, &pkg)) < 0)
		return r;
	if (GREEDY_REALLOC(c->e, c->alloc, c->n + 1) < 0)
		return -ENOMEM;
	c->e[c->n++] = (struct cpu_package){cpu, pkg};
	return 0;
}

int cpu_package_parse(const char *text, struct cpu_package **ret, size_t *ret_n,
                      unsigned *ret_line) {
	struct cp_ctx c = {0};
	int r = for_each_line(text, cp_line, &c, ret_line);
	if (r < 0) {
		free(c.e);
		return r;
	}
	*ret = c.e;
	*ret_n = c.n;
	return 0;
}

int cpu_package_lookup(const struct cpu_package *e, size_t n, unsigned cpu) {
	for (size_t i = n; i > 0; i--)
		if (e[i - 1].cpu == cpu)
			return e[i - 1].package > INT32_MAX ? -1 : (int)e[i - 1].package;
	return -1;
}

int cpu_package_format(const struct cpu_package *e, size_t n, char **ret) {
	char *t = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&t, &sz);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u %u\n", e[i].cpu, e[i].package);
	if (fclose(f) != 0 || !t) {
		free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

static int hex_addr(const char *s, uint64_t *ret) {
	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return -EINVAL;
	return parse_hex_u64(s, ret);
}

static int mem_line(char *line, void *u) {
	struct range_set *s = u;
	char *a, *b;
	uint64_t start, end;
	int r = two_fields(line, &a, &b);
	if (r < 0)
		return r;
	if ((r = hex_addr(a, &start)) < 0 || (r = hex_addr(b, &end)) < 0)
		return r;
	if (end <= start)
		return -EINVAL;
	return range_set_add(s, start, end);
}

int tdx_memory_parse(const char *text, struct range_set *ret, unsigned *ret_line) {
	struct range_set s = {0};
	int r = for_each_line(text, mem_line, &s, ret_line);
	if (r < 0) {
		range_set_clear(&s);
		return r;
	}
	range_set_normalize(&s, false);
	range_set_clear(ret);
	*ret = s;
	return 0;
}

int tdx_memory_format(const struct range_set *s, char **ret) {
	struct range_set c = {0};
	if (range_set_copy(&c, s) < 0)
		return -ENOMEM;
	range_set_normalize(&c, false);
	char *t = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&t, &sz);
	if (!f) {
		range_set_clear(&c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c.n; i++)
		fprintf(f, "0x%llx 0x%llx\n", (unsigned long long)c.items[i].start,
		        (unsigned long long)c.items[i].end);
	range_set_clear(&c);
	if (fclose(f) != 0 || !t) {
		free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

bool run_state_is_current(const struct run_state *s, const char *boot_id) {
	if (!s || !*s->boot_id || !boot_id || !*boot_id)
		return true;
	return strcasecmp(s->boot_id, boot_id) == 0;
}

static int read_text(const char *root, const char *path, char **ret, size_t *ret_size) {
	char *t;
	size_t n;
	int r = read_full_file_at(root, path, RUN_FILE_MAX, &t, &n);
	if (r < 0)
		return r;
	if (memchr(t, 0, n)) {
		free(t);
		return -EBADMSG;
	}
	*ret = t;
	if (ret_size)
		*ret_size = n;
	return 0;
}

int run_state_read(const char *root, struct run_state *ret, unsigned *ret_line) {
	_cleanup_free_ char *t = NULL;
	int r = read_text(root, RUN_STATE_PATH, &t, NULL);
	if (r < 0)
		return r;
	return run_state_parse(t, ret, ret_line);
}

int run_state_write(const char *root, const struct run_state *s) {
	_cleanup_free_ char *t = NULL;
	int r = run_state_format(s, &t);
	if (r < 0)
		return r;
	return write_file_atomic_at(root, RUN_STATE_PATH, t);
}

int run_cpu_package_read(const char *root, struct cpu_package **ret, size_t *ret_n,
                         unsigned *ret_line) {
	_cleanup_free_ char *t = NULL;
	int r = read_text(root, RUN_CPU_PACKAGE_PATH, &t, NULL);
	if (r < 0)
		return r;
	return cpu_package_parse(t, ret, ret_n, ret_line);
}

int run_cpu_package_write(const char *root, const struct cpu_package *e, size_t n) {
	_cleanup_free_ char *t = NULL;
	int r = cpu_package_format(e, n, &t);
	if (r < 0)
		return r;
	return write_file_atomic_at(root, RUN_CPU_PACKAGE_PATH, t);
}

int run_tdx_memory_read(const char *root, struct range_set *ret, unsigned *ret_line) {
	_cleanup_free_ char *t = NULL;
	int r = read_text(root, RUN_TDX_MEMORY_PATH, &t, NULL);
	if (r < 0)
		return r;
	return tdx_memory_parse(t, ret, ret_line);
}

int run_tdx_memory_write(const char *root, const struct range_set *s) {
	_cleanup_free_ char *t = NULL;
	int r = tdx_memory_format(s, &t);
	if (r < 0)
		return r;
	return write_file_atomic_at(root, RUN_TDX_MEMORY_PATH, t);
}

int run_kernel_log_read(const char *root, char **ret, size_t *ret_size) {
	return read_text(root, RUN_KERNEL_LOG_PATH, ret, ret_size);
}

int run_kernel_log_write(const char *root, const char *lines) {
	return write_file_atomic_at(root, RUN_KERNEL_LOG_PATH, lines);
}

int read_boot_id(const char *root, char *buf, size_t size) {
	_cleanup_free_ char *t = NULL;
	int r = read_one_line_at(root, BOOT_ID_PATH, &t);
	if (r < 0)
		return r;
	size_t l = strlen(t);
	/* 8-4-4-4-12 hex digits */
	if (l != 36 || size <= l)
		return -EINVAL;
	for (size_t i = 0; i < l; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? t[i] != '-' : !strchr("0123456789abcdefABCDEF", t[i]))
			return -EINVAL;
	}
	memcpy(buf, t, l + 1);
	return 0;
}
