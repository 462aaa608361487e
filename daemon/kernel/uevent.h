/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kernel device events as a plain struct, so the policies never see libudev: the libudev
 * monitor (real host) and the --uevents FIFO (tests under --root) both produce these. */

#include <stdbool.h>
#include <stdint.h>

struct uevent {
	char action[16];     /* add, remove, online, offline, change, bind, unbind */
	char devpath[256];   /* /devices/system/cpu/cpu3 */
	char subsystem[32];  /* cpu, memory, dax, module */
	const char *sysname; /* points into devpath: cpu3 */
};

/* Parse one FIFO line "ACTION DEVPATH" (e.g. "offline /devices/system/cpu/cpu3"). The
 * subsystem is inferred from the path (/devices/system/cpu/cpuN -> cpu, .../memory/memoryN ->
 * memory, /devices/.../daxX.Y -> dax, /module/NAME -> module). Pure. */
int uevent_parse_line(const char *line, struct uevent *ret);

/* Fill from action, devpath and subsystem strings (libudev). */
int uevent_from_parts(const char *action, const char *devpath, const char *subsystem,
                      struct uevent *ret);

/* The CPU number of a cpu event, or the block id of a memory event; -EINVAL otherwise. */
int uevent_cpu(const struct uevent *ev, unsigned *ret);
int uevent_memory_block(const struct uevent *ev, uint64_t *ret);
