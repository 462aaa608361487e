/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel events as plain structs (kernel/uevent.c): the FIFO's "ACTION DEVPATH" lines, the
 * subsystem inferred from the path, the CPU number and block id of an event, garbage refused;
 * and uevent_feed_lines(), which splits what a read returned into lines (a line may arrive in
 * pieces; one too long for the buffer is dropped). */
#include <check.h>
#include <stdio.h>

#include "macro.h"
#include "uevent-source.h"
#include "uevent.h"
#include "check-run.h"

/* Parsed into the caller's struct: sysname points into its devpath, so a struct uevent is
 * not returned or kept by value. */
static void parse_ok(const char *line, struct uevent *ev) {
	memset(ev, 0x55, sizeof *ev);
	int r = uevent_parse_line(line, ev);
	ck_assert_msg(r == 0, "\"%s\": %d", line, r);
}

START_TEST(test_cpu_event) {
	struct uevent ev;
	parse_ok("offline /devices/system/cpu/cpu3", &ev);
	unsigned cpu;
	uint64_t block;
	ck_assert_str_eq(ev.action, "offline");
	ck_assert_str_eq(ev.devpath, "/devices/system/cpu/cpu3");
	ck_assert_str_eq(ev.subsystem, "cpu");
	ck_assert_str_eq(ev.sysname, "cpu3");
	/* sysname points into the struct's own devpath */
	ck_assert(ev.sysname > ev.devpath && ev.sysname < ev.devpath + sizeof ev.devpath);
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), 0);
	ck_assert_uint_eq(cpu, 3);
	ck_assert_int_eq(uevent_memory_block(&ev, &block), -EINVAL);

	parse_ok("online /devices/system/cpu/cpu1023", &ev);
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), 0);
	ck_assert_uint_eq(cpu, 1023);
	parse_ok("online /devices/system/cpu/cpu0", &ev);
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), 0);
	ck_assert_uint_eq(cpu, 0);
	/* any whitespace between the two words */
	parse_ok("  offline\t/devices/system/cpu/cpu7  ", &ev);
	ck_assert_str_eq(ev.action, "offline");
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), 0);
	ck_assert_uint_eq(cpu, 7);
}
END_TEST

START_TEST(test_cpu_lookalikes) {
	unsigned cpu = 77;
	/* directories beside cpuN, and names that are no plain CPU number */
	static const char *const paths[] = {
	    "change /devices/system/cpu/cpufreq", "change /devices/system/cpu/cpuidle",
	    "add /devices/system/cpu/cpu",        "add /devices/system/cpu/cpu01",
	    "add /devices/system/cpu/cpu3x",      "add /devices/system/cpu/cpu-1",
	    "add /devices/system/cpu/cpu+3",      "add /devices/system/cpu/cpu99999999999",
	};
	struct uevent ev;
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		parse_ok(paths[i], &ev);
		ck_assert_msg(uevent_cpu(&ev, &cpu) == -EINVAL, "%s taken as CPU %u", paths[i],
		              cpu);
	}
	/* below a CPU: not a cpu event at all */
	parse_ok("add /devices/system/cpu/cpu3/cache", &ev);
	ck_assert_str_eq(ev.subsystem, "");
	ck_assert_str_eq(ev.sysname, "cache");
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), -EINVAL);
	ck_assert_uint_eq(cpu, 77);
}
END_TEST

