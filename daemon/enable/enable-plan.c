/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "enable-plan.h"
#include "memory-blocks.h"
#include "parse-util.h"

const char *enable_action_to_string(enum enable_action a) {
	static const char *const t[_ENABLE_ACTION_MAX] = {
	    [ENABLE_ACTION_NONE] = "none",
	    [ENABLE_ACTION_UNSUPPORTED] = "unsupported",
	    [ENABLE_ACTION_NO_SUPPORT] = "no-kernel-support",
	    [ENABLE_ACTION_ONE_SHOT] = "one-shot-failed",
	    [ENABLE_ACTION_BLOCKED] = "blocked",
	    [ENABLE_ACTION_NOT_FOUND] = "not-found",
	    [ENABLE_ACTION_IN_USE] = "in-use",
	    [ENABLE_ACTION_CPUS_REFUSED] = "cpus-refused",
	    [ENABLE_ACTION_MEMORY_REFUSED] = "memory-refused",
	    [ENABLE_ACTION_LOAD] = "load",
	    [ENABLE_ACTION_RELOAD] = "reload",
	    [ENABLE_ACTION_LOAD_WITHOUT_TDX] = "load-without-tdx",
	};
	return a >= 0 && a < _ENABLE_ACTION_MAX ? t[a] : "?";
}

void enable_options_without_tdx(const char *options, bool explicit_off, char *buf, size_t size) {
	char copy[256];
	char *save = NULL;

	buf[0] = 0;
	snprintf(copy, sizeof copy, "%s", options ? options : "");
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (!streq(w, "tdx") && !startswith(w, "tdx="))
			textf(buf, size, true, "%s%s", buf[0] ? " " : "", w);
	if (explicit_off)
		textf(buf, size, true, "%stdx=0", buf[0] ? " " : "");
}

static bool failed(const struct tdx_status *s, enum check_id id) {
	return s->checks[id].result == CHECK_FAIL;
}

static const struct check *first_platform_failure(const struct tdx_status *s) {
	static const enum check_id platform[] = {CHECK_CPU_VENDOR, CHECK_BARE_METAL, CHECK_BIOS_TDX,
	                                         CHECK_KEYIDS};
	for (size_t i = 0; i < ELEMENTSOF(platform); i++)
		if (failed(s, platform[i]))
			return &s->checks[platform[i]];
	return NULL;
}

static void next_boot_hint(char *buf, size_t size, const char *mod, bool append) {
	textf(buf, size, append,
	      "at the next boot use %s.tdx=1 on the kernel command line, or `options %s tdx=1` in "
	      "/etc/modprobe.d/ (copy /usr/share/doc/tdxd/tdxd-kvm-intel.conf)",
	      mod, mod);
}

/* One CPU per package (or dark NUMA node) without an online CPU. Returns false, with the
 * refusal in plan->message, when one is needed and may not be onlined or none is known. */
/* The initialization takes every range of memblock as TDX memory, and hot-added memory joins
 * memblock when it is added, online or not (add_memory_resource() with ARCH_KEEP_MEMBLOCK,
 * which INTEL_TDX_HOST selects). Memory outside the CMRs then makes TDH.SYS.CONFIG fail, and
 * the failure lasts until reboot: refuse up front. 1 fine (or the CMRs are unknown), 0
 * refused (message and hint set), -ENOMEM. */
static int plan_memory(const struct tdx_host *h, struct enable_plan *p) {
	_cleanup_free_ uint64_t *bad = NULL;
	struct range_set cmrs = {0};
	size_t n = 0;
	char blocks[640];

	if (h->cmrs.n == 0 || h->mem.block_size == 0)
		return 1;
	int r = range_set_copy(&cmrs, &h->cmrs);
	if (r >= 0) {
		range_set_normalize(&cmrs, true);
		r = memory_blocks_outside(&h->mem, BLOCKS_ANY, &cmrs, &bad, &n);
	}
	range_set_clear(&cmrs);
	if (r < 0)
		return r;
	if (n == 0)
		return 1;
	memory_blocks_format(bad, n, h->mem.block_size, blocks, sizeof blocks);
	textf(p->message, sizeof p->message, false,
	      "cannot enable TDX: memory outside the convertible memory regions is present "
	      "(%s); the TDX module initialization takes all memory present, online or not, and "
	      "would fail until the next reboot",
	      blocks);
	textf(p->hint, sizeof p->hint, false,
	      "remove that memory first (offline its blocks, then unplug the DIMM, or "
	      "daxctl reconfigure-device --mode=devdax for a dax device), then run tdxctl enable");
	return 0;
}

