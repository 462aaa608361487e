/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Not kernel code: a .modinfo section like kvm's (no tdx parameter) for the libkmod tests. */
__attribute__((section(".modinfo"), used)) static const char modinfo[] =
    "alias=devname:kvm\0"
    "parm=tdp_mmu:Enable the TDP MMU\0"
    "name=kvm\0"
    "vermagic=9.9.9-test SMP mod_unload \0";
