/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A probe in a worker thread (docs/architecture.md, *Probing off the loop*): probe_host() reads
 * every kernel file of the host, which on a large or hostile host (a 32 MiB log ring, 8192
 * CPUs, tens of thousands of memory blocks) takes long enough to matter to bus callers. The
 * manager runs the probes that kernel events and Refresh() ask for here, so the event loop
 * keeps answering meanwhile. probe_host() touches nothing but its own result, so the thread
 * shares nothing with the loop while it runs.
 *
 *   probe_worker_start()   copies the options and starts the thread (-EBUSY if one runs)
 *   probe_worker_fd()      becomes readable when it is done;
 *   probe_worker_reap()    joins it and hands over the host it read.
 * Nothing here touches the event loop. */

#include <stdbool.h>

#include "host.h"

struct probe_worker;

/* A worker reading below root. gate, for tests only (tdxd --root): a FIFO the thread opens and
 * reads one byte from before each probe, so a test decides when a probe ends and can show
 * that the loop answers while one runs. */
int probe_worker_new(const char *root, const char *gate, struct probe_worker **ret);
/* Joins a running probe first: it reads files opened non-blocking, so it ends. */
struct probe_worker *probe_worker_free(struct probe_worker *w);

int probe_worker_start(struct probe_worker *w, const struct probe_options *o);
bool probe_worker_running(const struct probe_worker *w);
/* The eventfd the thread signals when its probe is done: readable from then until the reap,
 * so a level-triggered watch on it never needs to be switched on or off. */
int probe_worker_fd(const struct probe_worker *w);
/* Joins the finished thread: returns what probe_host() returned and moves the host it read
 * into *ret (zeroed when it failed). */
int probe_worker_reap(struct probe_worker *w, struct tdx_host *ret);
