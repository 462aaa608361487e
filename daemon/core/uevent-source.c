/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include <libudev.h>

#include "log.h"
#include "macro.h"
#include "uevent-source.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

struct uevent_source {
	uevent_handler_t handler;
	void *userdata;
	sd_event_source *io;

	/* udev */
	struct udev *udev;
	struct udev_monitor *monitor;

	/* FIFO */
	int fd;
	char *path;
	char buf[4096];
	size_t len;
	bool discard; /* the rest of a line too long for buf is still coming */
};

static int source_alloc(uevent_handler_t handler, void *userdata, struct uevent_source **ret) {
	struct uevent_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->handler = handler;
	s->userdata = userdata;
	s->fd = -1;
	*ret = s;
	return 0;
}

struct uevent_source *uevent_source_free(struct uevent_source *s) {
	if (!s)
		return NULL;
	sd_event_source_disable_unref(s->io);
	if (s->monitor)
		udev_monitor_unref(s->monitor);
	if (s->udev)
		udev_unref(s->udev);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return NULL;
}

static int on_udev_event(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
	struct uevent_source *s = userdata;
	_cleanup_(udev_device_unrefp) struct udev_device *d =
	    udev_monitor_receive_device(s->monitor);
	struct uevent ev;

	if (!d)
		return 0;
	if (uevent_from_parts(udev_device_get_action(d), udev_device_get_devpath(d),
	                      udev_device_get_subsystem(d), &ev) < 0)
		return 0;
	s->handler(&ev, s->userdata);
	return 0;
}

int uevent_source_new_udev(sd_event *event, uevent_handler_t handler, void *userdata,
                           struct uevent_source **ret) {
	static const char *const subsystems[] = {"cpu", "memory", "dax", "module", "faux"};
	struct uevent_source *s;
	int r = source_alloc(handler, userdata, &s);
	if (r < 0)
		return log_error_errno(r, "Out of memory.");

	s->udev = udev_new();
	if (!s->udev) {
		r = log_error_errno(ENOMEM, "Failed to create a udev context: %m");
		goto fail;
	}
	s->monitor = udev_monitor_new_from_netlink(s->udev, "udev");
	if (!s->monitor) {
		r = log_error_errno(errno ?: ENOMEM, "Failed to create a udev monitor: %m");
		goto fail;
	}
	for (size_t i = 0; i < ELEMENTSOF(subsystems); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(s->monitor, subsystems[i],
		                                                    NULL);
		if (r < 0) {
			log_error_errno(r, "Failed to filter udev events: %m");
			goto fail;
		}
	}
	r = udev_monitor_enable_receiving(s->monitor);
	if (r < 0) {
		log_error_errno(r, "Failed to receive udev events: %m");
		goto fail;
	}
	r = sd_event_add_io(event, &s->io, udev_monitor_get_fd(s->monitor), EPOLLIN, on_udev_event,
	                    s);
	if (r < 0) {
		log_error_errno(r, "Failed to watch udev events: %m");
		goto fail;
	}
	(void)sd_event_source_set_description(s->io, "udev-monitor");
	*ret = s;
	return 0;
fail:
	uevent_source_free(s);
	return r;
}

unsigned uevent_feed_lines(char *buf, size_t size, size_t *len, bool *discard, const char *what,
                           uevent_handler_t handler, void *userdata) {
	unsigned n = 0;
	char *p = buf, *nl;

	while ((nl = memchr(p, '\n', *len - (size_t)(p - buf)))) {
		struct uevent ev;
		*nl = 0;
		if (*discard)
			/* the end of a line too long for the buffer: on its own it may look like
			 * an event, but it is not one */
			*discard = false;
		else if (*p && uevent_parse_line(p, &ev) < 0)
			log_warning("%s: ignoring malformed event line \"%s\" (expected \"ACTION "
			            "DEVPATH\")",
			            what, p);
		else if (*p) {
			handler(&ev, userdata);
			n++;
		}
		p = nl + 1;
	}
	*len -= (size_t)(p - buf);
	memmove(buf, p, *len);
	buf[*len] = 0;
	if (*len == size - 1) {
		if (!*discard)
			log_warning("%s: event line too long, dropped", what);
		*discard = true;
		*len = 0;
		buf[0] = 0;
	}
	return n;
}

static int on_fifo(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
	struct uevent_source *s = userdata;

	for (;;) {
		ssize_t k = read(fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warning_errno(errno, "Failed to read %s: %m", s->path);
			break;
		}
		if (k == 0)
			break;
		s->len += (size_t)k;
		s->buf[s->len] = 0;
		(void)uevent_feed_lines(s->buf, sizeof s->buf, &s->len, &s->discard, s->path,
		                        s->handler, s->userdata);
	}
	return 0;
}

int uevent_source_new_fifo(sd_event *event, const char *path, uevent_handler_t handler,
                           void *userdata, struct uevent_source **ret) {
	struct uevent_source *s;
	struct stat st;
	int r = source_alloc(handler, userdata, &s);
	if (r < 0)
		return log_error_errno(r, "Out of memory.");

	/* O_RDWR keeps a writer open ourselves, so the FIFO never reports EOF/POLLHUP when a
	 * test's writer closes it between events. */
	s->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		r = log_error_errno(errno, "Failed to open the event FIFO %s: %m", path);
		goto fail;
	}
	if (fstat(s->fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		r = log_error_errno(EINVAL, "%s is not a FIFO (create it with mkfifo)", path);
		goto fail;
	}
	s->path = strdup(path);
	if (!s->path) {
		r = log_error_errno(ENOMEM, "Out of memory.");
		goto fail;
	}
	r = sd_event_add_io(event, &s->io, s->fd, EPOLLIN, on_fifo, s);
	if (r < 0) {
		log_error_errno(r, "Failed to watch %s: %m", path);
		goto fail;
	}
	(void)sd_event_source_set_description(s->io, "uevent-fifo");
	*ret = s;
	return 0;
fail:
	uevent_source_free(s);
	return r;
}
