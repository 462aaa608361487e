/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UpdateModule() in the manager: ask the module-update policy, watch its worker from the event
 * loop, and apply what it returns: the call's answer when the kernel took the image, a probe
 * (the version and metadata, the kernel prints nothing on success) and ModuleUpdateFinished at
 * the end. No concurrent enable sequence and update. */
#include <inttypes.h>

#include "log.h"
#include "macro.h"
#include "manager.h"

static void update_end(Manager *m, struct module_update_outcome *o) {
	m->update_source = sd_event_source_disable_unref(m->update_source);
	m->enable.update_running = false;
	if (o->error != MODULE_UPDATE_ERROR_NONE) {
		/* The kernel never had the image: the call's error is the whole answer. */
		log_warning("UpdateModule(): %s", o->message);
		if (m->publisher.module_update_accepted)
			m->publisher.module_update_accepted(m->publisher.userdata, o);
		(void)manager_probe(m);
		return;
	}
	m->enable.update_failed = o->errnum != 0;
	(void)manager_probe(m);
	module_update_conclude(m->update, &m->status, o);
	if (m->publisher.module_update_finished)
		m->publisher.module_update_finished(m->publisher.userdata, o);
}

static int on_update_event(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	Manager *m = userdata;
	struct module_update_outcome o;

	module_update_poll(m->update, &o);
	if (o.accepted && m->publisher.module_update_accepted) {
		struct module_update_outcome ok = {.running = true, .accepted = true};
		m->publisher.module_update_accepted(m->publisher.userdata, &ok);
	}
	if (o.phase && !o.finished)
		log_debug("TDX module update: %s, %" PRIu64 " of %" PRIu64 " bytes left", o.phase,
		          o.remaining, o.total);
	if (o.finished)
		update_end(m, &o);
	return 0;
}

int manager_update_module(Manager *m, int fd, const char *who, struct module_update_outcome *ret) {
	int r;

	if (!m->update) {
		r = module_update_new(&m->update);
		if (r < 0)
			return r;
	}
	struct module_update_facts f = {
	    .root = m->root,
	    .host = &m->host,
	    .status = &m->status,
	    .enable_running = m->enable.running,
	    .who = who,
	};
	r = module_update_begin(m->update, &f, fd, ret);
	if (r < 0 || !ret->running)
		return r == -EBUSY ? 0 : r;

	r = sd_event_add_io(m->event, &m->update_source, module_update_fd(m->update), EPOLLIN,
	                    on_update_event, m);
	if (r < 0) {
		/* The worker runs but cannot be watched: stop following (before the hand-off
		 * this aborts the upload) and say so. */
		log_error_errno(r, "Failed to watch the module update: %m");
		manager_update_stop(m);
		*ret = (struct module_update_outcome){.error = MODULE_UPDATE_ERROR_FAILED,
		                                      .errnum = r};
		textf(ret->message, sizeof ret->message, false,
		      "Failed to watch the module update: %s.", strerror(-r));
		return 0;
	}
	(void)sd_event_source_set_description(m->update_source, "module-update");
	m->enable.update_running = true;
	(void)manager_probe(m); /* ModuleUpdate: running */
	return 0;
}