START_TEST(test_memory_event) {
	uint64_t block;
	unsigned cpu;
	struct uevent ev;
	parse_ok("add /devices/system/memory/memory300", &ev);
	ck_assert_str_eq(ev.subsystem, "memory");
	ck_assert_str_eq(ev.sysname, "memory300");
	ck_assert_int_eq(uevent_memory_block(&ev, &block), 0);
	ck_assert_uint_eq(block, 300);
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), -EINVAL);

	parse_ok("online /devices/system/memory/memory0", &ev);
	ck_assert_int_eq(uevent_memory_block(&ev, &block), 0);
	ck_assert_uint_eq(block, 0);
	/* block ids past 2^32 (a 4 PiB address with 128 MiB blocks) */
	parse_ok("add /devices/system/memory/memory34359738368", &ev);
	ck_assert_int_eq(uevent_memory_block(&ev, &block), 0);
	ck_assert_uint_eq(block, 34359738368ULL);

	static const char *const bad[] = {
	    "add /devices/system/memory/memory",      "add /devices/system/memory/memory0x10",
	    "add /devices/system/memory/memory_tier", "add /devices/system/memory/memory12a",
	    "add /devices/system/memory/memory-1",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		block = 77;
		parse_ok(bad[i], &ev);
		ck_assert_msg(uevent_memory_block(&ev, &block) == -EINVAL, "%s taken as block %llu",
		              bad[i], (unsigned long long)block);
	}
	/* the memory directory itself and its attributes are no block */
	parse_ok("change /devices/system/memory/auto_online_blocks", &ev);
	ck_assert_str_eq(ev.subsystem, "");
	ck_assert_int_eq(uevent_memory_block(&ev, &block), -EINVAL);
}
END_TEST

START_TEST(test_dax_and_module_events) {
	struct uevent ev;
	parse_ok("add /devices/platform/hmem.0/dax0.0", &ev);
	ck_assert_str_eq(ev.subsystem, "dax");
	ck_assert_str_eq(ev.sysname, "dax0.0");
	parse_ok("add /devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0017:00/root0/decoder0.0/region0/"
	         "dax_region0/dax0.1",
	         &ev);
	ck_assert_str_eq(ev.subsystem, "dax");
	ck_assert_str_eq(ev.sysname, "dax0.1");
	/* the region is not a device */
	parse_ok("add /devices/platform/hmem.0/dax_region0", &ev);
	ck_assert_str_eq(ev.subsystem, "");

	parse_ok("add /module/kvm_intel", &ev);
	ck_assert_str_eq(ev.subsystem, "module");
	ck_assert_str_eq(ev.sysname, "kvm_intel");
	parse_ok("remove /module/kvm", &ev);
	ck_assert_str_eq(ev.action, "remove");
	ck_assert_str_eq(ev.sysname, "kvm");

	/* anything else parses, with no subsystem: the manager ignores it */
	parse_ok("add /devices/pci0000:00/0000:00:1f.0", &ev);
	ck_assert_str_eq(ev.subsystem, "");
	ck_assert_str_eq(ev.sysname, "0000:00:1f.0");
}
END_TEST

