/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* tdxd: makes an Intel TDX host TDX-ready at boot and keeps it so (tdxd(8)). run() reads top to
 * bottom: arguments, the manager and its configuration, the event loop and signals, the bus
 * service, kernel events, the first probe and the enable sequence, the loop. */

#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "bus-service.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

#define DEFAULT_CONFIG "/etc/tdxd/tdxd.conf"

static void help(void) {
	printf("Usage: tdxd [OPTIONS]\n\n"
	       "Enables Intel TDX at boot, guards the CPUs and memory TDX needs, and reports\n"
	       "readiness and capacity on the system bus as org.tdxd.Tdx1.\n\n"
	       "  --root DIR         read and write kernel paths below DIR (a test tree);\n"
	       "                     never loads modules or opens the real /dev/kvm\n"
	       "  --config FILE      configuration file (default " DEFAULT_CONFIG ",\n"
	       "                     DIR/etc/tdxd/tdxd.conf with --root)\n"
	       "  --uevents FIFO     with --root: read \"ACTION DEVPATH\" kernel events from FIFO\n"
	       "  --bus-introspect   print the D-Bus introspection XML and exit\n"
	       "  --version          print the version and exit\n"
	       "  -h --help          show this help\n\n"
	       "See tdxd(8), tdxd.conf(5), org.tdxd.Tdx1(5) and tdxctl(8).\n");
}

struct args {
	const char *root;
	const char *config;
	const char *uevents;
};

/* Returns 1 to go on, 0 to exit successfully, <0 on a usage error. */
static int parse_argv(int argc, char *argv[], struct args *a) {
	enum { ARG_ROOT = 0x100, ARG_CONFIG, ARG_UEVENTS, ARG_INTROSPECT, ARG_VERSION };
	static const struct option options[] = {
	    {"root", required_argument, NULL, ARG_ROOT},
	    {"config", required_argument, NULL, ARG_CONFIG},
	    {"uevents", required_argument, NULL, ARG_UEVENTS},
	    {"bus-introspect", no_argument, NULL, ARG_INTROSPECT},
	    {"version", no_argument, NULL, ARG_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case ARG_ROOT: a->root = optarg; break;
		case ARG_CONFIG: a->config = optarg; break;
		case ARG_UEVENTS: a->uevents = optarg; break;
		case ARG_INTROSPECT: {
			_cleanup_free_ char *xml = NULL;
			int r = bus_introspect(&xml);
			if (r < 0)
				return log_error_errno(
				    r, "Failed to build the introspection data: %m");
			fputs(xml, stdout);
			return 0;
		}
		case ARG_VERSION: printf("tdxd " TDXD_VERSION "\n"); return 0;
		case 'h': help(); return 0;
		default: return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(EINVAL, "Unexpected argument '%s'; see tdxd --help.",
		                       argv[optind]);
	if (a->uevents && !a->root)
		return log_error_errno(EINVAL,
		                       "--uevents is only valid with --root: on a real host "
		                       "tdxd listens to udev.");
	return 1;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
	Manager *m = userdata;
	(void)sd_notify(false, "RELOADING=1");
	log_info("Reloading %s.", m->config_path);
	manager_load_config(m);
	(void)manager_probe(m); /* publishes CPUGuard/MemoryGate changes */
	(void)sd_notify(false, "READY=1");
	return 0;
}

static int run(int argc, char *argv[]) {
	_cleanup_(manager_freep) Manager *m = NULL;
	_cleanup_(bus_service_freep) struct bus_service *bus = NULL;
	struct args a = {0};
	int r;

	log_set_program("tdxd");
	if (getenv("TDXD_LOG_LEVEL") && streq(getenv("TDXD_LOG_LEVEL"), "debug"))
		log_set_max_level(LOG_DEBUG);
	r = parse_argv(argc, argv, &a);
	if (r <= 0)
		return r;

	umask(0022);

	r = manager_new(&m);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate the manager: %m");
	m->root = strdup(a.root ?: "/");
	m->test_root = a.root && !streq(a.root, "/");
	if (a.config) {
		m->config_path = strdup(a.config);
		m->config_path_explicit = true;
	} else
		m->config_path = root_path(m->root, DEFAULT_CONFIG);
	if (!m->root || !m->config_path)
		return log_error_errno(ENOMEM, "Out of memory.");
	/* tests only: a FIFO each probe off the loop waits on (probe-worker.h) */
	if (m->test_root)
		m->probe_gate = getenv("TDXD_TEST_PROBE_GATE");
	manager_load_config(m);

	r = sd_event_default(&m->event);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate the event loop: %m");
	(void)sd_event_set_watchdog(m->event, true);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m)) < 0)
		return log_error_errno(r, "Failed to set up signal handling: %m");

	r = bus_service_new(m, &bus);
	if (r < 0)
		return r;

	/* Listen before the first probe, so no event falls between the two. */
	r = manager_listen(m, a.uevents);
	if (r < 0)
		return r;

	r = manager_start(m);
	if (r < 0)
		return r;

	r = sd_event_loop(m->event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	if (r > 0) /* only the bus's exit-on-disconnect ends the loop with a non-zero code */
		return log_error_errno(ENOTCONN,
		                       "Lost the connection to the system bus; exiting so that "
		                       "systemd restarts tdxd");
	(void)sd_notify(false, "STOPPING=1");
	/* Leave the bus first: while a module load is waited for below, callers get "no such
	 * name" at once rather than a call that is never answered. */
	bus = bus_service_free(bus);
	manager_stop(m);
	return 0;
}

int main(int argc, char *argv[]) {
	int r = run(argc, argv);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
