/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Offlining again, when the kernel is still busy with a block: a block someone else onlined
 * answers EBUSY to an offline until the kernel has migrated every page out. The gate tries
 * again with a backoff before giving up. */
#include <inttypes.h>
#include <stdio.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "memory-gate-internal.h"

#define OFFLINE_RETRY_FIRST_USEC 250000u
#define OFFLINE_RETRIES          5 /* 0.25 + 0.5 + 1 + 2 + 4 s */

bool memory_gate_retry_pending(const struct memory_gate *g, uint64_t block) {
	for (size_t i = 0; i < g->n_retry; i++)
		if (g->retry[i] == block)
			return true;
	return false;
}

int memory_gate_retry_queue(struct memory_gate *g, uint64_t block) {
	if (memory_gate_retry_pending(g, block))
		return 0;
	if (GREEDY_REALLOC(g->retry, g->n_retry_alloc, g->n_retry + 1) < 0)
		return -ENOMEM;
	g->retry[g->n_retry++] = block;
	return 0;
}

uint64_t memory_gate_retry_delay(const struct memory_gate *g) {
	return (uint64_t)OFFLINE_RETRY_FIRST_USEC << g->retry_round;
}

void memory_gate_retry(struct memory_gate *g, const char *root, struct memory_gate_outcome *o) {
	size_t keep = 0;

	g->retry_round++;
	for (size_t i = 0; i < g->n_retry; i++) {
		uint64_t block = g->retry[i];
		char path[96];
		_cleanup_free_ char *state = NULL;
		snprintf(path, sizeof path, MEM_DIR "/memory%" PRIu64 "/state", block);
		/* gone, or offline by now (by someone, or the kernel): nothing left to do */
		if (read_one_line_at(root, path, &state) < 0 || !memory_state_is_online(state))
			continue;
		int r = write_string_at(root, path, "offline");
		if (r >= 0)
			log_info("Memory gate: memory%" PRIu64 " offlined again (attempt %u).",
			         block, g->retry_round + 1);
		else if (r == -EBUSY && g->retry_round < OFFLINE_RETRIES)
			g->retry[keep++] = block;
		else
			log_warning_errno(
			    r,
			    "Memory gate: memory%" PRIu64 " stays online although it is "
			    "not TDX memory: offlining it failed: %m. It was onlined "
			    "into a zone with unmovable kernel pages; stop the agent "
			    "that onlines hot-added memory (or make it online_movable) "
			    "and remove the memory, or reboot.",
			    block);
	}
	g->n_retry = keep;
	if (keep == 0)
		g->retry_round = 0;
	o->retry = keep > 0;
	o->reprobe = true;
}
