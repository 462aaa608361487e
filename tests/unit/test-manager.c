/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of the daemon that act, without a bus: a Manager on a copy of a fixture tree, its
 * kernel events fed in as the FIFO would (uevent_parse_line / uevent_feed_lines), and a
 * recording publisher in place of the D-Bus service. The tests play the kernel by editing the
 * tree (as tests/bus/fixture-cpu.sh does) and run the event loop until the manager's timers
 * have fired; they count probes and signals, never time. */
#include "manager-test.h"
#include "run-state.h"
#include "uevent-source.h"
#include "check-run.h"

#define MEM "/sys/devices/system/memory"
/* vendor-cmr-log's block_size_bytes */
#define BS 0x80000000ULL

/* ---- the recording publisher ---- */

struct blocked {
	unsigned cpu;
	int package;
	char action[32];
};

static struct recorder {
	unsigned n_status;    /* status_changed calls: one per derivation after the first */
	char changed[4096];   /* the names that differed, over all calls, space-separated */
	enum tdx_state state; /* the last new state */
	struct blocked blocked[32];
	unsigned n_blocked;
	struct memory_refusal_note refused[128];
	unsigned n_refused;
	struct enable_outcome finished[4];
	unsigned n_finished;
} rec;

static void note_changed(const char *name) {
	size_t l = strlen(rec.changed);
	snprintf(rec.changed + l, sizeof rec.changed - l, "%s ", name);
}

static bool packages_equal(const struct tdx_status *a, const struct tdx_status *b) {
	return a->n_packages == b->n_packages &&
	       (a->n_packages == 0 ||
	        memcmp(a->packages, b->packages, a->n_packages * sizeof(a->packages[0])) == 0);
}

static bool checks_equal(const struct tdx_status *a, const struct tdx_status *b) {
	for (size_t i = 0; i < _CHECK_MAX; i++)
		if (a->checks[i].result != b->checks[i].result ||
		    !streq(a->checks[i].summary, b->checks[i].summary))
			return false;
	return true;
}

static void rec_status_changed(void *userdata, const struct tdx_status *old,
                               const struct tdx_status *new) {
	ck_assert_ptr_eq(userdata, &rec);
	rec.n_status++;
	rec.state = new->state;
	if (old->state != new->state)
		note_changed("State");
	if (!streq(old->reason, new->reason))
		note_changed("StateReason");
	if (!checks_equal(old, new))
		note_changed("Checks");
	if (!packages_equal(old, new))
		note_changed("Packages");
}

static void rec_cpu_offline_blocked(void *userdata, unsigned cpu, int package, const char *action) {
	ck_assert_uint_lt(rec.n_blocked, ELEMENTSOF(rec.blocked));
	struct blocked *b = &rec.blocked[rec.n_blocked++];
	b->cpu = cpu;
	b->package = package;
	ck_assert_ptr_nonnull(action);
	snprintf(b->action, sizeof b->action, "%s", action);
}

static void rec_memory_refused(void *userdata, const struct memory_refusal_note *n) {
	ck_assert_uint_lt(rec.n_refused, ELEMENTSOF(rec.refused));
	rec.refused[rec.n_refused++] = *n;
}

static void rec_enable_finished(void *userdata, const struct enable_outcome *o) {
	ck_assert_uint_lt(rec.n_finished, ELEMENTSOF(rec.finished));
	rec.finished[rec.n_finished++] = *o;
}

static unsigned refusals_of(const char *device) {
	unsigned n = 0;
	for (unsigned i = 0; i < rec.n_refused; i++)
		n += streq(rec.refused[i].device, device);
	return n;
}

/* ---- the tree ---- */

/* The first line of a file of the tree, without its newline. */
static char *tree_read(const char *path) {
	char *s = NULL;
	int r = read_one_line_at(root, path, &s);
	ck_assert_msg(r >= 0, "reading %s%s: %s", root, path, strerror(-r));
	return s;
}

static void assert_tree_line(const char *path, const char *expected) {
	_cleanup_free_ char *s = tree_read(path);
	ck_assert_msg(streq(s, expected), "%s: \"%s\", expected \"%s\"", path, s, expected);
}

