/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why an enable attempt failed, from the kernel log lines written since it began: the
 * kernel's own words become the failure, and what to do about them the hint. Pure. */
#include <stdarg.h>
#include <stdio.h>

#include "enable-plan.h"
#include "macro.h"

/* ---- explaining a failure ---- */

static bool fresh(const struct kline *l, uint64_t since) {
	return l->present && l->seq > since;
}

static const struct {
	const char *what, *hint;
} prereq_text[_KVM_PREREQ_MAX] = {
    [KVM_PREREQ_EPT] = {"EPT is off", "remove kvm_intel.ept=0 (kernel command line or "
                                      "/etc/modprobe.d)"},
    [KVM_PREREQ_TDP_MMU] = {"the TDP MMU, MMIO caching or EPT A/D bits are off",
                            "remove kvm.tdp_mmu=0, kvm.mmio_caching=0 and kvm_intel.eptad=0 "
                            "(kernel command line or /etc/modprobe.d)"},
    [KVM_PREREQ_APICV] = {"APICv is off", "remove kvm_intel.enable_apicv=0 and enable APICv "
                                          "in the BIOS"},
    [KVM_PREREQ_OSXSAVE] = {"the CPU lacks (OS)XSAVE", "do not boot with noxsave"},
    [KVM_PREREQ_MOVDIR64B] = {"the CPU lacks MOVDIR64B", "TDX needs a CPU with MOVDIR64B"},
    [KVM_PREREQ_SELF_SNOOP] = {"the CPU lacks self-snoop", "TDX needs a CPU with self-snoop"},
    [KVM_PREREQ_NO_KEYIDS] = {"no TDX private KeyIDs are available",
                              "configure TDX KeyIDs in the BIOS (TME-MT KeyID split)"},
    [KVM_PREREQ_PLATFORM] = {"the platform does not support TDX", "enable TDX in the BIOS"},
    [KVM_PREREQ_VIRT_AT_LOAD] = {"kvm.enable_virt_at_load is 0",
                                 "set kvm.enable_virt_at_load=1 (kernel command line or "
                                 "`options kvm enable_virt_at_load=1`)"},
};

bool enable_explain(const struct kmsg_facts *k, uint64_t since_seq, const char *module,
                    bool with_tdx, int load_error, char *failure, size_t fsize, char *hint,
                    size_t hsize, bool *ret_one_shot) {
	bool one_shot = false;
	const struct kline *q = NULL;

	if (load_error < 0)
		textf(failure, fsize, false, "loading %s%s failed (%s)", module,
		      with_tdx ? " with tdx=1" : "", strerror(-load_error));
	else
		textf(failure, fsize, false, "%s loaded but TDX did not come up (%s.tdx reads N)",
		      module, module);
	hint[0] = 0;

	if (fresh(&k->no_hw_support, since_seq)) {
		q = &k->no_hw_support;
		textf(failure, fsize, true, ": no hardware virtualization support");
		textf(hint, hsize, false,
		      "enable Intel Virtualization Technology (VT-x) in the BIOS (in a VM: expose "
		      "VMX to the guest), then reboot");
	} else if (fresh(&k->max_vcpu, since_seq)) {
		q = &k->max_vcpu;
		textf(failure, fsize, true,
		      ": the TDX module allows %u vCPUs per TD, fewer than the %u logical CPUs",
		      k->max_vcpu_module, k->max_vcpu_cpus);
		textf(hint, hsize, false,
		      "update the TDX module to one with a larger MAX_VCPUS_PER_TD (BIOS update), "
		      "or boot with fewer logical CPUs (nosmt, nr_cpus=%u)",
		      k->max_vcpu_module);
	} else if (fresh(&k->not_loaded, since_seq)) {
		q = &k->not_loaded;
		textf(failure, fsize, true, ": the BIOS did not load the TDX module");
		textf(hint, hsize, false,
		      "enable the SEAM Loader in the BIOS and make sure the firmware carries a TDX "
		      "module, then reboot");
	} else if (fresh(&k->rbp_bug, since_seq)) {
		q = &k->rbp_bug;
		one_shot = true;
		textf(failure, fsize, true, ": the TDX module is too old (RBP clobber bug)");
		textf(hint, hsize, false, "update the TDX module (BIOS update), then reboot");
	} else if (fresh(&k->tdmr, since_seq)) {
		q = &k->tdmr;
		one_shot = true;
		textf(failure, fsize, true,
		      ": the memory layout needs more TDMRs than the TDX module has");
		textf(hint, hsize, false,
		      "reduce the number of memory regions (memmap= holes, NUMA layout, populated "
		      "DIMMs) or update the TDX module, then reboot");
	} else if (fresh(&k->offline_cpus, since_seq)) {
		q = &k->offline_cpus;
		one_shot = true;
		textf(failure, fsize, true, ": CPUs were offline during the initialization");
		textf(hint, hsize, false,
		      "keep every CPU online (no maxcpus=) before loading %s with tdx=1, then "
		      "reboot",
		      module);
	} else if (fresh(&k->seamcall, since_seq)) {
		q = &k->seamcall;
		one_shot = true;
		textf(failure, fsize, true,
		      ": a SEAMCALL failed during the TDX module "
		      "initialization");
		textf(hint, hsize, false,
		      "make sure every package has an online CPU and the TDX module is current "
		      "(BIOS update), then reboot");
	} else if (k->init == MODULE_INIT_FAILED && fresh(&k->init_line, since_seq)) {
		q = &k->init_line;
		one_shot = true;
		textf(failure, fsize, true, ": the TDX module initialization failed");
		textf(hint, hsize, false,
		      "look at the kernel log (journalctl -k | grep -i tdx) for the cause, fix it "
		      "and reboot");
	} else {
		for (int i = 0; i < _KVM_PREREQ_MAX && !q; i++)
			if (fresh(&k->kvm_prereq[i], since_seq)) {
				q = &k->kvm_prereq[i];
				textf(failure, fsize, true, ": KVM turned TDX off because %s",
				      prereq_text[i].what);
				textf(hint, hsize, false, "%s, then run tdxctl enable",
				      prereq_text[i].hint);
			}
	}

	if (q) {
		textf(failure, fsize, true, " (kernel: \"%s\")", q->text);
		if (q == &k->seamcall && fresh(&k->init_line, since_seq))
			textf(failure, fsize, true, ", then \"%s\"", k->init_line.text);
		if (one_shot)
			textf(hint, hsize, true, "; %s", REBOOT);
	} else {
		textf(failure, fsize, true, "; the kernel log gives no reason%s",
		      k->readable ? "" : " (it could not be read)");
		textf(hint, hsize, false,
		      "look at the kernel log (journalctl -k | grep -iE 'tdx|kvm') and at "
		      "KVMModuleOptions in /etc/tdxd/tdxd.conf");
	}
	if (ret_one_shot)
		*ret_one_shot = one_shot;
	return q != NULL;
}
