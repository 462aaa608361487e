/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>

#include "kmsg.h"
#include "macro.h"
#include "check-run.h"

static struct kmsg_facts f;

static void setup(void) {
	f = (struct kmsg_facts){0};
}

static void teardown(void) {
	kmsg_facts_done(&f);
}

static void parse(const char *s) {
	size_t bad = 0;
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &f, &bad), 0);
}

/* Real-looking log of an Ubuntu 6.17 host (v6.16-v7.0 era). */
START_TEST(test_v616_success) {
	parse(
	    "6,1,0,-;Linux version 6.17.0-5-generic\n"
	    "6,1234,5678901,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	    "6,1235,5678902,-;virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.\n"
	    "6,2200,9100000,-;virt/tdx: 6303780 KB allocated for PAMT\n"
	    "6,2201,9100001,-;virt/tdx: module initialized\n");
	ck_assert(f.keyid_range.present);
	ck_assert_str_eq(f.keyid_range.text,
	                 "virt/tdx: BIOS enabled: private KeyID range [32, 64)");
	ck_assert_uint_eq(f.keyid_range.seq, 1234);
	ck_assert_uint_eq(f.keyid_start, 32);
	ck_assert_uint_eq(f.keyid_end, 64);
	ck_assert_uint_eq(f.pamt_kb, 6303780);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_str_eq(f.init_line.text, "virt/tdx: module initialized");
	ck_assert_uint_eq(f.init_line.seq, 2201);
	ck_assert_uint_eq(f.last_seq, 2201);
	ck_assert(!f.version_line.present);
	ck_assert_uint_eq(f.cmrs.n, 0);
}
END_TEST

START_TEST(test_keyid_doc_colon) {
	parse("6,5,100,-;virt/tdx: BIOS enabled: private KeyID range: [16, 64)\n");
	ck_assert(f.keyid_range.present);
	ck_assert_uint_eq(f.keyid_start, 16);
	ck_assert_uint_eq(f.keyid_end, 64);
}
END_TEST

START_TEST(test_v71_success) {
	parse("6,10,100,-;virt/tdx: BIOS enabled: private KeyID range [64, 128)\n"
	      "6,11,200,-;virt/tdx: Module version: 1.5.06\n"
	      "6,12,300,-;virt/tdx: 262668 KB allocated for PAMT\n"
	      "6,13,400,-;virt/tdx: TDX-Module initialized\n");
	ck_assert(f.version_line.present);
	ck_assert_uint_eq(f.version_major, 1);
	ck_assert_uint_eq(f.version_minor, 5);
	ck_assert_uint_eq(f.version_update, 6);
	ck_assert(f.version_has_update);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_str_eq(f.init_line.text, "virt/tdx: TDX-Module initialized");
	/* Documentation/arch/x86/tdx.rst spells it "KBs" */
	parse("6,14,500,-;virt/tdx: 262668 KBs allocated for PAMT\n");
	ck_assert_uint_eq(f.pamt_kb, 262668);
	ck_assert_uint_eq(f.pamt.seq, 14);
}
END_TEST

START_TEST(test_init_failures) {
	parse("3,20,1,-;virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000010000000000\n"
	      "3,21,2,-;virt/tdx: module initialization failed (-5)\n");
	ck_assert_int_eq(f.init, MODULE_INIT_FAILED);
	ck_assert_int_eq(f.init_error, -5);
	ck_assert(f.seamcall.present);
	ck_assert_uint_eq(f.seamcall.seq, 20);
	teardown();
	setup();
	parse("3,30,1,-;virt/tdx: TDX-Module initialization failed (-22)\n");
	ck_assert_int_eq(f.init, MODULE_INIT_FAILED);
	ck_assert_int_eq(f.init_error, -22);
	ck_assert_str_eq(f.init_line.text, "virt/tdx: TDX-Module initialization failed (-22)");
}
END_TEST

START_TEST(test_later_outcome_wins) {
	parse("3,1,1,-;virt/tdx: module initialization failed (-19)\n"
	      "6,2,2,-;virt/tdx: module initialized\n");
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_int_eq(f.init_error, 0);
	parse("3,3,3,-;virt/tdx: module initialization failed (-12)\n");
	ck_assert_int_eq(f.init, MODULE_INIT_FAILED);
	ck_assert_int_eq(f.init_error, -12);
	ck_assert_uint_eq(f.init_line.seq, 3);
}
END_TEST

