/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in polkit authority for the bus tests: owns org.freedesktop.PolicyKit1 on the private
 * bus and answers CheckAuthorization as told, logging each question, so a test can see what
 * tdxd asked (action, interactive flag) and how it acts on each answer.
 *
 *   fake-polkit MODE LOG
 *     allow        authorized
 *     deny         not authorized
 *     challenge    not authorized, but an administrator's authentication would do
 *     interactive  authorized when the caller allowed interaction (an agent asked and the
 *                  administrator answered), a challenge otherwise
 * Each question appends "ACTION flags=N subject=NAME" to LOG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static const char *mode;
static const char *log_path;

static int check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error) {
	const char *kind, *key, *name = "?", *action, *cancel;
	uint32_t flags;
	int r;

	r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "s", &kind);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		if (strcmp(key, "name") == 0)
			r = sd_bus_message_read(m, "v", "s", &name);
		else
			r = sd_bus_message_skip(m, "v");
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
	    (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	r = sd_bus_message_read(m, "s", &action);
	if (r < 0)
		return r;
	r = sd_bus_message_skip(m, "a{ss}");
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "us", &flags, &cancel);
	if (r < 0)
		return r;

	FILE *f = fopen(log_path, "ae");
	if (f) {
		fprintf(f, "%s flags=%u subject=%s:%s\n", action, flags, kind, name);
		fclose(f);
	}

	int authorized = 0, challenge = 0;
	if (strcmp(mode, "allow") == 0)
		authorized = 1;
	else if (strcmp(mode, "challenge") == 0)
		challenge = 1;
	else if (strcmp(mode, "interactive") == 0) {
		authorized = flags & 1;
		challenge = !authorized;
	}
	return sd_bus_reply_method_return(m, "(bba{ss})", authorized, challenge, 0);
}

static const sd_bus_vtable authority_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", check_authorization,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int main(int argc, char *argv[]) {
	sd_bus *bus = NULL;
	sd_event *event = NULL;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: fake-polkit allow|deny|challenge|interactive LOG\n");
		return 2;
	}
	mode = argv[1];
	log_path = argv[2];
	if ((r = sd_event_default(&event)) < 0 || (r = sd_bus_open_system(&bus)) < 0 ||
	    (r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
	                                  "org.freedesktop.PolicyKit1.Authority", authority_vtable,
	                                  NULL)) < 0 ||
	    (r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0)) < 0 ||
	    (r = sd_bus_attach_event(bus, event, 0)) < 0) {
		fprintf(stderr, "fake-polkit: %s\n", strerror(-r));
		return 1;
	}
	r = sd_event_loop(event);
	sd_bus_flush_close_unref(bus);
	sd_event_unref(event);
	return r < 0 ? 1 : 0;
}
