/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* How every unit test runs its suite: Check forks each test (CK_FORK, its default), so one
 * crash fails one test; the exit status is the verdict CTest reads. */

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s) {
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
