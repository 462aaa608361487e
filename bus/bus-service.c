/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-errors.h"
#include "bus-internal.h"
#include "log.h"
#include "macro.h"
#include "tdxd-bus.h"

/* UsedKeyIDs is read fresh on every Get, GetAll or GetCapabilities, and State, Ready,
 * StateReason and Checks are derived again from it before any of them is answered: a bus
 * filter sees the Properties call before the getters run, so a GetAll is consistent. A Get
 * of any other property is answered from memory, without I/O. */
static bool reads_usage(sd_bus_message *msg) {
	static const char *const usage_properties[] = {
	    "UsedKeyIDs", "State", "Ready", "StateReason", "Checks",
	};
	const char *interface = NULL, *property = NULL;
	bool r = false;

	if (sd_bus_message_is_method_call(msg, "org.freedesktop.DBus.Properties", "GetAll"))
		r = sd_bus_message_read(msg, "s", &interface) >= 0;
	else if (sd_bus_message_is_method_call(msg, "org.freedesktop.DBus.Properties", "Get") &&
	         sd_bus_message_read(msg, "ss", &interface, &property) >= 0)
		for (size_t i = 0; i < ELEMENTSOF(usage_properties) && !r; i++)
			r = streq(property, usage_properties[i]);
	/* the object dispatch reads the arguments again */
	(void)sd_bus_message_rewind(msg, true);
	return r && (streq(interface, TDXD_MANAGER_INTERFACE) || streq(interface, ""));
}

static int on_bus_message(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *s = userdata;
	if (streq_ptr(sd_bus_message_get_path(msg), TDXD_OBJECT_PATH) && reads_usage(msg))
		(void)manager_refresh_usage(s->m);
	return 0;
}

int bus_service_new(Manager *m, struct bus_service **ret) {
	_cleanup_(bus_service_freep) struct bus_service *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return log_error_errno(ENOMEM, "Out of memory.");
	s->m = m;
	(void)tdx_errors_register();

	r = sd_bus_open_system(&s->bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the system bus: %m");
	r = sd_bus_add_object_vtable(s->bus, NULL, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
	                             bus_manager_vtable, s);
	if (r < 0)
		return log_error_errno(r, "Failed to add the manager object: %m");
	r = sd_bus_add_filter(s->bus, NULL, on_bus_message, s);
	if (r < 0)
		return log_error_errno(r, "Failed to add the bus filter: %m");
	r = sd_bus_request_name(s->bus, TDXD_BUS_NAME, 0);
	if (r < 0)
		return log_error_errno(r, "Failed to acquire the bus name " TDXD_BUS_NAME
		                          " (is another tdxd running, or is the bus policy "
		                          "org.tdxd.Tdx1.conf missing?): %m");
	r = sd_bus_attach_event(s->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
	/* The bus gone (dbus-daemon restarted or dead): the loop ends with EXIT_FAILURE and tdxd
	 * exits non-zero, so systemd (Restart=on-failure) starts it again on the new bus. */
	r = sd_bus_set_exit_on_disconnect(s->bus, true);
	if (r < 0)
		return log_error_errno(r, "Failed to set exit-on-disconnect: %m");

	bus_publisher_install(s);
	r = bus_systemd_start(s);
	if (r < 0)
		log_warning_errno(r, "Failed to follow the Quote Generation Service's unit: %m");
	*ret = TAKE_PTR(s);
	return 0;
}

struct bus_service *bus_service_free(struct bus_service *s) {
	if (!s)
		return NULL;
	if (s->m && s->m->publisher.userdata == s)
		s->m->publisher = (struct manager_publisher){0};
	bus_refresh_done(s);
	bus_polkit_done(s);
	bus_systemd_done(s);
	sd_bus_message_unref(s->pending_enable);
	sd_bus_message_unref(s->pending_update);
	sd_bus_flush_close_unref(s->bus);
	free(s);
	return NULL;
}