static bool plan_cpus(const struct tdx_host *h, bool may_online, struct enable_plan *p) {
	_cleanup_free_ unsigned *l = h->n_cpus ? calloc(h->n_cpus, sizeof(unsigned)) : NULL;
	bool ok = true, have_example = false;
	unsigned example = 0;

	for (size_t k = 0; k < h->n_packages + h->n_dark_nodes; k++) {
		bool node = k >= h->n_packages;
		int id = node ? h->dark_nodes[k - h->n_packages] : h->packages[k].id;
		size_t n = 0;
		char cpus[256];

		if (!node && h->packages[k].online_cpus > 0)
			continue;
		/* A dark NUMA node only matters for CPUs whose package is unknown: the others
		 * are covered by their package's own count. */
		for (unsigned c = 0; l && c < h->n_cpus; c++)
			if (h->cpus[c].present && !h->cpus[c].online &&
			    (node ? h->cpus[c].node == id && h->cpus[c].package < 0
			          : h->cpus[c].package == id))
				l[n++] = c;
		if (node && n == 0)
			continue;
		if (n > 0 && may_online) {
			bool dup = false;
			for (size_t i = 0; i < p->n_cpus_to_online; i++)
				dup = dup || p->cpus_to_online[i] == l[0];
			if (!dup && p->n_cpus_to_online < ELEMENTSOF(p->cpus_to_online))
				p->cpus_to_online[p->n_cpus_to_online++] = l[0];
			continue;
		}
		if (n > 0)
			format_cpu_list(l, n, cpus, sizeof cpus);
		else
			snprintf(cpus, sizeof cpus, "unknown");
		textf(p->message, sizeof p->message, !ok, "%sno online CPU in %s %d (CPUs %s)",
		      ok ? "cannot enable TDX: " : "; ", node ? "NUMA node" : "package", id, cpus);
		if (n > 0 && !have_example) {
			example = l[0];
			have_example = true;
		}
		ok = false;
	}
	if (ok)
		return true;
	if (have_example) {
		textf(p->message, sizeof p->message, true,
		      "; online one, e.g. echo 1 > /sys/devices/system/cpu/cpu%u/online", example);
		textf(p->hint, sizeof p->hint, false,
		      "online one CPU in every package, e.g. echo 1 > "
		      "/sys/devices/system/cpu/cpu%u/online, then run tdxctl enable (or set "
		      "OnlineCPUsForInit=yes)",
		      example);
	} else
		textf(p->hint, sizeof p->hint, false,
		      "online one CPU in every package, then run tdxctl enable");
	return false;
}

