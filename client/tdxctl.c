/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tdxctl: the command-line client (tdxctl(8), man/tdxctl.8). `check` runs the readiness checks
 * locally without the daemon; the other verbs ask the daemon (tdxctl-bus.c). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "attestation.h"
#include "capabilities.h"
#include "config.h"
#include "fileio.h"
#include "host.h"
#include "kmod-util.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "status.h"
#include "tdxctl-bus.h"
#include "tdxctl-format.h"

#define EXIT_USAGE 2

struct args {
	const char *root;
	enum json_mode json;
	bool all;
	int argc; /* positional arguments, argv[0] is the verb */
	char **argv;
};

static void help(void) {
	printf(
	    "tdxctl [OPTIONS...] [VERB] [ARGS...]\n"
	    "\n"
	    "Query and control TDX host readiness (tdxd).\n"
	    "\n"
	    "Verbs:\n"
	    "  status                       Show the daemon's readiness summary (default verb)\n"
	    "  check [--root DIR]           Run the readiness checks locally, without the daemon;\n"
	    "                               exits 0 when ready, 1 when not\n"
	    "  check-memory ADDRESS SIZE    Ask whether a physical range may be onlined\n"
	    "  check-cpu CPU                Ask whether a CPU may go offline\n"
	    "  offline-cpu CPU              Offline a CPU through the CPU guard (root or polkit)\n"
	    "  enable                       (Re)try enabling TDX now (root or polkit)\n"
	    "  update-module FILE           Update the TDX module at runtime (root or polkit)\n"
	    "\n"
	    "Options:\n"
	    "  -h --help                    Show this help\n"
	    "     --version                 Show the version\n"
	    "     --json[=pretty|short]     Print the capabilities document (status, check);\n"
	    "                               alone: pretty on a terminal, short otherwise\n"
	    "     --all                     Show every check and hint, folding nothing\n"
	    "                               (status, check)\n"
	    "     --root DIR                Read kernel files below DIR (check only)\n"
	    "     --no-ask-password         Do not ask for a password (privileged verbs)\n"
	    "\n"
	    "ADDRESS and SIZE take decimal, 0x hex and K, M, G, T suffixes (powers of 1024).\n"
	    "Exit status: 0 success/ready/allowed, 1 not ready/refused/failed, 2 usage error.\n"
	    "See tdxctl(8).\n");
}

_printf_(1, 2) static int usage_error(const char *fmt, ...) {
	va_list ap;
	fputs("tdxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nSee 'tdxctl --help'.\n", stderr);
	return EXIT_USAGE;
}

static int oom(void) {
	fputs("tdxctl: out of memory\n", stderr);
	return 1;
}

/* Warnings quote kernel files and the config: escaped, the terminal must not run them. */
static void print_warning(const char *text) {
	_cleanup_free_ char *e = utf8_escape(text, false);
	fprintf(stderr, "tdxctl: warning: %s\n", e ? e : "(out of memory)");
}

static void print_problems(char **problems, size_t n) {
	for (size_t i = 0; i < n; i++) {
		print_warning(problems[i]);
		free(problems[i]);
	}
	free(problems);
}

static void module_facts(const char *root, const char *module, struct tdx_host *h,
                         struct enable_progress *ep) {
	struct kmod_module_facts f = {0};

	/* Best effort, like the daemon: nothing to go on is no error. */
	if (kmod_module_facts_for_root(root, module, &f) <= 0 || !f.found)
		return;
	if (h->kvm.modinfo_has_tdx < 0)
		h->kvm.modinfo_has_tdx = f.has_tdx_param;
	if (!h->kvm.loaded && (f.blacklisted || f.install_blocks)) {
		ep->blocked_by_policy = true;
		snprintf(ep->policy_file, sizeof ep->policy_file, "%s", f.policy_file);
	}
}

