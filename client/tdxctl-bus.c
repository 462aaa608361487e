/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The tdxctl verbs that talk to the daemon over the system bus. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-journal.h>

#include "bus-client.h"
#include "macro.h"
#include "message-ids.h"
#include "parse-util.h"
#include "polkit-agent.h"
#include "tdxctl-bus.h"
#include "tdxctl-format.h"
#include "tdxd-bus.h"

/* EnableTDX returns when the sequence ends: PAMT allocation on multi-TB hosts takes minutes. */
#define ENABLE_TIMEOUT_USEC (15ULL * 60 * 1000000)

static int report_missing(void) {
	fprintf(stderr, "tdxctl: tdxd is not running.\n"
	                "Start it with 'systemctl start tdxd', or run 'tdxctl check' to check "
	                "this host without the daemon.\n");
	return 1;
}

static int report_no_bus(int r) {
	const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	fprintf(stderr,
	        "tdxctl: there is no system bus to reach tdxd on (%s: %s).\n"
	        "Start it with 'systemctl start dbus', or run 'tdxctl check' to check this host "
	        "without the daemon.\n",
	        address && *address ? address : "unix:path=/run/dbus/system_bus_socket",
	        strerror(-r));
	return 1;
}

static bool ask_password = true;

void verbs_set_ask_password(bool ask) {
	ask_password = ask;
}

/* Privileged verbs allow polkit to ask for a password when a person can answer it. */
static bool interactive(void) {
	return ask_password && isatty(STDIN_FILENO);
}

static int connect_bus_ext(struct tdxd_client **ret, bool allow_interactive) {
	struct tdxd_client_error e;
	if (tdxd_client_open(ret, allow_interactive, &e) < 0) {
		if (e.no_bus)
			return report_no_bus(e.errnum);
		fprintf(stderr, "tdxctl: cannot connect to the system bus: %s\n", e.message);
		return 1;
	}
	return 0;
}

static int connect_bus(struct tdxd_client **ret) {
	return connect_bus_ext(ret, false);
}

/* Print a failed call's error and return the exit status (1). */
static int report_error(const char *what, const struct tdxd_client_error *e) {
	if (e->no_bus)
		return report_no_bus(e->errnum);
	if (e->daemon_missing)
		return report_missing();
	/* The daemon's own refusal is a sentence naming the polkit action; dbus-daemon's is a dump
	 * of its matched rules: say instead what was refused and who may do it. */
	if (e->access_denied && strstr(e->message, "Rejected send message")) {
		static const struct {
			const char *verb, *doing, *action;
		} actions[] = {
		    {"offline-cpu", "offlining a CPU through tdxd", "org.tdxd.Tdx1.offline-cpu"},
		    {"enable", "enabling TDX", "org.tdxd.Tdx1.enable"},
		    {"update-module", "updating the TDX module", "org.tdxd.Tdx1.update-module"},
		};
		for (size_t i = 0; i < ELEMENTSOF(actions); i++)
			if (streq(what, actions[i].verb)) {
				fprintf(
				    stderr,
				    "tdxctl: %s: permission denied: %s needs root or the polkit "
				    "authorization %s.\nRun it with sudo, or ask your "
				    "administrator "
				    "for that authorization.\n",
				    what, actions[i].doing, actions[i].action);
				return 1;
			}
		fprintf(stderr, "tdxctl: %s: permission denied by the system bus policy.\n", what);
		return 1;
	}
	fprintf(stderr, "tdxctl: %s: %s\n", what, e->message);
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

int verb_status(int argc, char **argv, enum json_mode json, bool all) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	_cleanup_free_ char *text = NULL;
	struct tdxd_client_error e;

	if (argc > 1)
		return usage_error("status takes no arguments, got '%s'.", argv[1]);
	int r = connect_bus(&c);
	if (r != 0)
		return r;
	if (tdxd_client_get_capabilities(c, &text, &e) < 0)
		return report_error("status", &e);
	struct json_object *caps = json_tokener_parse(text);
	if (!caps) {
		fprintf(stderr, "tdxctl: status: the daemon sent a document that is not JSON.\n");
		return 1;
	}
	if (json != JSON_OFF) {
		/* Re-serialized in the form asked for; the keys are the daemon's. */
		puts(json_object_to_json_string_ext(caps, format_json_flags(json)));
		json_object_put(caps);
		return 0;
	}
	struct format_options o = {.color = format_use_color(STDOUT_FILENO), .all = all};
	/* the daemon's strings come from the host: no control characters on the terminal */
	if (format_escape_strings(caps) < 0) {
		json_object_put(caps);
		fprintf(stderr, "tdxctl: out of memory\n");
		return 1;
	}
	format_status_human(caps, stdout, &o);
	json_object_put(caps);
	print_recent_actions(stdout);
	return 0;
}