START_TEST(test_old_intel_tree) {
	parse("6,1,1,-;tdx: TDX module is not loaded.\n"
	      "3,2,2,-;tdx: Unable to initialize the TDX module when there's offline CPU(s).\n"
	      "3,3,3,-;tdx: Failed to initialize TDX module.  Shut it down.\n");
	ck_assert(f.not_loaded.present);
	ck_assert(f.offline_cpus.present);
	ck_assert_int_eq(f.init, MODULE_INIT_FAILED);
	ck_assert_int_eq(f.init_error, 0);
	parse("6,4,4,-;tdx: 1536 pages allocated for PAMT.\n"
	      "6,5,5,-;tdx: TDX module initialized.\n");
	ck_assert_uint_eq(f.pamt_kb, 1536 * 4);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
}
END_TEST

START_TEST(test_boot_refusals) {
	parse("6,1,1,-;virt/tdx: BIOS enabled: private KeyID range [63, 64)\n"
	      "3,2,1,-;virt/tdx: initialization failed: too few private KeyIDs available.\n"
	      "3,3,1,-;virt/tdx: initialization failed: Hibernation support is enabled\n"
	      "3,4,1,-;virt/tdx: initialization failed: register_memory_notifier() failed (-12)\n");
	ck_assert(f.too_few_keyids.present);
	ck_assert(f.hibernation.present);
	ck_assert_str_eq(f.hibernation.text,
	                 "virt/tdx: initialization failed: Hibernation support is enabled");
	ck_assert(f.notifier_failed.present);
	ck_assert_uint_eq(f.notifier_failed.seq, 4);
	ck_assert_int_eq(f.init, MODULE_INIT_NONE);
}
END_TEST

START_TEST(test_tdmr_and_bugs) {
	parse("4,1,1,-;virt/tdx: consumed TDMRs reaching limit: 62 used out of 64\n"
	      "3,2,1,-;virt/tdx: frame pointer (RBP) clobber bug present, upgrade TDX module\n"
	      "3,3,1,-;virt/tdx: module not loaded\n");
	ck_assert(f.tdmr_limit.present);
	ck_assert(f.rbp_bug.present);
	ck_assert(f.not_loaded.present);
	ck_assert(!f.tdmr.present);
	parse("3,4,1,-;virt/tdx: initialization failed: TDMRs exhausted.\n");
	ck_assert(f.tdmr.present);
	ck_assert_uint_eq(f.tdmr.seq, 4);
	parse("3,5,1,-;virt/tdx: initialization failed: TDMR [0x100000000, 0x140000000): reserved "
	      "areas exhausted.\n");
	ck_assert_uint_eq(f.tdmr.seq, 5);
}
END_TEST

START_TEST(test_kexec_refused) {
	/* v6.18+: pr_info_once from machine_kexec_prepare() when kdump is armed on a
	 * tdx_pw_mce CPU (kexec-tools then says "kexec_load failed: Operation not supported") */
	parse("6,812,91234567,-;kexec: Not allowed on platform with tdx_pw_mce bug\n");
	ck_assert(f.kexec_refused.present);
	ck_assert_str_eq(f.kexec_refused.text,
	                 "kexec: Not allowed on platform with tdx_pw_mce bug");
	ck_assert_uint_eq(f.kexec_refused.seq, 812);
	/* other kexec lines and the same words under another prefix are no such fact */
	kmsg_facts_done(&f);
	f = (struct kmsg_facts){0};
	parse("6,1,1,-;kexec: Starting new kernel\n"
	      "6,2,1,-;kvm: Not allowed on platform with tdx_pw_mce bug\n"
	      "6,3,1,-;Not allowed on platform with tdx_pw_mce bug\n");
	ck_assert(!f.kexec_refused.present);
	/* it is kept across a wrapped ring with the other TDX lines */
	const char *s = "6,1,1,-;kexec: Starting new kernel\n"
	                "6,2,2,-;kexec: Not allowed on platform with tdx_pw_mce bug\n";
	char *x = NULL;
	ck_assert_int_eq(kmsg_extract_tdx(s, strlen(s), NULL, &x), 0);
	ck_assert_ptr_nonnull(strstr(x, "tdx_pw_mce bug"));
	ck_assert_ptr_null(strstr(x, "Starting new kernel"));
	free(x);
}
END_TEST

