/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/tdxd/tdxd.conf (tdxd.conf(5), man/tdxd.conf.5). Every line that is not used is reported with
 * its file and line: a typo in a key must never pass unnoticed. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "fileio.h"
#include "macro.h"
#include "parse-util.h"

static const char *const policy_names[_POLICY_MAX] = {
    [POLICY_ENFORCE] = "enforce",
    [POLICY_WARN] = "warn",
    [POLICY_OFF] = "off",
};

const char *policy_mode_to_string(enum policy_mode m) {
	return m >= 0 && m < _POLICY_MAX ? policy_names[m] : NULL;
}

int policy_mode_from_string(const char *s) {
	if (!s)
		return -EINVAL;
	for (int i = 0; i < _POLICY_MAX; i++)
		if (streq(s, policy_names[i]))
			return i;
	return -EINVAL;
}

#define CONFIG_MAX_SIZE (1024 * 1024)

void config_defaults(struct tdxd_config *c) {
	*c = (struct tdxd_config){
	    .enable_tdx = true,
	    .kvm_module = "kvm_intel",
	    .kvm_module_options = "tdx=1",
	    .reload_kvm = RELOAD_KVM_IF_IDLE,
	    .fallback_without_tdx = true,
	    .online_cpus_for_init = true,
	    .cpu_guard = POLICY_ENFORCE,
	    .memory_gate = POLICY_ENFORCE,
	    .memory_online_type = "online_movable",
	    .nfd_feature_file = "",
	    .prometheus_text_file = "",
	    .minimum_module_version = "",
	    .quote_service_unit = "qgsd.service",
	};
}

struct parse_ctx {
	const char *filename;
	unsigned line;
	char ***problems;
	size_t *n_problems;
	unsigned seen_line[16]; /* per key: the line that last set it, 0 none */
};

_printf_(2, 3) static int problem(struct parse_ctx *p, const char *fmt, ...) {
	_cleanup_free_ char *msg = NULL, *full = NULL;
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	if (p->line > 0)
		k = asprintf(&full, "%s:%u: %s", p->filename, p->line, msg);
	else
		k = asprintf(&full, "%s: %s", p->filename, msg);
	if (k < 0)
		return -ENOMEM;
	char **n = realloc(*p->problems, (*p->n_problems + 2) * sizeof(char *));
	if (!n)
		return -ENOMEM;
	*p->problems = n;
	n[(*p->n_problems)++] = TAKE_PTR(full);
	n[*p->n_problems] = NULL;
	return 0;
}

static int set_bool(struct parse_ctx *p, const char *key, const char *v, bool *ret) {
	if (parse_boolean(v, ret) < 0)
		return problem(p, "%s=%s: not a boolean (use yes or no), keeping the default", key,
		               v);
	return 0;
}

static int set_string(struct parse_ctx *p, const char *key, const char *v, char *buf, size_t size) {
	if (strlen(v) >= size)
		return problem(p, "%s=: value longer than %zu characters, keeping the default", key,
		               size - 1);
	memcpy(buf, v, strlen(v) + 1);
	return 0;
}

static int set_policy(struct parse_ctx *p, const char *key, const char *v, enum policy_mode *ret) {
	int m = policy_mode_from_string(v);
	if (m < 0)
		return problem(p, "%s=%s: expected enforce, warn or off, keeping the default", key,
		               v);
	*ret = m;
	return 0;
}

