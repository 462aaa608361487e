/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager (manager.h): probe, derive, publish; the requests that change the host, each of
 * which asks a policy and applies the outcome it returns; the attestation facts and unit
 * states. Kernel events are handled in manager-events.c, start-up and the enable sequence in
 * manager-enable.c, UpdateModule() in manager-update.c: each calls down into this file. */
#include <inttypes.h>
#include <libgen.h>
#include <sys/epoll.h>
#include <sys/inotify.h>

#include <systemd/sd-daemon.h>

#include "capabilities.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "uevent-source.h"

int manager_new(Manager **ret) {
	Manager *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	config_defaults(&m->config);
	m->attestation_stale = true; /* read at the first probe */
	m->usage_fd = -1;
	*ret = m;
	return 0;
}

Manager *manager_free(Manager *m) {
	if (!m)
		return NULL;
	/* A module load cannot be interrupted: this waits for it. */
	m->sequence = enable_sequence_free(m->sequence);
	manager_update_stop(m);
	m->enable_done_source = sd_event_source_disable_unref(m->enable_done_source);
	m->enable_extend_source = sd_event_source_disable_unref(m->enable_extend_source);
	manager_gate_stop(m);
	memory_gate_free(&m->gate);
	m->uevents = uevent_source_free(m->uevents);
	m->deferred_probe = sd_event_source_disable_unref(m->deferred_probe);
	m->probe_source = sd_event_source_disable_unref(m->probe_source);
	m->prober = probe_worker_free(m->prober); /* joins a running probe */
	manager_attestation_done(m);
	sd_event_unref(m->event);
	tdx_status_done(&m->status);
	tdx_host_done(&m->host);
	run_files_done(&m->saved);
	if (m->usage_fd >= 0)
		(void)close(m->usage_fd);
	free(m->root);
	free(m->config_path);
	free(m);
	return NULL;
}

void manager_load_config(Manager *m) {
	char **problems = NULL;
	size_t n = 0;
	struct tdxd_config c;

	config_defaults(&c);
	int r = config_load(m->config_path, &c, &problems, &n);
	if (r == -ENOENT && !m->config_path_explicit)
		log_debug("No %s, using defaults.", m->config_path);
	else if (r < 0)
		log_error_errno(r, "Failed to read %s, using defaults: %m", m->config_path);
	for (size_t i = 0; i < n; i++) {
		log_warning("%s", problems[i]);
		free(problems[i]);
	}
	free(problems);
	if (m->have_status && !streq(c.kvm_module, m->config.kvm_module)) {
		log_warning("KVMModule changed from %s to %s: restart tdxd for it to take effect.",
		            m->config.kvm_module, c.kvm_module);
		strcpy(c.kvm_module, m->config.kvm_module);
	}
	bool unit_changed = !streq(c.quote_service_unit, m->config.quote_service_unit);
	m->config = c;
	if (unit_changed && m->have_status) {
		/* the old unit's state says nothing about the new one */
		m->units[MANAGER_UNIT_QUOTE] = UNIT_UNKNOWN;
		manager_attestation_stale(m);
	}
}

/* ---- probe, derive, publish ---- */

static int derive(Manager *m, struct tdx_status *ret) {
	struct status_policy p = {
	    .cpu_guard = m->config.cpu_guard,
	    .memory_gate = m->config.memory_gate,
	    .kvm_module = m->config.kvm_module,
	    .minimum_module_version = m->config.minimum_module_version[0]
	                                  ? &m->config.minimum_module_version_parsed
	                                  : NULL,
	};
	int r = status_derive(&m->host, &p, &m->enable, ret);
	if (r >= 0)
		manager_complete_attestation(m, ret);
	return r;
}

/* Derive the status from the current probe and publish what changed: the publisher, the
 * /run/tdxd files, systemd's STATUS=. */
