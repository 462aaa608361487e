/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime TDX module update: the pre-checks of UpdateModule(), the worker that runs the
 * firmware-upload sequence, and the words and journal record of its end (module-update.h). */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "message-ids.h"
#include "module-image.h"
#include "module-update.h"

/* Shared between the worker and the main thread, under `lock`. */
struct shared {
	struct fw_upload_progress progress;
	bool have_progress;
	bool done;
	int r;
	struct fw_upload_result result;
};

struct module_update {
	pthread_t thread;
	bool thread_running;
	bool accepted; /* said once: the kernel has the image */
	int efd;
	atomic_bool cancel;

	char root[4096];
	void *data;
	size_t size;
	char old_version[32];

	pthread_mutex_t lock;
	struct shared sh;
	/* what the main thread read at the end */
	int r;
	struct fw_upload_result result;
};

_printf_(3, 4) static void refuse(struct module_update_outcome *out, enum module_update_error e,
                                  const char *fmt, ...) {
	va_list ap;
	out->error = e;
	va_start(ap, fmt);
	vtextf(out->message, sizeof out->message, false, fmt, ap);
	va_end(ap);
}

int module_update_new(struct module_update **ret) {
	struct module_update *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->efd < 0) {
		int r = -errno;
		free(u);
		return r;
	}
	pthread_mutex_init(&u->lock, NULL);
	*ret = u;
	return 0;
}

struct module_update *module_update_free(struct module_update *u) {
	if (!u)
		return NULL;
	if (u->thread_running) {
		/* Only the following stops: the kernel goes on with an update it has taken. */
		atomic_store(&u->cancel, true);
		pthread_join(u->thread, NULL);
	}
	pthread_mutex_destroy(&u->lock);
	if (u->efd >= 0)
		close(u->efd);
	free(u->data);
	free(u);
	return NULL;
}

int module_update_fd(const struct module_update *u) {
	return u && u->thread_running ? u->efd : -EBADF;
}

bool module_update_running(const struct module_update *u) {
	return u && u->thread_running;
}

void module_update_decide(const struct module_update_facts *f, const void *data, size_t size,
                          struct module_update_outcome *out) {
	const struct tdx_host *h = f->host;
	char msg[256];

	*out = (struct module_update_outcome){0};
	if (!h->module_update_supported)
		return refuse(
		    out, MODULE_UPDATE_ERROR_NOT_SUPPORTED,
		    "This kernel offers no runtime TDX module update (no %s): update the "
		    "module with a BIOS update and a reboot, or boot Linux 7.2 or later on "
		    "a module that supports TD-preserving updates.",
		    FW_UPLOAD_TDX_MODULE_DIR);
	if (h->remaining_updates_known && h->remaining_updates == 0)
		return refuse(
		    out, MODULE_UPDATE_ERROR_NOT_SUPPORTED,
		    "No runtime TDX module update is left "
		    "(/sys/devices/faux/tdx_host/num_remaining_updates reads 0): the SEAM "
		    "loader's log of loaded modules is full; a reboot restores the "
		    "updates (or update the module with a BIOS update).");
	if (f->enable_running)
		return refuse(out, MODULE_UPDATE_ERROR_BUSY,
		              "TDX is being enabled right now; wait for State to leave 'starting' "
		              "and try again.");
	if (!data)
		return;
	int r = module_image_validate(data, size, NULL, msg, sizeof msg);
	if (r < 0)
		return refuse(out, MODULE_UPDATE_ERROR_INVALID_IMAGE,
		              "Not a TDX module image: %s. Pass the module update blob (a "
		              "\"TDX-BLOB\" header followed by its pages) as the vendor ships it "
		              "for runtime update.",
		              msg);
}

/* The whole image, from offset 0 of a regular file: a pipe or socket could stall the event
 * loop, and the size decides before anything is read. */
