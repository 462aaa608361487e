/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Refresh(): a full probe on demand, at most one per second. A caller inside the window waits
 * for the next probe and shares it, so a change made just before the call is never missed and
 * a storm of callers costs one probe a second. */
#include "bus-internal.h"
#include "macro.h"

#define REFRESH_INTERVAL_USEC 1000000u

static void reply_pending(struct bus_service *s) {
	for (size_t i = 0; i < s->n_pending_refresh; i++) {
		(void)sd_bus_reply_method_return(s->pending_refresh[i], NULL);
		s->pending_refresh[i] = sd_bus_message_unref(s->pending_refresh[i]);
	}
	s->n_pending_refresh = 0;
}

static int on_refresh_timer(sd_event_source *es, uint64_t usec, void *userdata) {
	struct bus_service *s = userdata;
	(void)manager_probe(s->m);
	reply_pending(s);
	return 0;
}

int bus_method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *s = userdata;
	Manager *m = s->m;
	uint64_t now, next;
	int r;

	/* the attestation files are read with the probe that answers, the units asked again */
	manager_attestation_stale(m);
	(void)sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	next = m->last_probe_usec + REFRESH_INTERVAL_USEC;
	if (m->last_probe_usec == 0 || now >= next) {
		r = manager_probe(m);
		if (r < 0)
			return sd_bus_error_set_errnof(error, r, "Failed to read the host: %m");
		return sd_bus_reply_method_return(msg, NULL);
	}

	if (GREEDY_REALLOC(s->pending_refresh, s->n_pending_refresh_alloc,
	                   s->n_pending_refresh + 1) < 0)
		return -ENOMEM;
	s->pending_refresh[s->n_pending_refresh++] = sd_bus_message_ref(msg);
	if (!s->refresh_timer) {
		r = sd_event_add_time(m->event, &s->refresh_timer, CLOCK_MONOTONIC, next, 0,
		                      on_refresh_timer, s);
		if (r < 0)
			return r;
		(void)sd_event_source_set_description(s->refresh_timer, "refresh-ratelimit");
	} else
		(void)sd_event_source_set_time(s->refresh_timer, next);
	(void)sd_event_source_set_enabled(s->refresh_timer, SD_EVENT_ONESHOT);
	return 1;
}

void bus_refresh_done(struct bus_service *s) {
	for (size_t i = 0; i < s->n_pending_refresh; i++)
		sd_bus_message_unref(s->pending_refresh[i]);
	s->pending_refresh = mfree(s->pending_refresh);
	s->n_pending_refresh = s->n_pending_refresh_alloc = 0;
	s->refresh_timer = sd_event_source_disable_unref(s->refresh_timer);
}