START_TEST(test_garbage) {
	struct uevent ev;
	char long_path[400], long_action[64], line[512];

	memset(&ev, 0, sizeof ev);
	static const char *const bad[] = {
	    "",
	    "   ",
	    "offline",
	    "offline devices/system/cpu/cpu3",        /* not absolute */
	    "offline /devices/system/cpu/cpu3 extra", /* three words */
	    "/devices/system/cpu/cpu3",
	    "\x01\x02 \x03",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(uevent_parse_line(bad[i], &ev) == -EINVAL, "\"%s\" parsed", bad[i]);

	/* a devpath or action longer than the struct holds is refused, not cut */
	memset(long_path, 'a', sizeof long_path);
	long_path[0] = '/';
	long_path[sizeof long_path - 1] = 0;
	snprintf(line, sizeof line, "add %s", long_path);
	ck_assert_int_eq(uevent_parse_line(line, &ev), -EINVAL);
	memset(long_action, 'b', sizeof long_action);
	long_action[sizeof ev.action] = 0; /* one more than it holds with its NUL */
	snprintf(line, sizeof line, "%s /devices/system/cpu/cpu3", long_action);
	ck_assert_int_eq(uevent_parse_line(line, &ev), -EINVAL);
	long_action[sizeof ev.action - 1] = 0; /* exactly fits */
	snprintf(line, sizeof line, "%s /devices/system/cpu/cpu3", long_action);
	ck_assert_int_eq(uevent_parse_line(line, &ev), 0);
	ck_assert_str_eq(ev.action, long_action);
	/* longest devpath that fits */
	memset(long_path, 'c', sizeof ev.devpath - 1);
	long_path[0] = '/';
	long_path[sizeof ev.devpath - 1] = 0;
	snprintf(line, sizeof line, "add %s", long_path);
	ck_assert_int_eq(uevent_parse_line(line, &ev), 0);
	ck_assert_str_eq(ev.devpath, long_path);
}
END_TEST

START_TEST(test_from_parts) {
	struct uevent ev;
	unsigned cpu;
	/* udev names the subsystem itself */
	ck_assert_int_eq(uevent_from_parts("offline", "/devices/system/cpu/cpu5", "cpu", &ev), 0);
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), 0);
	ck_assert_uint_eq(cpu, 5);
	/* ... and that is what counts, not the path */
	ck_assert_int_eq(uevent_from_parts("add", "/devices/system/cpu/cpu5", "machinecheck", &ev),
	                 0);
	ck_assert_str_eq(ev.subsystem, "machinecheck");
	ck_assert_int_eq(uevent_cpu(&ev, &cpu), -EINVAL);
	/* missing or empty: inferred */
	ck_assert_int_eq(uevent_from_parts("add", "/module/kvm_intel", NULL, &ev), 0);
	ck_assert_str_eq(ev.subsystem, "module");
	ck_assert_int_eq(uevent_from_parts("add", "/module/kvm_intel", "", &ev), 0);
	ck_assert_str_eq(ev.subsystem, "module");

	ck_assert_int_eq(uevent_from_parts(NULL, "/module/kvm", NULL, &ev), -EINVAL);
	ck_assert_int_eq(uevent_from_parts("add", NULL, NULL, &ev), -EINVAL);
	ck_assert_int_eq(uevent_from_parts("add", "", NULL, &ev), -EINVAL);
	ck_assert_int_eq(
	    uevent_from_parts("add", "/module/kvm", "a-subsystem-name-far-too-long-for-it", &ev),
	    -EINVAL);
}
END_TEST

/* ---- uevent_feed_lines ---- */

/* What the handler was given, kept as text (ev->sysname points into the handler's struct). */
struct got_event {
	char action[16], devpath[256], subsystem[32], sysname[256];
};

static struct {
	unsigned n;
	struct got_event ev[16];
} got;

static void collect(const struct uevent *ev, void *userdata) {
	ck_assert_ptr_eq(userdata, &got);
	ck_assert_uint_lt(got.n, ELEMENTSOF(got.ev));
	ck_assert(ev->sysname >= ev->devpath && ev->sysname < ev->devpath + sizeof ev->devpath);
	struct got_event *g = &got.ev[got.n++];
	snprintf(g->action, sizeof g->action, "%s", ev->action);
	snprintf(g->devpath, sizeof g->devpath, "%s", ev->devpath);
	snprintf(g->subsystem, sizeof g->subsystem, "%s", ev->subsystem);
	snprintf(g->sysname, sizeof g->sysname, "%s", ev->sysname);
}

struct feed {
	char buf[64];
	size_t len;
	bool discard;
};

/* Append what a read() returned, as the FIFO reader does, and split it. */
static unsigned feed(struct feed *f, const char *data) {
	size_t n = strlen(data);
	unsigned delivered = 0;
	/* a read never returns more than the room left */
	while (n > 0) {
		size_t room = sizeof f->buf - 1 - f->len, k = n < room ? n : room;
		ck_assert_uint_gt(room, 0);
		memcpy(f->buf + f->len, data, k);
		f->len += k;
		f->buf[f->len] = 0;
		data += k;
		n -= k;
		delivered += uevent_feed_lines(f->buf, sizeof f->buf, &f->len, &f->discard, "test",
		                               collect, &got);
		ck_assert_uint_lt(f->len, sizeof f->buf - 1);
		ck_assert_uint_eq(strlen(f->buf), f->len);
	}
	return delivered;
}