int manager_rederive(Manager *m) {
	struct tdx_status s = {0};
	int r = derive(m, &s);
	if (r < 0)
		return log_error_errno(r, "Failed to derive the TDX state: %m");

	/* The first time the module is seen initialized, the memory present is recorded as the
	 * TDX memory; the tdx-memory check reads that record, so derive once more with it. */
	if (memory_gate_record_tdx_memory(&m->gate, m->root, &m->host, &s) > 0) {
		tdx_status_done(&s);
		r = derive(m, &s);
		if (r < 0)
			return log_error_errno(r, "Failed to derive the TDX state: %m");
	}

	bool had_status = m->have_status;
	bool state_changed = !had_status || m->status.state != s.state;
	struct tdx_status old = {0};
	tdx_status_move(&old, &m->status);
	tdx_status_move(&m->status, &s);
	m->have_status = true;

	if (state_changed)
		log_info("TDX state: %s: %s", tdx_state_to_string(m->status.state),
		         m->status.reason);

	/* The memory gate decides on what this derivation knows (the CMRs, the recorded TDX
	 * memory); dax devices present are judged again when that basis changed. */
	memory_gate_done(&m->gate);
	r = memory_gate_prepare(&m->gate, &m->host, &m->status, m->config.memory_gate);
	if (r < 0)
		log_warning_errno(r, "Failed to prepare the memory gate: %m");
	else {
		struct memory_gate_outcome o = {0};
		memory_gate_judge_present_dax(&m->gate, &m->host, &o);
		manager_apply_memory_outcome(m, &o);
	}

	if (had_status && m->publisher.status_changed)
		m->publisher.status_changed(m->publisher.userdata, &old, &m->status);
	tdx_status_done(&old);

	run_files_save(&m->saved, m->root, &m->config, &m->host, &m->status);
	run_files_save_metrics(&m->saved, m->root, &m->config, &m->status, &m->counters);
	manager_notify_status(m);
	return 0;
}

static struct probe_options probe_options_of(const Manager *m) {
	return (struct probe_options){
	    .kvm_module = m->config.kvm_module,
	    .use_journal = !m->test_root,
	};
}

/* A probe numbered seq has ended with r: publish what it read, and say it is done. */
static int probe_finish(Manager *m, uint64_t seq, int r, struct tdx_host *h) {
	if (r < 0)
		log_error_errno(r, "Failed to read the host's TDX state: %m");
	else {
		/* Say each malformed kernel file once, not on every re-probe. */
		for (size_t i = 0; i < h->n_warnings; i++) {
			bool seen = false;
			for (size_t j = 0; j < m->host.n_warnings && !seen; j++)
				seen = streq(h->warnings[i], m->host.warnings[j]);
			if (!seen)
				log_warning("%s", h->warnings[i]);
		}

		/* What the enable sequence learnt from /dev/kvm survives a re-probe of sysfs. */
		h->kvm_dev_asked = m->host.kvm_dev_asked;
		h->kvm_vm_types_tdx = m->host.kvm_vm_types_tdx;
		h->kvm_td_max_vcpus = m->host.kvm_td_max_vcpus;
		h->kvm.modinfo_has_tdx = m->host.root ? m->host.kvm.modinfo_has_tdx : -1;

		tdx_host_done(&m->host);
		m->host = *h;
		*h = (struct tdx_host){0};
		m->last_probe_usec = now_usec();
		if (m->attestation_stale) {
			int k = attestation_probe(&m->host, &m->attestation);
			if (k < 0)
				log_warning_errno(k, "Failed to read the attestation files: %m");
			else
				m->attestation_stale = false;
		}
		r = manager_rederive(m);
	}

	if (seq > m->probe_done)
		m->probe_done = seq;
	m->probe_error = r;
	if (m->publisher.probe_done)
		m->publisher.probe_done(m->publisher.userdata);
	return r;
}

int manager_probe(Manager *m) {
	struct tdx_host h = {0};
	struct probe_options o = probe_options_of(m);
	uint64_t seq = ++m->probe_started;

	int r = probe_host(m->root, &o, &h);
	return probe_finish(m, seq, r, &h);
}

