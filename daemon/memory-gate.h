/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The memory gate (spec section 6): hot-added memory that cannot be TDX memory is not onlined,
 * and the reason is said where the kernel gives only EPERM. memory_gate_decide() is the pure
 * verdict over sorted ranges (O(log n)), in memory-gate-verdict.c (part of the core library,
 * so unit tests and benchmarks link it); the memory_gate_on_*() functions act for the daemon
 * (memory-gate.c). */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "host.h"
#include "ranges.h"
#include "status.h"

struct Manager;

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
	sd_event_source *flush_timer; /* floating: the event loop owns it */
	sd_event_source *exit_flush;  /* floating */
	/* The TDX memory this daemon recorded, kept in case /run/tdxd cannot be written (a later
	 * snapshot would include memory hot-added since). */
	bool recorded;
	struct range_set recorded_memory;
	/* Blocks someone else onlined whose offline failed with EBUSY (the kernel could not
	 * migrate every page out yet): tried again with a backoff before giving up. */
	uint64_t *retry;
	size_t n_retry, n_retry_alloc;
	unsigned retry_round;
	sd_event_source *retry_timer; /* floating */
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

/* The driver-managed System RAM of /proc/iomem ("System RAM (kmem)", "System RAM
 * (virtio_mem)"), end made exclusive. -EACCES when the addresses are hidden (all zero: not
 * root), -EINVAL (with *ret_line) on a malformed line. Pure. */
int iomem_parse_driver_managed(const char *text, struct range_set *ret, unsigned *ret_line);

/* "[0x100000000, 0x180000000)" for a range given by its first and last byte (the end may be
 * 2^64). */
void memory_range_format(uint64_t first, uint64_t last, char *buf, size_t size);

/* Record the memory present when the module is first seen initialized in
 * /run/tdxd/tdx-memory (once per boot; a restart keeps it). Called after every probe. */
void memory_gate_record_tdx_memory(struct Manager *m);

/* Judge the dax devices present (at start; again once the module is initialized), from the
 * last probe. Called after every probe; does nothing when nothing changed. */
void memory_gate_judge_present_dax(struct Manager *m);

/* Free a gate and everything it holds, the daemon-side fields (recorded memory, retries)
 * included: memory_gate_done() keeps those across a re-prepare. NULL is fine. */
void memory_gate_free(struct memory_gate *g);

/* Events: a memory block was added (or onlined by someone else), a dax device appeared. */
int memory_gate_on_block(struct Manager *m, const char *action, uint64_t block);
int memory_gate_on_dax(struct Manager *m, const char *name);
