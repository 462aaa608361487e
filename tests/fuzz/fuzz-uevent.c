/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The --uevents feed: the FIFO reader's line splitting (uevent_feed_lines(), fed in reads of
 * every size as a pipe would deliver them), each "ACTION DEVPATH" line's parse, and the CPU /
 * memory block numbers taken from a parsed event. */
#include "fuzz-util.h"
#include "uevent-source.h"
#include "uevent.h"

static unsigned delivered;

static void count_event(const struct uevent *ev, void *userdata) {
	fuzz_assert(memchr(ev->action, 0, sizeof(ev->action)));
	fuzz_assert(memchr(ev->devpath, 0, sizeof(ev->devpath)));
	delivered++;
}

/* The FIFO's buffer, fed in chunks whose sizes the first byte chooses. */
static void feed_fifo(const uint8_t *data, size_t size) {
	char buf[4096];
	size_t len = 0;
	bool discard = false;
	size_t chunk = size ? (data[0] % 64) + 1 : 1;

	for (size_t o = 0; o < size;) {
		size_t n = size - o;
		if (n > chunk)
			n = chunk;
		if (n > sizeof buf - 1 - len)
			n = sizeof buf - 1 - len;
		memcpy(buf + len, data + o, n);
		len += n;
		buf[len] = 0;
		o += n;
		(void)uevent_feed_lines(buf, sizeof buf, &len, &discard, "fuzz", count_event, NULL);
		fuzz_assert(len < sizeof buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 64 * 1024)
		return 0;
	feed_fifo(data, size);
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
