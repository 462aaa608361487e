/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small pieces the memory gate's files share (memory-gate-internal.h). */
#include <inttypes.h>
#include <stdio.h>

#include "macro.h"
#include "memory-gate-internal.h"

bool memory_state_is_online(const char *s) {
	/* a fixture file keeps the word written, the kernel reads back "online" */
	return streq(s, "online") || streq(s, "online_movable") || streq(s, "online_kernel");
}

void memory_format_bytes(uint64_t b, char *buf, size_t size) {
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;
	while (u + 1 < ELEMENTSOF(units) && b >= 1024 && b % 1024 == 0) {
		b /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 " %s", b, units[u]);
}

const char *memory_reason_tail(const char *reason, uint64_t address, uint64_t size) {
	char rng[64];
	memory_range_format(address, address + size - 1, rng, sizeof rng);
	const char *t = startswith(reason, rng);
	return t ? t : reason;
}

int memory_outcome_refused(struct memory_gate_outcome *o, const char *device, uint64_t address,
                           uint64_t size, const char *reason) {
	if (GREEDY_REALLOC(o->refused, o->n_refused_alloc, o->n_refused + 1) < 0)
		return -ENOMEM;
	struct memory_refusal_note *n = &o->refused[o->n_refused++];
	textf(n->device, sizeof n->device, false, "%s", device);
	n->address = address;
	n->size = size;
	textf(n->reason, sizeof n->reason, false, "%s", reason);
	return 0;
}

void memory_gate_outcome_done(struct memory_gate_outcome *o) {
	o->refused = mfree(o->refused);
	o->n_refused = o->n_refused_alloc = 0;
}

void memory_gate_free(struct memory_gate *g) {
	memory_gate_done(g);
	range_set_clear(&g->recorded_memory);
	g->recorded = false;
	g->retry = mfree(g->retry);
	g->n_retry = g->n_retry_alloc = 0;
}
