/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's side of the attestation checks, without a bus: a Manager on a copy of an
 * attest-* fixture with a recording publisher. Unit states are handed in as the bus service
 * hands them (manager_set_unit_state()); the test plays the Quote Generation Service by
 * creating and removing its socket in the tree, and runs the event loop for the inotify
 * watch. Counts publications, never time. */
#include "manager-test.h"
#include "check-run.h"

#define SOCKET QGS_SOCKET_PATH

static struct recorder {
	unsigned n_status;
	unsigned n_units_stale;
	bool state_changed;       /* State differed in some publication */
	bool attestation_changed; /* AttestationReady differed in some publication */
} rec;

static void rec_status_changed(void *userdata, const struct tdx_status *old,
                               const struct tdx_status *new) {
	rec.n_status++;
	rec.state_changed = rec.state_changed || old->state != new->state;
	rec.attestation_changed =
	    rec.attestation_changed || old->attestation_ready != new->attestation_ready;
}

static void rec_units_stale(void *userdata) {
	rec.n_units_stale++;
}

static Manager *manager_on(const char *fixture, const char *config) {
	tree(fixture, config);
	memset(&rec, 0, sizeof rec);
	Manager *m = manager_on_tree(&(struct manager_publisher){
	    .userdata = &rec,
	    .status_changed = rec_status_changed,
	    .units_stale = rec_units_stale,
	});
	ck_assert_int_eq(manager_start(m), 0);
	ck_assert_int_eq(m->status.state, TDX_STATE_READY);
	/* start-up went starting -> ready: the tests look at what follows */
	rec.state_changed = rec.attestation_changed = false;
	return m;
}

static void done(Manager *m) {
	manager_free(m);
	tree_remove();
}

static enum check_result result(Manager *m, enum check_id id) {
	return m->status.checks[id].result;
}

/* Run the loop until the socket watch is gone or `max` sources were dispatched. */
static void run_until_unwatched(Manager *m, unsigned max) {
	for (unsigned i = 0; i < max && m->qgs_socket_watch; i++)
		ck_assert_int_ge(sd_event_run(m->event, 60 * 1000000ULL), 0);
}

START_TEST(test_start_reads_files) {
	/* under --root nobody asks systemd: the files alone, and the sentence says so */
	Manager *m = manager_on("attest-ready", NULL);
	ck_assert(m->status.attestation_ready);
	ck_assert_str_eq(m->status.attestation_reason, "attestation is available");
	ck_assert_int_eq(result(m, CHECK_QUOTE_SERVICE), CHECK_PASS);
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].summary, "state was not asked");
	ck_assert_ptr_null(m->qgs_socket_watch);
	done(m);
}
END_TEST

START_TEST(test_unit_state_change_publishes) {
	Manager *m = manager_on("attest-ready", NULL);
	unsigned n = rec.n_status;

	/* systemd says qgsd stopped: judged and published at once, State untouched */
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_INACTIVE);
	ck_assert_uint_eq(rec.n_status, n + 1);
	ck_assert(rec.attestation_changed);
	ck_assert(!rec.state_changed);
	ck_assert(!m->status.attestation_ready);
	ck_assert_int_eq(m->status.state, TDX_STATE_READY);
	ck_assert_int_eq(result(m, CHECK_QUOTE_SERVICE), CHECK_FAIL);
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].hint, "systemctl enable --now qgsd");
	ck_assert_int_eq(result(m, CHECK_COLLATERAL_SERVICE), CHECK_SKIP);

	/* the same state again is no news */
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_INACTIVE);
	ck_assert_uint_eq(rec.n_status, n + 1);

	/* and back */
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_ACTIVE);
	ck_assert(m->status.attestation_ready);
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].summary, "runs and listens");
	ck_assert(!rec.state_changed);
	done(m);
}
END_TEST

START_TEST(test_unit_name_from_config) {
	Manager *m = manager_on("attest-ready", "[Manager]\nQuoteServiceUnit=tdx-qgs.service\n");
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_FAILED);
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].summary,
	              "(tdx-qgs.service) has failed");
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].hint,
	              "journalctl -b -u tdx-qgs.service");
	done(m);
}
END_TEST

START_TEST(test_local_pccs_unit) {
	Manager *m = manager_on("attest-local-pccs", NULL);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_ACTIVE);
	manager_set_unit_state(m, MANAGER_UNIT_PCCS, UNIT_INACTIVE);
	ck_assert_int_eq(result(m, CHECK_COLLATERAL_SERVICE), CHECK_WARN);
	ck_assert_has(m->status.checks[CHECK_COLLATERAL_SERVICE].hint,
	              "systemctl enable --now pccs.service");
	/* a collateral warning does not hold attestation back */
	ck_assert(m->status.attestation_ready);
	done(m);
}
END_TEST

