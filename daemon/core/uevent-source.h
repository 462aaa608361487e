/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where kernel events come from: the libudev monitor on a real host, or a FIFO of
 * "ACTION DEVPATH" lines under --root (tests play the kernel through it). Either way each
 * event reaches the handler as a struct uevent (kernel/uevent.h), so nothing above this file
 * sees libudev. */

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "uevent.h"

typedef void (*uevent_handler_t)(const struct uevent *ev, void *userdata);

struct uevent_source;

/* Listen to the cpu, memory, dax and module subsystems through udev. */
int uevent_source_new_udev(sd_event *event, uevent_handler_t handler, void *userdata,
                           struct uevent_source **ret);
/* Read event lines from a FIFO (created by the test with mkfifo). */
int uevent_source_new_fifo(sd_event *event, const char *path, uevent_handler_t handler,
                           void *userdata, struct uevent_source **ret);
struct uevent_source *uevent_source_free(struct uevent_source *s);

/* Split what was read into lines and hand each well-formed one to the handler. `buf` holds
 * *len bytes (NUL-terminated at buf[*len]); the unfinished tail is moved to the front. A line
 * that fills the whole buffer is dropped with a warning, and so is the rest of it when it
 * arrives: *discard (false at first) carries that over to the next call. Returns the number
 * of events. */
unsigned uevent_feed_lines(char *buf, size_t size, size_t *len, bool *discard, const char *what,
                           uevent_handler_t handler, void *userdata);
