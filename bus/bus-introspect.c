/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The introspection XML as the daemon serves it, without a bus (tdxd --bus-introspect): the
 * repository keeps a copy (org.tdxd.Tdx1.Manager.xml) that the tests compare with it. */
#include <sys/socket.h>

#include "bus-internal.h"
#include "macro.h"
#include "tdxd-bus.h"

static int on_introspect_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
	char **out = userdata;
	const char *xml;
	if (sd_bus_message_is_method_error(reply, NULL))
		return -sd_bus_message_get_errno(reply);
	if (sd_bus_message_read(reply, "s", &xml) >= 0)
		*out = strdup(xml);
	return 0;
}

/* Introspection as the daemon serves it, without a bus: serve the vtable on one end of a
 * socketpair and ask Introspect from the other. Only our interface is kept. */
int bus_introspect(char **ret) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *server = NULL, *client = NULL;
	_cleanup_free_ char *xml = NULL;
	int fds[2], r;
	sd_id128_t id;
	struct bus_service dummy = {0};

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
		return -errno;
	if ((r = sd_bus_new(&server)) < 0 || (r = sd_bus_set_fd(server, fds[0], fds[0])) < 0 ||
	    (r = sd_id128_randomize(&id)) < 0 || (r = sd_bus_set_server(server, 1, id)) < 0 ||
	    (r = sd_bus_add_object_vtable(server, NULL, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
	                                  bus_manager_vtable, &dummy)) < 0 ||
	    (r = sd_bus_start(server)) < 0)
		return r;
	if ((r = sd_bus_new(&client)) < 0 || (r = sd_bus_set_fd(client, fds[1], fds[1])) < 0 ||
	    (r = sd_bus_start(client)) < 0)
		return r;
	r = sd_bus_call_method_async(client, NULL, NULL, TDXD_OBJECT_PATH,
	                             "org.freedesktop.DBus.Introspectable", "Introspect",
	                             on_introspect_reply, &xml, NULL);
	if (r < 0)
		return r;
	for (int i = 0; i < 1000 && !xml; i++) {
		int a = sd_bus_process(server, NULL), b = sd_bus_process(client, NULL);
		if (a < 0)
			return a;
		if (b < 0)
			return b;
		if (a == 0 && b == 0)
			(void)sd_bus_wait(client, 10000);
	}
	if (!xml)
		return -ETIMEDOUT;

	const char *start = strstr(xml, "<interface name=\"" TDXD_MANAGER_INTERFACE "\">");
	const char *end = start ? strstr(start, "</interface>") : NULL;
	if (!end)
		return -EBADMSG;
	end += strlen("</interface>");
	char *out;
	if (asprintf(
	        &out,
	        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection "
	        "1.0//EN\"\n\"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
	        "<node>\n %.*s\n</node>\n",
	        (int)(end - start), start) < 0)
		return -ENOMEM;
	*ret = out;
	return 0;
}