START_TEST(test_kvm_prereqs) {
	static const struct {
		const char *line;
		enum kvm_prereq p;
	} t[] = {
	    {"kvm_intel: EPT is required for TDX", KVM_PREREQ_EPT},
	    {"kvm_intel: TDP MMU and MMIO caching and EPT A/D bit is required for TDX",
	     KVM_PREREQ_TDP_MMU},
	    {"kvm_intel: APICv is required for TDX", KVM_PREREQ_APICV},
	    {"kvm_intel: tdx: OSXSAVE is required for TDX", KVM_PREREQ_OSXSAVE},
	    {"virt/tdx: XSAVE is required for TDX", KVM_PREREQ_OSXSAVE},
	    {"kvm_intel: tdx: MOVDIR64B is required for TDX", KVM_PREREQ_MOVDIR64B},
	    {"virt/tdx: MOVDIR64B is required for TDX", KVM_PREREQ_MOVDIR64B},
	    {"kvm_intel: Self-snoop is required for TDX", KVM_PREREQ_SELF_SNOOP},
	    {"virt/tdx: Self-snoop is required for TDX", KVM_PREREQ_SELF_SNOOP},
	    {"kvm_intel: tdx: no TDX private KeyIDs available", KVM_PREREQ_NO_KEYIDS},
	    {"kvm_intel: TDX not supported by the host platform", KVM_PREREQ_PLATFORM},
	    {"virt/tdx: TDX not supported by the host platform", KVM_PREREQ_PLATFORM},
	    {"kvm_intel: tdx: tdx requires kvm.enable_virt_at_load=1", KVM_PREREQ_VIRT_AT_LOAD},
	};
	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		char buf[256];
		struct kmsg_facts g = {0};
		snprintf(buf, sizeof(buf), "4,%zu,1,-;%s\n", i + 7, t[i].line);
		ck_assert_int_eq(kmsg_parse_stream(buf, strlen(buf), &g, NULL), 0);
		ck_assert_msg(g.kvm_prereq[t[i].p].present, "not recognised: %s", t[i].line);
		ck_assert_str_eq(g.kvm_prereq[t[i].p].text, t[i].line);
		ck_assert_uint_eq(g.kvm_prereq[t[i].p].seq, i + 7);
		unsigned n = 0;
		for (size_t k = 0; k < _KVM_PREREQ_MAX; k++)
			n += g.kvm_prereq[k].present;
		ck_assert_uint_eq(n, 1);
		kmsg_facts_done(&g);
	}
}
END_TEST

START_TEST(test_kvm_lines) {
	parse("3,1,1,-;kvm_intel: Disable TDX: MAX_VCPU_PER_TD (192) smaller than number of "
	      "logical CPUs (224).\n"
	      "3,2,1,-;kvm: no hardware support for 'kvm_intel'\n"
	      "6,3,1,-;kvm_intel: TDX is supported.\n");
	ck_assert(f.max_vcpu.present);
	ck_assert_uint_eq(f.max_vcpu_module, 192);
	ck_assert_uint_eq(f.max_vcpu_cpus, 224);
	ck_assert(f.no_hw_support.present);
	ck_assert(f.kvm_tdx_supported.present);
	ck_assert_str_eq(f.kvm_tdx_supported.text, "kvm_intel: TDX is supported.");
}
END_TEST

/* arch/x86/kernel/cpu/feat_ctl.c: with and without the full stop (older kernels), only with
 * its own prefix, only from the kernel, and kept in the saved kernel-log. */
