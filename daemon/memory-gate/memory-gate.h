/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The memory gate (docs/readiness.md, "Memory gate"): hot-added memory that cannot be TDX
 * memory is not onlined, and the reason is said where the kernel gives only EPERM.
 *   memory-gate-verdict.c  the pure verdict over sorted ranges (O(log n))
 *   memory-gate.c          block and dax events: decide, act, report
 *   memory-gate-log.c      one journal line per contiguous run of blocks
 *   memory-gate-retry.c    offlining again when the kernel answered EBUSY
 *   tdx-memory.c           the TDX memory recorded at initialization
 * Each acting function takes the facts it needs and returns what happened in a struct
 * memory_gate_outcome; the manager publishes the refusals, re-probes and arms the timers. */

#include <stdbool.h>
#include <stdint.h>

#include "host.h"
#include "ranges.h"
#include "status.h"

/* Blocks the daemon acted on, waiting to be logged as one journal line per contiguous run
 * (a 64 GiB dax device arrives as 512 block events). */
struct memory_gate_run {
	bool active;
	bool refused;         /* refused (kept/put offline) or onlined */
	int why;              /* enum memory_refusal of the refusal */
	uint64_t first, last; /* block ids, inclusive */
	uint64_t block_size;
	unsigned n_offlined;         /* refused blocks that something else had onlined (enforce) */
	unsigned n_failed;           /* writes to `state` that failed */
	char reason[CHECK_TEXT_MAX]; /* the first block's reason, for the range's line */
};

/* What the verdict depends on, prepared once per probe (merged CMRs with [0, 1 MiB) clipped,
 * the TDX memory recorded at initialization). memory_gate_done() releases only these; the
 * daemon-side fields below survive a re-prepare. */
struct memory_gate {
	bool cmrs_known;
	struct range_set cmrs; /* merged, clipped */
	bool initialized;      /* the TDX module is initialized: the kernel gate is active */
	bool tdx_memory_known;
	struct range_set tdx_memory; /* unmerged: a block must fit inside one entry */
	enum policy_mode mode;

	/* daemon side (memory-gate.c) */
	struct memory_gate_run run;
	/* The TDX memory this daemon recorded, kept in case /run/tdxd cannot be written (a later
	 * snapshot would include memory hot-added since). */
	bool recorded;
	struct range_set recorded_memory;
	/* Blocks someone else onlined whose offline failed with EBUSY (the kernel could not
	 * migrate every page out yet): tried again with a backoff before giving up. */
	uint64_t *retry;
	size_t n_retry, n_retry_alloc;
	unsigned retry_round;
	/* The dax devices present were judged, and on what basis (initialized, TDX memory
	 * known): a verdict is given again when the basis changes. */
	bool dax_judged;
	int dax_judged_basis;
};

enum memory_refusal {
	MEMORY_ELIGIBLE,
	MEMORY_INVALID_RANGE,      /* size 0 or a wrap past 2^64 */
	MEMORY_OUTSIDE_CMRS,       /* not inside the (merged) convertible memory regions */
	MEMORY_ADDED_AFTER_INIT,   /* no overlap with the TDX memory recorded at initialization */
	MEMORY_NOT_IN_ONE_RANGE,   /* overlaps it, but not inside one of its ranges */
	MEMORY_BELOW_1MIB,         /* after init: reaches into [0, 1 MiB), never TDX memory */
	MEMORY_TDX_MEMORY_UNKNOWN, /* after init, and the init-time memory was not recorded */
	MEMORY_KERNEL_REFUSED,     /* the kernel answered EPERM when tdxd onlined it */
};

struct memory_verdict {
	bool valid; /* size > 0 and no wrap past 2^64 (else InvalidRange) */
	bool allowed;
	bool verified; /* false: allowed only because the CMRs are unknown */
	enum memory_refusal why;
	char reason[CHECK_TEXT_MAX];
};

int memory_gate_prepare(struct memory_gate *g, const struct tdx_host *h, const struct tdx_status *s,
                        enum policy_mode mode);
void memory_gate_done(struct memory_gate *g);
/* The enforce verdict on [address, address + size) in every mode; the reason names the range
 * and, when the mode is not enforce, the mode. O(log n), never allocates; returns 0 (an invalid
 * range gives valid=false: the bus layer answers InvalidRange before asking). */
int memory_gate_decide(const struct memory_gate *g, uint64_t address, uint64_t size,
                       struct memory_verdict *ret);

/* The TDX memory as the kernel records it (tdx_memlist): the present memory blocks (sorted
 * ids) merged into contiguous ranges, minus the driver-managed ranges in `exclude` (kmem,
 * virtio-mem: the kernel skips them), [0, 1 MiB) clipped. Pure. -ERANGE when a block lies past
 * 2^64, -EINVAL when block_size is 0. */
int memory_gate_snapshot(const uint64_t *block_ids, size_t n_blocks, uint64_t block_size,
                         const struct range_set *exclude, struct range_set *ret);

/* "[0x100000000, 0x180000000)" for a range given by its first and last byte (the end may be
 * 2^64). */
void memory_range_format(uint64_t first, uint64_t last, char *buf, size_t size);

/* Release everything, the daemon-side state too. */
void memory_gate_free(struct memory_gate *g);

/* ---- acting for the daemon ---- */

struct memory_gate_facts {
	const char *root; /* "/" or a test tree */
	const struct tdx_host *host;
	const char *online_type; /* MemoryOnlineType= */
};

/* A refusal to publish (MemoryRefused). */
struct memory_refusal_note {
	char device[48];
	uint64_t address, size;
	char reason[CHECK_TEXT_MAX];
};

struct memory_gate_outcome {
	struct memory_refusal_note *refused;
	size_t n_refused, n_refused_alloc;
	bool reprobe;     /* block states changed: the memory checks read them */
	bool log_pending; /* a run's journal line waits: memory_gate_log_flush() once quiet */
	bool retry;       /* blocks wait: memory_gate_retry() after memory_gate_retry_delay() */
};
void memory_gate_outcome_done(struct memory_gate_outcome *o);

/* A memory block was added, or onlined by someone else ("add", "online"). */
int memory_gate_on_block(struct memory_gate *g, const struct memory_gate_facts *f,
                         const char *action, uint64_t block, struct memory_gate_outcome *o);
/* Judge one dax device from the last probe: log the verdict, note a refusal. */
int memory_gate_judge_dax(struct memory_gate *g, const struct dax_dev *d,
                          struct memory_gate_outcome *o);
/* Judge the dax devices present (at start; again when the basis of the verdict changed:
 * module initialized, TDX memory recorded). Does nothing when nothing changed. */
void memory_gate_judge_present_dax(struct memory_gate *g, const struct tdx_host *h,
                                   struct memory_gate_outcome *o);

/* memory-gate-log.c: the journal line of the run of blocks acted on (the burst is quiet). */
void memory_gate_log_flush(struct memory_gate *g, const char *online_type);

/* memory-gate-retry.c: offline again the blocks the kernel was still busy with. */
uint64_t memory_gate_retry_delay(const struct memory_gate *g);
void memory_gate_retry(struct memory_gate *g, const char *root, struct memory_gate_outcome *o);

/* tdx-memory.c: record the memory present when the module is first seen initialized, in
 * /run/tdxd/tdx-memory (once per boot; a restart keeps it), and put it into the host record.
 * Returns 1 when the host record changed (the status must be derived again), 0 when there
 * was nothing to do. */
int memory_gate_record_tdx_memory(struct memory_gate *g, const char *root, struct tdx_host *h,
                                  const struct tdx_status *s);