static int run_check(const struct args *a) {
	const char *root = a->root ? a->root : "/";
	_cleanup_free_ char *conf = root_path(root, "/etc/tdxd/tdxd.conf");
	struct tdxd_config cfg;
	char **problems = NULL;
	size_t n_problems = 0;
	struct tdx_host h = {0};
	struct tdx_status s = {0};
	int r;

	if (!conf)
		return oom();
	r = config_load(conf, &cfg, &problems, &n_problems);
	print_problems(problems, n_problems);
	if (r < 0 && r != -ENOENT) {
		if (r == -ENOMEM)
			return oom();
		/* already reported with the file name; the checks run on the defaults */
		config_defaults(&cfg);
	}

	struct probe_options opts = {
	    .kvm_module = cfg.kvm_module,
	    .use_journal = streq(root, "/"),
	};
	r = probe_host(root, &opts, &h);
	if (r < 0) {
		fprintf(stderr, "tdxctl: probing %s failed: %s\n", root, strerror(-r));
		return 1;
	}
	for (size_t i = 0; i < h.n_warnings; i++)
		print_warning(h.warnings[i]);

	/* What modprobe would do with the KVM module, as the daemon sees it: a blacklist or
	 * install /bin/false in modprobe.d is the operator's intent, and the installed module's
	 * info tells whether this kernel has KVM TDX support while the module is not loaded. */
	struct enable_progress ep = {0};
	module_facts(root, cfg.kvm_module, &h, &ep);

	struct status_policy policy = {
	    .cpu_guard = cfg.cpu_guard,
	    .memory_gate = cfg.memory_gate,
	    .kvm_module = cfg.kvm_module,
	    .minimum_module_version =
	        cfg.minimum_module_version[0] ? &cfg.minimum_module_version_parsed : NULL,
	};
	struct host_identity id;
	host_identity_of(&h, &id);
	r = status_derive(&h, &policy, &ep, &s);
	if (r >= 0) {
		/* the attestation checks on the files alone: tdxctl does not ask systemd */
		struct attestation_facts af;
		r = attestation_probe(&h, &af);
		if (r >= 0)
			attestation_complete(&s, &af, cfg.quote_service_unit, UNIT_UNKNOWN,
			                     UNIT_UNKNOWN);
		else
			tdx_status_done(&s);
	}
	tdx_host_done(&h);
	if (r < 0) {
		fprintf(stderr, "tdxctl: deriving the status failed: %s\n", strerror(-r));
		return 1;
	}

	struct json_object *caps = capabilities_build(&s);
	bool ready = s.ready;
	tdx_status_done(&s);
	if (!caps || capabilities_add_host(caps, &id, capabilities_now_usec()) < 0) {
		json_object_put(caps);
		return oom();
	}
	/* Strings in the document come from the host (kernel version, file contents): JSON
	 * must be UTF-8, and the human text must not carry control characters. */
	_cleanup_free_ char *text = NULL, *out = NULL;
	size_t text_size = 0;
	if (a->json != JSON_OFF) {
		text = strdup(json_object_to_json_string_ext(caps, format_json_flags(a->json)));
		out = text ? utf8_repair(text) : NULL;
	} else {
		/* escaped before formatting: the format's own colour codes must survive */
		FILE *f =
		    format_escape_strings(caps) < 0 ? NULL : open_memstream(&text, &text_size);
		if (f) {
			struct format_options o = {.color = format_use_color(STDOUT_FILENO),
			                           .all = a->all};
			(void)format_checks_human(caps, f, &o);
			if (fclose(f) == 0)
				out = TAKE_PTR(text);
		}
	}
	json_object_put(caps);
	if (!out)
		return oom();
	if (a->json)
		printf("%s\n", out);
	else
		fputs(out, stdout);
	if (fflush(stdout) != 0)
		return 1;
	return ready ? 0 : 1;
}

static int run_status(const struct args *a) {
	return verb_status(a->argc, a->argv, a->json, a->all);
}

static int run_check_memory(const struct args *a) {
	uint64_t v;
	if (parse_size(a->argv[1], &v) < 0)
		return usage_error("check-memory: invalid ADDRESS '%s'", a->argv[1]);
	if (parse_size(a->argv[2], &v) < 0)
		return usage_error("check-memory: invalid SIZE '%s'", a->argv[2]);
	return verb_check_memory(a->argc, a->argv);
}