/* A manager on the tree with the recorder as its publisher. */
static Manager *recorded_manager(void) {
	memset(&rec, 0, sizeof rec);
	return manager_on_tree(&(struct manager_publisher){
	    .userdata = &rec,
	    .status_changed = rec_status_changed,
	    .cpu_offline_blocked = rec_cpu_offline_blocked,
	    .memory_refused = rec_memory_refused,
	    .enable_finished = rec_enable_finished,
	});
}

static void event(Manager *m, const char *line) {
	struct uevent ev;
	ck_assert_msg(uevent_parse_line(line, &ev) == 0, "bad test event \"%s\"", line);
	manager_handle_uevent(&ev, m);
}

/* ---- start ---- */

START_TEST(test_start_publishes_and_writes_run_files) {
	/* the defaults: EnableTDX=yes, on a host where TDX is up already */
	tree("emr-2s-v7.1-ready", NULL);
	sh("rm -rf '%s/run/tdxd'", root);
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);

	ck_assert(m->have_status);
	ck_assert_int_eq(m->status.state, TDX_STATE_READY);
	ck_assert(m->last_probe_usec > 0);
	/* starting (the first probe) -> ready, published once the sequence ended */
	ck_assert_uint_ge(rec.n_status, 1);
	ck_assert_int_eq(rec.state, TDX_STATE_READY);
	ck_assert_has(rec.changed, "State");
	ck_assert_uint_eq(rec.n_finished, 1);
	ck_assert_int_eq(rec.finished[0].result, ENABLE_RESULT_OK);
	ck_assert(rec.finished[0].finished);
	ck_assert_uint_eq(rec.n_blocked, 0);
	ck_assert_uint_eq(rec.n_refused, 0);

	/* the files for the udev helper, under the root */
	_cleanup_free_ char *state = NULL;
	ck_assert_int_ge(read_full_file_at(root, RUN_STATE_PATH, 65536, &state, NULL), 0);
	ck_assert_has(state, "CPU_GUARD=enforce");
	ck_assert(exists_at(root, RUN_CPU_PACKAGE_PATH));
	ck_assert(exists_at(root, RUN_TDX_MEMORY_PATH));

	/* nothing else is pending, and a quiet loop publishes nothing more */
	unsigned n = rec.n_status;
	run_until_idle(m);
	ck_assert_uint_eq(rec.n_status, n);
	ck_assert_uint_eq(rec.n_finished, 1);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_start_without_enable) {
	tree("emr-2s-v7.1-ready", "[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	ck_assert_int_eq(m->status.state, TDX_STATE_READY);
	/* the first derivation has nothing to differ from: the bus reads it as properties */
	ck_assert_uint_eq(rec.n_status, 0);
	ck_assert_uint_eq(rec.n_finished, 0);
	/* a probe of an unchanged host is published (the bus drops an empty change) */
	ck_assert_int_eq(manager_probe(m), 0);
	ck_assert_uint_eq(rec.n_status, 1);
	ck_assert_str_eq(rec.changed, "");
	manager_free(m);
	tree_remove();
}
END_TEST

/* ---- the CPU guard ---- */

/* spr-2s-v6.16-ready: package 0 is CPUs 0-7,16-23 (node 0), package 1 is 8-15,24-31 (node 1);
 * TDX up, 2 TDs. The kernel's view after CPUs 9-15 and 24-31 were taken offline: package 1
 * keeps CPU 8 only. */
static void cpu_tree(const char *config) {
	tree("spr-2s-v6.16-ready", config);
	sh("cd '%s/sys/devices/system/cpu' && for c in 9 10 11 12 13 14 15 24 25 26 27 28 29 30 "
	   "31; do echo 0 > cpu$c/online && rm -rf cpu$c/topology; done && "
	   "echo 0-8,16-23 > online && echo 9-15,24-31 > offline && "
	   "echo 8 > ../node/node1/cpulist",
	   root);
}

/* The kernel takes CPU 8, package 1's last, offline (topology/ goes, the lists follow). */
static void kernel_offline_cpu8(void) {
	sh("cd '%s/sys/devices/system/cpu' && echo 0 > cpu8/online && rm -rf cpu8/topology && "
	   "echo 0-7,16-23 > online && echo 8-15,24-31 > offline && echo > ../node/node1/cpulist",
	   root);
}

static unsigned package_online(const Manager *m, int package) {
	for (size_t i = 0; i < m->status.n_packages; i++)
		if (m->status.packages[i].id == package)
			return m->status.packages[i].online_cpus;
	ck_abort_msg("no package %d in the status", package);
	return 0;
}

START_TEST(test_cpu_offline_last_of_package_enforce) {
	cpu_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	ck_assert_int_eq(m->status.state, TDX_STATE_READY);
	ck_assert_uint_eq(package_online(m, 1), 1);

	kernel_offline_cpu8();
	event(m, "offline /devices/system/cpu/cpu8");
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "1");
	ck_assert_uint_eq(rec.n_blocked, 1);
	ck_assert_uint_eq(rec.blocked[0].cpu, 8);
	ck_assert_int_eq(rec.blocked[0].package, 1);
	ck_assert_str_eq(rec.blocked[0].action, "re-onlined");

	run_until_idle(m);
	ck_assert_uint_eq(rec.n_blocked, 1);
	/* an offline of a CPU whose package keeps others is no business of the guard */
	sh("cd '%s/sys/devices/system/cpu' && echo 0 > cpu7/online && rm -rf cpu7/topology && "
	   "echo 0-6,8,16-23 > online && echo 7,9-15,24-31 > offline",
	   root);
	event(m, "offline /devices/system/cpu/cpu7");
	assert_tree_line("/sys/devices/system/cpu/cpu7/online", "0");
	ck_assert_uint_eq(rec.n_blocked, 1);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_cpu_offline_last_of_package_warn) {
	cpu_tree("[Manager]\nEnableTDX=no\nCPUGuard=warn\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	unsigned n_status = rec.n_status;

	kernel_offline_cpu8();
	event(m, "offline /devices/system/cpu/cpu8");
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "0");
	ck_assert_uint_eq(rec.n_blocked, 1);
	ck_assert_uint_eq(rec.blocked[0].cpu, 8);
	ck_assert_int_eq(rec.blocked[0].package, 1);
	ck_assert_str_eq(rec.blocked[0].action, "warned");
	/* the event's probe published package 1 without an online CPU */
	ck_assert_uint_gt(rec.n_status, n_status);
	ck_assert_has(rec.changed, "Packages");
	ck_assert_uint_eq(package_online(m, 1), 0);

	run_until_idle(m);
	ck_assert_uint_eq(rec.n_blocked, 1);
	manager_free(m);
	tree_remove();
}
END_TEST

