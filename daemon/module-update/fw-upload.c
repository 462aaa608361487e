/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The firmware-upload sequence (fw-upload.h). On a real host `data` is a sysfs binary
 * attribute: it is written in chunks at increasing offsets, and nothing else. Under a test
 * root the files are regular files that a test thread rewrites as the kernel would, so every
 * read opens the file afresh. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>

#include "fileio.h"
#include "fw-upload.h"
#include "macro.h"

#define DATA_CHUNK (64 * 1024)

static const char *const phase_names[_FW_UPLOAD_PHASE_MAX] = {
    [FW_UPLOAD_IDLE] = "idle",
    [FW_UPLOAD_RECEIVING] = "receiving",
    [FW_UPLOAD_PREPARING] = "preparing",
    [FW_UPLOAD_TRANSFERRING] = "transferring",
    [FW_UPLOAD_PROGRAMMING] = "programming",
};

const char *fw_upload_phase_to_string(enum fw_upload_phase p) {
	if (p < 0 || p >= _FW_UPLOAD_PHASE_MAX)
		return NULL;
	return phase_names[p];
}

enum fw_upload_phase fw_upload_phase_from_string(const char *s) {
	if (!s)
		return _FW_UPLOAD_PHASE_INVALID;
	size_t l = strlen(s);
	if (l > 0 && s[l - 1] == '\n')
		l--;
	for (int i = 0; i < _FW_UPLOAD_PHASE_MAX; i++)
		if (strlen(phase_names[i]) == l && strncmp(s, phase_names[i], l) == 0)
			return (enum fw_upload_phase)i;
	return _FW_UPLOAD_PHASE_INVALID;
}

static const struct {
	const char *word;
	int error;
	const char *explain;
} errors[] = {
    /* The TDX host driver maps the loader's results onto these words: -EBUSY, -EIO,
     * -ENOSPC, -ENOMEM, and every other failure (the kernel's own header checks and the
     * P-SEAMLDR's refusals) to firmware-invalid. */
    {"hw-error", -EIO, "the update SEAMCALL failed; the TDX module may be unusable until reboot"},
    {"timeout", -ETIMEDOUT, "the kernel gave up waiting for the update to complete"},
    {"user-abort", -ECANCELED, "the upload was cancelled"},
    {"device-busy", -EBUSY, "the TDX module or the P-SEAMLDR was busy"},
    {"invalid-file-size", -EFBIG, "the kernel refused the image's size"},
    {"read-write-error", -ENOMEM, "the kernel could not allocate or copy the image"},
    {"flash-wearout", -ENOSPC, "no module updates remain until the next reboot"},
    {"firmware-invalid", -EINVAL,
     "the kernel or the P-SEAMLDR refused the image (bad header, signature, or a module this "
     "platform or the running module cannot be updated to)"},
    {"firmware-duplicate", -EALREADY, "the image is the module already running"},
};

int fw_upload_error_to_errno(const char *word) {
	for (size_t i = 0; word && i < ELEMENTSOF(errors); i++)
		if (streq(word, errors[i].word))
			return errors[i].error;
	return -EREMOTEIO;
}

const char *fw_upload_error_explain(const char *word) {
	for (size_t i = 0; word && i < ELEMENTSOF(errors); i++)
		if (streq(word, errors[i].word))
			return errors[i].explain;
	return "the kernel reported an error this version of tdxd does not know";
}

bool fw_upload_parse_error(const char *text, char *phase, size_t phase_size, char *word,
                           size_t word_size) {
	if (!text)
		return false;
	size_t l = strlen(text);
	if (l > 0 && text[l - 1] == '\n')
		l--;
	const char *colon = memchr(text, ':', l);
	if (!colon || colon == text)
		return false;
	size_t pl = (size_t)(colon - text), wl = l - pl - 1;
	if (wl == 0 || pl >= phase_size || wl >= word_size || memchr(colon + 1, ':', wl) ||
	    memchr(text, '\n', l))
		return false;
	memcpy(phase, text, pl);
	phase[pl] = 0;
	memcpy(word, colon + 1, wl);
	word[wl] = 0;
	return true;
}