static bool module_name_valid(const char *s) {
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

bool unit_name_valid(const char *s) {
	static const char *const types[] = {".service", ".socket",    ".target", ".device",
	                                    ".mount",   ".automount", ".swap",   ".timer",
	                                    ".path",    ".slice",     ".scope"};
	const char *dot = strrchr(s, '.'), *at = strchr(s, '@');
	bool typed = false;

	if (!dot || dot == s || strlen(s) > 255)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		typed = typed || streq(dot, types[i]);
	if (!typed || at == s || (at && strchr(at + 1, '@')))
		return false;
	for (const char *p = s; p < dot; p++)
		if (!isalnum((unsigned char)*p) && !strchr(":-_.\\@", *p))
			return false;
	return true;
}

enum {
	KEY_ENABLE_TDX,
	KEY_KVM_MODULE,
	KEY_KVM_MODULE_OPTIONS,
	KEY_RELOAD_KVM,
	KEY_FALLBACK,
	KEY_ONLINE_CPUS,
	KEY_CPU_GUARD,
	KEY_MEMORY_GATE,
	KEY_MEMORY_ONLINE_TYPE,
	KEY_NFD,
	KEY_PROMETHEUS,
	KEY_MIN_MODULE_VERSION,
	KEY_QUOTE_SERVICE_UNIT,
	_KEY_MAX,
};

static const char *const key_names[_KEY_MAX] = {
    [KEY_ENABLE_TDX] = "EnableTDX",
    [KEY_KVM_MODULE] = "KVMModule",
    [KEY_KVM_MODULE_OPTIONS] = "KVMModuleOptions",
    [KEY_RELOAD_KVM] = "ReloadKVM",
    [KEY_FALLBACK] = "FallbackWithoutTDX",
    [KEY_ONLINE_CPUS] = "OnlineCPUsForInit",
    [KEY_CPU_GUARD] = "CPUGuard",
    [KEY_MEMORY_GATE] = "MemoryGate",
    [KEY_MEMORY_ONLINE_TYPE] = "MemoryOnlineType",
    [KEY_NFD] = "NFDFeatureFile",
    [KEY_PROMETHEUS] = "PrometheusTextFile",
    [KEY_MIN_MODULE_VERSION] = "MinimumModuleVersion",
    [KEY_QUOTE_SERVICE_UNIT] = "QuoteServiceUnit",
};

static int assign(struct parse_ctx *p, int key, const char *v, struct tdxd_config *c) {
	const char *k = key_names[key];

	switch (key) {
	case KEY_ENABLE_TDX: return set_bool(p, k, v, &c->enable_tdx);
	case KEY_KVM_MODULE:
		if (!module_name_valid(v))
			return problem(p,
			               "KVMModule=%s: not a kernel module name, keeping the "
			               "default",
			               v);
		return set_string(p, k, v, c->kvm_module, sizeof(c->kvm_module));
	case KEY_KVM_MODULE_OPTIONS:
		return set_string(p, k, v, c->kvm_module_options, sizeof(c->kvm_module_options));
	case KEY_RELOAD_KVM:
		if (streq(v, "if-idle"))
			c->reload_kvm = RELOAD_KVM_IF_IDLE;
		else if (streq(v, "never"))
			c->reload_kvm = RELOAD_KVM_NEVER;
		else
			return problem(p,
			               "ReloadKVM=%s: expected if-idle or never, keeping the "
			               "default",
			               v);
		return 0;
	case KEY_FALLBACK: return set_bool(p, k, v, &c->fallback_without_tdx);
	case KEY_ONLINE_CPUS: return set_bool(p, k, v, &c->online_cpus_for_init);
	case KEY_CPU_GUARD: return set_policy(p, k, v, &c->cpu_guard);
	case KEY_MEMORY_GATE: return set_policy(p, k, v, &c->memory_gate);
	case KEY_MEMORY_ONLINE_TYPE:
		if (!streq(v, "online_movable") && !streq(v, "online_kernel") &&
		    !streq(v, "online"))
			return problem(p,
			               "MemoryOnlineType=%s: expected online_movable, "
			               "online_kernel or online, keeping the default",
			               v);
		return set_string(p, k, v, c->memory_online_type, sizeof(c->memory_online_type));
	case KEY_NFD:
		if (v[0] && v[0] != '/')
			return problem(p,
			               "NFDFeatureFile=%s: not an absolute path, keeping the "
			               "default",
			               v);
		return set_string(p, k, v, c->nfd_feature_file, sizeof(c->nfd_feature_file));
	case KEY_PROMETHEUS:
		/* node_exporter's textfile collector reads only *.prom files. */
		if (v[0] && (v[0] != '/' || strlen(v) < 7 || !streq(v + strlen(v) - 5, ".prom")))
			return problem(
			    p,
			    "PrometheusTextFile=%s: not an absolute path ending in .prom, "
			    "keeping the default",
			    v);
		return set_string(p, k, v, c->prometheus_text_file,
		                  sizeof(c->prometheus_text_file));
	case KEY_MIN_MODULE_VERSION: {
		/* empty: no minimum (an explicit reset of an earlier line) */
		if (!v[0]) {
			c->minimum_module_version[0] = 0;
			c->minimum_module_version_parsed = (struct module_version){0};
			return 0;
		}
		struct module_version mv;
		if (module_version_parse(v, &mv) < 0)
			return problem(p,
			               "MinimumModuleVersion=%s: not a TDX module version "
			               "major.minor.update (e.g. 1.5.24), keeping the default (no "
			               "minimum)",
			               v);
		int r = set_string(p, k, v, c->minimum_module_version,
		                   sizeof(c->minimum_module_version));
		if (r >= 0)
			c->minimum_module_version_parsed = mv;
		return r;
	}
	case KEY_QUOTE_SERVICE_UNIT:
		if (!unit_name_valid(v))
			return problem(p,
			               "QuoteServiceUnit=%s: not a systemd unit name (e.g. "
			               "qgsd.service), keeping the default",
			               v);
		return set_string(p, k, v, c->quote_service_unit, sizeof(c->quote_service_unit));
	}
	return 0;
}

static char *strip(char *s) {
	while (isspace((unsigned char)*s))
		s++;
	size_t l = strlen(s);
	while (l > 0 && isspace((unsigned char)s[l - 1]))
		s[--l] = 0;
	return s;
}

static int parse_line(struct parse_ctx *p, char *l, bool *in_manager, bool *in_section,
                      struct tdxd_config *c) {
	l = strip(l);
	if (!*l || *l == '#' || *l == ';')
		return 0;

	if (*l == '[') {
		size_t n = strlen(l);
		*in_section = true;
		if (l[n - 1] != ']') {
			*in_manager = false;
			return problem(p,
			               "malformed section header %s, the lines up to the next "
			               "section are ignored",
			               l);
		}
		l[n - 1] = 0;
		*in_manager = streq(l + 1, "Manager");
		if (!*in_manager)
			return problem(p,
			               "unknown section [%s] (expected [Manager]), its keys are "
			               "ignored",
			               l + 1);
		return 0;
	}

	char *eq = strchr(l, '=');
	if (!eq)
		return problem(p, "not a Key=value line, ignored: %s", l);
	*eq = 0;
	char *key = strip(l), *value = strip(eq + 1);
	if (!*key)
		return problem(p, "assignment without a key, ignored");

	int k = -1;
	for (int i = 0; i < _KEY_MAX; i++)
		if (streq(key, key_names[i]))
			k = i;
	if (!*in_manager) {
		if (*in_section)
			return 0; /* the section header was reported already */
		return problem(p, "%s= outside the [Manager] section, ignored", key);
	}
	if (k < 0)
		return problem(p, "unknown key %s= in [Manager], ignored", key);

	if (p->seen_line[k] > 0) {
		int r = problem(p, "%s= set again (line %u), the later value counts", key,
		                p->seen_line[k]);
		if (r < 0)
			return r;
	}
	p->seen_line[k] = p->line;
	return assign(p, k, value, c);
}

int config_parse(const char *filename, const char *text, struct tdxd_config *c, char ***problems,
                 size_t *n_problems) {
	struct parse_ctx p = {
	    .filename = filename ? filename : "tdxd.conf",
	    .problems = problems,
	    .n_problems = n_problems,
	};
	bool in_manager = false, in_section = false;
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *line, *next;
	int r;

	if (!copy)
		return -ENOMEM;
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		p.line++;
		/* the file's last line may end without a newline: it is a line all the same */
		if (!next && !*line)
			break;
		r = parse_line(&p, line, &in_manager, &in_section, c);
		if (r < 0)
			return r;
	}
	return 0;
}

int config_load(const char *path, struct tdxd_config *c, char ***problems, size_t *n_problems) {
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	int r;

	config_defaults(c);
	r = read_full_file_at("/", path, CONFIG_MAX_SIZE, &text, &size);
	if (r < 0) {
		if (r == -ENOENT)
			return r;
		struct parse_ctx p = {
		    .filename = path, .problems = problems, .n_problems = n_problems};
		int k =
		    problem(&p, "cannot read the file (%s), using the defaults", read_strerror(r));
		return k < 0 ? k : r;
	}
	if (strlen(text) != size) {
		struct parse_ctx p = {
		    .filename = path, .problems = problems, .n_problems = n_problems};
		r = problem(&p, "contains NUL bytes, the text after the first one is ignored");
		if (r < 0)
			return r;
	}
	return config_parse(path, text, c, problems, n_problems);
}
