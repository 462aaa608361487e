/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "host.h" /* FW_UPLOAD_TDX_MODULE_DIR */

/* The kernel's generic firmware-upload sequence (Documentation/ABI/testing/
 * sysfs-class-firmware; for TDX /sys/class/firmware/tdx_module, docs/kernel-interfaces.md,
 * runtime module update): write "1" to `loading`, the image to `data`, "0" to `loading`
 * (the hand-off: from here the kernel owns the update), then follow `status` (idle,
 * receiving, preparing, transferring, programming) and `remaining_size` until `status` is
 * `idle` again; `error` then reads "<status>:<error>" on failure and is empty on success.
 * Writing "-1" to `loading` before the hand-off aborts.
 *
 * fw_upload_run() blocks: it is meant for a worker thread, so the event loop keeps
 * answering. It uses no sd-bus and no global state; progress is reported through a callback
 * (called on the worker thread) and a cancel flag is read between steps. Paths are kernel
 * paths below `root` ("/" or a test tree whose files a test thread rewrites as the kernel
 * would). */

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fw_upload_phase {
	FW_UPLOAD_IDLE,
	FW_UPLOAD_RECEIVING,
	FW_UPLOAD_PREPARING,
	FW_UPLOAD_TRANSFERRING,
	FW_UPLOAD_PROGRAMMING,
	_FW_UPLOAD_PHASE_MAX,
	_FW_UPLOAD_PHASE_INVALID = -EINVAL,
};

/* The kernel's status words; -EINVAL for anything else (a trailing newline is accepted). */
const char *fw_upload_phase_to_string(enum fw_upload_phase p);
enum fw_upload_phase fw_upload_phase_from_string(const char *s);

struct fw_upload_progress {
	enum fw_upload_phase phase;
	/* RECEIVING: bytes of the image not yet written to `data`; later phases: the kernel's
	 * `remaining_size` (bytes not yet handed to the device). */
	uint64_t remaining;
	uint64_t total; /* the image size */
	/* "0" was written to `loading`: the kernel has the image (UpdateModule replies here). */
	bool handed_off;
};

typedef void (*fw_upload_progress_fn)(const struct fw_upload_progress *p, void *userdata);

struct fw_upload_params {
	const char *root; /* "/" or a test tree; NULL means "/" */
	const char *dir;  /* NULL: FW_UPLOAD_TDX_MODULE_DIR */
	const void *data;
	size_t size;
	fw_upload_progress_fn progress; /* may be NULL; called when phase or remaining change */
	void *userdata;
	/* Set by another thread. Before the hand-off it aborts ("-1" to `loading`); after it, it
	 * only stops the following (TDX updates cannot be cancelled; the kernel goes on). */
	const atomic_bool *cancel;
	unsigned poll_interval_ms; /* 0: 100 ms (the status file offers no change notification) */
	unsigned timeout_ms;       /* after the hand-off, 0: wait as long as it takes */
};

struct fw_upload_result {
	/* On a failure the kernel reported: the phase it failed in and its error word, as read
	 * from `error` ("transferring", "firmware-invalid"); empty otherwise. */
	char failed_phase[16];
	char error[32];
	bool handed_off;
	/* One sentence for the journal and the D-Bus error, naming the file or the kernel's
	 * words. Empty on success. */
	char message[256];
};

/* Run the whole sequence. Returns 0 when the kernel reports success, or:
 *   -ENOENT      the directory or one of its files is missing (no runtime update here)
 *   -EBUSY       `status` was not idle: another upload runs (nothing was written)
 *   -ECANCELED   cancelled before the hand-off ("-1" written to `loading`)
 *   -EINPROGRESS cancelled after the hand-off (the kernel continues on its own)
 *   -ETIMEDOUT   timeout_ms passed after the hand-off without `status` going idle
 *   the errno of fw_upload_error_to_errno() when the kernel reports an error
 *   another -errno when a file could not be read or written (named in message). */
int fw_upload_run(const struct fw_upload_params *p, struct fw_upload_result *ret);

/* The kernel's fw_upload error words (hw-error, timeout, user-abort, device-busy,
 * invalid-file-size, read-write-error, flash-wearout, firmware-invalid, firmware-duplicate)
 * as a negative errno, -EREMOTEIO for a word this list does not know. */
int fw_upload_error_to_errno(const char *word);

/* What an error word means for a TDX module update, one clause for a message ("the
 * P-SEAMLDR refused the image (bad signature or not newer than allowed)"). Never NULL. */
const char *fw_upload_error_explain(const char *word);

/* Split an `error` file's text "<status>:<error>" (newline stripped). false when empty or
 * not of that form. */
bool fw_upload_parse_error(const char *text, char *phase, size_t phase_size, char *word,
                           size_t word_size);
