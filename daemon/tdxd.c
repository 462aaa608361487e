/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* tdxd: makes an Intel TDX host TDX-ready at boot and keeps it so (spec section 1). */

#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "kmod-loader.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "memory-gate.h"
#include "tdx-errors.h"
#include "tdxd-bus.h"
#include "uevent.h"

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
			int r = manager_bus_introspect(&xml);
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

static void load_config(Manager *m) {
	char **problems = NULL;
	size_t n = 0;
	struct tdxd_config c;
	config_defaults(&c);
	int r = config_load(m->config_path, &c, &problems, &n);
	if (r == -ENOENT && !m->config_path_explicit)
		log_debug("No %s, using defaults.", m->config_path);
	else if (r < 0)
		log_error_errno(r, "Failed to read %s, using defaults: %m", m->config_path);
	for (size_t i = 0; i < n; i++) {
		log_warning("%s", problems[i]);
		free(problems[i]);
	}
	free(problems);

	if (m->have_status && !streq(c.kvm_module, m->config.kvm_module)) {
		log_warning("KVMModule changed from %s to %s: restart tdxd for it to take effect.",
		            m->config.kvm_module, c.kvm_module);
		strcpy(c.kvm_module, m->config.kvm_module);
	}
	m->config = c;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
	Manager *m = userdata;
	(void)sd_notify(false, "RELOADING=1");
	log_info("Reloading %s.", m->config_path);
	load_config(m);
	(void)manager_probe(m); /* publishes CPUGuard/MemoryGate changes */
	(void)sd_notify(false, "READY=1");
	return 0;
}

static int connect_bus(Manager *m) {
	int r = sd_bus_open_system(&m->bus);
	if (r < 0)
		return log_error_errno(r, "Failed to connect to the system bus: %m");
	r = manager_bus_register(m);
	if (r < 0)
		return r;
	r = sd_bus_request_name(m->bus, TDXD_BUS_NAME, 0);
	if (r < 0)
		return log_error_errno(r, "Failed to acquire the bus name " TDXD_BUS_NAME
		                          " (is another tdxd running, or is the bus policy "
		                          "org.tdxd.Tdx1.conf missing?): %m");
	r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
	/* The bus gone (dbus-daemon restarted or dead): the loop ends with EXIT_FAILURE and tdxd
	 * exits non-zero, so systemd (Restart=on-failure) starts it again on the new bus. */
	r = sd_bus_set_exit_on_disconnect(m->bus, true);
	if (r < 0)
		return log_error_errno(r, "Failed to set exit-on-disconnect: %m");
	return 0;
}

static int run(int argc, char *argv[]) {
	_cleanup_(manager_freep) Manager *m = NULL;
	struct args a = {0};
	int r;

	log_set_program("tdxd");
	if (getenv("TDXD_LOG_LEVEL") && streq(getenv("TDXD_LOG_LEVEL"), "debug"))
		log_set_max_level(LOG_DEBUG);
	r = parse_argv(argc, argv, &a);
	if (r <= 0)
		return r;

	umask(0022);
	(void)tdx_errors_register();

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
	load_config(m);

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
	    (r = sd_event_add_signal(m->event, &m->sighup_source, SIGHUP, on_sighup, m)) < 0)
		return log_error_errno(r, "Failed to set up signal handling: %m");

	r = connect_bus(m);
	if (r < 0)
		return r;

	/* Listen before the first probe, so no event falls between the two. */
	if (a.uevents)
		r = uevent_fifo_start(m, a.uevents);
	else if (!m->test_root)
		r = uevent_monitor_start(m);
	if (r < 0)
		return r;

	m->gate = calloc(1, sizeof(*m->gate));
	if (!m->gate)
		return log_error_errno(ENOMEM, "Out of memory.");

	/* READY=1 waits for the enable sequence (spec section 2): the first probe is
	 * published as "starting"; kmod_loader_start() sends READY=1 when it ends. */
	m->enable.running = m->config.enable_tdx;
	r = manager_probe(m);
	m->enable.running = false;
	if (r < 0)
		return r;

	if (m->config.enable_tdx) {
		r = kmod_loader_start(m, NULL);
		if (r < 0 && r != -EBUSY)
			log_error_errno(r, "Failed to start enabling TDX: %m");
	}
	manager_notify_status(m);

	r = sd_event_loop(m->event);
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	if (r > 0) /* only the bus's exit-on-disconnect ends the loop with a non-zero code */
		return log_error_errno(ENOTCONN,
		                       "Lost the connection to the system bus; exiting so that "
		                       "systemd restarts tdxd");
	(void)sd_notify(false, "STOPPING=1");
	return 0;
}

int main(int argc, char *argv[]) {
	int r = run(argc, argv);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
