/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the TDX core stand-in (tdx_core_sim) offers the KVM stand-in (tdx_kvm_sim): the same
 * split as the real kernel, where arch/x86/virt/vmx/tdx/tdx.c exports tdx_enable() and the
 * module's metadata, and arch/x86/kvm/vmx/tdx.c decides what KVM does with them.
 */
#pragma once

#include <linux/types.h>

/* The BIOS "enabled TDX" (at least two KeyIDs): tdx_host_platform on a real host. */
bool tdx_sim_platform(void);
/* tdx_enable(): one-shot simulated module initialization (0, -EIO, or -EINVAL once failed);
 * waits first while the test holds it (tdx_core_sim's hold_enable). */
int tdx_sim_enable(void);
/* td_conf.max_vcpus_per_td from the simulated module metadata. */
u16 tdx_sim_max_vcpus_per_td(void);
