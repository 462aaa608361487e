/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Human views of the capabilities document. They read only the JSON, so a document from a
 * newer or older daemon with a missing key prints "unknown" instead of failing. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "parse-util.h"
#include "tdxctl-format.h"

#define LABEL_WIDTH 19 /* strlen("Guest address width") */

static struct json_object *get(struct json_object *o, const char *key) {
	struct json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *get_str(struct json_object *o, const char *key) {
	struct json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static uint64_t get_u64(struct json_object *o, const char *key) {
	struct json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_uint64(v) : 0;
}

void format_bytes(uint64_t v, char *buf, size_t size) {
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;
	uint64_t whole = v, rem = 0;

	while (whole >= 1024 && u + 1 < ELEMENTSOF(units)) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64 " B", v);
	else
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " %s", whole, rem * 10 / 1024, units[u]);
}

static void line(FILE *f, const char *label, const char *value) {
	fprintf(f, "%*s: %s\n", LABEL_WIDTH, label, value && *value ? value : "unknown");
}

static void format_module(struct json_object *caps, char *buf, size_t size) {
	struct json_object *m = get(caps, "module");
	const char *version = get_str(m, "version");
	uint64_t date = get_u64(m, "build_date"), num = get_u64(m, "build_number");
	uint64_t maxv = get_u64(m, "max_vcpus_per_td");
	size_t o;

	snprintf(buf, size, "%s", *version ? version : "version unknown");
	o = strlen(buf);
	if (date && o < size)
		o += (size_t)snprintf(buf + o, size - o, ", built %" PRIu64, date);
	if (num && o < size)
		o += (size_t)snprintf(buf + o, size - o, ", build %" PRIu64, num);
	if (maxv && o < size)
		snprintf(buf + o, size - o, ", up to %" PRIu64 " vCPUs/TD", maxv);
	if (!*version && !date && !num && !maxv)
		buf[0] = 0;
}

/* The loader's version and the runtime updates left, when the kernel tells (v7.2+); false
 * when there is nothing to say. */
static bool format_loader(struct json_object *caps, char *buf, size_t size) {
	struct json_object *m = get(caps, "module");
	const char *version = get_str(m, "seamldr_version"), *update = get_str(m, "update");
	struct json_object *left = get(m, "updates_remaining");
	bool left_known = left && json_object_is_type(left, json_type_int) &&
	                  get_u64(m, "updates_remaining") != UINT32_MAX;
	size_t o;

	if (!*version && !left_known)
		return false;
	o = (size_t)snprintf(buf, size, "%s", *version ? version : "version unknown");
	if (left_known && o < size)
		o += (size_t)snprintf(buf + o, size - o, ", %" PRIu64 " runtime update%s left",
		                      get_u64(m, "updates_remaining"),
		                      get_u64(m, "updates_remaining") == 1 ? "" : "s");
	if ((streq(update, "running") || streq(update, "failed")) && o < size)
		snprintf(buf + o, size - o, ", module update %s", update);
	return true;
}

static void format_packages(struct json_object *caps, char *buf, size_t size) {
	struct json_object *a = get(caps, "packages");
	size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	size_t o;

	buf[0] = 0;
	if (n == 0)
		return;
	o = (size_t)snprintf(buf, size, "%zu (", n);
	for (size_t i = 0; i < n && o < size; i++) {
		struct json_object *p = json_object_array_get_idx(a, i);
		struct json_object *id = get(p, "id");
		o += (size_t)snprintf(buf + o, size - o,
		                      "%s%" PRId64 ": %" PRIu64 "/%" PRIu64 " online",
		                      i ? ", " : "", id ? json_object_get_int64(id) : -1,
		                      get_u64(p, "online_cpus"), get_u64(p, "cpus"));
	}
	if (o < size)
		snprintf(buf + o, size - o, ")");
}