START_TEST(test_feed_whole_lines) {
	struct feed f = {0};
	memset(&got, 0, sizeof got);
	ck_assert_uint_eq(feed(&f, "offline /devices/system/cpu/cpu3\nadd /module/kvm_intel\n"), 2);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_str_eq(got.ev[0].devpath, "/devices/system/cpu/cpu3");
	ck_assert_str_eq(got.ev[1].subsystem, "module");
	ck_assert_str_eq(got.ev[1].sysname, "kvm_intel");
}
END_TEST

START_TEST(test_feed_partial_lines) {
	struct feed f = {0};
	memset(&got, 0, sizeof got);
	ck_assert_uint_eq(feed(&f, "offline /devices/sys"), 0);
	ck_assert_str_eq(f.buf, "offline /devices/sys");
	ck_assert_uint_eq(feed(&f, "tem/cpu/cpu3\nadd /dev"), 1);
	ck_assert_str_eq(got.ev[0].devpath, "/devices/system/cpu/cpu3");
	/* the unfinished tail moved to the front */
	ck_assert_str_eq(f.buf, "add /dev");
	ck_assert_uint_eq(f.len, 8);
	ck_assert_uint_eq(feed(&f, "ices/system/memory/memory5"), 0);
	ck_assert_uint_eq(feed(&f, "\n"), 1);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_str_eq(got.ev[1].sysname, "memory5");
	/* one byte at a time */
	const char *line = "remove /module/kvm\n";
	unsigned n = 0;
	for (const char *p = line; *p; p++) {
		char one[2] = {*p, 0};
		n += feed(&f, one);
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(got.ev[2].action, "remove");
}
END_TEST

START_TEST(test_feed_malformed_and_empty_lines) {
	struct feed f = {0};
	memset(&got, 0, sizeof got);
	ck_assert_uint_eq(
	    feed(&f, "\n\nnonsense\nadd /module/kvm\n  \noffline relative/cpu3\nadd /module/x\n"),
	    2);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_str_eq(got.ev[0].sysname, "kvm");
	ck_assert_str_eq(got.ev[1].sysname, "x");
	ck_assert_uint_eq(f.len, 0);
}
END_TEST

START_TEST(test_feed_overlong_line_dropped) {
	struct feed f = {0};
	char big[200];
	memset(&got, 0, sizeof got);
	/* Longer than the buffer: dropped, with the rest of it up to its newline. The reads
	 * fill the buffer (63 bytes), so its last piece, on its own, looks like an event. */
	const size_t fill = sizeof f.buf - 1;
	memset(big, 'x', 2 * fill);
	strcpy(big + 2 * fill, "offline /devices/system/cpu/cpu9\n");
	ck_assert_uint_eq(feed(&f, big), 0);
	ck_assert_uint_eq(got.n, 0);
	/* the lines after it are read */
	ck_assert_uint_eq(feed(&f, "add /module/kvm\n"), 1);
	ck_assert_str_eq(got.ev[0].sysname, "kvm");
	ck_assert_uint_eq(f.len, 0);

	/* a line that exactly fits (size - 2 characters and its newline) is not overlong */
	char fits[sizeof f.buf];
	memset(fits, 'y', sizeof fits);
	strcpy(fits, "add /");
	fits[5] = 'y';
	fits[sizeof fits - 2] = '\n';
	fits[sizeof fits - 1] = 0;
	ck_assert_uint_eq(feed(&f, fits), 1);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_uint_eq(strlen(got.ev[1].devpath), sizeof f.buf - 2 - 4);
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("uevent");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_cpu_event);
	tcase_add_test(tc, test_cpu_lookalikes);
	tcase_add_test(tc, test_memory_event);
	tcase_add_test(tc, test_dax_and_module_events);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_from_parts);
	suite_add_tcase(s, tc);

	tc = tcase_create("feed");
	tcase_add_test(tc, test_feed_whole_lines);
	tcase_add_test(tc, test_feed_partial_lines);
	tcase_add_test(tc, test_feed_malformed_and_empty_lines);
	tcase_add_test(tc, test_feed_overlong_line_dropped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