START_TEST(test_sgx_disabled_by_bios) {
	parse("6,1,1,-;x86/cpu: VMX (outside TXT) disabled by BIOS\n"
	      "3,2,1,-;x86/cpu: SGX disabled by BIOS.\n");
	ck_assert(f.sgx_disabled.present);
	ck_assert_uint_eq(f.sgx_disabled.seq, 2);
	ck_assert_str_eq(f.sgx_disabled.text, "x86/cpu: SGX disabled by BIOS.");

	struct kmsg_facts g = {0};
	const char *old = "3,7,1,-;x86/cpu: SGX disabled by BIOS\n";
	ck_assert_int_eq(kmsg_parse_stream(old, strlen(old), &g, NULL), 0);
	ck_assert(g.sgx_disabled.present);
	kmsg_facts_done(&g);

	static const char *const not_it[] = {
	    "3,1,1,-;SGX disabled by BIOS.\n",                 /* no prefix */
	    "3,1,1,-;virt/tdx: SGX disabled by BIOS.\n",       /* another prefix */
	    "3,1,1,-;x86/cpu: SGX disabled by BIOS. Reboot\n", /* more text */
	    "3,1,1,-;x86/cpu: SGX Launch Control is locked. Support SGX virtualization only.\n",
	    "14,1,1,-;x86/cpu: SGX disabled by BIOS.\n", /* written by userspace */
	};
	for (size_t i = 0; i < ELEMENTSOF(not_it); i++) {
		struct kmsg_facts h = {0};
		ck_assert_int_eq(kmsg_parse_stream(not_it[i], strlen(not_it[i]), &h, NULL), 0);
		ck_assert_msg(!h.sgx_disabled.present, "%s", not_it[i]);
		kmsg_facts_done(&h);
	}

	const char *line = "x86/cpu: SGX disabled by BIOS.";
	ck_assert(kmsg_message_is_tdx(line, strlen(line)));
	_cleanup_free_ char *saved = NULL;
	const char *log = "6,1,1,-;x86/cpu: VMX (outside TXT) disabled by BIOS\n"
	                  "3,2,1,-;x86/cpu: SGX disabled by BIOS.\n";
	ck_assert_int_eq(kmsg_extract_tdx(log, strlen(log), NULL, &saved), 0);
	ck_assert_str_eq(saved, "x86/cpu: SGX disabled by BIOS.\n");
	struct kmsg_facts k = {0};
	ck_assert_int_eq(kmsg_parse_saved(saved, strlen(saved), &k), 0);
	ck_assert(k.sgx_disabled.present);
	kmsg_facts_done(&k);
}
END_TEST

START_TEST(test_versions) {
	parse("6,1,1,-;virt/tdx: module version: 1.5.01.00.0744 (build_date 20231011).\n");
	ck_assert(f.version_line.present);
	ck_assert_uint_eq(f.version_major, 1);
	ck_assert_uint_eq(f.version_minor, 5);
	ck_assert_uint_eq(f.version_update, 1);
	ck_assert_uint_eq(f.build_date, 20231011);
	ck_assert_uint_eq(f.build_num, 744);

	parse("6,2,1,-;virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, "
	      "minor_version 5, build_date 20240725, build_num 784\n");
	ck_assert(f.vendor_module_line.present);
	ck_assert_uint_eq(f.vendor_major, 1);
	ck_assert_uint_eq(f.vendor_minor, 5);
	ck_assert_uint_eq(f.build_date, 20240725);
	ck_assert_uint_eq(f.build_num, 784);

	struct kmsg_facts g = {0};
	const char *s = "6,3,1,-;tdx: TDX module: vendor_id 0x8086, major_version 1, "
	                "minor_version 0, build_date 20220223, build_num 301\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert(g.vendor_module_line.present);
	ck_assert_uint_eq(g.vendor_minor, 0);
	ck_assert_uint_eq(g.build_num, 301);
	kmsg_facts_done(&g);
}
END_TEST

START_TEST(test_version_garbage) {
	parse("6,1,1,-;virt/tdx: Module version: 1.x.24\n"
	      "6,2,1,-;virt/tdx: Module version: 99999999999.5.24\n"
	      "6,3,1,-;virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086\n"
	      "6,4,1,-;virt/tdx: TDX module: major_version 1, minor_version\n");
	ck_assert(!f.version_line.present);
	ck_assert(!f.vendor_module_line.present);
}
END_TEST

START_TEST(test_cmr_formats) {
	parse("6,1,1,-;virt/tdx: CMR: [0x100000, 0x77800000)\n"
	      "6,2,1,-;virt/tdx: CMR: [0x100000000, 0x407a000000)\n"
	      "6,3,1,-;virt/tdx: CMR: [0x0, 0x0)\n");
	ck_assert_str_eq(f.cmr_format, "CMR");
	ck_assert_uint_eq(f.cmrs.n, 2);
	ck_assert_uint_eq(f.cmrs.items[0].start, 0x100000);
	ck_assert_uint_eq(f.cmrs.items[0].end, 0x77800000);
	ck_assert_uint_eq(f.cmrs.items[1].end, 0x407a000000ULL);

	struct kmsg_facts g = {0};
	const char *s = "6,1,1,-;virt/tdx: CMR[0]: [0x100000, 0x80000000)\n"
	                "6,2,1,-;virt/tdx: CMR[1]: [0x100000000, 0x880000000)\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert_str_eq(g.cmr_format, "CMR[i]");
	ck_assert_uint_eq(g.cmrs.n, 2);
	kmsg_facts_done(&g);

	g = (struct kmsg_facts){0};
	s = "6,1,1,-;tdx: BIOS-CMR : [0x100000, 0x80000000)\n"
	    "6,2,1,-;tdx: Kernel-checked-CMR : [0x200000, 0x80000000)\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert_str_eq(g.cmr_format, "Kernel-checked-CMR");
	ck_assert_uint_eq(g.cmrs.n, 1);
	ck_assert_uint_eq(g.cmrs.items[0].start, 0x200000);
	kmsg_facts_done(&g);

	g = (struct kmsg_facts){0};
	s = "6,1,1,-;tdx: BIOS-CMR : [0x100000, 0x80000000)\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert_str_eq(g.cmr_format, "BIOS-CMR");
	kmsg_facts_done(&g);
}
END_TEST