static struct json_object *checks_array(struct json_object *caps) {
	struct json_object *a = get(caps, "checks");
	return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

int format_json_flags(enum json_mode m) {
	return (m == JSON_PRETTY ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
	       JSON_C_TO_STRING_NOSLASHESCAPE;
}

bool format_use_color(int fd) {
	const char *no_color = getenv("NO_COLOR"), *sc = getenv("SYSTEMD_COLORS");
	const char *term = getenv("TERM");

	if (no_color && *no_color) /* no-color.org: set and not empty */
		return false;
	if (sc && *sc) {
		if (streq(sc, "0") || streq(sc, "no") || streq(sc, "false") || streq(sc, "off"))
			return false;
		if (streq(sc, "1") || streq(sc, "yes") || streq(sc, "true") || streq(sc, "on") ||
		    streq(sc, "16") || streq(sc, "256") || streq(sc, "24bit"))
			return true;
	}
	return isatty(fd) && !(term && streq(term, "dumb"));
}

/* The result marker, the same in `status` and `check`: "[fail]", coloured on a terminal. */
static void marker(FILE *f, const char *result, bool color) {
	const char *on = "";
	if (color) {
		if (streq(result, "pass"))
			on = "\x1b[0;32m";
		else if (streq(result, "warn"))
			on = "\x1b[0;33m";
		else if (streq(result, "fail"))
			on = "\x1b[0;1;31m";
		else
			on = "\x1b[0;2m";
	}
	fprintf(f, "[%s%-4s%s]", on, result, *on ? "\x1b[0m" : "");
}

#define MAX_CHECKS 64

/* What to show of the checks: the skips that follow from a failed check (transitively, by
 * their "not checked: ID failed|skipped" summary, or all of them when a platform or BIOS
 * check failed: TDX cannot be here, so nothing after it was really tried) are folded. */
struct check_view {
	size_t n;
	struct json_object *c[MAX_CHECKS];
	int root[MAX_CHECKS]; /* the failed check a skip follows from, or -1 */
	bool hidden[MAX_CHECKS];
	int decisive; /* a failed platform/bios check, or -1 */
	unsigned n_pass, n_warn, n_fail, n_skip;
	bool folded;
};

static int find_check(const struct check_view *v, const char *id, size_t len) {
	for (size_t i = 0; i < v->n; i++) {
		const char *cid = get_str(v->c[i], "id");
		if (strlen(cid) == len && strncmp(cid, id, len) == 0)
			return (int)i;
	}
	return -1;
}

/* The check a skip names as its reason ("not checked: bios-tdx skipped"), or -1. */
static int skip_cause(const struct check_view *v, const char *summary) {
	const char *p = startswith(summary, "not checked: ");
	if (!p)
		return -1;
	size_t len = strcspn(p, " ");
	if (!startswith(p + len, " failed") && !startswith(p + len, " skipped"))
		return -1;
	return find_check(v, p, len);
}

static void view_checks(struct json_object *caps, const struct format_options *o,
                        struct check_view *v) {
	struct json_object *a = checks_array(caps);

	*v = (struct check_view){.decisive = -1};
	v->n = a ? json_object_array_length(a) : 0;
	if (v->n > MAX_CHECKS)
		v->n = MAX_CHECKS;
	for (size_t i = 0; i < v->n; i++) {
		v->c[i] = json_object_array_get_idx(a, i);
		v->root[i] = -1;
		const char *r = get_str(v->c[i], "result"), *cat = get_str(v->c[i], "category");
		v->n_pass += streq(r, "pass");
		v->n_warn += streq(r, "warn");
		v->n_fail += streq(r, "fail");
		v->n_skip += streq(r, "skip");
		if (streq(r, "fail") && v->decisive < 0 &&
		    (streq(cat, "platform") || streq(cat, "bios")))
			v->decisive = (int)i;
	}
	/* Chains (keyids <- bios-tdx <- cpu-vendor) resolve in at most n rounds. */
	for (size_t round = 0; round < v->n; round++) {
		bool changed = false;
		for (size_t i = 0; i < v->n; i++) {
			if (v->root[i] >= 0 || !streq(get_str(v->c[i], "result"), "skip"))
				continue;
			int d = skip_cause(v, get_str(v->c[i], "summary"));
			if (d < 0 || d == (int)i)
				continue;
			const char *dr = get_str(v->c[d], "result");
			if (streq(dr, "fail"))
				v->root[i] = d;
			else if (streq(dr, "skip") && v->root[d] >= 0)
				v->root[i] = v->root[d];
			changed = changed || v->root[i] >= 0;
		}
		if (!changed)
			break;
	}
	for (size_t i = 0; i < v->n; i++)
		if (v->decisive >= 0 && v->root[i] < 0 && streq(get_str(v->c[i], "result"), "skip"))
			v->root[i] = v->decisive;

	if (o && o->all)
		return;
	for (size_t i = 0; i < v->n; i++)
		if (v->root[i] >= 0)
			v->hidden[i] = v->folded = true;
	/* With a cascade folded, the failure is the story: passes are counted only. */
	for (size_t i = 0; v->folded && i < v->n; i++)
		if (streq(get_str(v->c[i], "result"), "pass"))
			v->hidden[i] = true;
}

/* A hint that cannot apply is no help: on a host where a platform or BIOS check failed, only
 * the failed checks' hints are shown (no "modinfo kvm_intel" on an AMD host). */
static bool show_hint(const struct check_view *v, struct json_object *c) {
	const char *r = get_str(c, "result");
	if (streq(r, "pass") || !*get_str(c, "hint"))
		return false;
	return v->decisive < 0 || streq(r, "fail");
}

static void print_check(FILE *f, const struct check_view *v, struct json_object *c,
                        const struct format_options *o) {
	fputs("  ", f);
	marker(f, get_str(c, "result"), o && o->color);
	fprintf(f, " %s: %s\n", get_str(c, "id"), get_str(c, "summary"));
	if (show_hint(v, c))
		fprintf(f, "         hint: %s\n", get_str(c, "hint"));
}

static void print_folds(FILE *f, const struct check_view *v, const char *indent) {
	for (size_t r = 0; r < v->n; r++) {
		unsigned k = 0;
		for (size_t i = 0; i < v->n; i++)
			k += v->hidden[i] && v->root[i] == (int)r;
		if (k > 0)
			fprintf(f, "%s%u check%s not run: %s failed\n", indent, k,
			        k == 1 ? "" : "s", get_str(v->c[r], "id"));
	}
}

static void print_counts(FILE *f, const struct check_view *v) {
	fprintf(f, "%u passed, %u warning%s, %u failed, %u skipped\n", v->n_pass, v->n_warn,
	        v->n_warn == 1 ? "" : "s", v->n_fail, v->n_skip);
}

int format_status_human(struct json_object *caps, FILE *f, const struct format_options *opts) {
	char buf[1024];
	bool header = false;

	if (!caps || !json_object_is_type(caps, json_type_object))
		return -EINVAL;

	line(f, "State", get_str(caps, "state"));
	line(f, "Reason", get_str(caps, "reason"));
	struct json_object *att = get(caps, "attestation");
	struct json_object *att_ready = get(att, "ready");
	if (att_ready) {
		snprintf(buf, sizeof(buf), "%s: %s",
		         json_object_get_boolean(att_ready) ? "ready" : "not ready",
		         get_str(att, "reason"));
		line(f, "Attestation", buf);
	}
	format_module(caps, buf, sizeof(buf));
	line(f, "Module", buf);
	if (format_loader(caps, buf, sizeof(buf)))
		line(f, "SEAM loader", buf);

	uint64_t maxv = get_u64(caps, "max_vcpus_per_td");
	if (maxv)
		snprintf(buf, sizeof(buf), "%" PRIu64, maxv);
	else
		snprintf(buf, sizeof(buf), "0 (TDX is not up)");
	line(f, "Max vCPUs/TD", buf);

	struct json_object *k = get(caps, "keyids");
	uint64_t total = get_u64(k, "total"), used = get_u64(k, "used"), fr = get_u64(k, "free");
	if (total)
		snprintf(buf, sizeof(buf), "%" PRIu64 "/%" PRIu64 " (%" PRIu64 " free)", used,
		         total, fr);
	else
		buf[0] = 0;
	line(f, "KeyIDs", buf);

	struct json_object *cm = get(caps, "convertible_memory");
	struct json_object *regions = get(cm, "regions");
	size_t n_regions = regions && json_object_is_type(regions, json_type_array)
	                       ? json_object_array_length(regions)
	                       : 0;
	if (n_regions > 0) {
		char size_buf[64];
		format_bytes(get_u64(cm, "bytes"), size_buf, sizeof(size_buf));
		snprintf(buf, sizeof(buf), "%s in %zu region%s", size_buf, n_regions,
		         n_regions == 1 ? "" : "s");
	} else
		buf[0] = 0;
	line(f, "Convertible memory", buf);

	uint64_t gpaw = get_u64(caps, "guest_phys_addr_bits");
	if (gpaw)
		snprintf(buf, sizeof(buf), "%" PRIu64 " bits", gpaw);
	else
		buf[0] = 0;
	line(f, "Guest address width", buf);

	format_packages(caps, buf, sizeof(buf));
	line(f, "Packages", buf);

	struct json_object *policy = get(caps, "policy");
	line(f, "CPU guard", get_str(policy, "cpu_guard"));
	line(f, "Memory gate", get_str(policy, "memory_gate"));

	struct check_view v;
	view_checks(caps, opts, &v);
	for (size_t i = 0; i < v.n; i++) {
		if (v.hidden[i] || streq(get_str(v.c[i], "result"), "pass"))
			continue;
		if (!header) {
			fprintf(f, "\nChecks not passing:\n");
			header = true;
		}
		print_check(f, &v, v.c[i], opts);
	}
	print_folds(f, &v, "  ");
	if (v.n > 0) {
		fputc('\n', f);
		print_counts(f, &v);
	}
	return 0;
}

int format_checks_human(struct json_object *caps, FILE *f, const struct format_options *opts) {
	const char *done[32];
	size_t n_done = 0, shown = 0;
	struct check_view v;

	if (!caps || !json_object_is_type(caps, json_type_object))
		return -EINVAL;
	view_checks(caps, opts, &v);

	/* categories in the order they first appear, each printed once, without the ones whose
	 * checks are all folded */
	for (size_t i = 0; i < v.n; i++) {
		const char *cat = get_str(v.c[i], "category");
		bool seen = false;
		if (v.hidden[i])
			continue;
		for (size_t j = 0; j < n_done; j++)
			seen = seen || streq(done[j], cat);
		if (seen || n_done >= ELEMENTSOF(done))
			continue;
		done[n_done++] = cat;

		fprintf(f, "%s%s:\n", n_done > 1 ? "\n" : "", *cat ? cat : "other");
		for (size_t j = i; j < v.n; j++)
			if (!v.hidden[j] && streq(get_str(v.c[j], "category"), cat)) {
				print_check(f, &v, v.c[j], opts);
				shown++;
			}
	}
	if (shown > 0)
		fputc('\n', f);
	print_folds(f, &v, "");
	if (v.n > 0)
		print_counts(f, &v);
	fprintf(f, "State: %s: %s\n", get_str(caps, "state"), get_str(caps, "reason"));
	return 0;
}

int format_escape_strings(struct json_object *o) {
	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, v) {
			if (json_object_is_type(v, json_type_string)) {
				_cleanup_free_ char *e =
				    utf8_escape(json_object_get_string(v), false);
				if (!e)
					return -ENOMEM;
				if (json_object_object_add(o, key, json_object_new_string(e)) < 0)
					return -ENOMEM;
			} else if (format_escape_strings(v) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			struct json_object *v = json_object_array_get_idx(o, i);
			if (json_object_is_type(v, json_type_string)) {
				_cleanup_free_ char *e =
				    utf8_escape(json_object_get_string(v), false);
				if (!e ||
				    json_object_array_put_idx(o, i, json_object_new_string(e)) < 0)
					return -ENOMEM;
			} else if (format_escape_strings(v) < 0)
				return -ENOMEM;
		}
		return 0;
	default: return 0;
	}
}
