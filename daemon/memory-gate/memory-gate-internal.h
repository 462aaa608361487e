/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the memory gate's files; not for use outside memory-gate/. */

#include "memory-gate.h"

#define MEM_DIR "/sys/devices/system/memory"

/* A block's state as the kernel reads it back ("online", or a fixture's "online_movable"). */
bool memory_state_is_online(const char *s);
/* "64 GiB": the largest unit that divides the size. */
void memory_format_bytes(uint64_t b, char *buf, size_t size);
/* The verdict's reason without the range it starts with (a line that names its own range). */
const char *memory_reason_tail(const char *reason, uint64_t address, uint64_t size);
/* Add a refusal for the manager to publish. -ENOMEM only. */
int memory_outcome_refused(struct memory_gate_outcome *o, const char *device, uint64_t address,
                           uint64_t size, const char *reason);

/* memory-gate-log.c: add a block acted on to the current run (flushing a run it does not
 * continue). */
void memory_gate_log_block(struct memory_gate *g, bool refused, const struct memory_verdict *v,
                           uint64_t block, uint64_t block_size, bool offlined, bool failed,
                           const char *online_type);

/* memory-gate-retry.c */
bool memory_gate_retry_pending(const struct memory_gate *g, uint64_t block);
int memory_gate_retry_queue(struct memory_gate *g, uint64_t block);