START_TEST(test_cmr_preference) {
	/* all four formats at once: the plain "CMR:" lines win, in that order */
	parse("6,1,1,-;tdx: BIOS-CMR : [0x100000, 0x90000000)\n"
	      "6,2,1,-;tdx: Kernel-checked-CMR : [0x100000, 0x88000000)\n"
	      "6,3,1,-;virt/tdx: CMR[0]: [0x100000, 0x84000000)\n"
	      "6,4,1,-;virt/tdx: CMR: [0x100000, 0x80000000)\n"
	      "6,5,1,-;virt/tdx: CMR: [0x100000, 0x80000000)\n");
	ck_assert_str_eq(f.cmr_format, "CMR");
	ck_assert_uint_eq(f.cmrs.n, 1); /* the repeated line is one CMR */
	ck_assert_uint_eq(f.cmrs.items[0].end, 0x80000000);

	struct kmsg_facts g = {0};
	const char *s = "6,1,1,-;tdx: BIOS-CMR : [0x100000, 0x90000000)\n"
	                "6,3,1,-;virt/tdx: CMR[0]: [0x100000, 0x84000000)\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert_str_eq(g.cmr_format, "CMR[i]");
	ck_assert_uint_eq(g.cmrs.items[0].end, 0x84000000);
	kmsg_facts_done(&g);
}
END_TEST

START_TEST(test_cmr_garbage) {
	parse("6,1,1,-;virt/tdx: CMR: [0x100000, 0x10000000000000000)\n"
	      "6,2,1,-;virt/tdx: CMR: [0x100000 0x200000)\n"
	      "6,3,1,-;virt/tdx: CMR: 0x100000, 0x200000\n"
	      "6,4,1,-;virt/tdx: CMR[x]: [0x100000, 0x200000)\n"
	      "6,5,1,-;virt/tdx: CMR: [0x300000, 0x200000)\n");
	ck_assert_uint_eq(f.cmrs.n, 0);
	ck_assert_ptr_null(f.cmr_format);
}
END_TEST

START_TEST(test_record_format) {
	size_t bad = 99;
	const char *s = "6,100,5000,-,caller=T1;virt/tdx: module initialized\n"
	                " SUBSYSTEM=cpu\n"
	                " DEVICE=+cpu:3\n"
	                "6,101,5001,c;virt/tdx: Module version: 1.5.24\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &f, &bad), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_uint_eq(f.version_line.seq, 101);

	uint64_t seq;
	const char *msg;
	size_t ml;
	const char *r = "6,42,7,-;hello";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), 0);
	ck_assert_uint_eq(seq, 42);
	ck_assert_uint_eq(ml, 5);
	ck_assert(strncmp(msg, "hello", 5) == 0);
	/* facility 1 (user): written to /dev/kmsg by userspace, split but flagged */
	r = "12,43,8,-;virt/tdx: module initialization failed (-5)";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), 1);
	ck_assert_uint_eq(seq, 43);
	r = "6,42;hello";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), -EINVAL);
	r = "6,99999999999999999999,1,-;x";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), -EINVAL);
	r = "6,1,1,;x";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), -EINVAL);
	r = "no semicolon at all";
	ck_assert_int_eq(kmsg_split_record(r, strlen(r), &seq, &msg, &ml), -EINVAL);
}
END_TEST

START_TEST(test_userspace_records_ignored) {
	/* A unit or a user can write any text to /dev/kmsg; only the kernel's word counts. */
	const char *s = "6,1,100,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                "6,2,200,-;virt/tdx: module initialized\n"
	                "12,3,300,-;virt/tdx: module initialization failed (-5)\n"
	                "30,4,400,-;virt/tdx: CMR: [0x100000, 0x80000000)\n";
	size_t bad = 0;
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &f, &bad), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_uint_eq(f.cmrs.n, 0);
	char *x = NULL;
	ck_assert_int_eq(kmsg_extract_tdx(s, strlen(s), NULL, &x), 0);
	ck_assert_ptr_null(strstr(x, "initialization failed"));
	ck_assert_ptr_nonnull(strstr(x, "module initialized"));
	free(x);
}
END_TEST