int enable_plan_decide(const struct enable_input *in, struct enable_plan *ret) {
	const struct tdx_host *h = in->host;
	const struct tdx_status *s = in->status;
	const struct tdxd_config *c = in->config;
	const struct kmod_module_facts *km = in->kmod;
	const struct kvm_module *kvm = &h->kvm;
	struct enable_plan p = {0};
	const struct check *f;
	const char *mod;
	int r;

	snprintf(p.module, sizeof p.module, "%s",
	         km && km->found && km->name[0] ? km->name : c->kvm_module);
	mod = p.module;
	snprintf(p.options, sizeof p.options, "%s", c->kvm_module_options);
	enable_options_without_tdx(c->kvm_module_options, true, p.fallback_options,
	                           sizeof p.fallback_options);

	if ((f = first_platform_failure(s))) {
		p.action = ENABLE_ACTION_UNSUPPORTED;
		textf(p.message, sizeof p.message, false, "nothing to enable: %s", f->summary);
		textf(p.hint, sizeof p.hint, false, "%s", f->hint);
		goto done;
	}

	if (s->tdx_up || (kvm->loaded && kvm->has_tdx_param && kvm->tdx_enabled)) {
		p.action = ENABLE_ACTION_NONE;
		textf(p.message, sizeof p.message, false, "%s is already loaded with TDX", mod);
		goto done;
	}

	if (failed(s, CHECK_MODULE_INIT)) {
		const struct check *mi = &s->checks[CHECK_MODULE_INIT];
		p.action = !kvm->loaded && c->fallback_without_tdx ? ENABLE_ACTION_LOAD_WITHOUT_TDX
		                                                   : ENABLE_ACTION_ONE_SHOT;
		textf(p.message, sizeof p.message, false,
		      "the TDX module initialization already failed this boot (%s); the kernel "
		      "does not retry it",
		      mi->summary);
		textf(p.hint, sizeof p.hint, false, "%s", mi->hint);
		if (!strstr(p.hint, "reboot"))
			textf(p.hint, sizeof p.hint, true, "%s%s", p.hint[0] ? "; " : "", REBOOT);
		goto done;
	}

	if (km && (km->blacklisted || km->install_blocks)) {
		const char *file = km->policy_file[0] ? km->policy_file : "modprobe.d";
		p.action = ENABLE_ACTION_BLOCKED;
		if (km->blacklisted)
			textf(p.message, sizeof p.message, false,
			      "%s is blacklisted in %s: the operator keeps it from loading", mod,
			      file);
		else
			textf(p.message, sizeof p.message, false,
			      "%s's loading is replaced by `install %s %s` in %s: the operator "
			      "keeps it from loading",
			      mod, mod, km->install_cmd, file);
		textf(p.hint, sizeof p.hint, false,
		      "remove that line from %s and run tdxctl enable to let tdxd load %s with "
		      "tdx=1; set EnableTDX=no in /etc/tdxd/tdxd.conf to keep TDX off quietly",
		      file, mod);
		goto done;
	}

	if (km && !km->found && !kvm->loaded) {
		p.action = ENABLE_ACTION_NOT_FOUND;
		textf(p.message, sizeof p.message, false,
		      "module %s not found: no module or alias of that name for this kernel", mod);
		textf(p.hint, sizeof p.hint, false,
		      "install this kernel's KVM modules (e.g. the linux-modules-extra package) or "
		      "set KVMModule= in /etc/tdxd/tdxd.conf to the right module");
		goto done;
	}

	if (failed(s, CHECK_HIBERNATION) || failed(s, CHECK_KERNEL_TDX) ||
	    (km && km->found && km->has_tdx_param == 0 && !kvm->loaded)) {
		/* The spec makes this "disabled" (kernel-tdx): nothing is loaded, the
		 * module is left to udev for ordinary VMs. */
		p.action = ENABLE_ACTION_NO_SUPPORT;
		f = failed(s, CHECK_HIBERNATION)  ? &s->checks[CHECK_HIBERNATION]
		    : failed(s, CHECK_KERNEL_TDX) ? &s->checks[CHECK_KERNEL_TDX]
		                                  : NULL;
		if (f) {
			textf(p.message, sizeof p.message, false, "nothing to enable: %s",
			      f->summary);
			textf(p.hint, sizeof p.hint, false, "%s", f->hint);
		} else {
			textf(p.message, sizeof p.message, false,
			      "nothing to enable: the installed %s has no tdx parameter (this "
			      "kernel has no KVM TDX support)",
			      mod);
			textf(p.hint, sizeof p.hint, false,
			      "install a kernel with KVM TDX support (upstream v6.16 or newer with "
			      "CONFIG_KVM_INTEL_TDX=y)");
		}
		goto done;
	}

	if (kvm->loaded) {
		bool held = kvm->refcnt > 0 || kvm->n_holders > 0;
		p.action = ENABLE_ACTION_IN_USE;
		if (in->builtin)
			textf(p.message, sizeof p.message, false,
			      "it is built into the kernel and cannot be reloaded");
		else if (held) {
			unsigned users = kvm->refcnt > 0 ? (unsigned)kvm->refcnt : kvm->n_holders;
			textf(p.message, sizeof p.message, false, "held by %u user%s (refcnt %d",
			      users, users == 1 ? "" : "s", kvm->refcnt);
			if (kvm->n_holders > 0)
				textf(p.message, sizeof p.message, true, ", holders: %s",
				      kvm->holders);
			textf(p.message, sizeof p.message, true, "), not reloaded while in use");
		} else if (c->reload_kvm == RELOAD_KVM_NEVER)
			textf(p.message, sizeof p.message, false, "ReloadKVM=never");
		else if (kvm->refcnt < 0)
			textf(p.message, sizeof p.message, false, "its use count cannot be read");
		else
			p.action = ENABLE_ACTION_RELOAD;
		if (p.action == ENABLE_ACTION_IN_USE) {
			textf(p.message, sizeof p.message, true, "; ");
			next_boot_hint(p.message, sizeof p.message, mod, true);
			if (held)
				textf(p.hint, sizeof p.hint, false,
				      "stop the VMs that use %s, then run tdxctl enable; or ", mod);
			next_boot_hint(p.hint, sizeof p.hint, mod, held);
			goto done;
		}
	} else
		p.action = ENABLE_ACTION_LOAD;

	/* Before the module initialization (v6.16-v7.0: during this load) every package needs an
	 * online CPU; once the module is initialized (v7.1+ at boot) it no longer matters. */
	if (!s->module_initialized && !plan_cpus(h, c->online_cpus_for_init, &p))
		p.action = ENABLE_ACTION_CPUS_REFUSED;
	else if (!s->module_initialized) {
		r = plan_memory(h, &p);
		if (r < 0)
			return r;
		if (r == 0)
			p.action = ENABLE_ACTION_MEMORY_REFUSED;
	}
done:
	*ret = p;
	return 0;
}
