/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Not kernel code: an object file whose .modinfo section looks like kvm_intel's, so depmod and
 * libkmod can index and describe it (an alias by CPU modalias, a tdx parameter). It is never
 * loaded. */
__attribute__((section(".modinfo"), used)) static const char modinfo[] =
    "alias=cpu:type:x86,ven*fam*mod*:feature:*0085*\0"
    "parm=tdx:Enable TDX\0"
    "parmtype=tdx:bool\0"
    "parm=nested:Enable nested virtualization\0"
    "name=kvm_intel\0"
    "vermagic=9.9.9-test SMP mod_unload \0";