static int read_image(int fd, struct module_update_outcome *out, void **ret, size_t *ret_size) {
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		refuse(out, MODULE_UPDATE_ERROR_INVALID_IMAGE,
		       "Not a TDX module image: the file descriptor is not a regular file; pass an "
		       "open image file (tdxctl update-module FILE does).");
		return 0;
	}
	if ((uint64_t)st.st_size > MODULE_UPDATE_MAX_IMAGE_SIZE ||
	    (uint64_t)st.st_size < MODULE_IMAGE_HEADER_SIZE) {
		refuse(
		    out, MODULE_UPDATE_ERROR_INVALID_IMAGE,
		    "Not a TDX module image: it is %jd bytes, a module image is a %u-byte header "
		    "and at most %u pages of %u bytes (%u bytes in all).",
		    (intmax_t)st.st_size, MODULE_IMAGE_HEADER_SIZE,
		    MODULE_IMAGE_MAX_SIGSTRUCT_PAGES + MODULE_IMAGE_MAX_MODULE_PAGES,
		    MODULE_IMAGE_PAGE_SIZE, (unsigned)MODULE_UPDATE_MAX_IMAGE_SIZE);
		return 0;
	}
	size_t size = (size_t)st.st_size, done = 0;
	_cleanup_free_ uint8_t *d = malloc(size);
	if (!d)
		return -ENOMEM;
	while (done < size) {
		ssize_t k = pread(fd, d + done, size - done, (off_t)done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		done += (size_t)k;
	}
	*ret = TAKE_PTR(d);
	*ret_size = done;
	return 1;
}

/* ---- the worker ---- */

static void wake(struct module_update *u) {
	uint64_t one = 1;
	(void)!write(u->efd, &one, sizeof one);
}

static void on_progress(const struct fw_upload_progress *p, void *userdata) {
	struct module_update *u = userdata;
	pthread_mutex_lock(&u->lock);
	u->sh.progress = *p;
	u->sh.have_progress = true;
	pthread_mutex_unlock(&u->lock);
	wake(u);
}

static void *worker(void *userdata) {
	struct module_update *u = userdata;
	struct fw_upload_result res;
	struct fw_upload_params p = {
	    .root = u->root,
	    .data = u->data,
	    .size = u->size,
	    .progress = on_progress,
	    .userdata = u,
	    .cancel = &u->cancel,
	};
	int r = fw_upload_run(&p, &res);
	pthread_mutex_lock(&u->lock);
	u->sh.done = true;
	u->sh.r = r;
	u->sh.result = res;
	pthread_mutex_unlock(&u->lock);
	wake(u);
	return NULL;
}

int module_update_begin(struct module_update *u, const struct module_update_facts *f, int fd,
                        struct module_update_outcome *out) {
	_cleanup_free_ void *data = NULL;
	size_t size = 0;
	int r;

	*out = (struct module_update_outcome){0};
	if (u->thread_running) {
		refuse(
		    out, MODULE_UPDATE_ERROR_BUSY,
		    "Another TDX module update is running; wait for ModuleUpdateFinished and try "
		    "again.");
		return -EBUSY;
	}
	/* The host first: no image needs reading where no update can happen. */
	module_update_decide(f, NULL, 0, out);
	if (out->error != MODULE_UPDATE_ERROR_NONE)
		return 0;
	r = read_image(fd, out, &data, &size);
	if (r < 0) {
		refuse(out, MODULE_UPDATE_ERROR_FAILED, "Failed to read the image: %s.",
		       strerror(-r));
		out->errnum = r;
		return r == -ENOMEM ? r : 0;
	}
	if (r == 0)
		return 0;
	module_update_decide(f, data, size, out);
	if (out->error != MODULE_UPDATE_ERROR_NONE)
		return 0;

	free(u->data);
	u->data = TAKE_PTR(data);
	u->size = size;
	snprintf(u->root, sizeof u->root, "%s", f->root ? f->root : "/");
	snprintf(u->old_version, sizeof u->old_version, "%s", f->status->module_version);
	u->accepted = false;
	u->sh = (struct shared){0};
	atomic_store(&u->cancel, false);
	uint64_t drain;
	(void)!read(u->efd, &drain, sizeof drain);

	r = pthread_create(&u->thread, NULL, worker, u);
	if (r > 0) {
		refuse(out, MODULE_UPDATE_ERROR_FAILED, "Failed to start the update: %s.",
		       strerror(r));
		out->errnum = -r;
		return 0;
	}
	u->thread_running = true;
	out->running = true;
	out->total = size;
	log_info("%s: updating the TDX module (running %s) with a %zu-byte image.",
	         f->who ? f->who : "UpdateModule()",
	         u->old_version[0] ? u->old_version : "an unknown version", size);
	return 0;
}

