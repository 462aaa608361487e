/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Refresh(): a full probe on demand, run off the loop (the manager's probe worker), so other
 * callers are answered while it reads the host. Each call waits for a probe that starts after
 * it, so a change made just before the call is never missed; at most one probe a second is
 * started for callers, and those inside the window share the next one. */
#include "bus-internal.h"
#include "macro.h"

#define REFRESH_INTERVAL_USEC 1000000u

struct pending_refresh {
	sd_bus_message *call;
	uint64_t probe; /* the probe that answers it; 0: not started yet (the rate limit) */
};

void bus_refresh_answer(struct bus_service *s) {
	Manager *m = s->m;
	size_t kept = 0;

	for (size_t i = 0; i < s->n_pending_refresh; i++) {
		struct pending_refresh *p = &s->pending_refresh[i];
		if (p->probe == 0 || p->probe > m->probe_done) {
			s->pending_refresh[kept++] = *p;
			continue;
		}
		if (m->probe_error < 0)
			(void)sd_bus_reply_method_errnof(p->call, m->probe_error,
			                                 "Failed to read the host: %m");
		else
			(void)sd_bus_reply_method_return(p->call, NULL);
		sd_bus_message_unref(p->call);
	}
	s->n_pending_refresh = kept;
}

static int on_refresh_timer(sd_event_source *es, uint64_t usec, void *userdata) {
	struct bus_service *s = userdata;
	uint64_t probe = manager_probe_async(s->m);

	for (size_t i = 0; i < s->n_pending_refresh; i++)
		if (s->pending_refresh[i].probe == 0)
			s->pending_refresh[i].probe = probe;
	bus_refresh_answer(s); /* when it probed at once */
	return 0;
}

int bus_method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *s = userdata;
	Manager *m = s->m;
	uint64_t now, next, probe = 0;
	int r;

	if (GREEDY_REALLOC(s->pending_refresh, s->n_pending_refresh_alloc,
	                   s->n_pending_refresh + 1) < 0)
		return -ENOMEM;

	/* the attestation files are read with the probe that answers, the units asked again */
	manager_attestation_stale(m);
	(void)sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	next = m->last_probe_usec + REFRESH_INTERVAL_USEC;
	if (m->last_probe_usec == 0 || now >= next)
		probe = manager_probe_async(m);

	s->pending_refresh[s->n_pending_refresh++] = (struct pending_refresh){
	    .call = sd_bus_message_ref(msg),
	    .probe = probe,
	};
	if (probe != 0) {
		bus_refresh_answer(s); /* when it probed at once */
		return 1;
	}

	if (!s->refresh_timer) {
		r = sd_event_add_time(m->event, &s->refresh_timer, CLOCK_MONOTONIC, next, 0,
		                      on_refresh_timer, s);
		if (r < 0) {
			s->n_pending_refresh--;
			sd_bus_message_unref(msg);
			return r;
		}
		(void)sd_event_source_set_description(s->refresh_timer, "refresh-ratelimit");
	} else
		(void)sd_event_source_set_time(s->refresh_timer, next);
	(void)sd_event_source_set_enabled(s->refresh_timer, SD_EVENT_ONESHOT);
	return 1;
}

void bus_refresh_done(struct bus_service *s) {
	for (size_t i = 0; i < s->n_pending_refresh; i++)
		sd_bus_message_unref(s->pending_refresh[i].call);
	s->pending_refresh = mfree(s->pending_refresh);
	s->n_pending_refresh = s->n_pending_refresh_alloc = 0;
	s->refresh_timer = sd_event_source_disable_unref(s->refresh_timer);
}
