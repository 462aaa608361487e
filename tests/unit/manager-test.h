/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The harness of the manager tests (test-manager*.c): a copy of a fixture tree, a Manager on
 * it as tdxd --root sets one up with the test's recording publisher, and the event loop run
 * until the manager has nothing in flight. The tests play the kernel by editing the tree. */

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "macro.h"
#include "manager.h"
#include "check-run.h"

#define ck_assert_has(text, needle)                                                                \
	ck_assert_msg(strstr((text), (needle)), "\"%s\" lacks \"%s\"", (text), (needle))

static char tmpdir[64], root[128];

/* A copy of FIXTURE with CONFIG as its /etc/tdxd/tdxd.conf (NULL: none, the defaults). */
static void tree(const char *fixture, const char *config) {
	strcpy(tmpdir, "/tmp/test-manager.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(root, sizeof root, "%s/root", tmpdir);
	sh("cp -a '%s/%s' '%s'", FIXTURES_DIR, fixture, root);
	sh("rm -f '%s/etc/tdxd/tdxd.conf'", root);
	if (config) {
		sh("mkdir -p '%s/etc/tdxd'", root);
		ck_assert_int_ge(write_file_atomic_at(root, "/etc/tdxd/tdxd.conf", config), 0);
	}
}

static inline void tree_remove(void) {
	sh("rm -rf '%s'", tmpdir);
}

/* root + path, in a static buffer (one at a time) */
static inline const char *under_root(const char *path) {
	static char buf[256];
	snprintf(buf, sizeof buf, "%s%s", root, path);
	return buf;
}

/* A manager on the tree, as tdxd --root sets it up, publishing to p; not started. */
static inline Manager *manager_on_tree(const struct manager_publisher *p) {
	Manager *m;

	ck_assert_int_eq(manager_new(&m), 0);
	m->root = strdup(root);
	m->test_root = true;
	m->config_path = root_path(root, "/etc/tdxd/tdxd.conf");
	ck_assert_ptr_nonnull(m->root);
	ck_assert_ptr_nonnull(m->config_path);
	manager_load_config(m);
	/* its own loop, not the thread's default one: a test owns all of it */
	ck_assert_int_ge(sd_event_new(&m->event), 0);
	m->publisher = *p;
	return m;
}

static inline bool armed(sd_event_source *s) {
	return s && sd_event_source_get_enabled(s, NULL) > 0;
}

static inline bool manager_busy(const Manager *m) {
	return armed(m->deferred_probe) || probe_worker_running(m->prober) ||
	       armed(m->gate_flush_timer) || armed(m->gate_retry_timer) ||
	       armed(m->enable_done_source) || armed(m->enable_extend_source);
}

/* Run the loop until none of the manager's timers is pending and no probe runs off the loop.
 * Each iteration dispatches one source; the bound only catches a timer that re-arms itself
 * for ever. */
static inline void run_until_idle(Manager *m) {
	for (unsigned i = 0; i < 64 && manager_busy(m); i++)
		ck_assert_int_ge(sd_event_run(m->event, 60 * 1000000ULL), 0);
	ck_assert_msg(!manager_busy(m), "the manager's timers keep re-arming");
}