/* Print "allowed: reason" or "refused: reason"; 0 allowed, 1 not. */
static int print_verdict(bool allowed, const char *reason) {
	printf("%s: %s\n", allowed ? "allowed" : "refused", reason);
	return allowed ? 0 : 1;
}

int verb_check_memory(int argc, char **argv) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	_cleanup_free_ char *reason = NULL;
	struct tdxd_client_error e;
	uint64_t address, size;
	bool allowed;

	if (argc != 3)
		return usage_error("check-memory takes ADDRESS SIZE%s (e.g. 0x100000000 4G).", "");
	if (parse_size(argv[1], &address) < 0)
		return usage_error(
		    "invalid ADDRESS '%s': use decimal, 0x hex, or a K/M/G/T suffix.", argv[1]);
	if (parse_size(argv[2], &size) < 0)
		return usage_error("invalid SIZE '%s': use decimal, 0x hex, or a K/M/G/T suffix.",
		                   argv[2]);
	int r = connect_bus(&c);
	if (r != 0)
		return r;
	if (tdxd_client_check_memory_range(c, address, size, &allowed, &reason, &e) < 0)
		return report_error("check-memory", &e);
	return print_verdict(allowed, reason);
}

static int parse_cpu_arg(const char *verb, int argc, char **argv, uint32_t *ret) {
	if (argc != 2)
		return usage_error("%s takes one CPU number.", verb);
	if (parse_u32(argv[1], ret) < 0)
		return usage_error("invalid CPU number '%s'.", argv[1]);
	return 0;
}

int verb_check_cpu(int argc, char **argv) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	_cleanup_free_ char *reason = NULL;
	struct tdxd_client_error e;
	uint32_t cpu;
	bool allowed;

	int r = parse_cpu_arg("check-cpu", argc, argv, &cpu);
	if (r != 0)
		return r;
	r = connect_bus(&c);
	if (r != 0)
		return r;
	if (tdxd_client_check_cpu_offline(c, cpu, &allowed, &reason, &e) < 0)
		return report_error("check-cpu", &e);
	return print_verdict(allowed, reason);
}

int verb_offline_cpu(int argc, char **argv) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	struct tdxd_client_error e;
	uint32_t cpu;

	int r = parse_cpu_arg("offline-cpu", argc, argv, &cpu);
	if (r != 0)
		return r;
	r = connect_bus_ext(&c, interactive());
	if (r != 0)
		return r;
	pid_t agent = interactive() ? polkit_agent_open() : 0;
	r = tdxd_client_offline_cpu(c, cpu, &e);
	polkit_agent_close(agent);
	if (r < 0)
		return report_error("offline-cpu", &e);
	printf("CPU %" PRIu32 " is offline.\n", cpu);
	return 0;
}

/* A runtime update takes seconds to minutes; the daemon follows the kernel as long as it takes. */
#define UPDATE_TIMEOUT_USEC (30ULL * 60 * 1000000)

static void update_progress(const char *state, uint64_t elapsed_usec, void *userdata) {
	/* The kernel's phases are not published, only that it works: a line that ticks. */
	fprintf(stderr, "\rUpdating the TDX module: %s, %" PRIu64 " s ", state,
	        elapsed_usec / 1000000);
	fflush(stderr);
	*(bool *)userdata = true;
}

int verb_update_module(int argc, char **argv) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct tdxd_client_update_result res;
	struct tdxd_client_error e;
	bool drew = false;

	if (argc != 2)
		return usage_error("update-module takes one FILE (the TDX module update image)%s.",
		                   "");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "tdxctl: update-module: cannot open %s: %s\n", argv[1],
		        strerror(errno));
		return 1;
	}
	int r = connect_bus_ext(&c, interactive());
	if (r != 0)
		return r;
	pid_t agent = interactive() ? polkit_agent_open() : 0;
	bool tty = isatty(STDERR_FILENO);
	r = tdxd_client_update_module(c, fd, UPDATE_TIMEOUT_USEC, tty ? update_progress : NULL,
	                              &drew, &res, &e);
	polkit_agent_close(agent);
	if (drew)
		fputs("\n", stderr);
	if (r < 0 && !res.result[0])
		return report_error("update-module", &e);
	/* the daemon's sentence: the versions, or what failed and what to do */
	fprintf(r < 0 ? stderr : stdout, "%s\n", res.message);
	return r < 0 ? 1 : 0;
}

int verb_enable(int argc, char **argv) {
	_cleanup_(tdxd_client_freep) struct tdxd_client *c = NULL;
	struct tdxd_client_error e;

	if (argc > 1)
		return usage_error("enable takes no arguments, got '%s'.", argv[1]);
	int r = connect_bus_ext(&c, interactive());
	if (r != 0)
		return r;
	pid_t agent = interactive() ? polkit_agent_open() : 0;
	r = tdxd_client_enable(c, ENABLE_TIMEOUT_USEC, &e);
	polkit_agent_close(agent);
	if (r < 0)
		return report_error("enable", &e);
	return verb_status(1, argv, JSON_OFF, false);
}
