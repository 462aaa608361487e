/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The platform, BIOS and CPU checks: vendor, bare metal, TDX in the BIOS, KeyIDs,
 * hibernation, CPU packages (docs/readiness.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* ---- platform and BIOS ---- */

void check_cpu_vendor(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CPU_VENDOR];
	const struct cpuinfo *ci = &f->h->cpuinfo;

	if (!ci->read || !ci->vendor_id[0]) {
		set(c, CHECK_SKIP, "not checked: /proc/cpuinfo could not be read");
		hint(c, "make /proc/cpuinfo readable (is /proc mounted?)");
	} else if (streq(ci->vendor_id, "GenuineIntel"))
		set(c, CHECK_PASS, "the CPU is GenuineIntel");
	else {
		set(c, CHECK_FAIL, "the CPU vendor is %s: TDX needs an Intel CPU", ci->vendor_id);
		hint(c, "TDX needs an Intel Xeon with TDX (4th generation Xeon Scalable or newer); "
		        "on AMD hosts use SEV-SNP tooling (e.g. snphost) instead");
	}
}

void check_bare_metal(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_BARE_METAL];
	const struct cpuinfo *ci = &f->h->cpuinfo;

	if (!ci->read) {
		set(c, CHECK_SKIP, "not checked: /proc/cpuinfo could not be read");
		hint(c, "make /proc/cpuinfo readable (is /proc mounted?)");
	} else if (ci->tdx_guest) {
		set(c, CHECK_FAIL, "running inside a TDX guest (the tdx_guest CPU flag is set)");
		hint(c, "a TD cannot host TDs: run tdxd on the TDX host itself, not inside a "
		        "trust domain");
	} else if (ci->hypervisor) {
		set(c, CHECK_WARN, "running under a hypervisor (the hypervisor CPU flag is set)");
		hint(c, "TDX host support needs bare metal (nested TDX is not available): run "
		        "tdxd on the physical host");
	} else
		set(c, CHECK_PASS, "running on bare metal");
}

void check_bios_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_BIOS_TDX];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_BIOS_TDX, CHECK_CPU_VENDOR, false) ||
	    !need(s, CHECK_BIOS_TDX, CHECK_BARE_METAL, false))
		return;

	if (k->keyid_range.present) {
		set(c, CHECK_PASS,
		    "the BIOS enabled TDX: private KeyID range [%" PRIu32 ", %" PRIu32 ")",
		    k->keyid_start, k->keyid_end);
		return;
	}
	if (h->cpuinfo.tdx_host_platform) {
		set(c, CHECK_PASS, "the BIOS enabled TDX (the tdx_host_platform CPU flag is set)");
		return;
	}
	if (f->tdx_evidence) {
		set(c, CHECK_PASS,
		    "the BIOS enabled TDX (the kernel reports TDX KeyIDs or module)");
		return;
	}
	if (!f->log) {
		set(c, CHECK_SKIP,
		    "not checked: no tdx_host_platform CPU flag and the kernel log "
		    "could not be read");
		hint(c, "%s", RUN_AS_ROOT);
		return;
	}
	set(c, CHECK_FAIL,
	    "the BIOS did not enable TDX: no tdx_host_platform CPU flag and no "
	    "\"BIOS enabled: private KeyID range\" line in the kernel log");
	/* v7.1+ prints this at boot on hosts whose BIOS left TDX off: it explains, not a fault. */
	if (k->kvm_prereq[KVM_PREREQ_PLATFORM].present)
		quote(c, &k->kvm_prereq[KVM_PREREQ_PLATFORM]);
	else if (k->kvm_prereq[KVM_PREREQ_NO_KEYIDS].present)
		quote(c, &k->kvm_prereq[KVM_PREREQ_NO_KEYIDS]);
	hint(c, "%s", BIOS_TDX_HINT);
}

void check_keyids(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KEYIDS];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_KEYIDS, CHECK_BIOS_TDX, true))
		return;

	uint32_t n = 0;
	bool known = false;
	if (k->keyid_range.present) {
		n = k->keyid_end > k->keyid_start ? k->keyid_end - k->keyid_start : 0;
		known = true;
	} else if (h->fw.has_keyid_num) {
		n = h->fw.keyid_num;
		known = true;
	} else if (h->fw.has_nr_guest_keyids) {
		n = h->fw.nr_guest_keyids + 1;
		known = true;
	} else if (h->misc.capacity_known) {
		n = h->misc.capacity + 1;
		known = true;
	}

	if (k->too_few_keyids.present || (known && n < 2)) {
		set(c, CHECK_FAIL,
		    "too few TDX KeyIDs: %" PRIu32 " (TDX needs at least 2: one "
		    "global, one per TD)",
		    n);
		quote(c, &k->too_few_keyids);
		hint(c, "in the BIOS, raise the number of TDX KeyIDs in the TME-MT/TDX KeyID split "
		        "(e.g. \"TME-MT/TDX key split\", \"TDX KeyIDs\"), then reboot");
	} else if (known)
		set(c, CHECK_PASS, "%" PRIu32 " TDX KeyIDs: 1 global, %" PRIu32 " for guests", n,
		    n - 1);
	else if (h->cpuinfo.tdx_host_platform || f->tdx_evidence)
		/* the kernel sets tdx_host_platform only with at least 2 TDX KeyIDs */
		set(c, CHECK_PASS, "at least 2 TDX KeyIDs (tdx_host_platform is set only then)");
	else {
		set(c, CHECK_SKIP, "not checked: the KeyID split is unknown");
		if (!f->log)
			hint(c, "%s", RUN_AS_ROOT);
	}
}

