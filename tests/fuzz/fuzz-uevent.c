/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The --uevents feed: one "ACTION DEVPATH" line at a time, as the daemon reads the FIFO, and
 * the CPU / memory block numbers taken from a parsed event. */
#include "fuzz-util.h"
#include "uevent.h"

/* uevent.c hands parsed events to the manager; the fuzzer has none */
void manager_handle_uevent(struct Manager *m, const struct uevent *ev);
void manager_handle_uevent(struct Manager *m, const struct uevent *ev) {
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 64 * 1024)
		return 0;
	char *s = fuzz_strndup(data, size);
	for (char *line = s, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		struct uevent ev;
		if (uevent_parse_line(line, &ev) < 0)
			continue;
		fuzz_assert(memchr(ev.action, 0, sizeof(ev.action)));
		fuzz_assert(memchr(ev.devpath, 0, sizeof(ev.devpath)));
		fuzz_assert(!ev.sysname || (ev.sysname >= ev.devpath &&
		                            ev.sysname < ev.devpath + sizeof(ev.devpath)));
		unsigned cpu;
		uint64_t block;
		(void)uevent_cpu(&ev, &cpu);
		(void)uevent_memory_block(&ev, &block);
		struct uevent ev2;
		(void)uevent_from_parts(ev.action, ev.devpath, ev.subsystem, &ev2);
	}
	free(s);
	return 0;
}
