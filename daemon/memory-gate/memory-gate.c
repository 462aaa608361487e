/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory gate's events (memory-gate.h): a memory block added or onlined by someone else, a
 * dax device present or appearing. Each is decided with the verdict of memory-gate-verdict.c,
 * acted on (onlined, or kept offline in enforce mode) and reported. */
#include <inttypes.h>
#include <stdio.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "memory-gate-internal.h"
#include "message-ids.h"

/* ---- memory blocks ---- */

int memory_gate_on_block(struct memory_gate *g, const struct memory_gate_facts *f,
                         const char *action, uint64_t block, struct memory_gate_outcome *o) {
	struct memory_verdict v;
	char path[96], dev[48];
	_cleanup_free_ char *state = NULL;
	int r;

	if (g->mode == POLICY_OFF)
		return 0;
	uint64_t bs = f->host->mem.block_size;
	if (bs == 0)
		return log_warning_errno(ENODATA,
		                         "Memory gate: cannot decide on memory%" PRIu64
		                         ": the memory block size is unknown (%s/block_size_bytes)",
		                         block, MEM_DIR);
	if (block >= UINT64_MAX / bs)
		return log_warning_errno(
		    ERANGE, "Memory gate: memory%" PRIu64 " lies beyond 2^64, ignored", block);

	snprintf(dev, sizeof dev, "memory%" PRIu64, block);
	snprintf(path, sizeof path, MEM_DIR "/memory%" PRIu64 "/state", block);
	r = read_one_line_at(f->root, path, &state);
	if (r == -ENOENT)
		return 0; /* removed again before we got to it */
	if (r < 0)
		return log_warning_errno(r, "Memory gate: failed to read %s: %m", path);

	r = memory_gate_decide(g, block * bs, bs, &v);
	if (r < 0)
		return r;
	bool online = memory_state_is_online(state);
	/* The `online` event of a block this gate already decided on its `add` (offlined
	 * again, or waiting to be): decided and reported once is enough. */
	if (streq(action, "online") && (!online || memory_gate_retry_pending(g, block)))
		return 0;

	if (v.allowed) {
		/* Onlining is the system's business once tdxd is out of the way; tdxd does it the
		 * way the system asks, and only for a fresh block nobody onlined yet. */
		if (g->mode != POLICY_ENFORCE || !streq(action, "add") || online ||
		    !streq(state, "offline"))
			return 0;
		r = write_string_at(f->root, path, f->online_type);
		if (r >= 0) {
			memory_gate_log_block(g, false, &v, block, bs, false, false,
			                      f->online_type);
			o->log_pending = true;
			o->reprobe = true;
			return 0;
		}
		if (r != -EPERM) {
			log_warning_errno(r, "Memory gate: failed to online %s (%s): %m", dev,
			                  f->online_type);
			return r;
		}
		/* The kernel's TDX notifier said no: the record is wider than what the kernel
		 * took at initialization (see tdx-memory.c). Say it in words, as for any
		 * refusal. */
		char rng[64];
		memory_range_format(block * bs, block * bs + bs - 1, rng, sizeof rng);
		v.allowed = false;
		v.why = MEMORY_KERNEL_REFUSED;
		snprintf(v.reason, sizeof v.reason,
		         "%s was refused by the kernel (EPERM): it is not TDX memory, it was added "
		         "after the TDX module was initialized",
		         rng);
	}

	bool offlined = false, failed = false;
	if (g->mode == POLICY_ENFORCE && online) {
		r = write_string_at(f->root, path, "offline");
		if (r == -EBUSY && memory_gate_retry_queue(g, block) >= 0) {
			log_info("Memory gate: %s is busy being onlined or still holds pages; "
			         "offlining it again shortly.",
			         dev);
			o->retry = true;
		} else if (r < 0) {
			log_warning_errno(r, "Memory gate: failed to offline %s again: %m", dev);
			failed = true;
		} else
			offlined = true;
	}
	r = memory_outcome_refused(o, dev, block * bs, bs, v.reason);
	if (r < 0)
		return r;
	memory_gate_log_block(g, true, &v, block, bs, offlined, failed, f->online_type);
	o->log_pending = true;
	o->reprobe = true;
	return 0;
}

/* ---- device-dax ---- */

int memory_gate_judge_dax(struct memory_gate *g, const struct dax_dev *d,
                          struct memory_gate_outcome *o) {
	const char *name = d->name;

	if (g->mode == POLICY_OFF)
		return 0;
	if (d->ranges.n == 0) {
		log_debug("Memory gate: %s has no readable range yet", name);
		return 0;
	}

	struct memory_verdict v = {0}, first_refused = {0};
	bool refused = false;
	uint64_t total = 0;
	for (size_t i = 0; i < d->ranges.n; i++) {
		const struct range *rg = &d->ranges.items[i];
		total += rg->end - rg->start;
		(void)memory_gate_decide(g, rg->start, rg->end - rg->start, &v);
		if (!v.allowed && !refused) {
			refused = true;
			first_refused = v;
		}
	}

	uint64_t start = d->ranges.items[0].start;
	char rng[64], bytes[32];
	memory_range_format(start, d->ranges.items[d->ranges.n - 1].end - 1, rng, sizeof rng);
	memory_format_bytes(total, bytes, sizeof bytes);
	if (!refused) {
		log_info("Memory gate: %s %s (%s) may be onlined as system-ram: %s", name, rng,
		         bytes, v.reason);
		return 0;
	}

	char msg[CHECK_TEXT_MAX + 256], f_dev[64], f_start[64], f_size[64];
	/* one range: the reason's own copy of it is redundant next to the device's */
	const char *why = d->ranges.n == 1 ? memory_reason_tail(first_refused.reason, start, total)
	                                   : first_refused.reason;
	snprintf(msg, sizeof msg,
	         "Memory gate: %s %s (%s)%s%s; 'daxctl reconfigure-device --mode=system-ram %s' "
	         "would %s",
	         name, rng, bytes, why == first_refused.reason ? ": " : "", why, name,
	         g->mode == POLICY_ENFORCE ? "leave its memory offline"
	                                   : "be refused by the kernel or make TDX fail");
	snprintf(f_dev, sizeof f_dev, "TDXD_MEMORY_DEVICE=%s", name);
	snprintf(f_start, sizeof f_start, "TDXD_MEMORY_START=0x%" PRIx64, start);
	snprintf(f_size, sizeof f_size, "TDXD_MEMORY_SIZE=0x%" PRIx64, total);
	(void)log_struct_internal(LOG_WARNING, MEMORY_REFUSED_MESSAGE_ID, msg, f_dev, f_start,
	                          f_size, NULL);
	return memory_outcome_refused(o, name, start, total, first_refused.reason);
}

void memory_gate_judge_present_dax(struct memory_gate *g, const struct tdx_host *h,
                                   struct memory_gate_outcome *o) {
	if (g->mode == POLICY_OFF)
		return;
	/* Devices that appeared before tdxd started get no event; and a verdict given before the
	 * module initialization changes with it (the CMRs then the recorded TDX memory decide). */
	int basis = (g->initialized ? 1 : 0) | (g->tdx_memory_known ? 2 : 0);
	if (g->dax_judged && g->dax_judged_basis == basis)
		return;
	g->dax_judged = true;
	g->dax_judged_basis = basis;
	for (size_t i = 0; i < h->mem.n_dax; i++)
		(void)memory_gate_judge_dax(g, &h->mem.dax[i], o);
}
