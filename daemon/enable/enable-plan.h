/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The enable sequence's decisions, as pure functions (no I/O) so they can be tested on
 * fixture-like states: what to do with the KVM module given the probe, the derived checks,
 * the config and what libkmod says about the module (enable_plan_decide()), and why a load
 * failed, from the kernel log lines written since it began (enable_explain()). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "host.h"
#include "kmod-util.h"
#include "status.h"

/* The hint of every failure only a reboot retries. */
#define REBOOT "the TDX module initialization is one-shot: only a reboot retries it"

enum enable_action {
	ENABLE_ACTION_NONE,         /* already up (loaded with TDX): a restart never reloads */
	ENABLE_ACTION_UNSUPPORTED,  /* a platform check failed: nothing to enable */
	ENABLE_ACTION_NO_SUPPORT,   /* the kernel cannot do it (no tdx parameter, hibernation) */
	ENABLE_ACTION_ONE_SHOT,     /* the TDX module initialization already failed this boot */
	ENABLE_ACTION_BLOCKED,      /* blacklist / install /bin/false: operator intent */
	ENABLE_ACTION_NOT_FOUND,    /* no such module installed */
	ENABLE_ACTION_IN_USE,       /* loaded without TDX and not reloaded (held, never, builtin) */
	ENABLE_ACTION_CPUS_REFUSED, /* a package has no online CPU, OnlineCPUsForInit=no */
	ENABLE_ACTION_MEMORY_REFUSED, /* memory outside the CMRs is present: the init would fail */
	ENABLE_ACTION_LOAD,           /* load with KVMModuleOptions */
	ENABLE_ACTION_RELOAD,         /* unload the idle module, load it with KVMModuleOptions */
	ENABLE_ACTION_LOAD_WITHOUT_TDX, /* one-shot failure, module missing: load with tdx=0 */
	_ENABLE_ACTION_MAX,
};

struct enable_input {
	const struct tdx_host *host;
	const struct tdx_status *status; /* derived from host */
	const struct tdxd_config *config;
	/* What libkmod says about KVMModule; NULL when it could not be asked (a test tree
	 * without lib/modules): then the module is assumed installed and unblocked. */
	const struct kmod_module_facts *kmod;
	bool builtin; /* the module is built into the kernel (no initstate) */
};

struct enable_plan {
	enum enable_action action;
	/* The module name to load (an alias resolved) and the options to pass on top of the
	 * modprobe.d ones; fallback_options turn TDX off (tdx=0, other options kept). */
	char module[64];
	char options[256];
	char fallback_options[300];
	/* CPUs to online first, one per package (or dark NUMA node) without an online CPU. */
	unsigned cpus_to_online[64];
	size_t n_cpus_to_online;
	/* For every action but LOAD/RELOAD: why, in one sentence, and what to do. */
	char message[CHECK_TEXT_MAX];
	char hint[CHECK_TEXT_MAX];
};

int enable_plan_decide(const struct enable_input *in, struct enable_plan *ret);
const char *enable_action_to_string(enum enable_action a);

/* KVMModuleOptions without its tdx options; with explicit_off, tdx=0 appended last, so it also
 * overrides an `options ... tdx=1` from modprobe.d (the kernel takes the last value). */
void enable_options_without_tdx(const char *options, bool explicit_off, char *buf, size_t size);

/* Explain a failed enable from the kernel log facts, using only lines with seq > since_seq
 * (those written since the load began). load_error is the -errno of the load (0 when the
 * load worked but TDX did not come up); with_tdx says whether it was a load with tdx=1. Writes one
 * sentence into failure (quoting the kernel) and what to do into hint. Returns true when the kernel
 * log gave a reason, and sets *ret_one_shot when the failure cannot be retried before a reboot. */
bool enable_explain(const struct kmsg_facts *k, uint64_t since_seq, const char *module,
                    bool with_tdx, int load_error, char *failure, size_t failure_size, char *hint,
                    size_t hint_size, bool *ret_one_shot);
