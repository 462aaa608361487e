/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by test-status.c and test-status-values.c: the host they start from and the helpers around
 * it. */

#include <check.h>
#include <stdio.h>
#include "macro.h"
#include "status.h"

/* A host with its arrays in one place, so tests need no allocation for the CPUs. */
struct fixture {
	struct tdx_host h;
	struct host_cpu cpus[8];
	struct host_package pk[4];
	struct outside_block outside[4];
	struct dax_dev dax[2];
	struct enable_progress ep;
	struct tdx_status s;
	bool derived;
};

static struct fixture fx;

static inline void kl(struct kline *k, const char *text) {
	snprintf(k->text, sizeof(k->text), "%s", text);
	k->present = true;
	k->seq = 100;
}

static inline void teardown(void) {
	if (fx.derived)
		tdx_status_done(&fx.s);
	range_set_clear(&fx.h.cmrs);
	range_set_clear(&fx.h.tdx_memory);
	range_set_clear(&fx.h.mem.system_ram);
	for (int i = 0; i < 2; i++)
		range_set_clear(&fx.dax[i].ranges);
	fx.derived = false;
}

/* A v6.16-era host with TDX up in KVM: 2 packages of 2 CPUs, 31 guest KeyIDs, 2 in use. */
static inline void host_ready(void) {
	struct tdx_host *h = &fx.h;

	teardown();
	memset(&fx, 0, sizeof(fx));
	h->cpuinfo.read = true;
	strcpy(h->cpuinfo.vendor_id, "GenuineIntel");
	h->cpuinfo.tdx_host_platform = true;
	h->cpuinfo.vmx = true;
	h->cpuinfo.has_vmx_flags = true;
	h->cpuinfo.ept_5level = true;

	h->kmsg.readable = true;
	kl(&h->kmsg.keyid_range, "virt/tdx: BIOS enabled: private KeyID range [32, 64)");
	h->kmsg.keyid_start = 32;
	h->kmsg.keyid_end = 64;
	h->kmsg.init = MODULE_INIT_OK;
	kl(&h->kmsg.init_line, "virt/tdx: module initialized");
	kl(&h->kmsg.pamt, "virt/tdx: 6303780 KB allocated for PAMT");
	h->kmsg.pamt_kb = 6303780;

	strcpy(h->kvm.name, "kvm_intel");
	h->kvm.loaded = true;
	h->kvm.has_tdx_param = true;
	h->kvm.tdx_enabled = true;
	h->kvm.refcnt = 0;
	h->kvm.modinfo_has_tdx = -1;

	h->misc.capacity_file = true;
	h->misc.capacity_known = true;
	h->misc.capacity = 31;
	h->misc.current_known = true;
	h->misc.current = 2;

	h->hp_states_read = true;
	h->hp_kvm_tdx = true;

	for (int i = 0; i < 4; i++)
		fx.cpus[i] = (struct host_cpu){.present = true,
		                               .online = true,
		                               .package = i / 2,
		                               .node = i / 2,
		                               .package_source = "topology"};
	h->cpus = fx.cpus;
	h->n_cpus = h->n_present = h->n_online = 4;
	fx.pk[0] = (struct host_package){0, 2, 2};
	fx.pk[1] = (struct host_package){1, 2, 2};
	h->packages = fx.pk;
	h->n_packages = 2;

	h->mem.present = true;
	h->mem.block_size = MIB(128);
	strcpy(h->mem.auto_online, "offline");
}

static inline struct tdx_status *derive_ep(const struct enable_progress *ep) {
	struct status_policy p = {
	    .cpu_guard = POLICY_ENFORCE, .memory_gate = POLICY_WARN, .kvm_module = "kvm_intel"};
	if (fx.derived)
		tdx_status_done(&fx.s);
	ck_assert_int_eq(status_derive(&fx.h, &p, ep, &fx.s), 0);
	fx.derived = true;
	/* every warn and fail tells the operator what to do */
	for (int i = 0; i < _CHECK_MAX; i++) {
		const struct check *c = &fx.s.checks[i];
		ck_assert_msg(c->summary[0], "%s has no summary", check_id_to_string(i));
		if (c->result == CHECK_WARN || c->result == CHECK_FAIL)
			ck_assert_msg(c->hint[0], "%s (%s) has no hint", check_id_to_string(i),
			              check_result_to_string(c->result));
	}
	ck_assert_int_eq(fx.s.ready, fx.s.state == TDX_STATE_READY);
	ck_assert(fx.s.reason[0]);
	return &fx.s;
}

static inline struct tdx_status *derive(void) {
	return derive_ep(NULL);
}

#define CHECK_IS(s, id, r) ck_assert_str_eq(check_result_to_string((s)->checks[id].result), r)
#define SUMMARY_HAS(s, id, text)                                                                   \
	ck_assert_msg(strstr((s)->checks[id].summary, text), "%s summary \"%s\" lacks \"%s\"",     \
	              check_id_to_string(id), (s)->checks[id].summary, text)
#define HINT_HAS(s, id, text)                                                                      \
	ck_assert_msg(strstr((s)->checks[id].hint, text), "%s hint \"%s\" lacks \"%s\"",           \
	              check_id_to_string(id), (s)->checks[id].hint, text)
#define STATE_IS(s, st) ck_assert_str_eq(tdx_state_to_string((s)->state), st)
