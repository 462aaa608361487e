/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The requests behind the D-Bus methods, fed decoded arguments: CheckMemoryRange(address,
 * size), CheckCPUOffline(cpu), OfflineCPU(cpu), and kernel event lines, all on one Manager
 * serving a copy of a fixture host (no bus: bus/bus-manager.c only validates, authorizes and
 * maps what these return). The manager must answer every request with a sentence, and must
 * stay consistent after any sequence of them.
 *
 * Input: a sequence of records, each one opcode byte and 16 argument bytes. */
#include <ftw.h>
#include <stdbool.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "manager.h"

#ifndef FUZZ_FIXTURE
#define FUZZ_FIXTURE "tests/fixtures/spr-2s-v6.16-ready"
#endif

static Manager *m;
static char root[] = "/tmp/fuzz-requests-XXXXXX";

static void setup(void) {
	char cmd[512];
	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof cmd, "cp -a '%s'/. '%s'/", FUZZ_FIXTURE, root);
	if (system(cmd) != 0)
		abort();
	if (manager_new(&m) < 0 || sd_event_new(&m->event) < 0)
		abort();
	m->root = strdup(root);
	m->test_root = true;
	m->config.enable_tdx = false; /* the requests, not the bring-up */
	if (!m->root || manager_start(m) < 0)
		abort();
}

static uint64_t u64_at(const uint8_t *p) {
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void check_sentence(const char *s) {
	fuzz_assert(memchr(s, 0, CHECK_TEXT_MAX));
	fuzz_assert(s[0] != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (!m)
		setup();
	for (size_t o = 0; o + 17 <= size && o < 17 * 64; o += 17) {
		const uint8_t *a = data + o + 1;
		uint64_t address = u64_at(a), len = u64_at(a + 8);
		unsigned cpu = (unsigned)(address % 4096); /* beyond the host too */

		switch (data[o] % 4) {
		case 0: {
			struct memory_verdict v;
			/* the handler answers InvalidRange for these before asking */
			if (len == 0 || len - 1 > UINT64_MAX - address)
				break;
			fuzz_assert(manager_check_memory_range(m, address, len, &v) >= 0);
			check_sentence(v.reason);
			break;
		}
		case 1: {
			struct cpu_verdict v;
			if (manager_check_cpu_offline(m, cpu, &v) >= 0)
				check_sentence(v.reason);
			break;
		}
		case 2: {
			struct cpu_guard_outcome out;
			(void)manager_offline_cpu(m, cpu % 64, "fuzz", &out);
			fuzz_assert(out.error == CPU_GUARD_ERROR_NONE || out.message[0]);
			/* put the tree back: every CPU online, as the fixture has it */
			char path[96];
			snprintf(path, sizeof path, "%s/sys/devices/system/cpu/cpu%u/online", root,
			         cpu % 64);
			FILE *f = fopen(path, "we");
			if (f) {
				fputs("1", f);
				fclose(f);
			}
			(void)manager_probe(m);
			break;
		}
		case 3: {
			/* an event line made of the argument bytes */
			char line[40];
			static const char *const actions[] = {"add", "online", "offline", "remove"};
			snprintf(line, sizeof line, "%s /devices/system/%s%u", actions[a[0] % 4],
			         (a[1] & 1) ? "memory/memory" : "cpu/cpu", (unsigned)(len % 300));
			struct uevent ev;
			if (uevent_parse_line(line, &ev) >= 0)
				manager_handle_uevent(&ev, m);
			break;
		}
		}
		fuzz_assert(m->have_status);
		fuzz_assert(tdx_state_to_string(m->status.state));
	}
	return 0;
}
