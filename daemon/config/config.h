/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* /etc/tdxd/tdxd.conf (tdxd.conf(5), man/tdxd.conf.5): INI style, one [Manager] section. Bad lines
 * are reported as "file:line: problem" and leave that key at its default. */

#include <stdbool.h>
#include <stddef.h>

/* CPUGuard= and MemoryGate= */
enum policy_mode {
	POLICY_ENFORCE,
	POLICY_WARN,
	POLICY_OFF,
	_POLICY_MAX,
};

const char *policy_mode_to_string(enum policy_mode m);
int policy_mode_from_string(const char *s);
#include "module-version.h"

enum reload_kvm {
	RELOAD_KVM_IF_IDLE,
	RELOAD_KVM_NEVER,
};

struct tdxd_config {
	bool enable_tdx;
	char kvm_module[64];
	char kvm_module_options[256];
	enum reload_kvm reload_kvm;
	bool fallback_without_tdx;
	bool online_cpus_for_init;
	enum policy_mode cpu_guard;
	enum policy_mode memory_gate;
	char memory_online_type[32]; /* online_movable | online_kernel | online */
	char nfd_feature_file[512];
	char prometheus_text_file[512]; /* node_exporter textfile, "" off (spec 9.4) */
	/* MinimumModuleVersion= (spec 9.2): "" (no minimum, the check skips) or the version as
	 * the operator wrote it, already validated, and its parsed form. */
	char minimum_module_version[MODULE_VERSION_STRING_MAX];
	struct module_version minimum_module_version_parsed;
	char quote_service_unit[256]; /* QuoteServiceUnit=: a systemd unit name */
};

/* A systemd unit name as systemd accepts it: "name.type", at most 255 characters, name of
 * letters, digits and ":-_.\\", an optional "@instance". */
bool unit_name_valid(const char *s);

void config_defaults(struct tdxd_config *c);

/* Parse text (the contents of `filename`, used in messages). Each problem is appended to
 * *problems as a newly allocated "file:line: ..." string. Returns 0 (problems are not
 * errors) or -ENOMEM. */
int config_parse(const char *filename, const char *text, struct tdxd_config *c, char ***problems,
                 size_t *n_problems);

/* Read and parse a file. A missing file gives defaults and returns -ENOENT (callers decide
 * whether that matters: the default path may be absent). */
int config_load(const char *path, struct tdxd_config *c, char ***problems, size_t *n_problems);