void check_hibernation(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_HIBERNATION];
	const struct tdx_host *h = f->h;

	if (!need(s, CHECK_HIBERNATION, CHECK_BIOS_TDX, true))
		return;

	if (h->kmsg.hibernation.present) {
		set(c, CHECK_FAIL, "the kernel refused TDX because hibernation is enabled");
		quote(c, &h->kmsg.hibernation);
		hint(c, "add nohibernate to the kernel command line (e.g. GRUB_CMDLINE_LINUX in "
		        "/etc/default/grub, then update-grub or grub2-mkconfig) and reboot");
	} else if (h->kmsg.notifier_failed.present) {
		set(c, CHECK_FAIL,
		    "the kernel refused TDX at boot: it could not register its "
		    "memory notifier");
		quote(c, &h->kmsg.notifier_failed);
		hint(c, "reboot; if it persists, report it with the kernel log (dmesg | grep "
		        "virt/tdx) to your kernel vendor");
	} else if (h->cpuinfo.tdx_host_platform || f->initialized || f->param_y)
		set(c, CHECK_PASS, "hibernation is off: the kernel accepted TDX");
	else if (f->log)
		set(c, CHECK_PASS, "the kernel did not refuse TDX for hibernation");
	else {
		set(c, CHECK_SKIP, "not checked: the kernel log could not be read");
		hint(c, "%s", RUN_AS_ROOT);
	}
}

/* ---- CPUs ---- */

static void cpus_where(const struct tdx_host *h, bool by_node, int id, bool offline_unknown,
                       char *buf, size_t size, unsigned *ret_first) {
	_cleanup_free_ unsigned *l = NULL;
	size_t n = 0;

	buf[0] = 0;
	if (h->n_cpus == 0)
		return;
	l = calloc(h->n_cpus, sizeof(unsigned));
	if (!l)
		return;
	for (unsigned i = 0; i < h->n_cpus; i++) {
		const struct host_cpu *cpu = &h->cpus[i];
		if (!cpu->present)
			continue;
		if (offline_unknown ? (!cpu->online && cpu->package < 0)
		                    : (by_node ? cpu->node == id : cpu->package == id))
			l[n++] = i;
	}
	if (n > 0 && ret_first)
		*ret_first = l[0];
	format_cpu_list(l, n, buf, size);
}

/* Whether every present CPU of a node belongs to a known package without online CPUs. */
static bool node_in_dark_packages(const struct tdx_host *h, int node) {
	bool any = false;
	for (unsigned i = 0; i < h->n_cpus; i++) {
		const struct host_cpu *cpu = &h->cpus[i];
		if (!cpu->present || cpu->node != node)
			continue;
		if (cpu->package < 0)
			return false;
		for (size_t j = 0; j < h->n_packages; j++)
			if (h->packages[j].id == cpu->package && h->packages[j].online_cpus > 0)
				return false;
		any = true;
	}
	return any;
}

void check_cpu_packages(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CPU_PACKAGES];
	const struct tdx_host *h = f->h;
	char cpus[256];
	unsigned first = 0, example = 0;
	bool failed = false;

	if (h->n_packages == 0 && h->n_dark_nodes == 0) {
		set(c, CHECK_SKIP, "not checked: the CPU packages are unknown");
		hint(c, "make /sys/devices/system/cpu readable (is sysfs mounted?)");
		return;
	}

	c->summary[0] = 0;
	for (size_t i = 0; i < h->n_packages; i++) {
		const struct host_package *p = &h->packages[i];
		if (p->online_cpus > 0)
			continue;
		cpus_where(h, false, p->id, false, cpus, sizeof(cpus), &first);
		if (!failed)
			example = first;
		summary_add(c, "%sno online CPU in package %d (CPUs %s)", failed ? "; " : "", p->id,
		            cpus[0] ? cpus : "unknown");
		failed = true;
	}
	for (size_t i = 0; i < h->n_dark_nodes; i++) {
		if (node_in_dark_packages(h, h->dark_nodes[i]))
			continue; /* already named as a package */
		cpus_where(h, true, h->dark_nodes[i], false, cpus, sizeof(cpus), &first);
		if (!failed)
			example = first;
		summary_add(c,
		            "%sNUMA node %d has present CPUs (%s) but none online, it may be a "
		            "whole package",
		            failed ? "; " : "", h->dark_nodes[i], cpus[0] ? cpus : "unknown");
		failed = true;
	}
	if (failed) {
		c->result = CHECK_FAIL;
		hint(c,
		     "TDX needs at least one online CPU in every physical package: online one, "
		     "e.g. echo 1 > /sys/devices/system/cpu/cpu%u/online (or tdxctl enable with "
		     "OnlineCPUsForInit=yes); CPUGuard=enforce keeps it online",
		     example);
		return;
	}

	if (h->n_unknown_package_offline > 0) {
		cpus_where(h, false, -1, true, cpus, sizeof(cpus), &first);
		set(c, CHECK_WARN,
		    "%u offline CPU%s of unknown package (%s): every known package "
		    "has an online CPU",
		    h->n_unknown_package_offline, h->n_unknown_package_offline == 1 ? "" : "s",
		    cpus[0] ? cpus : "unknown");
		hint(c,
		     "their package cannot be read while they are offline (e.g. SMT siblings "
		     "after nosmt); if one could be the last CPU of its package, online it, e.g. "
		     "echo 1 > /sys/devices/system/cpu/cpu%u/online",
		     first);
		return;
	}

	set(c, CHECK_PASS, "every package has an online CPU: ");
	for (size_t i = 0; i < h->n_packages; i++)
		summary_add(c, "%s%d: %u/%u online", i ? ", " : "", h->packages[i].id,
		            h->packages[i].online_cpus, h->packages[i].present_cpus);
}
