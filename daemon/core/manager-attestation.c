/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's side of the attestation checks (docs/readiness.md, *Attestation checks*): when
 * the files are read (start, Refresh, GetCapabilities, a unit state change; never on a kernel
 * event: the EFI variables are firmware calls), the unit states systemd reports through the
 * bus service, and the watch on the Quote Generation Service's socket directory. A Type=simple
 * service is active before it listens, so while its unit is active and the socket is missing
 * the directory is watched and the checks are judged again when the socket appears. */
#include <libgen.h>
#include <sys/inotify.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

static const char *unit_name(Manager *m, enum manager_unit u) {
	return u == MANAGER_UNIT_QUOTE ? m->config.quote_service_unit : PCCS_UNIT;
}

void manager_attestation_stale(Manager *m) {
	m->attestation_stale = true;
	if (m->publisher.units_stale)
		m->publisher.units_stale(m->publisher.userdata);
}

/* Read the files again with the last probe's host facts; derive and publish when they
 * changed (or `force`). */
static int reread(Manager *m, bool force) {
	struct attestation_facts f;
	int r;

	if (!m->have_status) {
		/* nothing probed yet: the first probe reads them */
		m->attestation_stale = true;
		return 0;
	}
	r = attestation_probe(&m->host, &f);
	if (r < 0)
		return log_warning_errno(r, "Failed to read the attestation files: %m");
	if (!force && !m->attestation_stale && memcmp(&f, &m->attestation, sizeof(f)) == 0)
		return 0;
	m->attestation = f;
	m->attestation_stale = false;
	return manager_rederive(m);
}

int manager_refresh_attestation(Manager *m) {
	if (m->publisher.units_stale)
		m->publisher.units_stale(m->publisher.userdata);
	return reread(m, false);
}

void manager_set_unit_state(Manager *m, enum manager_unit u, enum unit_state st) {
	if (u < 0 || u >= _MANAGER_UNIT_MAX || m->units[u] == st)
		return;
	log_debug("%s is %s (was %s).", unit_name(m, u), unit_state_to_string(st),
	          unit_state_to_string(m->units[u]));
	m->units[u] = st;
	/* a service that starts or stops changes its socket: read the files with the state */
	(void)reread(m, true);
}

/* ---- the socket directory watch ---- */

static void drop_watch(Manager *m) {
	m->qgs_socket_watch = sd_event_source_disable_unref(m->qgs_socket_watch);
	m->qgs_socket_watch_dir = mfree(m->qgs_socket_watch_dir);
}

static bool want_watch(Manager *m) {
	const struct attestation_facts *f = &m->attestation;
	return m->event && m->units[MANAGER_UNIT_QUOTE] == UNIT_ACTIVE && f->qgs_conf_error == 0 &&
	       f->qgs.transport == QGS_TRANSPORT_UNIX && f->qgs_socket == NODE_MISSING;
}

static void update_watch(Manager *m);

static int on_socket_dir(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
	Manager *m = userdata;

	/* the directory went away (the service stopped and its RuntimeDirectory with it): the
	 * watch is gone with it, and update_watch() picks a new one if still wanted */
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
		drop_watch(m);
	(void)reread(m, false);
	update_watch(m);
	return 0;
}

static void update_watch(Manager *m) {
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!want_watch(m)) {
		if (m->qgs_socket_watch)
			log_debug("No longer watching for %s.", QGS_SOCKET_PATH);
		drop_watch(m);
		return;
	}
	/* the socket's directory, or its parent while the directory does not exist yet */
	dir = root_path(m->root, QGS_SOCKET_DIR);
	if (!dir)
		return;
	if (!is_dir_at("/", dir)) {
		char *parent = dirname(dir);
		memmove(dir, parent, strlen(parent) + 1);
	}
	if (m->qgs_socket_watch && streq_ptr(m->qgs_socket_watch_dir, dir))
		return;
	drop_watch(m);
	r = sd_event_add_inotify(m->event, &m->qgs_socket_watch, dir,
	                         IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
	                             IN_MOVE_SELF | IN_ONLYDIR,
	                         on_socket_dir, m);
	if (r < 0) {
		log_warning_errno(r,
		                  "Failed to watch %s for the Quote Generation Service's socket, "
		                  "it is seen at the next Refresh(): %m",
		                  dir);
		return;
	}
	(void)sd_event_source_set_description(m->qgs_socket_watch, "qgs-socket-watch");
	m->qgs_socket_watch_dir = TAKE_PTR(dir);
	log_debug("%s is active but %s does not exist: watching %s.", m->config.quote_service_unit,
	          QGS_SOCKET_PATH, m->qgs_socket_watch_dir);
}

void manager_complete_attestation(Manager *m, struct tdx_status *s) {
	attestation_complete(s, &m->attestation, m->config.quote_service_unit,
	                     m->units[MANAGER_UNIT_QUOTE], m->units[MANAGER_UNIT_PCCS]);
	update_watch(m);
}

void manager_attestation_done(Manager *m) {
	drop_watch(m);
}