START_TEST(test_other_kvm_module) {
	/* KVM prints with its own module name: with KVMModule=tdx_kvm_sim (a stand-in, or a
	 * vendor's renamed module) its lines are KVM's lines all the same. */
	const char *s = "3,7,900,-;tdx_kvm_sim: Disable TDX: MAX_VCPU_PER_TD (2) smaller than "
	                "number of logical CPUs (4).\n"
	                "4,8,901,-;tdx_kvm_sim: tdx: no TDX private KeyIDs available\n";
	struct kmsg_parser p;
	kmsg_parser_init(&p, &f);
	ck_assert_int_ge(kmsg_parser_feed_records(&p, s, strlen(s)), 0);
	ck_assert_int_eq(kmsg_parser_finish(&p), 0);
	ck_assert(!f.max_vcpu.present); /* unknown module: not KVM's word */

	struct kmsg_facts g = {0};
	kmsg_parser_init(&p, &g);
	p.kvm_module = "tdx-kvm-sim"; /* as configured, '-' or '_' */
	ck_assert_int_ge(kmsg_parser_feed_records(&p, s, strlen(s)), 0);
	ck_assert_int_eq(kmsg_parser_finish(&p), 0);
	ck_assert(g.max_vcpu.present);
	ck_assert_uint_eq(g.max_vcpu_module, 2);
	ck_assert_uint_eq(g.max_vcpu_cpus, 4);
	ck_assert(g.kvm_prereq[KVM_PREREQ_NO_KEYIDS].present);
	kmsg_facts_done(&g);

	char *x = NULL;
	ck_assert_int_eq(kmsg_extract_tdx(s, strlen(s), "tdx_kvm_sim", &x), 0);
	ck_assert_ptr_nonnull(strstr(x, "tdx_kvm_sim: Disable TDX"));
	free(x);
	ck_assert_int_eq(kmsg_extract_tdx(s, strlen(s), NULL, &x), 0);
	ck_assert_str_eq(x, "");
	free(x);
}
END_TEST

START_TEST(test_garbage) {
	size_t bad = 0;
	ck_assert_int_eq(kmsg_parse_stream("", 0, &f, &bad), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(f.init, MODULE_INIT_NONE);

	/* truncated record, junk, binary noise, a last line without newline */
	static const char noise[] =
	    "6,12\n"
	    "garbage line\n"
	    "\x01\x02\xff\xfe;;;\n"
	    "6,7,8,-;virt/tdx: BIOS enabled: private KeyID range [32, 6\n"
	    "6,8,9,-;virt/tdx: mod\0ule initialized\n"
	    "6,9,9,-;virt/tdx: BIOS enabled: private KeyID range [4294967296, 1)\n"
	    "6,10,9,-;virt/tdx: 99999999999999999999999 KB allocated for PAMT\n"
	    "6,11,9,-;virt/tdx: module initialization failed (-99999999999)\n"
	    "6,12,9,-;virt/tdx: module initialized";
	ck_assert_int_eq(kmsg_parse_stream(noise, sizeof(noise) - 1, &f, &bad), 0);
	ck_assert_uint_eq(bad, 3);
	ck_assert(!f.keyid_range.present);
	ck_assert(!f.pamt.present);
	ck_assert_int_eq(f.init, MODULE_INIT_OK); /* only the last, newline-less line */
	ck_assert_uint_eq(f.init_line.seq, 12);

	/* look-alikes from other subsystems are not TDX lines */
	struct kmsg_facts g = {0};
	const char *s = "6,1,1,-;foo: module initialized\n"
	                "6,2,1,-;module initialized\n"
	                "6,3,1,-;virt/tdx: module initialized, more text\n"
	                "6,4,1,-;virt/tdx: TDX is supported.\n";
	ck_assert_int_eq(kmsg_parse_stream(s, strlen(s), &g, NULL), 0);
	ck_assert_int_eq(g.init, MODULE_INIT_NONE);
	ck_assert(!g.kvm_tdx_supported.present);
	ck_assert_uint_eq(g.last_seq, 4);
	kmsg_facts_done(&g);
}
END_TEST

START_TEST(test_long_line) {
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "3,5,1,-;virt/tdx: SEAMCALL (0x22) failed: 0x1 ");
	memset(buf + n, 'A', 3000);
	buf[n + 3000] = '\n';
	buf[n + 3001] = 0;
	parse(buf);
	ck_assert(f.seamcall.present);
	ck_assert_uint_eq(strlen(f.seamcall.text), KLINE_MAX - 1);
}
END_TEST

