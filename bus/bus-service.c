/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-errors.h"
#include "bus-internal.h"
#include "log.h"
#include "macro.h"
#include "tdxd-bus.h"

/* UsedKeyIDs is read fresh on every Get, GetAll or GetCapabilities, and State, Ready,
 * StateReason and Checks are derived again from it before any of them is answered: a bus
 * filter sees the Properties call before the getters run, so a GetAll is consistent. */
static int on_bus_message(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *s = userdata;
	if (sd_bus_message_is_method_call(msg, "org.freedesktop.DBus.Properties", NULL) &&
	    streq_ptr(sd_bus_message_get_path(msg), TDXD_OBJECT_PATH))
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

	bus_publisher_install(s);
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
	sd_bus_message_unref(s->pending_enable);
	sd_bus_message_unref(s->pending_update);
	sd_bus_flush_close_unref(s->bus);
	free(s);
	return NULL;
}
