/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One journal line per contiguous run of blocks: a 64 GiB dax device arrives as 512 block
 * events, and 512 lines would bury what happened. The manager calls memory_gate_log_flush()
 * once the burst has been quiet. */
#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "macro.h"
#include "memory-gate-internal.h"
#include "message-ids.h"

static void format_blocks(uint64_t first, uint64_t last, char *buf, size_t size) {
	if (first == last)
		snprintf(buf, size, "memory%" PRIu64, first);
	else
		snprintf(buf, size, "memory%" PRIu64 "-%" PRIu64, first, last);
}

void memory_gate_log_flush(struct memory_gate *g, const char *online_type) {
	struct memory_gate_run *r = &g->run;
	char blocks[64], rng[64], bytes[32], msg[CHECK_TEXT_MAX + 512], f_dev[96], f_start[64],
	    f_end[64];

	if (!r->active)
		return;
	r->active = false;

	uint64_t start = r->first * r->block_size, last = (r->last + 1) * r->block_size - 1;
	uint64_t n = r->last - r->first + 1;
	format_blocks(r->first, r->last, blocks, sizeof blocks);
	memory_range_format(start, last, rng, sizeof rng);
	memory_format_bytes(n * r->block_size, bytes, sizeof bytes);

	if (!r->refused) {
		log_info("Memory gate: onlined %s %s (%s) as %s%s", blocks, rng, bytes, online_type,
		         r->n_failed ? "; some writes failed, see above" : "");
		return;
	}

	char extra[128] = "";
	if (g->mode == POLICY_ENFORCE && r->n_offlined > 0)
		snprintf(extra, sizeof extra,
		         " (%u block%s offlined again after something else onlined %s)",
		         r->n_offlined, r->n_offlined == 1 ? "" : "s",
		         r->n_offlined == 1 ? "it" : "them");
	snprintf(msg, sizeof msg, "Memory gate: %s %s (%s)%s; %s%s%s", blocks, rng, bytes,
	         r->reason, g->mode != POLICY_ENFORCE ? "left as it is" : "kept offline", extra,
	         r->n_failed ? "; writing its state failed for some blocks, see above" : "");
	snprintf(f_dev, sizeof f_dev, "TDXD_MEMORY_DEVICE=%s", blocks);
	snprintf(f_start, sizeof f_start, "TDXD_MEMORY_START=0x%" PRIx64, start);
	snprintf(f_end, sizeof f_end, "TDXD_MEMORY_SIZE=0x%" PRIx64, n * r->block_size);
	(void)log_struct_internal(LOG_WARNING, MEMORY_REFUSED_MESSAGE_ID, msg, f_dev, f_start,
	                          f_end, NULL);
}

void memory_gate_log_block(struct memory_gate *g, bool refused, const struct memory_verdict *v,
                           uint64_t block, uint64_t bs, bool offlined, bool failed,
                           const char *online_type) {
	struct memory_gate_run *r = &g->run;

	if (r->active && (r->refused != refused || (refused && r->why != (int)v->why) ||
	                  r->block_size != bs || (block != r->last + 1 && block + 1 != r->first)))
		memory_gate_log_flush(g, online_type);
	if (!r->active) {
		*r = (struct memory_gate_run){
		    .active = true,
		    .refused = refused,
		    .why = v->why,
		    .first = block,
		    .last = block,
		    .block_size = bs,
		};
		snprintf(r->reason, sizeof r->reason, "%s",
		         memory_reason_tail(v->reason, block * bs, bs));
	} else if (block == r->last + 1)
		r->last = block;
	else
		r->first = block;
	r->n_offlined += offlined;
	r->n_failed += failed;
}