/* CPU change events (a storm of them) cost one probe, after the burst, off the loop; an online
 * event probes at once. */
START_TEST(test_cpu_change_burst_one_probe) {
	cpu_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	unsigned n_status = rec.n_status;

	for (unsigned i = 0; i < 1000; i++) {
		char line[64];
		snprintf(line, sizeof line, "change /devices/system/cpu/cpu%u", i % 32);
		event(m, line);
	}
	ck_assert_uint_eq(rec.n_status, n_status);
	ck_assert(armed(m->deferred_probe));
	run_until_idle(m);
	ck_assert_msg(rec.n_status == n_status + 1, "%u probes for 1000 change events",
	              rec.n_status - n_status);

	event(m, "online /devices/system/cpu/cpu9");
	ck_assert_uint_eq(rec.n_status, n_status + 2);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_cpu_offline_last_of_package_off) {
	cpu_tree("[Manager]\nEnableTDX=no\nCPUGuard=off\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	kernel_offline_cpu8();
	event(m, "offline /devices/system/cpu/cpu8");
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "0");
	ck_assert_uint_eq(rec.n_blocked, 0);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_offline_cpu_request) {
	cpu_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	struct cpu_guard_outcome o;
	ck_assert_int_eq(manager_start(m), 0);

	/* package 1's last online CPU: refused, signalled, untouched */
	memset(&o, 0x55, sizeof o);
	ck_assert_int_eq(manager_offline_cpu(m, 8, "test", &o), 0);
	ck_assert_int_eq(o.error, CPU_GUARD_ERROR_LAST_CPU_IN_PACKAGE);
	ck_assert_int_eq(o.action, CPU_GUARD_REFUSED);
	ck_assert_int_eq(o.package, 1);
	ck_assert_has(o.message, "CPU 8 is the last online CPU of package 1");
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "1");
	ck_assert_uint_eq(rec.n_blocked, 1);
	ck_assert_uint_eq(rec.blocked[0].cpu, 8);
	ck_assert_int_eq(rec.blocked[0].package, 1);
	ck_assert_str_eq(rec.blocked[0].action, "refused");

	/* package 0 keeps others: done, no signal */
	memset(&o, 0x55, sizeof o);
	ck_assert_int_eq(manager_offline_cpu(m, 7, "test", &o), 0);
	ck_assert_int_eq(o.error, CPU_GUARD_ERROR_NONE);
	ck_assert_int_eq(o.action, CPU_GUARD_OFFLINED);
	ck_assert_int_eq(o.package, 0);
	assert_tree_line("/sys/devices/system/cpu/cpu7/online", "0");
	ck_assert_uint_eq(rec.n_blocked, 1);

	/* no such CPU; CPU 0 has no online file (not hotpluggable) */
	memset(&o, 0x55, sizeof o);
	ck_assert_int_eq(manager_offline_cpu(m, 99999, "test", &o), 0);
	ck_assert_int_eq(o.error, CPU_GUARD_ERROR_NO_SUCH_CPU);
	memset(&o, 0x55, sizeof o);
	ck_assert_int_eq(manager_offline_cpu(m, 0, "test", &o), 0);
	ck_assert_int_eq(o.error, CPU_GUARD_ERROR_NOT_SUPPORTED);
	ck_assert_uint_eq(rec.n_blocked, 1);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_offline_cpu_request_warn_signals_once) {
	cpu_tree("[Manager]\nEnableTDX=no\nCPUGuard=warn\n");
	Manager *m = recorded_manager();
	struct cpu_guard_outcome o;
	ck_assert_int_eq(manager_start(m), 0);

	/* warn: done although it is package 1's last; the request signals the warning ... */
	ck_assert_int_eq(manager_offline_cpu(m, 8, "test", &o), 0);
	ck_assert_int_eq(o.error, CPU_GUARD_ERROR_NONE);
	ck_assert_int_eq(o.action, CPU_GUARD_WARNED);
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "0");
	ck_assert_uint_eq(rec.n_blocked, 1);
	ck_assert_str_eq(rec.blocked[0].action, "warned");

	/* ... and the kernel's offline event that follows is not a second report */
	kernel_offline_cpu8();
	event(m, "offline /devices/system/cpu/cpu8");
	run_until_idle(m);
	ck_assert_uint_eq(rec.n_blocked, 1);
	assert_tree_line("/sys/devices/system/cpu/cpu8/online", "0");
	manager_free(m);
	tree_remove();
}
END_TEST

