/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The states of the two systemd units the attestation checks judge (QuoteServiceUnit= and
 * pccs.service), asked from systemd over D-Bus and followed as they change: Subscribe() so
 * systemd sends unit signals, LoadUnit(name) for the unit's object path, a match on that
 * path's PropertiesChanged, and Properties.GetAll for LoadState and ActiveState. Every call is
 * asynchronous (the daemon's loop never waits for systemd), nothing polls, nothing runs a
 * subprocess. Each answer goes to manager_set_unit_state(), which judges again and publishes.
 * Not used under --root: there the files alone are judged. */
#include "bus-internal.h"
#include "log.h"
#include "macro.h"

#define SYSTEMD_NAME      "org.freedesktop.systemd1"
#define SYSTEMD_PATH      "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER   "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT      "org.freedesktop.systemd1.Unit"
#define PROPERTIES_IFACE  "org.freedesktop.DBus.Properties"
#define STATE_STRING_SIZE 32

struct unit_watch {
	struct bus_systemd *owner;
	enum manager_unit which;
	char *name;                        /* the unit followed */
	char *path;                        /* its object path, from LoadUnit */
	sd_bus_slot *load_slot, *get_slot; /* calls in flight */
	sd_bus_slot *match_slot;           /* its PropertiesChanged */
	char load_state[STATE_STRING_SIZE], active_state[STATE_STRING_SIZE];
};

struct bus_systemd {
	struct bus_service *service;
	sd_bus_slot *subscribe_slot, *reloading_slot;
	struct unit_watch units[_MANAGER_UNIT_MAX];
};

static const char *wanted_name(struct unit_watch *u) {
	Manager *m = u->owner->service->m;
	return u->which == MANAGER_UNIT_QUOTE ? m->config.quote_service_unit : PCCS_UNIT;
}

static void unit_reset(struct unit_watch *u) {
	u->load_slot = sd_bus_slot_unref(u->load_slot);
	u->get_slot = sd_bus_slot_unref(u->get_slot);
	u->match_slot = sd_bus_slot_unref(u->match_slot);
	u->name = mfree(u->name);
	u->path = mfree(u->path);
	u->load_state[0] = u->active_state[0] = 0;
}

static void unit_feed(struct unit_watch *u) {
	enum unit_state st = unit_state_from_systemd(u->load_state[0] ? u->load_state : NULL,
	                                             u->active_state[0] ? u->active_state : NULL);
	manager_set_unit_state(u->owner->service->m, u->which, st);
}

/* Read LoadState and ActiveState out of an a{sv}; the others are skipped. */
static int read_states(sd_bus_message *msg, struct unit_watch *u) {
	int r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		const char *name, *value;
		char *dst = NULL;
		r = sd_bus_message_read(msg, "s", &name);
		if (r < 0)
			return r;
		if (streq(name, "LoadState"))
			dst = u->load_state;
		else if (streq(name, "ActiveState"))
			dst = u->active_state;
		if (dst) {
			r = sd_bus_message_read(msg, "v", "s", &value);
			if (r < 0)
				return r;
			textf(dst, STATE_STRING_SIZE, false, "%s", value);
		} else if ((r = sd_bus_message_skip(msg, "v")) < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

static int on_get_all(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
	struct unit_watch *u = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	u->get_slot = sd_bus_slot_unref(u->get_slot);
	if (e) {
		/* the unit's object went away between LoadUnit and here (garbage collected):
		 * nothing is known now; the next change signal or Refresh asks again */
		log_debug("Failed to read the state of %s from systemd: %s", u->name, e->message);
		u->load_state[0] = u->active_state[0] = 0;
	} else if (read_states(reply, u) < 0) {
		log_debug("systemd's answer about %s was not understood.", u->name);
		return 0;
	}
	unit_feed(u);
	return 0;
}

static void ask_states(struct unit_watch *u) {
	if (u->get_slot || !u->path)
		return;
	int r =
	    sd_bus_call_method_async(u->owner->service->bus, &u->get_slot, SYSTEMD_NAME, u->path,
	                             PROPERTIES_IFACE, "GetAll", on_get_all, u, "s", SYSTEMD_UNIT);
	if (r < 0)
		log_debug_errno(r, "Failed to ask systemd for the state of %s: %m", u->name);
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
	struct unit_watch *u = userdata;
	const char *interface;
	bool reask = false;
	int r;

	r = sd_bus_message_read(msg, "s", &interface);
	if (r < 0 || !streq(interface, SYSTEMD_UNIT))
		return 0;
	if (read_states(msg, u) < 0)
		return 0;
	/* properties sent without their values are asked for */
	r = sd_bus_message_enter_container(msg, 'a', "s");
	if (r >= 0) {
		const char *name;
		while (sd_bus_message_read(msg, "s", &name) > 0)
			reask = reask || streq(name, "LoadState") || streq(name, "ActiveState");
		(void)sd_bus_message_exit_container(msg);
	}
	if (reask)
		ask_states(u);
	else
		unit_feed(u);
	return 0;
}

static int on_load_unit(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
	struct unit_watch *u = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	const char *path;
	int r;

	u->load_slot = sd_bus_slot_unref(u->load_slot);
	if (e) {
		/* no systemd on this bus (a container), or it refused: the files alone judge */
		log_debug("Failed to ask systemd about %s, judging without its state: %s", u->name,
		          e->message);
		u->load_state[0] = u->active_state[0] = 0;
		unit_feed(u);
		return 0;
	}
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0)
		return 0;
	if (!streq_ptr(u->path, path)) {
		u->match_slot = sd_bus_slot_unref(u->match_slot);
		free(u->path);
		u->path = strdup(path);
		if (!u->path)
			return 0;
	}
	/* the match goes out before the question: a change after the answer is not missed */
	if (!u->match_slot) {
		r = sd_bus_match_signal_async(u->owner->service->bus, &u->match_slot, SYSTEMD_NAME,
		                              u->path, PROPERTIES_IFACE, "PropertiesChanged",
		                              on_properties_changed, NULL, u);
		if (r < 0)
			log_warning_errno(r,
			                  "Failed to follow %s's changes, its state is read again "
			                  "on Refresh(): %m",
			                  u->name);
	}
	ask_states(u);
	return 0;
}

static void unit_ask(struct unit_watch *u) {
	const char *want = wanted_name(u);
	int r;

	if (u->name && !streq(u->name, want)) {
		/* QuoteServiceUnit= changed with a reload: follow the new unit */
		unit_reset(u);
		unit_feed(u);
	}
	if (!u->name && !(u->name = strdup(want)))
		return;
	if (u->load_slot || u->get_slot)
		return; /* a question is already out: its answer is as fresh */
	/* LoadUnit again each time: an inactive unit systemd garbage-collected is loaded anew */
	r = sd_bus_call_method_async(u->owner->service->bus, &u->load_slot, SYSTEMD_NAME,
	                             SYSTEMD_PATH, SYSTEMD_MANAGER, "LoadUnit", on_load_unit, u,
	                             "s", u->name);
	if (r < 0)
		log_debug_errno(r, "Failed to ask systemd about %s: %m", u->name);
}

void bus_systemd_ask(struct bus_service *s) {
	if (!s->systemd)
		return;
	for (size_t i = 0; i < _MANAGER_UNIT_MAX; i++)
		unit_ask(&s->systemd->units[i]);
}

static int on_subscribe(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
	struct bus_systemd *sd = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	sd->subscribe_slot = sd_bus_slot_unref(sd->subscribe_slot);
	if (e)
		log_debug("Failed to subscribe to systemd's unit signals: %s", e->message);
	return 0;
}

/* After a daemon-reload a unit may be installed, removed or masked without a change signal
 * of its own: ask again when the reload is over. */
static int on_reloading(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
	struct bus_systemd *sd = userdata;
	int active;
	if (sd_bus_message_read(msg, "b", &active) >= 0 && !active)
		bus_systemd_ask(sd->service);
	return 0;
}

int bus_systemd_start(struct bus_service *s) {
	struct bus_systemd *sd;
	int r;

	if (s->m->test_root || s->systemd)
		return 0;
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	sd->service = s;
	for (size_t i = 0; i < _MANAGER_UNIT_MAX; i++)
		sd->units[i] = (struct unit_watch){.owner = sd, .which = (enum manager_unit)i};
	s->systemd = sd;

	r = sd_bus_match_signal_async(s->bus, &sd->reloading_slot, SYSTEMD_NAME, SYSTEMD_PATH,
	                              SYSTEMD_MANAGER, "Reloading", on_reloading, NULL, sd);
	if (r < 0)
		log_debug_errno(r, "Failed to follow systemd's reloads: %m");
	r = sd_bus_call_method_async(s->bus, &sd->subscribe_slot, SYSTEMD_NAME, SYSTEMD_PATH,
	                             SYSTEMD_MANAGER, "Subscribe", on_subscribe, sd, NULL);
	if (r < 0)
		log_debug_errno(r, "Failed to subscribe to systemd's unit signals: %m");
	bus_systemd_ask(s);
	return 0;
}

void bus_systemd_done(struct bus_service *s) {
	struct bus_systemd *sd = s->systemd;
	if (!sd)
		return;
	for (size_t i = 0; i < _MANAGER_UNIT_MAX; i++)
		unit_reset(&sd->units[i]);
	sd_bus_slot_unref(sd->subscribe_slot);
	sd_bus_slot_unref(sd->reloading_slot);
	s->systemd = mfree(sd);
}
