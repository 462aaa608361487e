/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* How every unit test runs its suite: Check forks each test (CK_FORK, its default), so one
 * crash fails one test; the exit status is the verdict CTest reads. */

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Check's default per-test timeout is 4 s: a big test under ASan or valgrind on a loaded
 * 2-core machine needs more. The timeout is a hang detector, not a speed limit (timings are
 * in tests/bench), so it is generous. Set before main() so every tcase_create() sees it; an
 * explicit CK_DEFAULT_TIMEOUT in the environment still wins. */
__attribute__((constructor)) static void check_run_default_timeout(void) {
	setenv("CK_DEFAULT_TIMEOUT", "300", 0);
}

static inline int run_suite(Suite *s) {
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* sh FORMAT...: run a shell command (building or editing a test tree); a failure fails the test. */
__attribute__((format(printf, 1, 2))) static inline void sh(const char *fmt, ...) {
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}