START_TEST(test_extract_and_saved) {
	const char *s = "6,1,1,-;Linux version 6.17\n"
	                "6,2,1,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                " SUBSYSTEM=cpu\n"
	                "6,3,1,-;ACPI: something else\n"
	                "6,4,1,-;virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                "6,5,1,-;virt/tdx: Module version: 1.5.24\n"
	                "6,6,1,-;virt/tdx: TDX-Module initialized\n";
	_cleanup_free_ char *out = NULL;
	ck_assert_int_eq(kmsg_extract_tdx(s, strlen(s), NULL, &out), 0);
	ck_assert_str_eq(out, "virt/tdx: BIOS enabled: private KeyID range [32, 64)\n"
	                      "virt/tdx: CMR: [0x100000, 0x80000000)\n"
	                      "virt/tdx: Module version: 1.5.24\n"
	                      "virt/tdx: TDX-Module initialized\n");

	ck_assert_int_eq(kmsg_parse_saved(out, strlen(out), &f), 0);
	ck_assert(f.keyid_range.present);
	ck_assert_uint_eq(f.keyid_range.seq, 0);
	ck_assert_uint_eq(f.keyid_end, 64);
	ck_assert_int_eq(f.init, MODULE_INIT_OK);
	ck_assert_uint_eq(f.version_update, 24);
	ck_assert_uint_eq(f.cmrs.n, 1);
	ck_assert_str_eq(f.cmr_format, "CMR");

	/* extracting from saved lines again is stable */
	_cleanup_free_ char *again = NULL;
	ck_assert_int_eq(kmsg_extract_tdx_lines(out, strlen(out), &again), 0);
	ck_assert_str_eq(again, out);

	_cleanup_free_ char *none = NULL;
	ck_assert_int_eq(kmsg_extract_tdx("6,1,1,-;x\n", 10, NULL, &none), 0);
	ck_assert_str_eq(none, "");

	ck_assert(kmsg_message_is_tdx("virt/tdx: module not loaded", 27));
	ck_assert(!kmsg_message_is_tdx("usb 1-1: new device", 19));
}
END_TEST

START_TEST(test_merge_lines) {
	_cleanup_free_ char *m = NULL;
	ck_assert_int_eq(kmsg_merge_lines("virt/tdx: A\nvirt/tdx: B\n",
	                                  "virt/tdx: B\nvirt/tdx: C\nvirt/tdx: C\nvirt/tdx: A", &m),
	                 0);
	ck_assert_str_eq(m, "virt/tdx: A\nvirt/tdx: B\nvirt/tdx: C\n");
	free(m);
	ck_assert_int_eq(kmsg_merge_lines(NULL, NULL, &m), 0);
	ck_assert_str_eq(m, "");
	free(m);
	ck_assert_int_eq(kmsg_merge_lines("\n\nx\n", NULL, &m), 0);
	ck_assert_str_eq(m, "x\n");
	free(m);
	m = NULL;

	/* thousands of lines, many repeated: linear, all distinct ones kept once */
	size_t sz = 0;
	char *big = NULL;
	FILE *f2 = open_memstream(&big, &sz);
	for (int i = 0; i < 20000; i++)
		fprintf(f2, "virt/tdx: SEAMCALL (0x%x) failed: 0x1\n", i % 5000);
	fclose(f2);
	ck_assert_int_eq(kmsg_merge_lines(big, big, &m), 0);
	size_t lines = 0;
	for (const char *c = m; *c; c++)
		lines += *c == '\n';
	ck_assert_uint_eq(lines, 5000);
	free(big);
}
END_TEST

/* Deterministic noise built from the characters the parser cares about: it must neither crash
 * nor invent facts that violate their own invariants. */
