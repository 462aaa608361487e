/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probes off the loop (manager_probe_async(), probe-worker.h): while the worker reads the host
 * the event loop goes on dispatching; a probe asked for meanwhile is the next one, and it sees
 * what changed; a result older than one already published is dropped. The worker waits on a
 * FIFO (the test gate) before reading, so the test, not the machine's speed, decides when a
 * probe ends. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manager-test.h"
#include "check-run.h"

#define CAPACITY "/sys/fs/cgroup/misc.capacity"

static unsigned n_status, n_probe_done;

static void rec_status_changed(void *userdata, const struct tdx_status *old,
                               const struct tdx_status *new) {
	n_status++;
}

static void rec_probe_done(void *userdata) {
	n_probe_done++;
}

static char gate[192];

static Manager *started_manager(void) {
	tree("emr-2s-v7.1-ready", "[Manager]\nEnableTDX=no\n");
	n_status = n_probe_done = 0;
	Manager *m = manager_on_tree(&(struct manager_publisher){
	    .status_changed = rec_status_changed,
	    .probe_done = rec_probe_done,
	});
	snprintf(gate, sizeof gate, "%s/gate", tmpdir);
	ck_assert_int_eq(mkfifo(gate, 0600), 0);
	m->probe_gate = gate;
	ck_assert_int_eq(manager_start(m), 0); /* the first probe is synchronous */
	ck_assert_int_eq(m->status.total_keyids, 31);
	ck_assert_uint_eq(n_probe_done, 1);
	return m;
}

/* Let the worker's probe that waits at the gate go on (the open blocks until it is there). */
static void release(void) {
	int fd = open(gate, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert_int_eq(close(fd), 0);
}

static void run_until_done(Manager *m, uint64_t probe) {
	for (unsigned i = 0; i < 64 && m->probe_done < probe; i++)
		ck_assert_int_ge(sd_event_run(m->event, 60 * 1000000ULL), 0);
	ck_assert_uint_ge(m->probe_done, probe);
}

static int on_defer(sd_event_source *s, void *userdata) {
	(*(unsigned *)userdata)++;
	return 0;
}

START_TEST(test_loop_answers_while_probing) {
	Manager *m = started_manager();
	uint64_t first = manager_probe_async(m);
	ck_assert(probe_worker_running(m->prober));
	ck_assert_uint_lt(m->probe_done, first);

	/* the loop dispatches other work while the worker is held, and requests are answered
	 * from the last probe */
	unsigned hits = 0;
	sd_event_source *s = NULL;
	ck_assert_int_ge(sd_event_add_defer(m->event, &s, on_defer, &hits), 0);
	ck_assert_int_ge(sd_event_source_set_enabled(s, SD_EVENT_ONESHOT), 0);
	ck_assert_int_ge(sd_event_run(m->event, 60 * 1000000ULL), 0);
	ck_assert_uint_eq(hits, 1);
	struct cpu_verdict v;
	ck_assert_int_eq(manager_check_cpu_offline(m, 1, &v), 0);
	ck_assert_uint_eq(n_probe_done, 1);
	sd_event_source_unref(s);

	/* a change, then a request: served by the probe after the running one */
	sh("echo 'tdx 15' > '%s'", under_root(CAPACITY));
	uint64_t second = manager_probe_async(m);
	ck_assert_uint_eq(second, first + 1);
	ck_assert_uint_eq(manager_probe_async(m), second); /* a third request shares it */

	release();
	run_until_done(m, first);
	ck_assert_uint_eq(m->probe_done, first);
	ck_assert(probe_worker_running(m->prober)); /* the next one started at once */
	release();
	run_until_done(m, second);
	ck_assert_int_eq(m->status.total_keyids, 15);
	ck_assert_int_eq(m->probe_error, 0);
	run_until_idle(m);
	ck_assert_uint_eq(n_probe_done, 3); /* the start, the first and the second */
	ck_assert_uint_eq(n_status, 2);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_older_result_dropped) {
	Manager *m = started_manager();
	uint64_t held = manager_probe_async(m);

	/* a synchronous probe (the enable sequence's, a reload's) starts and ends meanwhile */
	sh("echo 'tdx 15' > '%s'", under_root(CAPACITY));
	ck_assert_int_eq(manager_probe(m), 0);
	ck_assert_uint_gt(m->probe_done, held);
	ck_assert_int_eq(m->status.total_keyids, 15);
	unsigned published = n_status, done = n_probe_done;

	release();
	run_until_idle(m);
	/* started before the published one: not published over it */
	ck_assert_uint_eq(n_status, published);
	ck_assert_uint_eq(n_probe_done, done);
	ck_assert_uint_eq(m->probe_done, held + 1);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_free_joins_a_running_probe) {
	Manager *m = started_manager();
	(void)manager_probe_async(m);
	m->probe_gate = NULL;
	release(); /* the thread is still running when the manager goes */
	manager_free(m);
	tree_remove();
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("manager-probe");
	TCase *tc = tcase_create("off-the-loop");
	tcase_add_test(tc, test_loop_answers_while_probing);
	tcase_add_test(tc, test_older_result_dropped);
	tcase_add_test(tc, test_free_joins_a_running_probe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	unsetenv("NOTIFY_SOCKET");
	return run_suite(suite());
}
