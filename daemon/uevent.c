/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include <libudev.h>
#include <systemd/sd-event.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "parse-util.h"
#include "uevent.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

static const char *subsystem_from_devpath(const char *devpath) {
	const char *last = strrchr(devpath, '/');
	last = last ? last + 1 : devpath;
	if (startswith(devpath, "/devices/system/cpu/cpu") && startswith(last, "cpu"))
		return "cpu";
	if (startswith(devpath, "/devices/system/memory/memory"))
		return "memory";
	if (startswith(last, "dax") && strchr(last, '.'))
		return "dax";
	if (startswith(devpath, "/module/"))
		return "module";
	return "";
}

int uevent_from_parts(const char *action, const char *devpath, const char *subsystem,
                      struct uevent *ret) {
	struct uevent ev = {0};
	if (!action || !devpath || devpath[0] != '/' || strlen(action) >= sizeof ev.action ||
	    strlen(devpath) >= sizeof ev.devpath)
		return -EINVAL;
	if (!subsystem || !*subsystem)
		subsystem = subsystem_from_devpath(devpath);
	if (strlen(subsystem) >= sizeof ev.subsystem)
		return -EINVAL;
	strcpy(ev.action, action);
	strcpy(ev.devpath, devpath);
	strcpy(ev.subsystem, subsystem);
	*ret = ev;
	const char *slash = strrchr(ret->devpath, '/');
	ret->sysname = slash + 1;
	return 0;
}

int uevent_parse_line(const char *line, struct uevent *ret) {
	char action[32], devpath[512];
	char extra;
	/* exactly two words */
	if (sscanf(line, "%31s %511s %c", action, devpath, &extra) != 2)
		return -EINVAL;
	return uevent_from_parts(action, devpath, NULL, ret);
}

int uevent_cpu(const struct uevent *ev, unsigned *ret) {
	const char *n = startswith(ev->sysname, "cpu");
	uint32_t v;
	if (!streq(ev->subsystem, "cpu") || !n || parse_u32(n, &v) < 0 || (n[0] == '0' && n[1]))
		return -EINVAL;
	*ret = v;
	return 0;
}

int uevent_memory_block(const struct uevent *ev, uint64_t *ret) {
	const char *n = startswith(ev->sysname, "memory");
	uint64_t v;
	if (!streq(ev->subsystem, "memory") || !n || parse_u64(n, &v) < 0 || startswith(n, "0x"))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int on_udev_event(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	Manager *m = userdata;
	_cleanup_(udev_device_unrefp) struct udev_device *d =
	    udev_monitor_receive_device(m->monitor);
	struct uevent ev;
	if (!d)
		return 0;
	if (uevent_from_parts(udev_device_get_action(d), udev_device_get_devpath(d),
	                      udev_device_get_subsystem(d), &ev) < 0)
		return 0;
	manager_handle_uevent(m, &ev);
	return 0;
}

int uevent_monitor_start(Manager *m) {
	static const char *const subsystems[] = {"cpu", "memory", "dax", "module"};
	int r;

	m->udev = udev_new();
	if (!m->udev)
		return log_error_errno(ENOMEM, "Failed to create a udev context: %m");
	m->monitor = udev_monitor_new_from_netlink(m->udev, "udev");
	if (!m->monitor)
		return log_error_errno(errno ?: ENOMEM, "Failed to create a udev monitor: %m");
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, subsystems[i],
		                                                    NULL);
		if (r < 0)
			return log_error_errno(r, "Failed to filter udev events: %m");
	}
	r = udev_monitor_enable_receiving(m->monitor);
	if (r < 0)
		return log_error_errno(r, "Failed to receive udev events: %m");
	r = sd_event_add_io(m->event, &m->monitor_source, udev_monitor_get_fd(m->monitor), EPOLLIN,
	                    on_udev_event, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch udev events: %m");
	(void)sd_event_source_set_description(m->monitor_source, "udev-monitor");
	return 0;
}

static int on_fifo(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	Manager *m = userdata;
	for (;;) {
		ssize_t k = read(fd, m->uevents_buf + m->uevents_len,
		                 sizeof m->uevents_buf - 1 - m->uevents_len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warning_errno(errno, "Failed to read %s: %m", m->uevents_path);
			break;
		}
		if (k == 0)
			break;
		m->uevents_len += (size_t)k;
		m->uevents_buf[m->uevents_len] = 0;

		char *p = m->uevents_buf, *nl;
		while ((nl = strchr(p, '\n'))) {
			struct uevent ev;
			*nl = 0;
			if (*p && uevent_parse_line(p, &ev) < 0)
				log_warning("%s: ignoring malformed event line \"%s\" (expected "
				            "\"ACTION DEVPATH\")",
				            m->uevents_path, p);
			else if (*p)
				manager_handle_uevent(m, &ev);
			p = nl + 1;
		}
		m->uevents_len = strlen(p);
		memmove(m->uevents_buf, p, m->uevents_len + 1);
		if (m->uevents_len == sizeof m->uevents_buf - 1) {
			log_warning("%s: event line too long, dropped", m->uevents_path);
			m->uevents_len = 0;
		}
	}
	return 0;
}

int uevent_fifo_start(Manager *m, const char *path) {
	struct stat st;
	/* O_RDWR keeps a writer open ourselves, so the FIFO never reports EOF/POLLHUP when a test's
	 * writer closes it between events. */
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "Failed to open the event FIFO %s: %m", path);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return log_error_errno(EINVAL, "%s is not a FIFO (create it with mkfifo)", path);
	}
	m->uevents_fd = fd;
	m->uevents_path = strdup(path);
	if (!m->uevents_path)
		return -ENOMEM;
	int r = sd_event_add_io(m->event, &m->uevents_source, fd, EPOLLIN, on_fifo, m);
	if (r < 0)
		return log_error_errno(r, "Failed to watch %s: %m", path);
	(void)sd_event_source_set_description(m->uevents_source, "uevent-fifo");
	return 0;
}

void uevent_sources_stop(Manager *m) {
	m->monitor_source = sd_event_source_unref(m->monitor_source);
	m->uevents_source = sd_event_source_unref(m->uevents_source);
	if (m->monitor)
		m->monitor = udev_monitor_unref(m->monitor);
	if (m->udev)
		m->udev = udev_unref(m->udev);
	if (m->uevents_fd >= 0) {
		close(m->uevents_fd);
		m->uevents_fd = -1;
	}
}