START_TEST(test_random_noise) {
	static const char alphabet[] = "0123456789,;-[]() x\n\0:virt/tdx: CMR KeyID range";
	unsigned seed = 12345;
	for (int it = 0; it < 3000; it++) {
		char buf[512];
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[rand_r(&seed) % (int)(sizeof(alphabet) - 1)];
		struct kmsg_facts g = {0};
		ck_assert_int_eq(kmsg_parse_stream(buf, n, &g, NULL), 0);
		for (size_t i = 0; i < g.cmrs.n; i++)
			ck_assert_uint_lt(g.cmrs.items[i].start, g.cmrs.items[i].end);
		if (g.keyid_range.present)
			ck_assert_uint_le(g.keyid_start, g.keyid_end);
		_cleanup_free_ char *x = NULL;
		ck_assert_int_eq(kmsg_extract_tdx(buf, n, NULL, &x), 0);
		kmsg_facts_done(&g);
		ck_assert_int_eq(kmsg_parse_saved(buf, n, &g), 0);
		kmsg_facts_done(&g);
	}
}
END_TEST

/* Every real line cut at every length, and with one byte flipped at every position. */
START_TEST(test_truncated_and_mutated) {
	static const char *const lines[] = {
	    "6,1234,5678901,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)",
	    "6,1,1,-;virt/tdx: CMR[3]: [0x100000000, 0x407a000000)",
	    "6,1,1,-;tdx: Kernel-checked-CMR : [0x100000, 0x80000000)",
	    "6,1,1,-;virt/tdx: module version: 1.5.01.00.0744 (build_date 20231011).",
	    "6,1,1,-;virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, "
	    "minor_version 5, build_date 20240725, build_num 784",
	    "3,1,1,-;kvm_intel: Disable TDX: MAX_VCPU_PER_TD (192) smaller than number of "
	    "logical CPUs (224).",
	    "3,1,1,-;virt/tdx: TDX-Module initialization failed (-22)",
	    "6,1,1,-;virt/tdx: 6303780 KB allocated for PAMT",
	};
	for (size_t k = 0; k < ELEMENTSOF(lines); k++) {
		size_t len = strlen(lines[k]);
		char buf[256];
		for (size_t cut = 0; cut <= len; cut++) {
			struct kmsg_facts g = {0};
			memcpy(buf, lines[k], cut);
			ck_assert_int_eq(kmsg_parse_stream(buf, cut, &g, NULL), 0);
			kmsg_facts_done(&g);
		}
		for (size_t pos = 0; pos < len; pos++)
			for (int flip = 1; flip < 256; flip <<= 1) {
				struct kmsg_facts g = {0};
				memcpy(buf, lines[k], len);
				buf[pos] ^= (char)flip;
				ck_assert_int_eq(kmsg_parse_stream(buf, len, &g, NULL), 0);
				for (size_t i = 0; i < g.cmrs.n; i++)
					ck_assert_uint_lt(g.cmrs.items[i].start,
					                  g.cmrs.items[i].end);
				kmsg_facts_done(&g);
			}
	}
	/* the full KeyID line cut before its ")" is not a KeyID range */
	struct kmsg_facts g = {0};
	const char *cut = "6,1,1,-;virt/tdx: BIOS enabled: private KeyID range [32, 64";
	ck_assert_int_eq(kmsg_parse_stream(cut, strlen(cut), &g, NULL), 0);
	ck_assert(!g.keyid_range.present);
}
END_TEST

static Suite *kmsg_suite(void) {
	Suite *s = suite_create("kmsg");
	TCase *tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v616_success);
	tcase_add_test(tc, test_keyid_doc_colon);
	tcase_add_test(tc, test_v71_success);
	tcase_add_test(tc, test_init_failures);
	tcase_add_test(tc, test_later_outcome_wins);
	tcase_add_test(tc, test_old_intel_tree);
	tcase_add_test(tc, test_boot_refusals);
	tcase_add_test(tc, test_tdmr_and_bugs);
	tcase_add_test(tc, test_kexec_refused);
	tcase_add_test(tc, test_kvm_prereqs);
	tcase_add_test(tc, test_kvm_lines);
	tcase_add_test(tc, test_sgx_disabled_by_bios);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_version_garbage);
	tcase_add_test(tc, test_cmr_formats);
	tcase_add_test(tc, test_cmr_preference);
	tcase_add_test(tc, test_cmr_garbage);
	tcase_add_test(tc, test_record_format);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_userspace_records_ignored);
	tcase_add_test(tc, test_other_kvm_module);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_extract_and_saved);
	tcase_add_test(tc, test_merge_lines);
	tcase_add_test(tc, test_random_noise);
	tcase_add_test(tc, test_truncated_and_mutated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(kmsg_suite());
}