START_TEST(test_refresh_rereads_files_not_uevents) {
	Manager *m = manager_on("attest-ready", NULL);

	/* a kernel event's probe does not read the attestation files again */
	sh("rm '%s%s'", root, SOCKET);
	ck_assert_int_eq(manager_probe(m), 0);
	ck_assert(m->status.attestation_ready);

	/* Refresh(): stale, asked again, read with the next probe */
	unsigned stale = rec.n_units_stale;
	manager_attestation_stale(m);
	ck_assert_uint_eq(rec.n_units_stale, stale + 1);
	ck_assert_int_eq(manager_probe(m), 0);
	ck_assert(!m->status.attestation_ready);
	ck_assert_int_eq(result(m, CHECK_QUOTE_SERVICE), CHECK_FAIL);

	/* GetCapabilities(): read now, published when it changed */
	sh(": >'%s%s'", root, SOCKET);
	unsigned n = rec.n_status;
	ck_assert_int_ge(manager_refresh_attestation(m), 0);
	ck_assert_uint_eq(rec.n_units_stale, stale + 2);
	ck_assert(m->status.attestation_ready);
	ck_assert_uint_eq(rec.n_status, n + 1);
	/* nothing changed: nothing published */
	ck_assert_int_ge(manager_refresh_attestation(m), 0);
	ck_assert_uint_eq(rec.n_status, n + 1);
	done(m);
}
END_TEST

START_TEST(test_socket_watch) {
	/* qgsd is active but does not listen yet (a Type=simple service): the socket's
	 * directory is watched, and its appearance is judged without a Refresh */
	Manager *m = manager_on("attest-ready", NULL);
	sh("rm '%s%s'", root, SOCKET);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_ACTIVE);
	ck_assert(!m->status.attestation_ready);
	ck_assert_has(m->status.checks[CHECK_QUOTE_SERVICE].summary, "is active but");
	ck_assert_ptr_nonnull(m->qgs_socket_watch);
	ck_assert_str_eq(m->qgs_socket_watch_dir, under_root(QGS_SOCKET_DIR));

	unsigned n = rec.n_status;
	sh(": >'%s%s'", root, SOCKET);
	run_until_unwatched(m, 16);
	ck_assert_ptr_null(m->qgs_socket_watch);
	ck_assert(m->status.attestation_ready);
	ck_assert_uint_eq(rec.n_status, n + 1);

	/* the service stops: its unit says so, no watch for an inactive unit */
	sh("rm '%s%s'", root, SOCKET);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_INACTIVE);
	ck_assert_ptr_null(m->qgs_socket_watch);
	ck_assert(!m->status.attestation_ready);
	done(m);
}
END_TEST

START_TEST(test_socket_watch_directory_missing) {
	/* the runtime directory is not there yet either: its parent is watched first */
	Manager *m = manager_on("attest-ready", NULL);
	sh("rm -r '%s%s'", root, QGS_SOCKET_DIR);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_ACTIVE);
	ck_assert_ptr_nonnull(m->qgs_socket_watch);
	ck_assert_str_eq(m->qgs_socket_watch_dir, under_root("/var/run"));

	sh("mkdir '%s%s'", root, QGS_SOCKET_DIR);
	for (unsigned i = 0;
	     i < 16 && !streq_ptr(m->qgs_socket_watch_dir, under_root(QGS_SOCKET_DIR)); i++)
		ck_assert_int_ge(sd_event_run(m->event, 60 * 1000000ULL), 0);
	ck_assert_str_eq(m->qgs_socket_watch_dir, under_root(QGS_SOCKET_DIR));
	ck_assert(!m->status.attestation_ready);

	sh(": >'%s%s'", root, SOCKET);
	run_until_unwatched(m, 16);
	ck_assert_ptr_null(m->qgs_socket_watch);
	ck_assert(m->status.attestation_ready);
	done(m);
}
END_TEST

START_TEST(test_vsock_no_watch) {
	/* a vsock listener leaves nothing in the file system: the unit state decides */
	Manager *m = manager_on("attest-qgs-vsock", NULL);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_ACTIVE);
	ck_assert_ptr_null(m->qgs_socket_watch);
	ck_assert(m->status.attestation_ready);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_INACTIVE);
	ck_assert(!m->status.attestation_ready);
	done(m);
}
END_TEST

START_TEST(test_reload_new_unit_forgets_state) {
	Manager *m = manager_on("attest-ready", NULL);
	manager_set_unit_state(m, MANAGER_UNIT_QUOTE, UNIT_INACTIVE);
	ck_assert(!m->status.attestation_ready);
	sh("mkdir -p '%s/etc/tdxd'", root);
	ck_assert_int_ge(write_file_atomic_at(root, "/etc/tdxd/tdxd.conf",
	                                      "[Manager]\nQuoteServiceUnit=tdx-qgs.service\n"),
	                 0);
	unsigned stale = rec.n_units_stale;
	manager_load_config(m);
	ck_assert_str_eq(m->config.quote_service_unit, "tdx-qgs.service");
	ck_assert_int_eq(m->units[MANAGER_UNIT_QUOTE], UNIT_UNKNOWN);
	ck_assert_uint_eq(rec.n_units_stale, stale + 1);
	ck_assert_int_eq(manager_probe(m), 0);
	ck_assert(m->status.attestation_ready);
	done(m);
}
END_TEST

int main(void) {
	Suite *s = suite_create("manager-attestation");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_start_reads_files);
	tcase_add_test(tc, test_unit_state_change_publishes);
	tcase_add_test(tc, test_unit_name_from_config);
	tcase_add_test(tc, test_local_pccs_unit);
	tcase_add_test(tc, test_refresh_rereads_files_not_uevents);
	tcase_add_test(tc, test_socket_watch);
	tcase_add_test(tc, test_socket_watch_directory_missing);
	tcase_add_test(tc, test_vsock_no_watch);
	tcase_add_test(tc, test_reload_new_unit_forgets_state);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