struct run {
	const struct fw_upload_params *p;
	struct fw_upload_result *res;
	const char *root, *dir;
	struct fw_upload_progress last;
	bool reported;
};

_printf_(3, 4) static int failf(struct run *u, int r, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(u->res->message, sizeof(u->res->message), false, fmt, ap);
	va_end(ap);
	return r;
}

static char *path_of(struct run *u, const char *file) {
	char *s;
	if (asprintf(&s, "%s/%s", u->dir, file) < 0)
		return NULL;
	return s;
}

static int read_attr(struct run *u, const char *file, char **ret) {
	_cleanup_free_ char *p = path_of(u, file);
	if (!p)
		return -ENOMEM;
	int r = read_one_line_at(u->root, p, ret);
	if (r < 0 && r != -ENOMEM)
		return failf(u, r, "cannot read %s: %s", p, strerror(-r));
	return r;
}

static int write_attr(struct run *u, const char *file, const char *value) {
	_cleanup_free_ char *p = path_of(u, file);
	if (!p)
		return -ENOMEM;
	/* the worker thread may wait: nothing else runs on it */
	int r = write_string_at_wait(u->root, p, value);
	if (r < 0 && r != -ENOMEM)
		return failf(u, r, "cannot write \"%s\" to %s: %s", value, p, strerror(-r));
	return r;
}

static bool cancelled(struct run *u) {
	return u->p->cancel && atomic_load(u->p->cancel);
}

static void report(struct run *u, enum fw_upload_phase phase, uint64_t remaining) {
	struct fw_upload_progress now = {
	    .phase = phase,
	    .remaining = remaining,
	    .total = u->p->size,
	    .handed_off = u->res->handed_off,
	};
	if (u->reported && now.phase == u->last.phase && now.remaining == u->last.remaining &&
	    now.handed_off == u->last.handed_off)
		return;
	u->last = now;
	u->reported = true;
	if (u->p->progress)
		u->p->progress(&now, u->p->userdata);
}

static int read_phase(struct run *u, enum fw_upload_phase *ret) {
	_cleanup_free_ char *s = NULL;
	int r = read_attr(u, "status", &s);
	if (r < 0)
		return r;
	enum fw_upload_phase ph = fw_upload_phase_from_string(s);
	if (ph < 0)
		return failf(u, -EBADMSG, "%s/status reads \"%.32s\", not a firmware-upload status",
		             u->dir, s);
	*ret = ph;
	return 0;
}

/* Abort before the hand-off: the kernel drops what it received. */
static int abort_upload(struct run *u, int r) {
	_cleanup_free_ char *keep = strdup(u->res->message);
	(void)write_attr(u, "loading", "-1");
	if (keep)
		textf(u->res->message, sizeof(u->res->message), false, "%s", keep);
	return r;
}

