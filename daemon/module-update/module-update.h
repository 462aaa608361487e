/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The runtime TDX module update (UpdateModule(), docs/readiness.md, *Module currency and
 * lifecycle*): refuse a doomed update before anything is written, then run the
 * firmware-upload sequence (fw-upload.h) in a worker thread so the event loop keeps
 * answering.
 *
 * The manager drives it like the enable sequence:
 *   module_update_begin()     decides on the manager's facts and the caller's image; refuses
 *                             (outcome.error) or starts the worker (outcome.running)
 *   module_update_fd()        becomes readable on progress and at the end:
 *   module_update_poll()      says what happened since: the kernel took the image
 *                             (outcome.accepted: answer the call), the phase, the end
 *                             (outcome.finished: the thread is joined); after a fresh probe
 *   module_update_conclude()  words the result with the old and new versions and writes
 *                             the journal record.
 * Nothing here touches the event loop, the bus or the manager. */

#include <stdbool.h>
#include <stdint.h>

#include "fw-upload.h"
#include "module-image.h"
#include "host.h"
#include "status.h"

/* Header + at most 1 sigstruct page + 496 module pages (module-image.h). */
#define MODULE_UPDATE_MAX_IMAGE_SIZE                                                               \
	(MODULE_IMAGE_HEADER_SIZE +                                                                \
	 (MODULE_IMAGE_MAX_SIGSTRUCT_PAGES + MODULE_IMAGE_MAX_MODULE_PAGES) *                      \
	     MODULE_IMAGE_PAGE_SIZE)

struct module_update_facts {
	const char *root; /* "/" or a test tree, whose files a test rewrites as the kernel would */
	const struct tdx_host *host;     /* the last probe */
	const struct tdx_status *status; /* derived from it */
	bool enable_running;             /* the enable sequence runs */
	const char *who;                 /* the caller, for the journal */
};

/* Each maps to one reply of UpdateModule() on the bus. */
enum module_update_error {
	MODULE_UPDATE_ERROR_NONE,
	MODULE_UPDATE_ERROR_NOT_SUPPORTED, /* no runtime update here, or none left */
	MODULE_UPDATE_ERROR_INVALID_IMAGE, /* not a TDX module image as the kernel judges it */
	MODULE_UPDATE_ERROR_BUSY,          /* an update or the enable sequence runs */
	MODULE_UPDATE_ERROR_FAILED,        /* the kernel's files refused it (errnum) */
};

struct module_update_outcome {
	bool running;                   /* the worker runs: wait for module_update_fd() */
	bool accepted;                  /* the kernel has the image: UpdateModule() returns */
	bool finished;                  /* the worker ended (the thread is joined) */
	enum module_update_error error; /* why the call is refused (not accepted) */
	int errnum;
	/* the kernel's phase ("receiving" ... "programming", "idle"), and its remaining_size */
	const char *phase;
	uint64_t remaining, total;
	/* ModuleUpdateFinished: "done" or "failed", the versions before and after */
	const char *result;
	char old_version[32], new_version[32];
	char message[1024]; /* one sentence with its hint, for the error, the signal, the log */
};

struct module_update;

int module_update_new(struct module_update **ret);
/* Stops following a running update (the kernel continues: it cannot be cancelled) and joins. */
struct module_update *module_update_free(struct module_update *u);

/* The pre-checks alone (pure): may an image of `size` bytes be handed to this host's kernel?
 * Fills out->error and out->message. `data` may be NULL to check the host only. */
void module_update_decide(const struct module_update_facts *f, const void *data, size_t size,
                          struct module_update_outcome *out);

/* Read the image from `fd` (a regular file, read from offset 0), decide, and start the
 * worker. Returns 0 (see out), -EBUSY while one runs, or -ENOMEM. */
int module_update_begin(struct module_update *u, const struct module_update_facts *f, int fd,
                        struct module_update_outcome *out);
/* The eventfd the worker signals, -EBADF when none runs. */
int module_update_fd(const struct module_update *u);
bool module_update_running(const struct module_update *u);
/* Called when the fd is readable: the progress since, and the end. */
void module_update_poll(struct module_update *u, struct module_update_outcome *out);
/* After the end and a fresh probe: the result with both versions, and the journal record. */
void module_update_conclude(struct module_update *u, const struct tdx_status *now,
                            struct module_update_outcome *out);
