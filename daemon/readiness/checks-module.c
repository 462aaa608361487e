/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TDX module checks: its initialization (explained from the kernel log), the per-TD vCPU
 * limit and the KeyID capacity (docs/readiness.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* ---- the TDX module ---- */

/* Says why the initialization failed; returns the kernel line it quoted, if any. */
static const struct kline *explain_init_failure(const struct facts *f, struct check *c) {
	const struct kmsg_facts *k = &f->h->kmsg;

	if (k->not_loaded.present) {
		summary_add(c, ": the BIOS did not load the TDX module");
		quote(c, &k->not_loaded);
		hint(c, "enable the TDX Secure Arbitration Mode Loader (SEAM Loader) in the BIOS "
		        "and make sure the firmware carries a TDX module (update the BIOS), then "
		        "reboot");
		return &k->not_loaded;
	}
	if (k->rbp_bug.present) {
		summary_add(c, ": the TDX module is too old (RBP clobber bug)");
		quote(c, &k->rbp_bug);
		hint(c,
		     "update the TDX module (a BIOS update or a newer module in the EFI "
		     "partition), then reboot; %s",
		     ONE_SHOT);
		return &k->rbp_bug;
	}
	if (k->tdmr.present) {
		summary_add(c, ": the memory layout needs more TDMRs than the TDX module has (too "
		               "many memory regions)");
		quote(c, &k->tdmr);
		hint(c,
		     "reduce or reorder memory (fewer populated DIMM slots or NUMA regions, no "
		     "memmap= holes, no hot-plug memory reservations) or update the TDX module to "
		     "one with more TDMRs, then reboot; %s",
		     ONE_SHOT);
		return &k->tdmr;
	}
	if (k->offline_cpus.present) {
		summary_add(c, ": CPUs were offline when it ran");
		quote(c, &k->offline_cpus);
		hint(c,
		     "this kernel needs every CPU online for the module initialization: reboot "
		     "without maxcpus=/nosmt and keep all CPUs online before loading %s with "
		     "tdx=1; %s",
		     f->kvm, ONE_SHOT);
		return &k->offline_cpus;
	}
	if (k->seamcall.present || k->init_error == -EIO) {
		summary_add(c, ": a SEAMCALL returned an error (-EIO)");
		quote(c, &k->seamcall);
		hint(c,
		     "the TDX module rejected the configuration: typically a physical package "
		     "without an online CPU (TDH.SYS.KEY.CONFIG) or online memory that is not "
		     "convertible (TDH.SYS.CONFIG); before the next attempt keep a CPU online in "
		     "every package and online only CMR memory, or update the BIOS/TDX module; %s",
		     ONE_SHOT);
		return &k->seamcall;
	}
	if (k->init_error == -ENOMEM) {
		summary_add(c, ": out of memory (PAMT needs about 1/256 of RAM)");
		hint(c,
		     "free memory before enabling TDX (fewer reserved hugepages, no large "
		     "memory consumers at boot), then reboot; %s",
		     ONE_SHOT);
		return NULL;
	}
	if (streq(f->h->fw.status, "error"))
		summary_add(c, ": /sys/firmware/tdx/tdx_module/status reads error");
	hint(c,
	     "read the lines before it in the kernel log (dmesg | grep -i tdx), update the "
	     "BIOS and TDX module if the error persists; %s",
	     ONE_SHOT);
	return NULL;
}

void check_module_init(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MODULE_INIT];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_MODULE_INIT, CHECK_BIOS_TDX, true))
		return;

	if (f->init_failed) {
		if (k->init == MODULE_INIT_FAILED && k->init_error)
			set(c, CHECK_FAIL, "the TDX module initialization failed (%d)",
			    k->init_error);
		else
			set(c, CHECK_FAIL, "the TDX module initialization failed");
		const struct kline *q = explain_init_failure(f, c);
		if (k->init_line.present && !(q && q->present && streq(q->text, k->init_line.text)))
			summary_add(c, q && q->present ? " and \"%s\"" : "; the kernel says \"%s\"",
			            k->init_line.text);
		return;
	}
	if (h->tdx_host_version_enxio && !(f->ep && f->ep->update_running)) {
		set(c, CHECK_FAIL,
		    "the TDX module is not usable: /sys/devices/faux/tdx_host/version reads ENXIO "
		    "(a runtime module update failed)");
		hint(c, "reboot to load a working TDX module: no TD can run on this host until "
		        "then; the kernel keeps the module shut down after a failed update");
		return;
	}
	if (f->initialized) {
		set(c, CHECK_PASS, "the TDX module is initialized");
		if (s->module_version[0])
			summary_add(c, " (version %s)", s->module_version);
		if (k->pamt.present && k->pamt_kb)
			summary_add(c, ", %" PRIu64 " KB allocated for PAMT", k->pamt_kb);
		if (k->tdmr_limit.present) {
			c->result = CHECK_WARN;
			summary_add(c, ", but its TDMRs are nearly exhausted");
			quote(c, &k->tdmr_limit);
			hint(c,
			     "adding memory or changing the memory layout may make the next "
			     "initialization fail: update the TDX module to one with more TDMRs");
		}
		return;
	}
	if (!f->log) {
		set(c, CHECK_SKIP,
		    "not checked: no sign of the TDX module and the kernel log "
		    "could not be read");
		hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	set(c, CHECK_SKIP,
	    "not checked: no initialization was attempted yet (%s not loaded "
	    "with tdx=1)",
	    f->kvm);
}

