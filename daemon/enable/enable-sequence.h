/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The enable sequence (docs/readiness.md, "Enable sequence"): check prerequisites, load KVMModule
 * with KVMModuleOptions through libkmod (aliases, dependencies, blacklists and modprobe.d
 * options as modprobe does), reload an idle module loaded without TDX, verify what the kernel
 * did and explain a failure from the kernel log lines written since the load began.
 *
 * The manager drives it in two steps, probing the host before each:
 *   enable_sequence_begin()   decides; finishes at once, or starts the load in a worker
 *                             thread and says so (outcome.running)
 *   enable_sequence_fd()      becomes readable when the worker is done:
 *   enable_sequence_reap()    joins it, and after a fresh probe
 *   enable_sequence_verify()  finishes.
 * Nothing here touches the event loop or the bus. */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "host.h"
#include "status.h"

struct enable_facts {
	const char *root; /* "/" or a test tree (then: nothing is loaded or written) */
	bool test_root;
	const struct tdxd_config *config;
	int probe_error;                  /* the fresh probe failed: the sequence fails */
	struct tdx_host *host;            /* the fresh probe; /dev/kvm's answers are added */
	const struct tdx_status *status;  /* derived from it */
	struct enable_progress *progress; /* what the state rule reads of this attempt */
};

/* How a finished sequence ended: each maps to one reply of EnableTDX() on the bus. */
enum enable_result {
	ENABLE_RESULT_OK,
	ENABLE_RESULT_NOT_SUPPORTED,
	ENABLE_RESULT_LOAD_FAILED,
	ENABLE_RESULT_NO_MEMORY,
	ENABLE_RESULT_FAILED, /* internal error */
};

struct enable_outcome {
	bool running;  /* the load runs in the worker: wait for enable_sequence_fd() */
	bool finished; /* the sequence ended, with result and message */
	enum enable_result result;
	char message[2 * CHECK_TEXT_MAX];
};

struct enable_sequence;

int enable_sequence_new(struct enable_sequence **ret);
/* Waits for a running load: init_module cannot be interrupted. */
struct enable_sequence *enable_sequence_free(struct enable_sequence *seq);

/* -EBUSY when a load is running. */
int enable_sequence_begin(struct enable_sequence *seq, const struct enable_facts *f,
                          struct enable_outcome *out);
/* The eventfd the worker signals, -EBADF when none runs. */
int enable_sequence_fd(const struct enable_sequence *seq);
void enable_sequence_reap(struct enable_sequence *seq);
void enable_sequence_verify(struct enable_sequence *seq, const struct enable_facts *f,
                            struct enable_outcome *out);
/* A STATUS= line for systemd while the load runs. */
void enable_sequence_describe(const struct enable_sequence *seq, uint64_t now, char *buf,
                              size_t size);
