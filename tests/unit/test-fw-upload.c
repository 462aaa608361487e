/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The firmware-upload sequence against a fake tree: a test thread plays the kernel's
 * fw_upload core (rewrites `status`, `remaining_size` and `error` the way
 * drivers/base/firmware_loader/sysfs_upload.c does) and advances only once the uploader has
 * reported the phase it is in, so no phase is missed and nothing depends on timing. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "check-run.h"
#include "fileio.h"
#include "fw-upload.h"
#include "macro.h"

#define DIR_ FW_UPLOAD_TDX_MODULE_DIR

static char root[64];

static void put(const char *file, const char *value) {
	_cleanup_free_ char *p = NULL;
	ck_assert_int_ge(asprintf(&p, DIR_ "/%s", file), 0);
	ck_assert_int_eq(write_file_atomic_at(root, p, value), 0);
}

static char *get(const char *file) {
	_cleanup_free_ char *p = NULL;
	char *s = NULL;
	ck_assert_int_ge(asprintf(&p, DIR_ "/%s", file), 0);
	if (read_one_line_at(root, p, &s) < 0)
		return NULL;
	return s;
}

static void make_tree(void) {
	strcpy(root, "/tmp/test-fw-upload-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put("loading", "0\n");
	put("data", "");
	put("status", "idle\n");
	put("error", "");
	put("remaining_size", "0\n");
	put("cancel", "0\n");
}

static void rm_tree(void) {
	_cleanup_free_ char *cmd = NULL;
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", root), 0);
	ck_assert_int_eq(system(cmd), 0);
}

/* What the uploader reported, seen by the kernel thread. */
static atomic_int seen_phase = -1;
static atomic_int seen_mask;
static atomic_bool handed_off_seen;
static atomic_ullong last_remaining;
static atomic_int receiving_reports;
static atomic_bool cancel_flag;
static atomic_bool cancel_on_receive;

static void on_progress(const struct fw_upload_progress *p, void *userdata) {
	(void)userdata;
	atomic_store(&seen_phase, p->phase);
	atomic_fetch_or(&seen_mask, 1 << p->phase);
	atomic_store(&last_remaining, p->remaining);
	/* The kernel's `loading` store starts the upload before write(2) returns: `status`
	 * reads receiving from then on. Played here, on the uploader's thread, because a test
	 * thread could not be that synchronous; the kernel thread goes on only after it. */
	if (p->handed_off && !atomic_load(&handed_off_seen)) {
		put("status", "receiving\n");
		atomic_store(&handed_off_seen, true);
	}
	if (p->phase == FW_UPLOAD_RECEIVING) {
		atomic_fetch_add(&receiving_reports, 1);
		if (atomic_load(&cancel_on_receive))
			atomic_store(&cancel_flag, true);
	}
}

static void reset_observer(void) {
	atomic_store(&seen_phase, -1);
	atomic_store(&seen_mask, 0);
	atomic_store(&handed_off_seen, false);
	atomic_store(&last_remaining, 0);
	atomic_store(&receiving_reports, 0);
	atomic_store(&cancel_flag, false);
	atomic_store(&cancel_on_receive, false);
}

static void msleep(unsigned ms) {
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* Set once the uploader has returned: the kernel thread stops waiting for what will not come. */
static atomic_bool uploader_done;

/* Wait (bounded: a broken uploader fails the test instead of hanging it) until pred(). */
static bool wait_until(bool (*pred)(const void *), const void *arg) {
	for (int i = 0; i < 20000; i++) {
		if (pred(arg))
			return true;
		if (atomic_load(&uploader_done))
			return false;
		msleep(1);
	}
	return false;
}

static bool handed_off(const void *unused) {
	return atomic_load(&handed_off_seen);
}

static bool phase_seen(const void *ph) {
	return atomic_load(&seen_phase) == *(const int *)ph;
}

struct kernel_script {
	size_t expect_size;
	const char *fail_phase; /* NULL: succeed */
	const char *fail_word;
	bool stall;           /* stay in preparing forever */
	bool data_ok;         /* out: data held exactly the image when "0" came */
	bool saw_handoff;     /* out */
	const uint8_t *image; /* to compare */
};

static void *kernel_thread(void *arg) {
	struct kernel_script *k = arg;
	if (!wait_until(handed_off, NULL))
		return NULL;
	_cleanup_free_ char *loading = get("loading");
	k->saw_handoff = loading && streq(loading, "0");
	_cleanup_free_ char *data = NULL;
	size_t n = 0;
	if (read_full_file_at(root, DIR_ "/data", 16 << 20, &data, &n) == 0)
		k->data_ok = n == k->expect_size && memcmp(data, k->image, n) == 0;

	static const int preparing = FW_UPLOAD_PREPARING, transferring = FW_UPLOAD_TRANSFERRING,
	                 programming = FW_UPLOAD_PROGRAMMING;
	char buf[32];
	put("error", "");
	put("remaining_size", "0\n");
	put("status", "preparing\n");
	if (!wait_until(phase_seen, &preparing) || k->stall)
		return NULL;
	if (k->fail_phase && streq(k->fail_phase, "preparing"))
		goto fail;
	snprintf(buf, sizeof(buf), "%zu\n", k->expect_size);
	put("remaining_size", buf);
	put("status", "transferring\n");
	if (!wait_until(phase_seen, &transferring))
		return NULL;
	if (k->fail_phase && streq(k->fail_phase, "transferring"))
		goto fail;
	put("remaining_size", "0\n");
	put("status", "programming\n");
	if (!wait_until(phase_seen, &programming))
		return NULL;
	if (k->fail_phase)
		goto fail;
	put("status", "idle\n");
	return NULL;
fail:
	snprintf(buf, sizeof(buf), "%s:%s\n", k->fail_phase, k->fail_word);
	put("error", buf);
	put("status", "idle\n");
	return NULL;
}

static uint8_t image[3 * 4096 + 4096];

static struct fw_upload_params params(void) {
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 13 + 1);
	return (struct fw_upload_params){
	    .root = root,
	    .data = image,
	    .size = sizeof(image),
	    .progress = on_progress,
	    .cancel = &cancel_flag,
	    .poll_interval_ms = 1,
	};
}

static int run_with_kernel(struct kernel_script *k, struct fw_upload_params *p,
                           struct fw_upload_result *res) {
	pthread_t t;
	k->expect_size = p->size;
	k->image = p->data;
	atomic_store(&uploader_done, false);
	ck_assert_int_eq(pthread_create(&t, NULL, kernel_thread, k), 0);
	int r = fw_upload_run(p, res);
	atomic_store(&uploader_done, true);
	pthread_join(t, NULL);
	return r;
}

START_TEST(test_success) {
	make_tree();
	reset_observer();
	struct fw_upload_params p = params();
	struct fw_upload_result res;
	struct kernel_script k = {0};
	ck_assert_int_eq(run_with_kernel(&k, &p, &res), 0);
	ck_assert_msg(k.saw_handoff, "the kernel never saw loading go 1 then 0");
	ck_assert_msg(k.data_ok, "data does not hold the image at the hand-off");
	ck_assert(res.handed_off);
	ck_assert(atomic_load(&handed_off_seen));
	ck_assert_str_eq(res.message, "");
	ck_assert_str_eq(res.error, "");
	int all = 1 << FW_UPLOAD_RECEIVING | 1 << FW_UPLOAD_PREPARING |
	          1 << FW_UPLOAD_TRANSFERRING | 1 << FW_UPLOAD_PROGRAMMING | 1 << FW_UPLOAD_IDLE;
	ck_assert_int_eq(atomic_load(&seen_mask), all);
	ck_assert_int_eq(atomic_load(&seen_phase), FW_UPLOAD_IDLE);
	ck_assert_uint_eq(atomic_load(&last_remaining), 0);
	_cleanup_free_ char *loading = get("loading");
	ck_assert_str_eq(loading, "0");
	rm_tree();
}
END_TEST

START_TEST(test_kernel_error) {
	static const struct {
		const char *phase, *word;
		int error;
	} cases[] = {
	    {"transferring", "firmware-invalid", -EINVAL},
	    {"transferring", "device-busy", -EBUSY},
	    {"programming", "hw-error", -EIO},
	    {"preparing", "flash-wearout", -ENOSPC},
	    {"transferring", "something-new", -EREMOTEIO},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		make_tree();
		reset_observer();
		struct fw_upload_params p = params();
		struct fw_upload_result res;
		struct kernel_script k = {.fail_phase = cases[i].phase, .fail_word = cases[i].word};
		ck_assert_int_eq(run_with_kernel(&k, &p, &res), cases[i].error);
		ck_assert(res.handed_off);
		ck_assert_str_eq(res.failed_phase, cases[i].phase);
		ck_assert_str_eq(res.error, cases[i].word);
		ck_assert_ptr_nonnull(strstr(res.message, cases[i].word));
		ck_assert_ptr_nonnull(strstr(res.message, "the kernel reported"));
		rm_tree();
	}
}
END_TEST

START_TEST(test_busy) {
	make_tree();
	reset_observer();
	put("status", "programming\n");
	struct fw_upload_params p = params();
	struct fw_upload_result res;
	ck_assert_int_eq(fw_upload_run(&p, &res), -EBUSY);
	ck_assert_ptr_nonnull(strstr(res.message, "status reads programming"));
	ck_assert(!res.handed_off);
	/* nothing written */
	_cleanup_free_ char *loading = get("loading"), *data = get("data");
	ck_assert_str_eq(loading, "0");
	ck_assert_str_eq(data, "");
	ck_assert_int_eq(atomic_load(&seen_mask), 0);
	rm_tree();
}
END_TEST

START_TEST(test_not_supported) {
	strcpy(root, "/tmp/test-fw-upload-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	struct fw_upload_params p = params();
	struct fw_upload_result res;
	ck_assert_int_eq(fw_upload_run(&p, &res), -ENOENT);
	ck_assert_ptr_nonnull(strstr(res.message, "offers no runtime update"));
	rm_tree();
}
END_TEST

START_TEST(test_cancel_before_handoff) {
	make_tree();
	reset_observer();
	/* the cancel comes while the image is being written */
	atomic_store(&cancel_on_receive, true);
	static uint8_t big[300 * 1024];
	struct fw_upload_params p = params();
	p.data = big;
	p.size = sizeof(big);
	struct fw_upload_result res;
	ck_assert_int_eq(fw_upload_run(&p, &res), -ECANCELED);
	ck_assert(!res.handed_off);
	ck_assert_ptr_nonnull(strstr(res.message, "cancelled before the kernel took the image"));
	_cleanup_free_ char *loading = get("loading");
	ck_assert_str_eq(loading, "-1");
	rm_tree();

	/* cancelled before it began: nothing is written */
	make_tree();
	reset_observer();
	atomic_store(&cancel_flag, true);
	p = params();
	ck_assert_int_eq(fw_upload_run(&p, &res), -ECANCELED);
	_cleanup_free_ char *loading2 = get("loading");
	ck_assert_str_eq(loading2, "0");
	rm_tree();
}
END_TEST

static void *stop_when_preparing(void *arg) {
	(void)arg;
	static const int preparing = FW_UPLOAD_PREPARING;
	/* no uploader_done here: this thread runs while the uploader does */
	for (int i = 0; i < 20000 && !phase_seen(&preparing); i++)
		msleep(1);
	atomic_store(&cancel_flag, true);
	return NULL;
}

START_TEST(test_stop_following) {
	make_tree();
	reset_observer();
	struct fw_upload_params p = params();
	struct fw_upload_result res;
	struct kernel_script k = {.stall = true};
	pthread_t stopper;
	ck_assert_int_eq(pthread_create(&stopper, NULL, stop_when_preparing, NULL), 0);
	ck_assert_int_eq(run_with_kernel(&k, &p, &res), -EINPROGRESS);
	pthread_join(stopper, NULL);
	ck_assert(res.handed_off);
	ck_assert_ptr_nonnull(strstr(res.message, "cannot be cancelled"));
	/* the hand-off is never undone */
	_cleanup_free_ char *loading = get("loading");
	ck_assert_str_eq(loading, "0");
	rm_tree();
}
END_TEST

START_TEST(test_timeout) {
	make_tree();
	reset_observer();
	struct fw_upload_params p = params();
	p.timeout_ms = 50;
	struct fw_upload_result res;
	struct kernel_script k = {.stall = true};
	ck_assert_int_eq(run_with_kernel(&k, &p, &res), -ETIMEDOUT);
	/* the phase it names is the one it last read: receiving or, once the kernel thread has
	 * moved on, preparing (when that happens is up to the scheduler) */
	ck_assert_msg(strstr(res.message, "still reports receiving after 50 ms") ||
	                  strstr(res.message, "still reports preparing after 50 ms"),
	              "%s", res.message);
	ck_assert(res.handed_off);
	rm_tree();
}
END_TEST

START_TEST(test_bad_status) {
	make_tree();
	reset_observer();
	put("status", "weird\n");
	struct fw_upload_params p = params();
	struct fw_upload_result res;
	ck_assert_int_eq(fw_upload_run(&p, &res), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(res.message, "\"weird\""));
	rm_tree();
}
END_TEST

START_TEST(test_words) {
	ck_assert_int_eq(fw_upload_phase_from_string("idle\n"), FW_UPLOAD_IDLE);
	ck_assert_int_eq(fw_upload_phase_from_string("programming"), FW_UPLOAD_PROGRAMMING);
	ck_assert_int_lt(fw_upload_phase_from_string("idl"), 0);
	ck_assert_int_lt(fw_upload_phase_from_string(""), 0);
	ck_assert_int_lt(fw_upload_phase_from_string(NULL), 0);
	ck_assert_str_eq(fw_upload_phase_to_string(FW_UPLOAD_RECEIVING), "receiving");
	ck_assert_ptr_null(fw_upload_phase_to_string(_FW_UPLOAD_PHASE_MAX));
	char ph[16], w[32];
	ck_assert(
	    fw_upload_parse_error("preparing:firmware-invalid\n", ph, sizeof(ph), w, sizeof(w)));
	ck_assert_str_eq(ph, "preparing");
	ck_assert_str_eq(w, "firmware-invalid");
	ck_assert(!fw_upload_parse_error("", ph, sizeof(ph), w, sizeof(w)));
	ck_assert(!fw_upload_parse_error("nocolon", ph, sizeof(ph), w, sizeof(w)));
	ck_assert(!fw_upload_parse_error(":x", ph, sizeof(ph), w, sizeof(w)));
	ck_assert(!fw_upload_parse_error("x:", ph, sizeof(ph), w, sizeof(w)));
	ck_assert(!fw_upload_parse_error("a:b:c", ph, sizeof(ph), w, sizeof(w)));
	ck_assert(!fw_upload_parse_error("averyveryverylongphase:x", ph, sizeof(ph), w, sizeof(w)));
	ck_assert_int_eq(fw_upload_error_to_errno("user-abort"), -ECANCELED);
	ck_assert_int_eq(fw_upload_error_to_errno("firmware-duplicate"), -EALREADY);
	ck_assert_int_eq(fw_upload_error_to_errno(NULL), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(fw_upload_error_explain("hw-error"), "until reboot"));
	ck_assert_ptr_nonnull(fw_upload_error_explain("nope"));
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("fw-upload");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_success);
	tcase_add_test(tc, test_kernel_error);
	tcase_add_test(tc, test_busy);
	tcase_add_test(tc, test_not_supported);
	tcase_add_test(tc, test_cancel_before_handoff);
	tcase_add_test(tc, test_stop_following);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_bad_status);
	tcase_add_test(tc, test_words);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