void check_max_vcpus(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MAX_VCPUS];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (k->max_vcpu.present && !f->tdx_up) {
		set(c, CHECK_FAIL,
		    "the TDX module allows %" PRIu32 " vCPUs per TD, fewer than the "
		    "%" PRIu32 " logical CPUs, so KVM refused TDX",
		    k->max_vcpu_module, k->max_vcpu_cpus);
		quote(c, &k->max_vcpu);
		hint(c,
		     "boot with nr_cpus=%" PRIu32 " (or disable Hyper-Threading in the BIOS) so "
		     "no more CPUs are present than the module allows, or update the TDX module; "
		     "then load %s with tdx=1",
		     k->max_vcpu_module, f->kvm);
		return;
	}
	if (s->module_max_vcpus && h->n_present) {
		if (s->module_max_vcpus >= h->n_present)
			set(c, CHECK_PASS,
			    "the TDX module allows %" PRIu32 " vCPUs per TD, %u "
			    "logical CPUs are present",
			    s->module_max_vcpus, h->n_present);
		else {
			set(c, CHECK_FAIL,
			    "the TDX module allows %" PRIu32 " vCPUs per TD, fewer "
			    "than the %u present logical CPUs",
			    s->module_max_vcpus, h->n_present);
			hint(c,
			     "KVM refuses TDX in this case: boot with nr_cpus=%" PRIu32 " (or "
			     "disable Hyper-Threading in the BIOS), or update the TDX module",
			     s->module_max_vcpus);
		}
		return;
	}
	if (f->tdx_up)
		set(c, CHECK_PASS, "TDX is up in KVM, which checked the module's vCPU limit");
	else
		set(c, CHECK_SKIP,
		    "not checked: the module's max_vcpus_per_td is unknown and TDX "
		    "is not up");
}

/* ---- capacity ---- */

void check_keyid_capacity(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KEYID_CAPACITY];

	/* Too few KeyIDs for TDX at all: "how many are free" has no answer worth giving. */
	if (!need(s, CHECK_KEYID_CAPACITY, CHECK_KEYIDS, false))
		return;
	if (!s->total_keyids_known) {
		set(c, CHECK_SKIP, "not checked: the number of guest KeyIDs is unknown");
		if (!f->log)
			hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	if (!s->used_keyids_known) {
		set(c, CHECK_WARN,
		    "%" PRIu32 " guest KeyIDs, usage unknown (no tdx line in the "
		    "misc cgroup)",
		    s->total_keyids);
		hint(c,
		     "the misc cgroup counts TDX KeyIDs only while %s has TDX up; otherwise "
		     "mount cgroup2 at /sys/fs/cgroup with a kernel built with CONFIG_CGROUP_MISC",
		     f->kvm);
		return;
	}
	if (s->used_keyids >= s->total_keyids) {
		set(c, CHECK_FAIL,
		    "all %" PRIu32 " guest KeyIDs are in use: no new TD can be "
		    "created",
		    s->total_keyids);
		hint(c, "each TD holds one KeyID until it is torn down: stop or delete a TD; for "
		        "more KeyIDs raise the TDX KeyID split in the BIOS");
		return;
	}
	set(c, CHECK_PASS, "%" PRIu32 " of %" PRIu32 " guest KeyIDs free",
	    s->total_keyids - s->used_keyids, s->total_keyids);
}

/* ---- currency ---- */

void check_module_version(const struct facts *f, const struct status_policy *policy,
                          struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MODULE_VERSION];
	const struct module_version *min = policy ? policy->minimum_module_version : NULL;
	char want[MODULE_VERSION_STRING_MAX], have[MODULE_VERSION_STRING_MAX];
	struct module_version running;

	if (!min) {
		set(c, CHECK_SKIP, "not checked: no MinimumModuleVersion= is configured");
		return;
	}
	module_version_format(min, want, sizeof want);
	if (!s->module_version[0] || module_version_parse(s->module_version, &running) < 0) {
		/* "1.5" (an older kernel's log line) cannot be compared with 1.5.24 */
		set(c, CHECK_SKIP,
		    "not checked: the running TDX module's full version is unknown%s%s%s "
		    "(MinimumModuleVersion=%s)",
		    s->module_version[0] ? " (only \"" : "", s->module_version,
		    s->module_version[0] ? "\")" : "", want);
		return;
	}
	module_version_format(&running, have, sizeof have);
	if (module_version_compare(&running, min) < 0) {
		set(c, CHECK_FAIL,
		    "the TDX module runs version %s, below the configured minimum %s "
		    "(MinimumModuleVersion=)",
		    have, want);
		hint(c,
		     "update the TDX module to %s or later: at runtime with tdxctl update-module "
		     "FILE where the kernel offers it (ModuleUpdate is not 'unsupported'), else "
		     "with a BIOS update and a reboot",
		     want);
		return;
	}
	set(c, CHECK_PASS, "the TDX module runs version %s, at least the configured minimum %s",
	    have, want);
}
