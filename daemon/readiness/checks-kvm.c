/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel and KVM checks: the KVM module, TDX in the kernel and in KVM, the TDX VM type
 * (docs/readiness.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* What each KVM prerequisite line means and how an operator fixes it. */
static const struct {
	const char *what;
	const char *hint;
} prereq_info[_KVM_PREREQ_MAX] = {
    [KVM_PREREQ_EPT] = {"EPT is disabled",
                        "do not disable EPT: remove kvm_intel.ept=0 from the kernel command line "
                        "and `options kvm_intel ept=0` from /etc/modprobe.d, then reload "
                        "kvm_intel with tdx=1"},
    [KVM_PREREQ_TDP_MMU] = {"the TDP MMU, MMIO caching or EPT A/D bits are disabled",
                            "remove kvm.tdp_mmu=0, kvm.mmio_caching=0 and kvm_intel.eptad=0 "
                            "(kernel command line or /etc/modprobe.d), then reload kvm and "
                            "kvm_intel with tdx=1"},
    [KVM_PREREQ_APICV] = {"APICv is disabled",
                          "remove kvm_intel.enable_apicv=0 (kernel command line or "
                          "/etc/modprobe.d) and enable APICv/posted interrupts in the BIOS, then "
                          "reload kvm_intel with tdx=1"},
    [KVM_PREREQ_OSXSAVE] = {"XSAVE is disabled",
                            "remove noxsave (and clearcpuid= for xsave) from the kernel command "
                            "line and reboot"},
    [KVM_PREREQ_MOVDIR64B] = {"the CPU does not report MOVDIR64B",
                              "TDX needs MOVDIR64B: check that clearcpuid= or a hypervisor does "
                              "not hide it, and that the CPU is a TDX-capable Xeon"},
    [KVM_PREREQ_SELF_SNOOP] = {"the CPU does not report self-snoop",
                               "TDX needs self-snoop: check that clearcpuid= or a hypervisor "
                               "does not hide it, and that the CPU is a TDX-capable Xeon"},
    [KVM_PREREQ_NO_KEYIDS] = {"the kernel found no TDX private KeyIDs", BIOS_TDX_HINT},
    [KVM_PREREQ_PLATFORM] = {"the kernel does not support TDX on this platform", BIOS_TDX_HINT},
    [KVM_PREREQ_VIRT_AT_LOAD] = {"kvm.enable_virt_at_load is 0",
                                 "set kvm.enable_virt_at_load=1 (kernel command line, or "
                                 "`options kvm enable_virt_at_load=1` in /etc/modprobe.d), then "
                                 "reload kvm and kvm_intel with tdx=1"},
};

/* ---- KVM ---- */

static void hint_enable(const struct facts *f, struct check *c) {
	const struct enable_progress *ep = f->ep;
	/* tdxd's own attempt failed for a reason the kernel log does not explain (module not
	 * found, an unload error): its words and its hint say more than the generic advice. */
	if (ep && ep->failed && ep->failure[0] && !strstr(c->summary, ep->failure))
		summary_add(c, ": %s", ep->failure);
	if (ep && ep->failed && ep->hint[0]) {
		hint(c, "%s", ep->hint);
		return;
	}
	if (ep && ep->blocked_by_policy) {
		hint(c,
		     "%s is blocked on purpose in %s (blacklist or install /bin/false): remove "
		     "that line to let tdxd load it with tdx=1",
		     f->kvm, ep->policy_file[0] ? ep->policy_file : "/etc/modprobe.d");
		return;
	}
	if (ep && ep->in_use)
		hint(c, "%s is in use (%s): stop the VMs that hold it, then ", f->kvm,
		     ep->in_use_reason[0] ? ep->in_use_reason : "held");
	else if (f->h->kvm.loaded && f->h->kvm.refcnt > 0)
		hint(c, "%s is in use (%d users%s%s): stop the VMs that hold it, then ", f->kvm,
		     f->h->kvm.refcnt, f->h->kvm.holders[0] ? ", " : "", f->h->kvm.holders);
	hint(c,
	     "load it with TDX: tdxctl enable, or modprobe -r %s && modprobe %s tdx=1 (no VM "
	     "may be running); make it permanent with `options %s tdx=1` in /etc/modprobe.d or "
	     "%s.tdx=1 on the kernel command line",
	     f->kvm, f->kvm, f->kvm, f->kvm);
}

void check_kvm_module(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_MODULE];
	const struct kvm_module *m = &f->h->kvm;

	/* On a CPU that is not Intel's, or inside a guest, kvm_intel is beside the point: saying
	 * it is not loaded would only be noise next to the real reason. */
	if (!need(s, CHECK_KVM_MODULE, CHECK_CPU_VENDOR, false) ||
	    !need(s, CHECK_KVM_MODULE, CHECK_BARE_METAL, false))
		return;
	if (m->loaded) {
		set(c, CHECK_PASS, "%s is loaded", f->kvm);
		if (m->n_holders > 0 && m->holders[0])
			summary_add(c, " (used by %s)", m->holders);
		return;
	}
	set(c, CHECK_FAIL, "%s is not loaded", f->kvm);
	if (f->h->kmsg.no_hw_support.present) {
		quote(c, &f->h->kmsg.no_hw_support);
		hint(c,
		     "enable Intel Virtualization Technology (VT-x) and VT-d in the BIOS, then "
		     "reboot and load %s with tdx=1",
		     f->kvm);
		return;
	}
	if (f->init_failed) {
		summary_add(c, ": the TDX module initialization failed while it loaded with tdx=1 "
		               "(see module-init)");
		hint(c,
		     "the initialization cannot be retried before a reboot: for ordinary VMs "
		     "meanwhile, modprobe %s tdx=0; fix the cause given by module-init, then "
		     "reboot",
		     f->kvm);
		return;
	}
	if (f->h->kmsg.max_vcpu.present) {
		summary_add(c, ": its load failed because of the module's vCPU limit (see "
		               "max-vcpus)");
		hint(c,
		     "see the max-vcpus check; to run ordinary VMs meanwhile: modprobe %s "
		     "tdx=0",
		     f->kvm);
		return;
	}
	hint_enable(f, c);
}

