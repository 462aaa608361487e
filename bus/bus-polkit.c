/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Authorization of the methods that change the host (docs/readiness.md, *Authorization*),
 * as systemd's own daemons do it: root always, anyone else when polkit says so. polkit is
 * asked over the bus (org.freedesktop.PolicyKit1.Authority.CheckAuthorization), without
 * libpolkit, and asynchronously: the method call waits, and is dispatched again once polkit
 * has answered, when bus_verify_polkit() finds the answer. Without polkit on the bus, only
 * root. */
#include "bus-internal.h"
#include "log.h"
#include "macro.h"

#define POLKIT_NAME      "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorizationFlags: AllowUserInteraction */
#define POLKIT_ALLOW_USER_INTERACTION 1u

struct polkit_query {
	struct bus_service *service;
	sd_bus_message *request; /* the method call that waits */
	sd_bus_slot *slot;       /* the CheckAuthorization call in flight */
	char action[64];
	bool done;
	bool authorized, challenge, absent;
	int error; /* polkit failed (not: said no) */
	struct polkit_query *next;
};

static void query_free(struct polkit_query *q) {
	sd_bus_slot_unref(q->slot);
	sd_bus_message_unref(q->request);
	free(q);
}

static void query_unlink(struct bus_service *s, struct polkit_query *q) {
	for (struct polkit_query **p = &s->polkit_queries; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			return;
		}
}

void bus_polkit_done(struct bus_service *s) {
	while (s->polkit_queries) {
		struct polkit_query *q = s->polkit_queries;
		s->polkit_queries = q->next;
		query_free(q);
	}
}

static int on_check_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
	struct polkit_query *q = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0, r;

	q->slot = sd_bus_slot_unref(q->slot);
	q->done = true;
	if (e) {
		/* no polkit on this bus: root only, as before polkit was asked */
		q->absent = sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		            sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
		if (!q->absent) {
			q->error = -EACCES;
			log_warning("polkit failed to answer for %s: %s", q->action,
			            e->message ?: e->name);
		}
	} else {
		r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
		if (r >= 0)
			r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
		if (r < 0) {
			q->error = r;
			log_warning_errno(r, "polkit's answer for %s is malformed: %m", q->action);
		}
		q->authorized = authorized;
		q->challenge = challenge;
	}

	/* Run the method again: it finds this answer (a failure to requeue refuses it). */
	r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->request), q->request);
	if (r < 0) {
		log_warning_errno(r, "Failed to dispatch %s again after polkit answered: %m",
		                  sd_bus_message_get_member(q->request));
		(void)sd_bus_reply_method_errorf(q->request, SD_BUS_ERROR_ACCESS_DENIED,
		                                 "Authorization could not be completed.");
		query_unlink(q->service, q);
		query_free(q);
	}
	return 0;
}

static int caller_uid(sd_bus_message *m, uid_t *ret) {
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	/* The uid comes from the bus (SO_PEERCRED at connect time), not from /proc, which
	 * could be racy. */
	int r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID, &creds);
	if (r < 0)
		return r;
	r = sd_bus_creds_get_euid(creds, ret);
	if (r < 0 || (sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_EUID))
		r = sd_bus_creds_get_uid(creds, ret);
	if (r < 0 || (sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_UID))
		return -ENODATA;
	return 0;
}

int bus_verify_polkit(struct bus_service *s, sd_bus_message *call, const char *action,
                      const char *what, sd_bus_error *error) {
	uid_t uid;
	int r = caller_uid(call, &uid);
	if (r < 0)
		return sd_bus_error_setf(
		    error, SD_BUS_ERROR_ACCESS_DENIED,
		    "%s requires root or authorization for the polkit action %s, "
		    "and the caller's user could not be determined.",
		    what, action);
	if (uid == 0)
		return 1;

	/* polkit answered already: this is the call dispatched again */
	for (struct polkit_query *q = s->polkit_queries; q; q = q->next) {
		if (q->request != call || !q->done)
			continue;
		query_unlink(s, q);
		bool authorized = q->authorized, challenge = q->challenge, absent = q->absent;
		int err = q->error;
		query_free(q);
		if (authorized)
			return 1;
		if (absent)
			return sd_bus_error_setf(
			    error, SD_BUS_ERROR_ACCESS_DENIED,
			    "%s changes the host and requires root (caller uid %u; "
			    "polkit is not running, so the polkit action %s cannot "
			    "be granted); run it with sudo.",
			    what, (unsigned)uid, action);
		if (challenge)
			return sd_bus_error_setf(
			    error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
			    "%s needs an administrator's authentication for the "
			    "polkit action %s; run it on a terminal (tdxctl asks "
			    "for the password) or with sudo.",
			    what, action);
		if (err < 0)
			return sd_bus_error_setf(
			    error, SD_BUS_ERROR_ACCESS_DENIED,
			    "%s requires root or authorization for the polkit action "
			    "%s, and polkit could not be asked; run it with sudo.",
			    what, action);
		return sd_bus_error_setf(
		    error, SD_BUS_ERROR_ACCESS_DENIED,
		    "%s requires root or authorization for the polkit action %s "
		    "(caller uid %u is not authorized); run it with sudo, or ask "
		    "an administrator to grant that action.",
		    what, action, (unsigned)uid);
	}

	struct polkit_query *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->service = s;
	textf(q->action, sizeof q->action, false, "%s", action);
	uint32_t flags = sd_bus_message_get_allow_interactive_authorization(call) > 0
	                     ? POLKIT_ALLOW_USER_INTERACTION
	                     : 0;
	r = sd_bus_call_method_async(s->bus, &q->slot, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
	                             "CheckAuthorization", on_check_reply, q, "(sa{sv})sa{ss}us",
	                             "system-bus-name", 1, "name", "s",
	                             sd_bus_message_get_sender(call), action, 0, flags, "");
	if (r < 0) {
		free(q);
		return r;
	}
	q->request = sd_bus_message_ref(call);
	q->next = s->polkit_queries;
	s->polkit_queries = q;
	return 0;
}