static enum module_update_error error_of(int r) {
	switch (r) {
	case -ENOENT: return MODULE_UPDATE_ERROR_NOT_SUPPORTED;
	case -EBUSY: return MODULE_UPDATE_ERROR_BUSY;
	default: return MODULE_UPDATE_ERROR_FAILED;
	}
}

void module_update_poll(struct module_update *u, struct module_update_outcome *out) {
	struct shared sh;
	uint64_t drain;

	*out = (struct module_update_outcome){0};
	if (!u->thread_running)
		return;
	(void)!read(u->efd, &drain, sizeof drain);
	pthread_mutex_lock(&u->lock);
	sh = u->sh;
	pthread_mutex_unlock(&u->lock);

	out->running = true;
	if (sh.have_progress) {
		out->phase = fw_upload_phase_to_string(sh.progress.phase);
		out->remaining = sh.progress.remaining;
		out->total = sh.progress.total;
	}
	bool handed_off =
	    (sh.have_progress && sh.progress.handed_off) || (sh.done && sh.result.handed_off);
	if (handed_off && !u->accepted) {
		u->accepted = true;
		out->accepted = true;
	}
	if (!sh.done)
		return;

	pthread_join(u->thread, NULL);
	u->thread_running = false;
	u->data = mfree(u->data);
	u->r = sh.r;
	u->result = sh.result;
	out->running = false;
	out->finished = true;
	out->errnum = sh.r;
	if (!u->accepted) {
		/* Refused before the kernel took the image: the call's error says it. */
		out->error = error_of(sh.r);
		textf(out->message, sizeof out->message, false,
		      "The kernel did not take the image: %s.",
		      sh.result.message[0] ? sh.result.message : strerror(-sh.r));
	}
}

void module_update_conclude(struct module_update *u, const struct tdx_status *now,
                            struct module_update_outcome *out) {
	const char *old = u->old_version[0] ? u->old_version : "an unknown version";
	char f_old[64], f_new[64], f_result[48];

	snprintf(out->old_version, sizeof out->old_version, "%s", u->old_version);
	snprintf(out->new_version, sizeof out->new_version, "%s", now->module_version);
	if (u->r == 0) {
		out->result = "done";
		if (!now->module_version[0])
			textf(out->message, sizeof out->message, false,
			      "The kernel reported the TDX module update done; the module (was %s) "
			      "reports no version now.",
			      old);
		else if (streq(now->module_version, u->old_version))
			textf(out->message, sizeof out->message, false,
			      "The kernel reported the TDX module update done; the module still "
			      "reports version %s.",
			      old);
		else
			textf(out->message, sizeof out->message, false,
			      "The TDX module was updated from %s to %s.", old,
			      now->module_version);
	} else {
		out->result = "failed";
		textf(out->message, sizeof out->message, false, "The TDX module update failed: %s.",
		      u->result.message[0] ? u->result.message : strerror(-u->r));
		if (now->state == TDX_STATE_FAILED && !now->module_version[0])
			textf(out->message, sizeof out->message, true,
			      " The module is unusable: reboot the host to load a working one.");
		else
			textf(out->message, sizeof out->message, true,
			      " The module still runs %s%s.",
			      now->module_version[0] ? now->module_version : "an unknown version",
			      u->r == -EINPROGRESS || u->r == -ETIMEDOUT
			          ? "; the kernel may still finish the update (watch ModuleVersion)"
			          : "");
	}
	snprintf(f_old, sizeof f_old, "TDXD_OLD_VERSION=%s", u->old_version);
	snprintf(f_new, sizeof f_new, "TDXD_NEW_VERSION=%s", now->module_version);
	snprintf(f_result, sizeof f_result, "TDXD_RESULT=%s", out->result);
	(void)log_struct_internal(u->r == 0 ? LOG_INFO : LOG_ERR,
	                          u->r == 0 ? MODULE_UPDATED_MESSAGE_ID
	                                    : MODULE_UPDATE_FAILED_MESSAGE_ID,
	                          out->message, f_old, f_new, f_result, NULL);
}
