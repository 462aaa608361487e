/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UpdateModule()'s pre-checks (module-update.c): each refusal happens before anything is
 * written, with the named error and a sentence that says what to do. The upload itself is
 * test-fw-upload.c; the whole call through the bus is tests/bus/test-update-module.sh. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check-run.h"
#include "macro.h"
#include "module-update.h"

static struct tdx_host h;
static struct tdx_status st;
static uint8_t image[MODULE_IMAGE_HEADER_SIZE + 2 * MODULE_IMAGE_PAGE_SIZE];

static void setup(void) {
	memset(&h, 0, sizeof h);
	memset(&st, 0, sizeof st);
	h.module_update_supported = true;
	h.remaining_updates_known = true;
	h.remaining_updates = 3;
	strcpy(st.module_version, "1.5.20");
	memset(image, 0, sizeof image);
	image[0] = 0x00, image[1] = 0x02; /* version 0x200, little endian */
	memcpy(image + 4, "TDX-BLOB", 8);
	image[12] = 1; /* sigstruct_nr_pages */
	image[16] = 1; /* module_nr_pages */
}

static struct module_update_facts facts(void) {
	return (struct module_update_facts){.root = "/nonexistent", .host = &h, .status = &st};
}

START_TEST(test_accepts_a_good_image) {
	struct module_update_facts f = facts();
	struct module_update_outcome o;
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NONE);
	ck_assert_str_eq(o.message, "");
	/* the count unknown (hidden by the kernel): not a reason to refuse */
	h.remaining_updates_known = false;
	h.remaining_updates = 0;
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NONE);
}
END_TEST

START_TEST(test_refusals) {
	struct module_update_facts f = facts();
	struct module_update_outcome o;

	h.module_update_supported = false;
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NOT_SUPPORTED);
	ck_assert_ptr_nonnull(strstr(o.message, "/sys/class/firmware/tdx_module"));
	ck_assert_ptr_nonnull(strstr(o.message, "BIOS"));

	h.module_update_supported = true;
	h.remaining_updates = 0;
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NOT_SUPPORTED);
	ck_assert_ptr_nonnull(strstr(o.message, "num_remaining_updates reads 0"));
	ck_assert_ptr_nonnull(strstr(o.message, "reboot"));

	h.remaining_updates = 1;
	f.enable_running = true;
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_BUSY);
	ck_assert_ptr_nonnull(strstr(o.message, "starting"));

	f.enable_running = false;
	memcpy(image + 4, "TDX-BLAB", 8);
	module_update_decide(&f, image, sizeof image, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_INVALID_IMAGE);
	ck_assert_msg(strstr(o.message, "signature"), "%s", o.message);
	memcpy(image + 4, "TDX-BLOB", 8);
	/* one page short of what the header promises */
	module_update_decide(&f, image, sizeof image - MODULE_IMAGE_PAGE_SIZE, &o);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_INVALID_IMAGE);
}
END_TEST

/* The fd: a regular file is read from offset 0; anything else, or a file too big to be an
 * image, is refused before a byte is read. Nothing is started on a refusal. */
START_TEST(test_begin_reads_only_regular_files) {
	struct module_update_facts f = facts();
	struct module_update_outcome o;
	struct module_update *u = NULL;
	int p[2];

	ck_assert_int_eq(module_update_new(&u), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(module_update_begin(u, &f, p[0], &o), 0);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_INVALID_IMAGE);
	ck_assert_ptr_nonnull(strstr(o.message, "not a regular file"));
	ck_assert(!o.running);
	ck_assert(!module_update_running(u));
	close(p[0]);
	close(p[1]);

	char path[] = "/tmp/tdxd-image.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, MODULE_UPDATE_MAX_IMAGE_SIZE + MODULE_IMAGE_PAGE_SIZE), 0);
	ck_assert_int_eq(module_update_begin(u, &f, fd, &o), 0);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_INVALID_IMAGE);
	ck_assert_ptr_nonnull(strstr(o.message, "bytes"));

	/* a bad image in a regular file, the file position anywhere */
	memcpy(image + 4, "TDX-BLAB", 8);
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(pwrite(fd, image, sizeof image, 0), (ssize_t)sizeof image);
	ck_assert_int_eq(module_update_begin(u, &f, fd, &o), 0);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_INVALID_IMAGE);
	ck_assert(!module_update_running(u));
	close(fd);
	module_update_free(u);
}
END_TEST

/* A good image on a host without the upload files: the worker starts, and the kernel's
 * absence comes back as NotSupported before anything was handed over. */
START_TEST(test_worker_reports_missing_files) {
	struct module_update_facts f = facts();
	struct module_update_outcome o;
	struct module_update *u = NULL;
	char path[] = "/tmp/tdxd-image.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(pwrite(fd, image, sizeof image, 0), (ssize_t)sizeof image);

	ck_assert_int_eq(module_update_new(&u), 0);
	ck_assert_int_eq(module_update_begin(u, &f, fd, &o), 0);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NONE);
	ck_assert(o.running);
	ck_assert_int_ge(module_update_fd(u), 0);
	do {
		fd_set set;
		FD_ZERO(&set);
		FD_SET(module_update_fd(u), &set);
		ck_assert_int_ge(select(module_update_fd(u) + 1, &set, NULL, NULL, NULL), 0);
		module_update_poll(u, &o);
		ck_assert(!o.accepted);
	} while (!o.finished);
	ck_assert_int_eq(o.error, MODULE_UPDATE_ERROR_NOT_SUPPORTED);
	ck_assert_int_eq(o.errnum, -ENOENT);
	ck_assert_ptr_nonnull(strstr(o.message, "tdx_module"));
	ck_assert(!module_update_running(u));
	close(fd);
	module_update_free(u);
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("module-update");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_accepts_a_good_image);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_begin_reads_only_regular_files);
	tcase_add_test(tc, test_worker_reports_missing_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