static int parse_cpu_arg(const struct args *a) {
	uint32_t cpu;
	if (parse_u32(a->argv[1], &cpu) < 0)
		return usage_error("%s: invalid CPU number '%s'", a->argv[0], a->argv[1]);
	return 0;
}

static int run_check_cpu(const struct args *a) {
	int r = parse_cpu_arg(a);
	return r ? r : verb_check_cpu(a->argc, a->argv);
}

static int run_offline_cpu(const struct args *a) {
	int r = parse_cpu_arg(a);
	return r ? r : verb_offline_cpu(a->argc, a->argv);
}

static int run_enable(const struct args *a) {
	return verb_enable(a->argc, a->argv);
}

static int run_update_module(const struct args *a) {
	return verb_update_module(a->argc, a->argv);
}

static const struct verb {
	const char *name;
	int n_args; /* positional arguments after the verb */
	const char *args_help;
	bool json_ok, root_ok;
	int (*run)(const struct args *a);
} verbs[] = {
    {"status", 0, "", true, false, run_status},
    {"check", 0, "", true, true, run_check},
    {"check-memory", 2, " ADDRESS SIZE", false, false, run_check_memory},
    {"check-cpu", 1, " CPU", false, false, run_check_cpu},
    {"offline-cpu", 1, " CPU", false, false, run_offline_cpu},
    {"enable", 0, "", false, false, run_enable},
    {"update-module", 1, " FILE", false, false, run_update_module},
};

int main(int argc, char **argv) {
	enum { ARG_VERSION = 0x100, ARG_JSON, ARG_ROOT, ARG_ALL, ARG_NO_ASK_PASSWORD };
	static const struct option options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, ARG_VERSION},
	    {"json", optional_argument, NULL, ARG_JSON},
	    {"all", no_argument, NULL, ARG_ALL},
	    {"root", required_argument, NULL, ARG_ROOT},
	    {"no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD},
	    {},
	};
	struct args a = {0};
	static char *default_verb[] = {(char *)"status", NULL};
	const struct verb *v = NULL;
	int c;

	log_set_program("tdxctl");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
		switch (c) {
		case 'h': help(); return 0;
		case ARG_VERSION: printf("tdxctl %s\n", TDXD_VERSION); return 0;
		case ARG_JSON:
			if (!optarg)
				a.json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;
			else if (streq(optarg, "pretty"))
				a.json = JSON_PRETTY;
			else if (streq(optarg, "short"))
				a.json = JSON_SHORT;
			else if (streq(optarg, "off"))
				a.json = JSON_OFF;
			else
				return usage_error("--json=%s: expected pretty, short or off",
				                   optarg);
			break;
		case ARG_ALL: a.all = true; break;
		case ARG_NO_ASK_PASSWORD: verbs_set_ask_password(false); break;
		case ARG_ROOT:
			if (!*optarg)
				return usage_error("--root needs a directory");
			a.root = optarg;
			break;
		case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
		case '?':
			if (optopt > 0 && optopt < 0x100)
				return usage_error("option '-%c' is not known", optopt);
			return usage_error("option '%s' is not known", argv[optind - 1]);
		default: return usage_error("unexpected option");
		}

	if (optind < argc) {
		a.argc = argc - optind;
		a.argv = argv + optind;
	} else {
		a.argc = 1;
		a.argv = default_verb;
	}

	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, a.argv[0]))
			v = &verbs[i];
	if (!v)
		return usage_error("unknown verb '%s'", a.argv[0]);
	if (a.argc - 1 < v->n_args)
		return usage_error("%s: missing argument, usage: tdxctl %s%s", v->name, v->name,
		                   v->args_help);
	if (a.argc - 1 > v->n_args)
		return usage_error("%s: too many arguments, usage: tdxctl %s%s", v->name, v->name,
		                   v->args_help);
	if (a.json != JSON_OFF && !v->json_ok)
		return usage_error("%s does not take --json", v->name);
	if (a.all && !v->json_ok)
		return usage_error("%s does not take --all", v->name);
	if (a.root && !v->root_ok)
		return usage_error("--root is only valid with check");
	if (a.root && !is_dir_at("/", a.root))
		return usage_error("--root %s: no such directory", a.root);
	return v->run(&a);
}