void check_kernel_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KERNEL_TDX];
	const struct kvm_module *m = &f->h->kvm;
	int has;

	if (f->tdx_up)
		has = 1; /* whatever the parameter is called on this (vendor) kernel */
	else if (m->loaded)
		has = m->has_tdx_param;
	else
		has = m->modinfo_has_tdx;

	if (has > 0 && !m->has_tdx_param && f->tdx_up)
		set(c, CHECK_PASS, "the kernel has KVM TDX support (TDX is up in %s)", f->kvm);
	else if (has > 0)
		set(c, CHECK_PASS, "the kernel has KVM TDX support (%s has a tdx parameter)",
		    f->kvm);
	else if (has == 0) {
		set(c, CHECK_FAIL, "the kernel has no KVM TDX support: %s has no tdx parameter",
		    f->kvm);
		hint(c,
		     "install a kernel with KVM TDX support: upstream v6.16 or newer built with "
		     "CONFIG_KVM_INTEL_TDX=y (CONFIG_INTEL_TDX_HOST=y), or your distribution's TDX "
		     "host kernel");
	} else {
		set(c, CHECK_SKIP, "not checked: %s is not loaded and its module info was not read",
		    f->kvm);
		hint(c, "check with modinfo -p %s | grep tdx", f->kvm);
	}
}

void check_kvm_tdx(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_TDX];
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;

	if (!need(s, CHECK_KVM_TDX, CHECK_BIOS_TDX, true) ||
	    !need(s, CHECK_KVM_TDX, CHECK_KVM_MODULE, true))
		return;
	if (!h->kvm.has_tdx_param) {
		if (f->tdx_up) {
			set(c, CHECK_PASS, "KVM reports TDX support (%s has no tdx parameter)",
			    f->kvm);
			return;
		}
		if (!need(s, CHECK_KVM_TDX, CHECK_KERNEL_TDX, true))
			return;
	}
	if (f->param_y) {
		set(c, CHECK_PASS, "%s.tdx reads Y", f->kvm);
		return;
	}

	set(c, CHECK_FAIL, "%s is loaded with TDX off (%s.tdx reads N)", f->kvm, f->kvm);
	if (s->checks[CHECK_HIBERNATION].result == CHECK_FAIL) {
		/* KVM then only sees a platform without TDX: its own line says no more */
		summary_add(c, ": the kernel refused TDX at boot (see hibernation)");
		quote(c, &k->kvm_prereq[KVM_PREREQ_NO_KEYIDS]);
		quote(c, &k->kvm_prereq[KVM_PREREQ_PLATFORM]);
		hint(c,
		     "fix the hibernation check first (nohibernate on the kernel command line, "
		     "reboot), then load %s with tdx=1",
		     f->kvm);
		return;
	}
	bool any = false;
	for (int i = 0; i < _KVM_PREREQ_MAX; i++) {
		if (!k->kvm_prereq[i].present)
			continue;
		summary_add(c, "%s%s", any ? "; and " : ": KVM turned it off because ",
		            prereq_info[i].what);
		quote(c, &k->kvm_prereq[i]);
		hint(c, "%s%s", any ? "; " : "", prereq_info[i].hint);
		any = true;
	}
	if (!any && f->init_failed) {
		summary_add(c, ": the TDX module initialization failed (see module-init)");
		hint(c, "see the module-init check: %s", ONE_SHOT);
		return;
	}
	if (!any)
		hint_enable(f, c);
}

void check_kvm_vm_types(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KVM_VM_TYPES];
	const struct tdx_host *h = f->h;

	if (!h->kvm_dev_asked) {
		set(c, CHECK_SKIP, "not checked: /dev/kvm was not asked");
		return;
	}
	if (h->kvm_vm_types_tdx) {
		set(c, CHECK_PASS, "/dev/kvm lists KVM_X86_TDX_VM in KVM_CAP_VM_TYPES");
		return;
	}
	if (!h->kvm.loaded || (!f->param_y && s->checks[CHECK_KVM_TDX].result != CHECK_PASS)) {
		set(c, CHECK_SKIP, "not checked: kvm-tdx %s",
		    s->checks[CHECK_KVM_TDX].result == CHECK_FAIL ? "failed" : "skipped");
		return;
	}
	set(c, CHECK_FAIL,
	    "%s.tdx reads Y but /dev/kvm does not list KVM_X86_TDX_VM (5) in "
	    "KVM_CAP_VM_TYPES",
	    f->kvm);
	hint(c,
	     "KVM cannot create TDs: check the kernel log (dmesg | grep -i tdx) and reload "
	     "%s with tdx=1 (tdxctl enable)",
	     f->kvm);
}