static int on_probe_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	Manager *m = userdata;
	struct tdx_host h;
	uint64_t seq = m->probe_worker_seq;

	int r = probe_worker_reap(m->prober, &h);
	if (r == -ECHILD)
		return 0; /* nothing ran */
	if (r >= 0 && seq <= m->probe_done)
		/* a newer probe (the enable sequence's, a reload's) was published meanwhile */
		tdx_host_done(&h);
	else
		(void)probe_finish(m, seq, r, &h);

	if (m->probe_again) {
		m->probe_again = false;
		(void)manager_probe_async(m);
	}
	return 0;
}

/* The worker and the watch on its eventfd, made once: the eventfd is readable only between a
 * probe's end and its reap, so the watch stays on. */
static int prober_new(Manager *m) {
	int r = probe_worker_new(m->root, m->probe_gate, &m->prober);
	if (r < 0)
		return r;
	r = sd_event_add_io(m->event, &m->probe_source, probe_worker_fd(m->prober), EPOLLIN,
	                    on_probe_done, m);
	if (r < 0) {
		m->prober = probe_worker_free(m->prober);
		return r;
	}
	(void)sd_event_source_set_description(m->probe_source, "probe-worker");
	return 0;
}

uint64_t manager_probe_async(Manager *m) {
	if (probe_worker_running(m->prober)) {
		m->probe_again = true;
		return m->probe_started + 1;
	}
	if (m->event) {
		struct probe_options o = probe_options_of(m);
		int r = m->prober ? 0 : prober_new(m);
		if (r >= 0)
			r = probe_worker_start(m->prober, &o);
		if (r >= 0)
			return m->probe_worker_seq = ++m->probe_started;
		log_warning_errno(r, "Failed to start a probe off the loop, probing now: %m");
	}
	(void)manager_probe(m);
	return m->probe_started;
}

static void usage_close(Manager *m) {
	if (m->usage_fd >= 0)
		(void)close(m->usage_fd);
	m->usage_fd = -1;
}

int manager_refresh_usage(Manager *m) {
	/* No misc cgroup at the last probe: nothing to read until a probe finds one. */
	const char *path = misc_current_path(&m->host.misc);
	bool known = false;
	uint32_t current = 0;
	int r = 0;

	if (!path)
		return 0;
	if (path != m->usage_path)
		usage_close(m);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (m->usage_fd < 0) {
			r = misc_usage_open(m->root, path, &m->usage_replaceable);
			if (r == -ENOENT) {
				/* gone since the probe: no answer, as a probe would find */
				r = 0;
				known = false;
				break;
			}
			if (r < 0)
				return r;
			m->usage_fd = r;
			m->usage_path = path;
		}
		r = misc_usage_read(m->usage_fd, m->usage_replaceable, &known, &current);
		if (r != -ESTALE)
			break;
		usage_close(m);
	}
	if (r < 0)
		return r;
	if (known == m->host.misc.current_known && current == m->host.misc.current)
		return 0;
	m->host.misc.current_known = known;
	m->host.misc.current = current;
	m->host.misc.current_source = known ? path : NULL;
	return manager_rederive(m);
}

void manager_notify_status(Manager *m) {
	char line[CHECK_TEXT_MAX + 64];
	const struct tdx_status *s = &m->status;

	if (!m->have_status)
		return;
	switch (s->state) {
	case TDX_STATE_READY:
	case TDX_STATE_DEGRADED:
		if (s->total_keyids_known)
			snprintf(line, sizeof line,
			         "TDX %s: %" PRIu32 "/%" PRIu32 " KeyIDs free, max %" PRIu32
			         " vCPUs per TD",
			         tdx_state_to_string(s->state),
			         s->total_keyids - (s->used_keyids > s->total_keyids
			                                ? s->total_keyids
			                                : s->used_keyids),
			         s->total_keyids, s->max_vcpus);
		else
			snprintf(line, sizeof line, "TDX %s: max %" PRIu32 " vCPUs per TD",
			         tdx_state_to_string(s->state), s->max_vcpus);
		break;
	default:
		snprintf(line, sizeof line, "TDX %s: %s", tdx_state_to_string(s->state), s->reason);
	}

	if (s->state == TDX_STATE_STARTING || m->enable.running) {
		(void)sd_notifyf(false, "STATUS=%s", line);
		return;
	}
	(void)sd_notifyf(false, "%sSTATUS=%s", m->ready_notified ? "" : "READY=1\n", line);
	m->ready_notified = true;
}

