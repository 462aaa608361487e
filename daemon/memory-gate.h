/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The memory gate (spec section 6): hot-added memory that cannot be TDX memory is not onlined,
 * and the reason is said where the kernel gives only EPERM. memory_gate_decide() is the pure
 * verdict over sorted ranges (O(log n)); the memory_gate_on_*() functions act for the daemon. */

#include <stdbool.h>
#include <stdint.h>

#include "host.h"
#include "ranges.h"
#include "status.h"

struct Manager;

/* What the verdict depends on, prepared once per probe (merged CMRs with [0, 1 MiB) clipped,
 * the TDX memory recorded at initialization). */
struct memory_gate {
	bool cmrs_known;
	struct range_set cmrs; /* merged, clipped */
	bool initialized;      /* the TDX module is initialized: the kernel gate is active */
	bool tdx_memory_known;
	struct range_set tdx_memory; /* unmerged: a block must fit inside one entry */
	enum policy_mode mode;
};

struct memory_verdict {
	bool valid; /* size > 0 and no wrap past 2^64 (else InvalidRange) */
	bool allowed;
	char reason[CHECK_TEXT_MAX];
};

int memory_gate_prepare(struct memory_gate *g, const struct tdx_host *h, const struct tdx_status *s,
			enum policy_mode mode);
void memory_gate_done(struct memory_gate *g);
int memory_gate_decide(const struct memory_gate *g, uint64_t address, uint64_t size,
		       struct memory_verdict *ret);

/* Record the memory present when the module is first seen initialized in
 * /run/tdxd/tdx-memory (once per boot; a restart keeps it). Called after every probe. */
void memory_gate_record_tdx_memory(struct Manager *m);

/* Events: a memory block was added (or onlined by someone else), a dax device appeared. */
int memory_gate_on_block(struct Manager *m, const char *action, uint64_t block);
int memory_gate_on_dax(struct Manager *m, const char *name);
