/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The tdxctl verbs that talk to the daemon over the system bus. */

#include <inttypes.h>
#include <stdio.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "parse-util.h"
#include "tdx-errors.h"
#include "tdxctl-bus.h"
#include "tdxctl-format.h"
#include "tdxd-bus.h"

/* EnableTDX returns when the sequence ends: PAMT allocation on multi-TB hosts takes minutes. */
#define ENABLE_TIMEOUT_USEC (15ULL * 60 * 1000000)

static bool daemon_missing(const sd_bus_error *e, int r) {
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	       sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	       r == -ENOENT || r == -ECONNREFUSED || r == -EHOSTDOWN;
}

static int report_missing(void) {
	fprintf(stderr, "tdxctl: tdxd is not running (no owner of " TDXD_BUS_NAME " on the system "
			"bus).\nStart it with 'systemctl start tdxd', or run 'tdxctl check' to check "
			"this host without the daemon.\n");
	return 1;
}

static int connect_bus(sd_bus **ret) {
	(void)tdx_errors_register();
	int r = sd_bus_open_system(ret);
	if (r < 0) {
		if (daemon_missing(NULL, r))
			return report_missing();
		fprintf(stderr, "tdxctl: cannot connect to the system bus: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}

/* Print a failed call's error and return the exit status (1). */
static int report_error(const char *what, const sd_bus_error *e, int r) {
	if (daemon_missing(e, r))
		return report_missing();
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
		fprintf(stderr, "tdxctl: %s: %s\n", what,
			e->message && *e->message ? e->message : "access denied; run as root");
	else
		fprintf(stderr, "tdxctl: %s: %s\n", what,
			e && e->message ? e->message : strerror(-r));
	return 1;
}

static int usage_error(const char *fmt, const char *arg) {
	fprintf(stderr, "tdxctl: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	fprintf(stderr, fmt, arg);
#pragma GCC diagnostic pop
	fprintf(stderr, "\nSee 'tdxctl --help'.\n");
	return 2;
}

int verb_status(int argc, char **argv, bool json) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *text;

	if (argc > 1)
		return usage_error("status takes no arguments, got '%s'.", argv[1]);
	int r = connect_bus(&bus);
	if (r != 0)
		return r;
	r = sd_bus_call_method(bus, TDXD_BUS_NAME, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
			       "GetCapabilities", &e, &reply, NULL);
	if (r < 0)
		return report_error("status", &e, r);
	r = sd_bus_message_read(reply, "s", &text);
	if (r < 0)
		return report_error("status", &e, r);
	if (json) {
		puts(text);
		return 0;
	}
	struct json_object *caps = json_tokener_parse(text);
	if (!caps) {
		fprintf(stderr, "tdxctl: status: the daemon sent a document that is not JSON.\n");
		return 1;
	}
	format_status_human(caps, stdout);
	json_object_put(caps);
	return 0;
}

/* Call a check method and print "allowed: reason" or "refused: reason"; 0 allowed, 1 not. */
static int print_verdict(sd_bus_message *reply) {
	int allowed;
	const char *reason;
	int r = sd_bus_message_read(reply, "bs", &allowed, &reason);
	if (r < 0) {
		fprintf(stderr, "tdxctl: malformed reply from the daemon: %s\n", strerror(-r));
		return 1;
	}
	printf("%s: %s\n", allowed ? "allowed" : "refused", reason);
	return allowed ? 0 : 1;
}

int verb_check_memory(int argc, char **argv) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	uint64_t address, size;

	if (argc != 3)
		return usage_error("check-memory takes ADDRESS SIZE%s (e.g. 0x100000000 4G).", "");
	if (parse_size(argv[1], &address) < 0)
		return usage_error("invalid ADDRESS '%s': use decimal, 0x hex, or a K/M/G/T suffix.",
				   argv[1]);
	if (parse_size(argv[2], &size) < 0)
		return usage_error("invalid SIZE '%s': use decimal, 0x hex, or a K/M/G/T suffix.",
				   argv[2]);
	int r = connect_bus(&bus);
	if (r != 0)
		return r;
	r = sd_bus_call_method(bus, TDXD_BUS_NAME, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
			       "CheckMemoryRange", &e, &reply, "tt", address, size);
	if (r < 0)
		return report_error("check-memory", &e, r);
	return print_verdict(reply);
}

static int parse_cpu_arg(const char *verb, int argc, char **argv, uint32_t *ret) {
	if (argc != 2)
		return usage_error("%s takes one CPU number.", verb);
	if (parse_u32(argv[1], ret) < 0)
		return usage_error("invalid CPU number '%s'.", argv[1]);
	return 0;
}

int verb_check_cpu(int argc, char **argv) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	uint32_t cpu;

	int r = parse_cpu_arg("check-cpu", argc, argv, &cpu);
	if (r != 0)
		return r;
	r = connect_bus(&bus);
	if (r != 0)
		return r;
	r = sd_bus_call_method(bus, TDXD_BUS_NAME, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
			       "CheckCPUOffline", &e, &reply, "u", cpu);
	if (r < 0)
		return report_error("check-cpu", &e, r);
	return print_verdict(reply);
}

int verb_offline_cpu(int argc, char **argv) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	uint32_t cpu;

	int r = parse_cpu_arg("offline-cpu", argc, argv, &cpu);
	if (r != 0)
		return r;
	r = connect_bus(&bus);
	if (r != 0)
		return r;
	r = sd_bus_call_method(bus, TDXD_BUS_NAME, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
			       "OfflineCPU", &e, NULL, "u", cpu);
	if (r < 0)
		return report_error("offline-cpu", &e, r);
	printf("CPU %" PRIu32 " is offline.\n", cpu);
	return 0;
}

int verb_enable(int argc, char **argv) {
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;

	if (argc > 1)
		return usage_error("enable takes no arguments, got '%s'.", argv[1]);
	int r = connect_bus(&bus);
	if (r != 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &call, TDXD_BUS_NAME, TDXD_OBJECT_PATH,
					   TDXD_MANAGER_INTERFACE, "EnableTDX");
	if (r >= 0)
		r = sd_bus_call(bus, call, ENABLE_TIMEOUT_USEC, &e, &reply);
	if (r < 0)
		return report_error("enable", &e, r);
	return verb_status(1, argv, false);
}
