// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test double of KVM's TDX bring-up (arch/x86/kvm/vmx/tdx.c, v6.16-v7.0 era) for tdxd's
 * system test lane: tdxd loads it in place of kvm_intel (KVMModule=tdx_kvm_sim).
 *
 * What it reproduces (docs/kernel-interfaces.md, *KVM module state*, *TDX module initialization*, *CPU hotplug*), and nothing more:
 *  - the "tdx" bool parameter, mode 0444, reading Y only when TDX came up;
 *  - loading with tdx=1 registers the cpuhp state "kvm/cpu/tdx:online" and initializes the
 *    TDX module through the core (tdx_core_sim); a failed initialization fails the whole
 *    module load with its error, as v6.16-v7.0 do;
 *  - MAX_VCPU_PER_TD below the number of present CPUs fails the load with -EINVAL;
 *  - the hotplug teardown refuses the last online CPU of a package with -EBUSY while TDs
 *    exist. There are no real TDs: nr_tds (writable) says how many the test pretends exist.
 * Messages use pr_fmt(KBUILD_MODNAME ": ") exactly like the real file, so they carry this
 * module's name where a real host shows "kvm_intel: ".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <asm/topology.h>

#include "tdx_sim.h"

static bool enable_tdx;
module_param_named(tdx, enable_tdx, bool, 0444);
MODULE_PARM_DESC(tdx, "enable TDX (the module is initialized at load)");

static unsigned int nr_tds;
module_param(nr_tds, uint, 0644);
MODULE_PARM_DESC(nr_tds, "simulated TDs holding a KeyID (the last CPU of a package is then busy)");

static enum cpuhp_state tdx_cpuhp_state;

static int tdx_online_cpu(unsigned int cpu)
{
	/* The real callback runs TDH.SYS.LP.INIT on the CPU: nothing to simulate. */
	return 0;
}

static int tdx_offline_cpu(unsigned int cpu)
{
	unsigned int i;

	/* No TD is running.  Allow any cpu to be offline. */
	if (!READ_ONCE(nr_tds))
		return 0;
	for_each_online_cpu(i)
		if (i != cpu &&
		    topology_physical_package_id(i) == topology_physical_package_id(cpu))
			return 0;
	pr_warn_ratelimited("TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package.\n");
	return -EBUSY;
}

static int tdx_bringup(void)
{
	int r;

	if (!tdx_sim_platform()) {
		pr_err("tdx: no TDX private KeyIDs available\n");
		return -ENODEV;
	}
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "kvm/cpu/tdx:online", tdx_online_cpu,
			      tdx_offline_cpu);
	if (r < 0)
		return r;
	tdx_cpuhp_state = r;

	r = tdx_sim_enable();
	if (!r && tdx_sim_max_vcpus_per_td() < num_present_cpus()) {
		pr_err("Disable TDX: MAX_VCPU_PER_TD (%u) smaller than number of logical CPUs (%u).\n",
		       tdx_sim_max_vcpus_per_td(), num_present_cpus());
		r = -EINVAL;
	}
	if (r) {
		cpuhp_remove_state(tdx_cpuhp_state);
		tdx_cpuhp_state = 0;
	}
	return r;
}

static int __init tdx_kvm_sim_init(void)
{
	int r;

	if (!enable_tdx)
		return 0;
	r = tdx_bringup();
	if (r) {
		enable_tdx = false;
		/* Module not loaded / no KeyIDs: KVM loads with TDX off. Anything else fails it. */
		if (r == -ENODEV)
			return 0;
	}
	return r;
}

static void __exit tdx_kvm_sim_exit(void)
{
	if (tdx_cpuhp_state)
		cpuhp_remove_state(tdx_cpuhp_state);
}

module_init(tdx_kvm_sim_init);
module_exit(tdx_kvm_sim_exit);
MODULE_DESCRIPTION("tdxd system tests: stand-in for kvm_intel's TDX bring-up (no hardware)");
MODULE_LICENSE("GPL");
