/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The capabilities document (docs/readiness.md, *Capabilities document*). Every key is always
 * present: unknown numbers are 0 and unknown strings "", so control planes never need to test for a
 * key. */
#include <time.h>

#include "capabilities.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

/* Adds v (which may be NULL after an allocation failure) to o; v is consumed either way. */
static int add(struct json_object *o, const char *key, struct json_object *v) {
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_str(struct json_object *o, const char *key, const char *v) {
	return add(o, key, json_object_new_string(strempty(v)));
}

static int add_u32(struct json_object *o, const char *key, uint32_t v) {
	return add(o, key, json_object_new_int64(v));
}

/* Addresses and sizes may exceed INT64_MAX: json-c keeps them unsigned. */
static int add_u64(struct json_object *o, const char *key, uint64_t v) {
	return add(o, key, json_object_new_uint64(v));
}

static struct json_object *build_module(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *m = json_object_new_object();
	if (!m || add_str(m, "version", s->module_version) < 0 ||
	    add_u32(m, "build_date", s->module_build_date) < 0 ||
	    add_u32(m, "build_number", s->module_build_number) < 0 ||
	    add_u32(m, "max_vcpus_per_td", s->module_max_vcpus) < 0 ||
	    add_str(m, "seamldr_version", s->seamldr_version) < 0 ||
	    /* 0 is a real answer here (no update left): unknown is 4294967295, as on the bus */
	    add_u32(m, "updates_remaining", s->updates_remaining) < 0 ||
	    add_str(m, "update", s->module_update) < 0)
		return NULL;
	return TAKE_PTR(m);
}

static struct json_object *build_keyids(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *k = json_object_new_object();
	uint32_t total = s->total_keyids_known ? s->total_keyids : 0;
	uint32_t used = s->used_keyids_known ? s->used_keyids : 0;
	if (!k || add_u32(k, "total", total) < 0 || add_u32(k, "used", used) < 0 ||
	    add_u32(k, "free", total > used ? total - used : 0) < 0)
		return NULL;
	return TAKE_PTR(k);
}

static struct json_object *build_memory(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *m = json_object_new_object();
	if (!m || add_u64(m, "bytes", s->cmr_bytes) < 0)
		return NULL;
	struct json_object *regions = json_object_new_array_ext((int)s->cmrs.n);
	if (add(m, "regions", regions) < 0)
		return NULL;
	for (size_t i = 0; i < s->cmrs.n; i++) {
		struct json_object *r = json_object_new_object();
		if (!r)
			return NULL;
		if (json_object_array_add(regions, r) < 0) {
			json_object_put(r);
			return NULL;
		}
		if (add_u64(r, "base", s->cmrs.items[i].start) < 0 ||
		    add_u64(r, "size", s->cmrs.items[i].end - s->cmrs.items[i].start) < 0)
			return NULL;
	}
	return TAKE_PTR(m);
}

static struct json_object *build_packages(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *a = json_object_new_array();
	if (!a)
		return NULL;
	for (size_t i = 0; i < s->n_packages; i++) {
		struct json_object *p = json_object_new_object();
		if (!p)
			return NULL;
		if (json_object_array_add(a, p) < 0) {
			json_object_put(p);
			return NULL;
		}
		if (add(p, "id", json_object_new_int64(s->packages[i].id)) < 0 ||
		    add_u32(p, "cpus", s->packages[i].present_cpus) < 0 ||
		    add_u32(p, "online_cpus", s->packages[i].online_cpus) < 0)
			return NULL;
	}
	return TAKE_PTR(a);
}

static struct json_object *build_checks(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *a = json_object_new_array_ext(_CHECK_MAX);
	if (!a)
		return NULL;
	for (int i = 0; i < _CHECK_MAX; i++) {
		const struct check *c = &s->checks[i];
		struct json_object *o = json_object_new_object();
		if (!o)
			return NULL;
		if (json_object_array_add(a, o) < 0) {
			json_object_put(o);
			return NULL;
		}
		if (add_str(o, "id", check_id_to_string(i)) < 0 ||
		    add_str(o, "category", check_category(i)) < 0 ||
		    add_str(o, "result", check_result_to_string(c->result)) < 0 ||
		    add_str(o, "summary", c->summary) < 0 || add_str(o, "hint", c->hint) < 0)
			return NULL;
	}
	return TAKE_PTR(a);
}

static struct json_object *build_sources(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	for (int i = 0; i < _SRC_MAX; i++)
		if (s->sources[i] && add_str(o, source_key_to_string(i), s->sources[i]) < 0)
			return NULL;
	return TAKE_PTR(o);
}

struct json_object *capabilities_build(const struct tdx_status *s) {
	_cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
	struct json_object *policy;

	if (!o || add_str(o, "schema", CAPABILITIES_SCHEMA) < 0 ||
	    add_str(o, "state", tdx_state_to_string(s->state)) < 0 ||
	    add(o, "ready", json_object_new_boolean(s->ready)) < 0 ||
	    add_str(o, "reason", s->reason) < 0 || add(o, "module", build_module(s)) < 0 ||
	    add_u32(o, "max_vcpus_per_td", s->max_vcpus) < 0 ||
	    add(o, "keyids", build_keyids(s)) < 0 ||
	    add(o, "convertible_memory", build_memory(s)) < 0 ||
	    add_u32(o, "guest_phys_addr_bits", s->guest_phys_addr_bits) < 0 ||
	    add(o, "packages", build_packages(s)) < 0)
		return NULL;

	policy = json_object_new_object();
	if (add(o, "policy", policy) < 0 ||
	    add_str(policy, "cpu_guard", policy_mode_to_string(s->cpu_guard)) < 0 ||
	    add_str(policy, "memory_gate", policy_mode_to_string(s->memory_gate)) < 0)
		return NULL;

	if (add(o, "checks", build_checks(s)) < 0 || add(o, "sources", build_sources(s)) < 0)
		return NULL;

	/* docs/readiness.md, *Attestation checks*: AttestationReady and AttestationReason */
	struct json_object *attestation = json_object_new_object();
	if (add(o, "attestation", attestation) < 0 ||
	    add(attestation, "ready", json_object_new_boolean(s->attestation_ready)) < 0 ||
	    add_str(attestation, "reason", s->attestation_reason) < 0)
		return NULL;
	return TAKE_PTR(o);
}

int capabilities_add_host(struct json_object *o, const struct host_identity *id,
                          uint64_t generated_usec) {
	_cleanup_(json_object_putp) struct json_object *h = json_object_new_object();
	if (!h)
		return -ENOMEM;
	if (add_str(h, "hostname", id->hostname) < 0 || add_str(h, "kernel", id->kernel) < 0 ||
	    add_str(h, "boot_id", id->boot_id) < 0)
		return -ENOMEM;
	json_object_object_del(o, "host");
	json_object_object_del(o, "generated_usec");
	if (add(o, "host", TAKE_PTR(h)) < 0 || add_u64(o, "generated_usec", generated_usec) < 0)
		return -ENOMEM;
	return 0;
}

uint64_t capabilities_now_usec(void) {
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

char *capabilities_to_string(const struct tdx_status *s, const struct host_identity *id,
                             bool pretty) {
	_cleanup_(json_object_putp) struct json_object *o = capabilities_build(s);
	if (!o)
		return NULL;
	/* What is published (GetCapabilities) says where and when it was made, so a control
	 * plane can tell a stale document from a fresh one. */
	if (capabilities_add_host(o, id, capabilities_now_usec()) < 0)
		return NULL;
	const char *t = json_object_to_json_string_ext(
	    o, (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
	           JSON_C_TO_STRING_NOSLASHESCAPE);
	return t ? strdup(t) : NULL;
}