static int write_data(struct run *u) {
	_cleanup_free_ char *rel = path_of(u, "data");
	_cleanup_free_ char *p = rel ? root_path(u->root, rel) : NULL;
	if (!p)
		return -ENOMEM;
	/* Under a test root `data` is a regular file that must end up holding the image. */
	bool test_root = !streq(u->root, "/");
	_cleanup_close_ int fd =
	    open(p, O_WRONLY | O_CLOEXEC | O_NOCTTY | (test_root ? O_TRUNC : 0));
	if (fd < 0)
		return failf(u, -errno, "cannot open %s: %s", rel, strerror(errno));
	const uint8_t *d = u->p->data;
	size_t done = 0;
	while (done < u->p->size) {
		if (cancelled(u))
			return failf(u, -ECANCELED,
			             "the update was cancelled before the kernel took "
			             "the image");
		size_t n = u->p->size - done < DATA_CHUNK ? u->p->size - done : DATA_CHUNK;
		ssize_t k = write(fd, d + done, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return failf(u, -errno, "writing the image to %s failed at byte %zu: %s",
			             rel, done, strerror(errno));
		if (k == 0)
			return failf(u, -EIO, "%s took no more bytes at byte %zu of %zu", rel, done,
			             u->p->size);
		done += (size_t)k;
		report(u, FW_UPLOAD_RECEIVING, u->p->size - done);
	}
	return 0;
}

static void sleep_ms(unsigned ms) {
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t read_remaining(struct run *u, uint64_t fallback) {
	_cleanup_free_ char *s = NULL;
	char *end;
	/* remaining_size is a progress hint: an unreadable one keeps the last value */
	_cleanup_free_ char *p = path_of(u, "remaining_size");
	if (!p || read_one_line_at(u->root, p, &s) < 0)
		return fallback;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return fallback;
	return v;
}

static int follow(struct run *u) {
	unsigned interval = u->p->poll_interval_ms ? u->p->poll_interval_ms : 100;
	uint64_t start = now_ms(), remaining = u->p->size;

	for (;;) {
		enum fw_upload_phase ph;
		int r = read_phase(u, &ph);
		if (r < 0)
			return r;
		if (ph == FW_UPLOAD_IDLE)
			break;
		remaining = read_remaining(u, remaining);
		report(u, ph, remaining);
		if (cancelled(u))
			return failf(u, -EINPROGRESS,
			             "stopped following the update while %s; the kernel continues "
			             "(TDX module updates cannot be cancelled)",
			             fw_upload_phase_to_string(ph));
		if (u->p->timeout_ms > 0 && now_ms() - start >= u->p->timeout_ms)
			return failf(
			    u, -ETIMEDOUT,
			    "the kernel still reports %s after %u ms; the update may still "
			    "complete",
			    fw_upload_phase_to_string(ph), u->p->timeout_ms);
		sleep_ms(interval);
	}

	_cleanup_free_ char *err = NULL;
	int r = read_attr(u, "error", &err);
	if (r < 0)
		return r;
	if (!err[0]) {
		report(u, FW_UPLOAD_IDLE, 0);
		u->res->message[0] = 0;
		return 0;
	}
	if (!fw_upload_parse_error(err, u->res->failed_phase, sizeof(u->res->failed_phase),
	                           u->res->error, sizeof(u->res->error)))
		return failf(u, -EREMOTEIO, "the update failed: %s/error reads \"%.64s\"", u->dir,
		             err);
	report(u, FW_UPLOAD_IDLE, read_remaining(u, remaining));
	return failf(u, fw_upload_error_to_errno(u->res->error), "the kernel reported %s:%s: %s",
	             u->res->failed_phase, u->res->error, fw_upload_error_explain(u->res->error));
}

int fw_upload_run(const struct fw_upload_params *p, struct fw_upload_result *ret) {
	struct fw_upload_result dummy;
	struct run u = {
	    .p = p,
	    .res = ret ? ret : &dummy,
	    .root = p->root && *p->root ? p->root : "/",
	    .dir = p->dir ? p->dir : FW_UPLOAD_TDX_MODULE_DIR,
	};
	int r;

	*u.res = (struct fw_upload_result){0};
	if (!is_dir_at(u.root, u.dir))
		return failf(&u, -ENOENT, "%s does not exist: this kernel offers no runtime update",
		             u.dir);

	enum fw_upload_phase ph;
	r = read_phase(&u, &ph);
	if (r < 0)
		return r;
	if (ph != FW_UPLOAD_IDLE)
		return failf(&u, -EBUSY, "%s/status reads %s: another upload is running", u.dir,
		             fw_upload_phase_to_string(ph));
	if (cancelled(&u))
		return failf(&u, -ECANCELED, "the update was cancelled before it started");

	r = write_attr(&u, "loading", "1");
	if (r < 0)
		return r;
	report(&u, FW_UPLOAD_RECEIVING, p->size);
	r = write_data(&u);
	if (r < 0)
		return abort_upload(&u, r);
	if (cancelled(&u))
		return abort_upload(&u, failf(&u, -ECANCELED,
		                              "the update was cancelled before the "
		                              "kernel took the image"));
	r = write_attr(&u, "loading", "0");
	if (r < 0)
		return abort_upload(&u, r);
	/* The kernel's `loading` store queued the upload before it returned: from here `status`
	 * is not idle until the update has ended. */
	u.res->handed_off = true;
	report(&u, FW_UPLOAD_RECEIVING, p->size);
	return follow(&u);
}
