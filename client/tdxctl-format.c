/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Human views of the capabilities document. They read only the JSON, so a document from a
 * newer or older daemon with a missing key prints "unknown" instead of failing. */
#include <inttypes.h>
#include <string.h>

#include "macro.h"
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

int format_status_human(struct json_object *caps, FILE *f) {
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

	struct json_object *a = checks_array(caps);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *c = json_object_array_get_idx(a, i);
		const char *result = get_str(c, "result");
		if (streq(result, "pass"))
			continue;
		if (!header) {
			fprintf(f, "\nChecks not passing:\n");
			header = true;
		}
		fprintf(f, "  %-4s %s: %s\n", result, get_str(c, "id"), get_str(c, "summary"));
		if (*get_str(c, "hint"))
			fprintf(f, "       hint: %s\n", get_str(c, "hint"));
	}
	return 0;
}

int format_checks_human(struct json_object *caps, FILE *f) {
	struct json_object *a;
	const char *done[32];
	size_t n_done = 0, n;

	if (!caps || !json_object_is_type(caps, json_type_object))
		return -EINVAL;
	a = checks_array(caps);
	n = a ? json_object_array_length(a) : 0;

	/* categories in the order they first appear, each printed once */
	for (size_t i = 0; i < n; i++) {
		const char *cat = get_str(json_object_array_get_idx(a, i), "category");
		bool seen = false;
		for (size_t j = 0; j < n_done; j++)
			seen = seen || streq(done[j], cat);
		if (seen || n_done >= ELEMENTSOF(done))
			continue;
		done[n_done++] = cat;

		fprintf(f, "%s%s:\n", n_done > 1 ? "\n" : "", *cat ? cat : "other");
		for (size_t j = i; j < n; j++) {
			struct json_object *c = json_object_array_get_idx(a, j);
			if (!streq(get_str(c, "category"), cat))
				continue;
			const char *result = get_str(c, "result");
			fprintf(f, "  [%-4s] %s: %s\n", result, get_str(c, "id"),
			        get_str(c, "summary"));
			if (!streq(result, "pass") && *get_str(c, "hint"))
				fprintf(f, "         hint: %s\n", get_str(c, "hint"));
		}
	}
	fprintf(f, "%sState: %s: %s\n", n ? "\n" : "", get_str(caps, "state"),
	        get_str(caps, "reason"));
	return 0;
}
