/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-bus: the yardsticks tools/bench.sh holds tdxd against. Not a test: it measures.
 *
 *   bench-bus calls N     on the system bus ($DBUS_SYSTEM_BUS_ADDRESS): N rounds of, in turn,
 *                         the broker's GetId (the floor of any bus call), Peer.Ping to
 *                         org.tdxd.Tdx1 (the floor of any call to a service: sd-bus answers it
 *                         before any handler of the daemon's), Get(State), Get(ModuleVersion),
 *                         GetAll and GetCapabilities; prints the p50 and min of each round
 *                         trip in microseconds
 *   bench-bus idle        a minimal sd-bus process: connected to the system bus, one object,
 *                         an sd-event loop; prints "ready" and serves until SIGTERM (its VmRSS
 *                         is the floor for the daemon's)
 *   bench-bus spawn N A... :: B...
 *                         whole-process wall time of commands A and B, run in turn N times
 *                         each (A B A B ...: a drift of the machine's speed hits both); prints
 *                         the median and min wall time and the median CPU time (user +
 *                         system) of each in milliseconds
 *
 * One client for every call, one message built and one reply awaited per call, nothing
 * parsed: the client's own cost is the same for the floor and for the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

extern char **environ;

#define MAX_ROUNDS 1000000

static double now_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static long parse_count(const char *prog, const char *s) {
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > MAX_ROUNDS) {
		fprintf(stderr, "%s: invalid count '%s' (1..%d)\n", prog, s, MAX_ROUNDS);
		return -1;
	}
	return n;
}

struct call {
	const char *label, *dest, *path, *interface, *member, *sig, *a1, *a2;
	double *us;
};

static int call_once(sd_bus *bus, const struct call *c, double *ret_us) {
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	double t0 = now_us();
	int r =
	    sd_bus_message_new_method_call(bus, &msg, c->dest, c->path, c->interface, c->member);
	if (r >= 0 && c->sig)
		r = c->a2 ? sd_bus_message_append(msg, c->sig, c->a1, c->a2)
		          : sd_bus_message_append(msg, c->sig, c->a1);
	if (r >= 0)
		r = sd_bus_call(bus, msg, 0, &error, &reply);
	*ret_us = now_us() - t0;
	if (r < 0)
		fprintf(stderr, "bench-bus: %s failed: %s\n", c->label,
		        error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(msg);
	return r;
}

static int do_calls(const char *prog, long n) {
	struct call calls[] = {
	    {"broker GetId", "org.freedesktop.DBus", "/org/freedesktop/DBus",
	     "org.freedesktop.DBus", "GetId", NULL, NULL, NULL, NULL},
	    {"tdxd Ping", "org.tdxd.Tdx1", "/org/tdxd/Tdx1", "org.freedesktop.DBus.Peer", "Ping",
	     NULL, NULL, NULL, NULL},
	    {"Get(State)", "org.tdxd.Tdx1", "/org/tdxd/Tdx1", "org.freedesktop.DBus.Properties",
	     "Get", "ss", "org.tdxd.Tdx1.Manager", "State", NULL},
	    {"Get(ModuleVersion)", "org.tdxd.Tdx1", "/org/tdxd/Tdx1",
	     "org.freedesktop.DBus.Properties", "Get", "ss", "org.tdxd.Tdx1.Manager",
	     "ModuleVersion", NULL},
	    {"GetAll", "org.tdxd.Tdx1", "/org/tdxd/Tdx1", "org.freedesktop.DBus.Properties",
	     "GetAll", "s", "org.tdxd.Tdx1.Manager", NULL, NULL},
	    {"GetCapabilities", "org.tdxd.Tdx1", "/org/tdxd/Tdx1", "org.tdxd.Tdx1.Manager",
	     "GetCapabilities", NULL, NULL, NULL, NULL},
	};
	sd_bus *bus = NULL;
	int r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "%s: cannot connect to the system bus: %s\n", prog, strerror(-r));
		return 1;
	}
	for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
		calls[k].us = calloc((size_t)n, sizeof(double));
		if (!calls[k].us) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
	}
	/* one warm-up round, then interleaved rounds: a slow patch of the shared machine hits
	 * the floor and the daemon alike */
	for (long i = -1; i < n; i++)
		for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
			double us;
			if (call_once(bus, &calls[k], &us) < 0)
				return 1;
			if (i >= 0)
				calls[k].us[i] = us;
		}
	for (size_t k = 0; k < sizeof calls / sizeof calls[0]; k++) {
		qsort(calls[k].us, (size_t)n, sizeof(double), cmp_double);
		printf("%s p50 %.1f min %.1f\n", calls[k].label, calls[k].us[n / 2],
		       calls[k].us[0]);
		free(calls[k].us);
	}
	sd_bus_flush_close_unref(bus);
	return 0;
}