/* How long a burst of kernel events may run before the checks are brought up to date. */
#define DEFERRED_PROBE_USEC 200000u
/* Blocks of one hot-add arrive as a burst of events (512 for a 64 GiB device): the journal
 * line for the run is written once the burst has been quiet this long. */
#define GATE_FLUSH_DELAY_USEC 200000u

/* ---- one probe per burst ---- */

static int on_deferred_probe(sd_event_source *s, uint64_t usec, void *userdata) {
	(void)manager_probe_async(userdata);
	return 0;
}

void manager_schedule_probe(Manager *m) {
	uint64_t now;
	int r;

	if (!m->event || sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0) {
		(void)manager_probe(m);
		return;
	}
	if (m->deferred_probe) {
		/* already pending: keep the first deadline so a steady stream cannot starve it */
		if (sd_event_source_get_enabled(m->deferred_probe, NULL) > 0)
			return;
		r = sd_event_source_set_time(m->deferred_probe, now + DEFERRED_PROBE_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(m->deferred_probe, SD_EVENT_ONESHOT);
	} else
		r = sd_event_add_time(m->event, &m->deferred_probe, CLOCK_MONOTONIC,
		                      now + DEFERRED_PROBE_USEC, 0, on_deferred_probe, m);
	if (r < 0) {
		log_warning_errno(r, "Failed to schedule a re-probe, probing now: %m");
		(void)manager_probe(m);
	}
}

/* ---- the memory gate's timers ---- */

static int on_gate_flush(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	/* Only the journal line: the blocks' new states reach the checks through the deferred
	 * probe every block event schedules (a probe here too made two per burst). */
	memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	return 0;
}

static int on_gate_retry(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	struct memory_gate_outcome o = {0};
	memory_gate_retry(&m->gate, m->root, &o);
	manager_apply_memory_outcome(m, &o);
	return 0;
}

/* (Re)arm a one-shot timer `delay` from now, creating it on first use. */
static int arm_timer(Manager *m, sd_event_source **s, uint64_t delay,
                     sd_event_time_handler_t handler, const char *description) {
	int r;
	if (!*s) {
		r = sd_event_add_time_relative(m->event, s, CLOCK_MONOTONIC, delay, 0, handler, m);
		if (r < 0)
			return r;
		(void)sd_event_source_set_description(*s, description);
		return 0;
	}
	r = sd_event_source_set_time_relative(*s, delay);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(*s, SD_EVENT_ONESHOT);
}

void manager_apply_memory_outcome(Manager *m, struct memory_gate_outcome *o) {
	int r;

	for (size_t i = 0; i < o->n_refused; i++) {
		m->counters.memory_refused_total++;
		if (m->publisher.memory_refused)
			m->publisher.memory_refused(m->publisher.userdata, &o->refused[i]);
	}
	if (o->n_refused > 0 && m->have_status)
		run_files_save_metrics(&m->saved, m->root, &m->config, &m->status, &m->counters);

	if (o->log_pending) {
		/* every event of the burst pushes the line back */
		r = m->event ? arm_timer(m, &m->gate_flush_timer, GATE_FLUSH_DELAY_USEC,
		                         on_gate_flush, "memory-gate-flush")
		             : -ENXIO;
		if (r < 0)
			memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	}
	if (o->retry) {
		bool armed = m->gate_retry_timer &&
		             sd_event_source_get_enabled(m->gate_retry_timer, NULL) > 0;
		r = armed || !m->event
		        ? 0
		        : arm_timer(m, &m->gate_retry_timer, memory_gate_retry_delay(&m->gate),
		                    on_gate_retry, "memory-gate-retry");
		if (r < 0)
			log_warning_errno(r, "Failed to set up the memory gate's retry timer: %m");
	}
	if (o->reprobe)
		manager_schedule_probe(m);
	memory_gate_outcome_done(o);
}

void manager_gate_stop(Manager *m) {
	/* the run acted on last is still owed its journal line */
	memory_gate_log_flush(&m->gate, m->config.memory_online_type);
	m->gate_flush_timer = sd_event_source_disable_unref(m->gate_flush_timer);
	m->gate_retry_timer = sd_event_source_disable_unref(m->gate_retry_timer);
}

/* ---- the module update ---- */

void manager_update_stop(Manager *m) {
	m->update_source = sd_event_source_disable_unref(m->update_source);
	/* joins the worker: the kernel finishes an update it took on its own */
	m->update = module_update_free(m->update);
}

/* ---- attestation (docs/readiness.md, *Attestation checks*) ----
 * When the files are read (start, Refresh, GetCapabilities, a unit state change; never on a
 * kernel event: the EFI variables are firmware calls), the unit states systemd reports through
 * the bus service, and the watch on the Quote Generation Service's socket directory. A
 * Type=simple service is active before it listens, so while its unit is active and the socket
 * is missing the directory is watched and the checks are judged again when the socket appears. */

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

/* ---- requests ---- */

struct cpu_guard_facts manager_guard_facts(Manager *m) {
	return (struct cpu_guard_facts){
	    .root = m->root,
	    .mode = m->config.cpu_guard,
	    .host = &m->host,
	    .status = &m->status,
	};
}

void manager_apply_guard_outcome(Manager *m, const struct cpu_guard_outcome *o) {
	if (o->signal) {
		m->counters.cpu_offline_blocked_total++;
		if (m->publisher.cpu_offline_blocked)
			m->publisher.cpu_offline_blocked(m->publisher.userdata, o->cpu, o->package,
			                                 cpu_guard_action_to_string(o->action));
		run_files_save_metrics(&m->saved, m->root, &m->config, &m->status, &m->counters);
	}
	if (o->reprobe)
		(void)manager_probe(m);
}

int manager_offline_cpu(Manager *m, unsigned cpu, const char *who, struct cpu_guard_outcome *ret) {
	/* Whether TDs exist decides the message (and what the kernel will do): read it fresh. */
	(void)manager_refresh_usage(m);
	struct cpu_guard_facts f = manager_guard_facts(m);
	int r = cpu_guard_offline(&f, cpu, who, ret);
	if (ret->reprobe && ret->error == CPU_GUARD_ERROR_NONE) {
		/* its kernel offline event follows: expected, and in warn mode signalled here */
		m->cpu_guard_offline_pending = true;
		m->cpu_guard_offline_cpu = cpu;
	}
	manager_apply_guard_outcome(m, ret);
	return r;
}

int manager_get_capabilities(Manager *m, char **ret) {
	struct host_identity id;

	(void)manager_refresh_usage(m);
	host_identity_of(&m->host, &id);
	*ret = capabilities_to_string(&m->status, &id, false);
	return *ret ? 0 : -ENOMEM;
}

int manager_check_cpu_offline(Manager *m, unsigned cpu, struct cpu_verdict *ret) {
	/* Whether TDs exist now (the kernel's own EBUSY) is part of the answer: read it fresh. */
	(void)manager_refresh_usage(m);
	return cpu_guard_decide(&m->host, &m->status, m->config.cpu_guard, cpu, ret);
}

int manager_check_memory_range(Manager *m, uint64_t address, uint64_t size,
                               struct memory_verdict *ret) {
	return memory_gate_decide(&m->gate, address, size, ret);
}
