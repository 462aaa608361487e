/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The tdxctl verbs that talk to the daemon over the system bus. */

#include <inttypes.h>
#include <stdio.h>

#include <time.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "macro.h"
#include "message-ids.h"
#include "parse-util.h"
#include "tdx-errors.h"
#include "tdxctl-bus.h"
#include "tdxctl-format.h"
#include "tdxd-bus.h"

/* EnableTDX returns when the sequence ends: PAMT allocation on multi-TB hosts takes minutes. */
#define ENABLE_TIMEOUT_USEC (15ULL * 60 * 1000000)

static bool daemon_missing(const sd_bus_error *e, int r) {
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	       sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) || r == -ENOENT ||
	       r == -ECONNREFUSED || r == -EHOSTDOWN;
}

static int report_missing(void) {
	fprintf(stderr,
	        "tdxctl: tdxd is not running (no owner of " TDXD_BUS_NAME " on the system "
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

#define RECENT_ACTIONS 5

/* The guard and gate actions of this boot, newest last, like the log lines of
 * `systemctl status`: what was refused or undone, and why. The D-Bus API keeps no history;
 * the journal does (tdxd logs each action with a MESSAGE_ID). Quietly nothing when the journal
 * cannot be read (an unprivileged user outside the adm group). */
static void print_recent_actions(FILE *out) {
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	static const char *const ids[] = {CPU_GUARD_MESSAGE_ID, MEMORY_REFUSED_MESSAGE_ID,
	                                  ENABLE_FAILED_MESSAGE_ID, OPERATOR_POLICY_MESSAGE_ID};
	char match[64], *lines[RECENT_ACTIONS] = {0};
	sd_id128_t boot;
	size_t n = 0;

	if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0 ||
	    sd_id128_get_boot(&boot) < 0)
		return;
	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		snprintf(match, sizeof match, "MESSAGE_ID=%s", ids[i]);
		if (sd_journal_add_match(j, match, 0) < 0)
			return;
	}
	char bootm[64];
	snprintf(bootm, sizeof bootm, "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	if (sd_journal_add_conjunction(j) < 0 || sd_journal_add_match(j, bootm, 0) < 0 ||
	    sd_journal_seek_tail(j) < 0)
		return;
	while (n < RECENT_ACTIONS && sd_journal_previous(j) > 0) {
		const void *d;
		size_t l;
		uint64_t usec;
		if (sd_journal_get_data(j, "MESSAGE", &d, &l) < 0 ||
		    sd_journal_get_realtime_usec(j, &usec) < 0)
			continue;
		time_t t = (time_t)(usec / 1000000);
		struct tm tm;
		char when[32];
		strftime(when, sizeof when, "%b %d %H:%M:%S", localtime_r(&t, &tm));
		const char *msg = (const char *)d + strlen("MESSAGE=");
		if (asprintf(&lines[n], "%s %.*s", when, (int)(l - strlen("MESSAGE=")), msg) < 0)
			break;
		n++;
	}
	if (n > 0)
		fprintf(out, "\nRecent policy actions (journal, this boot):\n");
	while (n > 0) {
		/* journal messages quote kernel files: escaped for the terminal */
		_cleanup_free_ char *e = utf8_escape(lines[--n], false);
		fprintf(out, "  %s\n", e ? e : lines[n]);
		free(lines[n]);
	}
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
	print_recent_actions(stdout);
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
		return usage_error(
		    "invalid ADDRESS '%s': use decimal, 0x hex, or a K/M/G/T suffix.", argv[1]);
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