static const sd_bus_vtable idle_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_VTABLE_END,
};

static int do_idle(const char *prog) {
	sd_event *e = NULL;
	sd_bus *bus = NULL;
	sigset_t ss;
	int r;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&e);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, "/org/example/Idle", "org.example.Idle",
		                             idle_vtable, NULL);
	if (r >= 0)
		r = sd_bus_attach_event(bus, e, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0) {
		fprintf(stderr, "%s: cannot set up the idle sd-bus process: %s\n", prog,
		        strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	r = sd_event_loop(e);
	sd_bus_flush_close_unref(bus);
	sd_event_unref(e);
	return r < 0 ? 1 : 0;
}

static int run_cmd(char **argv, double *ret_ms, double *ret_cpu_ms) {
	pid_t pid;
	int status;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	double t0 = now_us();
	int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		fprintf(stderr, "bench-bus: cannot start %s: %s\n", argv[0], strerror(r));
		return -r;
	}
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0)
		return -errno;
	*ret_ms = (now_us() - t0) / 1e3;
	/* user + system: what the command cost without the time it waited for a processor */
	*ret_cpu_ms = ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e3 +
	              ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e3;
	return 0;
}

static int do_spawn(const char *prog, long n, char **a, char **b) {
	double *t[4];
	for (int k = 0; k < 4; k++)
		if (!(t[k] = calloc((size_t)n, sizeof(double)))) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
	double dummy, dummy_cpu;
	/* one warm-up run each (page cache, dentries) */
	if (run_cmd(a, &dummy, &dummy_cpu) < 0 || run_cmd(b, &dummy, &dummy_cpu) < 0)
		return 1;
	for (long i = 0; i < n; i++)
		if (run_cmd(a, &t[0][i], &t[1][i]) < 0 || run_cmd(b, &t[2][i], &t[3][i]) < 0)
			return 1;
	for (int k = 0; k < 4; k++)
		qsort(t[k], (size_t)n, sizeof(double), cmp_double);
	printf("A median %.2f min %.2f cpu-median %.2f\nB median %.2f min %.2f cpu-median %.2f\n",
	       t[0][n / 2], t[0][0], t[1][n / 2], t[2][n / 2], t[2][0], t[3][n / 2]);
	for (int k = 0; k < 4; k++)
		free(t[k]);
	return 0;
}

int main(int argc, char **argv) {
	const char *prog = argv[0];
	if (argc == 3 && strcmp(argv[1], "calls") == 0) {
		long n = parse_count(prog, argv[2]);
		return n < 0 ? 2 : do_calls(prog, n);
	}
	if (argc == 2 && strcmp(argv[1], "idle") == 0)
		return do_idle(prog);
	if (argc >= 6 && strcmp(argv[1], "spawn") == 0) {
		long n = parse_count(prog, argv[2]);
		if (n < 0)
			return 2;
		int sep = 0;
		for (int i = 3; i < argc; i++)
			if (strcmp(argv[i], "::") == 0)
				sep = i;
		if (sep <= 3 || sep == argc - 1) {
			fprintf(stderr, "%s: spawn N A... :: B...\n", prog);
			return 2;
		}
		argv[sep] = NULL;
		return do_spawn(prog, n, &argv[3], &argv[sep + 1]);
	}
	fprintf(stderr, "usage: %s calls N | idle | spawn N A... :: B...\n", prog);
	return 2;
}