/* ---- the memory gate ---- */

/* vendor-cmr-log before the TDX module is initialized (kvm_intel not loaded, no init line):
 * CMRs [0x100000, 0x77800000) and [0x100000000, 0x407a000000), blocks of 2 GiB; memory100 is
 * taken away to be hot-added again. */
static void memory_tree(const char *config) {
	tree("vendor-cmr-log", config);
	sh("sed -i '/module initialized/d; /kvm_intel: TDX is supported/d; /allocated for PAMT/d' "
	   "'%s/dev/kmsg' && rm -rf '%s/sys/module/kvm_intel' '%s" MEM "/memory100'",
	   root, root, root);
}

/* The kernel adds block ID, offline (or STATE, as an auto-online rule would leave it). */
static void kernel_add_block(unsigned id, const char *state) {
	sh("d='%s" MEM "/memory%u' && mkdir -p \"$d\" && printf '%%08x\\n' %u > \"$d/phys_index\" "
	   "&& echo %s > \"$d/state\"",
	   root, id, id, state ?: "offline");
}

static void add_event(Manager *m, unsigned id) {
	char line[96];
	snprintf(line, sizeof line, "add /devices/system/memory/memory%u", id);
	event(m, line);
}

START_TEST(test_memory_block_outside_cmrs_refused) {
	memory_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	run_until_idle(m);
	ck_assert(!m->status.module_initialized);

	kernel_add_block(300, NULL); /* far outside the CMRs */
	kernel_add_block(100, NULL); /* inside [0x100000000, 0x407a000000) */
	add_event(m, 300);
	add_event(m, 100);

	ck_assert_uint_eq(rec.n_refused, 1);
	ck_assert_str_eq(rec.refused[0].device, "memory300");
	ck_assert_uint_eq(rec.refused[0].address, 300 * BS);
	ck_assert_uint_eq(rec.refused[0].size, BS);
	ck_assert_has(rec.refused[0].reason, "outside the convertible memory regions");
	assert_tree_line(MEM "/memory300/state", "offline");
	assert_tree_line(MEM "/memory100/state", "online_movable");

	/* onlined by someone else: offlined again, reported */
	kernel_add_block(301, "online");
	add_event(m, 301);
	ck_assert_uint_eq(refusals_of("memory301"), 1);
	assert_tree_line(MEM "/memory301/state", "offline");

	run_until_idle(m);
	ck_assert_uint_eq(rec.n_refused, 2);
	assert_tree_line(MEM "/memory300/state", "offline");
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_memory_block_warn_leaves_it) {
	memory_tree("[Manager]\nEnableTDX=no\nMemoryGate=warn\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	kernel_add_block(301, "online");
	kernel_add_block(100, NULL);
	add_event(m, 301);
	add_event(m, 100);
	ck_assert_uint_eq(rec.n_refused, 1);
	ck_assert_str_eq(rec.refused[0].device, "memory301");
	ck_assert_has(rec.refused[0].reason, "MemoryGate=warn");
	assert_tree_line(MEM "/memory301/state", "online");
	assert_tree_line(MEM "/memory100/state", "offline");
	run_until_idle(m);
	manager_free(m);
	tree_remove();
}
END_TEST

/* A 64 GiB device arrives as a burst of block events: one probe for the burst, after it. */
static void burst(Manager *m, unsigned first, unsigned n) {
	for (unsigned i = 0; i < n; i++)
		kernel_add_block(first + i, NULL);
	unsigned n_status = rec.n_status, n_refused = rec.n_refused;
	uint64_t last_probe = m->last_probe_usec;

	for (unsigned i = 0; i < n; i++)
		add_event(m, first + i);
	/* decided from the gate prepared at the last probe: no probe yet */
	ck_assert_uint_eq(rec.n_status, n_status);
	ck_assert_uint_eq(m->last_probe_usec, last_probe);
	ck_assert_uint_eq(rec.n_refused, n_refused + n);
	ck_assert(armed(m->deferred_probe));

	run_until_idle(m);
	ck_assert_msg(rec.n_status == n_status + 1, "%u probes for a burst of %u events",
	              rec.n_status - n_status, n);
	ck_assert_uint_gt(m->last_probe_usec, last_probe);
	for (unsigned i = 0; i < n; i++) {
		char path[96];
		snprintf(path, sizeof path, MEM "/memory%u/state", first + i);
		assert_tree_line(path, "offline");
	}
}

START_TEST(test_memory_burst_one_probe) {
	memory_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	run_until_idle(m);

	burst(m, 300, 32);
	/* the next burst gets its own probe (the timer is armed again) */
	burst(m, 400, 8);

	/* events the gate does not act on cost one probe per burst as well */
	unsigned n_status = rec.n_status;
	for (unsigned i = 0; i < 16; i++) {
		char line[96];
		snprintf(line, sizeof line, "offline /devices/system/memory/memory%u", 300 + i);
		event(m, line);
	}
	ck_assert_uint_eq(rec.n_status, n_status);
	run_until_idle(m);
	ck_assert_uint_eq(rec.n_status, n_status + 1);
	manager_free(m);
	tree_remove();
}
END_TEST

/* ---- the event feed ---- */

START_TEST(test_feed_skips_malformed_line) {
	memory_tree("[Manager]\nEnableTDX=no\n");
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	run_until_idle(m);
	kernel_add_block(300, NULL);
	kernel_add_block(301, NULL);
	kernel_add_block(302, NULL);

	char buf[512];
	bool discard = false;
	size_t len = (size_t)snprintf(buf, sizeof buf,
	                              "add /devices/system/memory/memory300\n"
	                              "this is not an event\n"
	                              "add /devices/system/memory/memory301 trailing-word\n"
	                              "\n"
	                              "add devices/system/memory/memory301\n"
	                              "add /devices/system/memory/memory302\n");
	ck_assert_uint_eq(
	    uevent_feed_lines(buf, sizeof buf, &len, &discard, "test", manager_handle_uevent, m),
	    2);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(rec.n_refused, 2);
	ck_assert_uint_eq(refusals_of("memory300"), 1);
	ck_assert_uint_eq(refusals_of("memory301"), 0);
	ck_assert_uint_eq(refusals_of("memory302"), 1);
	run_until_idle(m);
	manager_free(m);
	tree_remove();
}
END_TEST

/* ---- the enable sequence ---- */

static void enable_case(const char *fixture, const char *config, enum enable_result expected,
                        const char *message) {
	tree(fixture, config);
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	run_until_idle(m);
	unsigned n = rec.n_finished;

	ck_assert_int_eq(manager_enable(m), 0);
	ck_assert_uint_eq(rec.n_finished, n + 1);
	const struct enable_outcome *o = &rec.finished[n];
	ck_assert(o->finished);
	ck_assert(!o->running);
	ck_assert_msg(o->result == expected, "%s: result %d, expected %d: %s", fixture, o->result,
	              expected, o->message);
	if (message)
		ck_assert_has(o->message, message);
	ck_assert(!m->enable.running);
	ck_assert_int_ne(m->status.state, TDX_STATE_STARTING);

	/* it ended: nothing is left to finish it a second time */
	run_until_idle(m);
	ck_assert_uint_eq(rec.n_finished, n + 1);
	manager_free(m);
	tree_remove();
}

START_TEST(test_enable_ready_host) {
	enable_case("emr-2s-v7.1-ready", "[Manager]\nEnableTDX=no\n", ENABLE_RESULT_OK, NULL);
}
END_TEST

START_TEST(test_enable_dry_run_load) {
	/* the module is not loaded: it would be loaded (a test root loads nothing); the
	 * fixture's blacklist taken away */
	tree("emr-2s-v7.1-kvm-not-loaded", "[Manager]\nEnableTDX=no\n");
	sh("rm '%s/etc/modprobe.d/kvm-intel-blacklist.conf'", root);
	Manager *m = recorded_manager();
	ck_assert_int_eq(manager_start(m), 0);
	ck_assert_int_eq(manager_enable(m), 0);
	ck_assert_uint_eq(rec.n_finished, 1);
	ck_assert_int_eq(rec.finished[0].result, ENABLE_RESULT_OK);
	ck_assert(m->enable.dry_run);
	ck_assert_has(m->status.reason, "test root");
	run_until_idle(m);
	ck_assert_uint_eq(rec.n_finished, 1);
	manager_free(m);
	tree_remove();
}
END_TEST

START_TEST(test_enable_blacklisted) {
	/* the operator's blacklist is intent: not loaded, the refusal names the file */
	enable_case("emr-2s-v7.1-kvm-not-loaded", "[Manager]\nEnableTDX=no\n",
	            ENABLE_RESULT_NOT_SUPPORTED, "kvm-intel-blacklist.conf");
}
END_TEST

START_TEST(test_enable_module_in_use) {
	enable_case("kvm-no-tdx-in-use", "[Manager]\nEnableTDX=no\n", ENABLE_RESULT_LOAD_FAILED,
	            "held by 3 users");
}
END_TEST

START_TEST(test_enable_not_intel) {
	enable_case("amd-host", "[Manager]\nEnableTDX=no\n", ENABLE_RESULT_NOT_SUPPORTED, NULL);
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("manager");
	TCase *tc = tcase_create("start");
	tcase_add_test(tc, test_start_publishes_and_writes_run_files);
	tcase_add_test(tc, test_start_without_enable);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpu-guard");
	tcase_add_test(tc, test_cpu_offline_last_of_package_enforce);
	tcase_add_test(tc, test_cpu_offline_last_of_package_warn);
	tcase_add_test(tc, test_cpu_change_burst_one_probe);
	tcase_add_test(tc, test_cpu_offline_last_of_package_off);
	tcase_add_test(tc, test_offline_cpu_request);
	tcase_add_test(tc, test_offline_cpu_request_warn_signals_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory-gate");
	tcase_add_test(tc, test_memory_block_outside_cmrs_refused);
	tcase_add_test(tc, test_memory_block_warn_leaves_it);
	tcase_add_test(tc, test_memory_burst_one_probe);
	tcase_add_test(tc, test_feed_skips_malformed_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("enable");
	tcase_add_test(tc, test_enable_ready_host);
	tcase_add_test(tc, test_enable_dry_run_load);
	tcase_add_test(tc, test_enable_blacklisted);
	tcase_add_test(tc, test_enable_module_in_use);
	tcase_add_test(tc, test_enable_not_intel);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	/* sd_notify() from the manager goes nowhere */
	unsetenv("NOTIFY_SOCKET");
	return run_suite(suite());
}
