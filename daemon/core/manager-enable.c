/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Start-up and the enable sequence in the manager (manager.h): the first probe, published as
 * "starting"; the sequence decided on a fresh probe, its module load watched from the event
 * loop (systemd's start timeout extended while it runs), verified on another probe, and its
 * end published (EnableTDX()'s reply, READY=1). */
#include <inttypes.h>
#include <poll.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "macro.h"
#include "manager.h"

/* systemd's start timeout is extended in steps while a module load runs. */
#define EXTEND_FIRST_USEC (3 * 1000000ULL)
#define EXTEND_EVERY_USEC (10 * 1000000ULL)
#define EXTEND_BY_USEC    (30 * 1000000ULL)

static struct enable_facts enable_facts(Manager *m, int probe_error) {
	return (struct enable_facts){
	    .root = m->root,
	    .test_root = m->test_root,
	    .config = &m->config,
	    .probe_error = probe_error,
	    .host = &m->host,
	    .status = &m->status,
	    .progress = &m->enable,
	};
}

static void enable_finish(Manager *m, const struct enable_outcome *o) {
	m->enable_done_source = sd_event_source_disable_unref(m->enable_done_source);
	m->enable_extend_source = sd_event_source_disable_unref(m->enable_extend_source);
	m->enable.running = m->enable.loading = false;
	(void)manager_rederive(m);
	if (m->publisher.enable_finished)
		m->publisher.enable_finished(m->publisher.userdata, o);
	/* READY=1 only now: units ordered after tdxd see the final answer. */
	manager_notify_status(m);
}

static int on_enable_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	Manager *m = userdata;
	struct enable_outcome o;

	enable_sequence_reap(m->sequence);
	/* What the kernel really did, including the log lines it wrote meanwhile. */
	int r = manager_probe(m);
	struct enable_facts f = enable_facts(m, r);
	enable_sequence_verify(m->sequence, &f, &o);
	enable_finish(m, &o);
	return 0;
}

/* Extend systemd's start (or stop) timeout while the load runs; STATUS= says why. */
static void notify_extend(Manager *m, const char *prefix) {
	char line[256];

	enable_sequence_describe(m->sequence, now_usec(), line, sizeof line);
	(void)sd_notifyf(false, "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=%s%s",
	                 (unsigned long long)EXTEND_BY_USEC, prefix, line);
}

static int on_enable_extend(sd_event_source *s, uint64_t usec, void *userdata) {
	notify_extend(userdata, "");
	(void)sd_event_source_set_time_relative(s, EXTEND_EVERY_USEC);
	(void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

static int watch_load(Manager *m) {
	int r = sd_event_add_io(m->event, &m->enable_done_source, enable_sequence_fd(m->sequence),
	                        EPOLLIN, on_enable_done, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(m->enable_done_source, "enable-done");
	r = sd_event_add_time_relative(m->event, &m->enable_extend_source, CLOCK_MONOTONIC,
	                               EXTEND_FIRST_USEC, 0, on_enable_extend, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(m->enable_extend_source, "enable-extend-timeout");
	return 0;
}

int manager_enable(Manager *m) {
	struct enable_outcome o;
	int r;

	if (m->enable.running || m->enable.update_running)
		return -EBUSY; /* no enable while a module update runs */
	if (!m->sequence) {
		r = enable_sequence_new(&m->sequence);
		if (r < 0)
			return r;
	}

	/* A new attempt: what an earlier one concluded no longer holds. State is "starting" from
	 * here on, and manager_notify_status() holds READY=1 back until it ends. The decision is
	 * made on a fresh probe. */
	m->enable =
	    (struct enable_progress){.running = true, .update_failed = m->enable.update_failed};
	r = manager_probe(m);
	struct enable_facts f = enable_facts(m, r);
	r = enable_sequence_begin(m->sequence, &f, &o);
	if (r < 0) {
		m->enable.running = false;
		(void)manager_rederive(m);
		return r;
	}
	if (o.running) {
		m->enable.loading = true;
		(void)manager_rederive(m);
		r = watch_load(m);
		if (r >= 0)
			return 0;
		/* The load runs but its end cannot be seen: wait for it here. */
		log_warning_errno(r, "Failed to watch the module load, waiting for it: %m");
		enable_sequence_reap(m->sequence);
		r = manager_probe(m);
		f = enable_facts(m, r);
		enable_sequence_verify(m->sequence, &f, &o);
	}
	enable_finish(m, &o);
	return 0;
}

int manager_start(Manager *m) {
	/* READY=1 waits for the enable sequence: the first probe is published as "starting";
	 * the sequence's end sends READY=1. */
	m->enable.running = m->config.enable_tdx;
	int r = manager_probe(m);
	m->enable.running = false;
	if (r < 0)
		return r;
	if (m->config.enable_tdx) {
		r = manager_enable(m);
		if (r < 0 && r != -EBUSY)
			log_error_errno(r, "Failed to start enabling TDX: %m");
	}
	manager_notify_status(m);
	return 0;
}

/* A stop (SIGTERM) while the module load runs: init_module cannot be interrupted, and exiting
 * under it would leave nobody to see how it ended. Say so, keep systemd's stop timeout extended
 * while waiting, and leave the verdict to the next start, whose probe reads what the kernel
 * did. */
void manager_stop(Manager *m) {
	char line[256];
	int fd;

	if (!m->sequence || (fd = enable_sequence_fd(m->sequence)) < 0)
		return;
	enable_sequence_describe(m->sequence, now_usec(), line, sizeof line);
	log_info("Stopping once the module load ends (a module's initialization cannot be "
	         "interrupted): %s.",
	         line);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, EXTEND_EVERY_USEC / 1000);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR) {
			log_warning_errno(errno,
			                  "Failed to wait for the module load, joining it: %m");
			break;
		}
		notify_extend(m, "Stopping after: ");
	}
	enable_sequence_reap(m->sequence);
	log_info("The module load has ended; tdxd exits, and its next start reads what the "
	         "kernel did.");
}
