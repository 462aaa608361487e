/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readiness model: the names, the order in which the checks run and the derivation that
 * ties them together (docs/readiness.md). Each category of checks has its own file
 * (checks-*.c), the published values are values.c, the state rule state.c. Pure: reads a
 * struct tdx_host only. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

static bool is_boot_refusal(const struct kline *k) {
	/* The boot-time detection bails out with "initialization failed: ..." lines too; those
	 * are the keyids/hibernation checks' business, not a module initialization failure. */
	return k->present && (strstr(k->text, "too few private KeyIDs") ||
	                      strstr(k->text, "Hibernation support") ||
	                      strstr(k->text, "register_memory_notifier"));
}

void gather_facts(const struct tdx_host *h, const struct status_policy *policy,
                  const struct enable_progress *ep, struct facts *f) {
	const struct kmsg_facts *k = &h->kmsg;

	*f = (struct facts){.h = h, .ep = ep};
	if (policy && policy->kvm_module && policy->kvm_module[0])
		f->kvm = policy->kvm_module;
	else if (h->kvm.name[0])
		f->kvm = h->kvm.name;
	else
		f->kvm = "kvm_intel";
	f->log = k->readable;
	f->logsrc = k->source ? k->source : "/dev/kmsg";
	f->param_y = h->kvm.loaded && h->kvm.has_tdx_param && h->kvm.tdx_enabled;

	f->init_failed = (k->init == MODULE_INIT_FAILED && !is_boot_refusal(&k->init_line)) ||
	                 streq(h->fw.status, "error");

	/* docs/kernel-interfaces.md, *Source order per value* ("TDX up in KVM"): /dev/kvm when it
	 * was asked, then the parameter, then the hotplug state and the log. */
	if (!h->kvm.loaded)
		f->tdx_up = false;
	else if (h->kvm_dev_asked)
		f->tdx_up = h->kvm_vm_types_tdx;
	else if (h->kvm.has_tdx_param)
		f->tdx_up = h->kvm.tdx_enabled;
	else
		f->tdx_up = h->hp_kvm_tdx || k->kvm_tdx_supported.present;

	/* KVM clears its tdx parameter when the module initialization fails (every era), so
	 * "Y" is evidence of an initialized module as much as the hotplug state is. KVM
	 * registers "kvm/cpu/tdx:online" before it initializes the TDX module, within its own
	 * module init: the state counts only once that module is live (initstate), not while
	 * its load (PAMT allocation, seconds to minutes) still runs. */
	f->initialized = !f->init_failed && (k->init == MODULE_INIT_OK || h->hp_virt_tdx ||
	                                     (h->hp_kvm_tdx && h->kvm.loaded) || h->tdx_host_dev ||
	                                     streq(h->fw.status, "initialized") || f->param_y);

	f->tdx_evidence = f->initialized || f->param_y || h->misc.capacity_known ||
	                  h->fw.has_keyid_num || h->fw.has_nr_guest_keyids ||
	                  k->keyid_range.present || f->init_failed;
}

void tdx_status_move(struct tdx_status *dst, struct tdx_status *src) {
	bool own = src->sources[SRC_KVM_TDX_ENABLED] == src->kvm_tdx_source;
	*dst = *src;
	if (own)
		dst->sources[SRC_KVM_TDX_ENABLED] = dst->kvm_tdx_source;
	*src = (struct tdx_status){0};
}

void tdx_status_done(struct tdx_status *s) {
	if (!s)
		return;
	range_set_clear(&s->cmrs);
	s->packages = mfree(s->packages);
	s->n_packages = 0;
}

int status_derive(const struct tdx_host *h, const struct status_policy *policy,
                  const struct enable_progress *enable, struct tdx_status *ret) {
	struct tdx_status s = {0};
	struct facts f;
	int r;

	gather_facts(h, policy, enable, &f);
	r = derive_values(&f, policy, &s);
	if (r < 0)
		goto fail;

	check_cpu_vendor(&f, &s);
	check_bare_metal(&f, &s);
	check_bios_tdx(&f, &s);
	check_keyids(&f, &s);
	check_hibernation(&f, &s);
	check_cpu_packages(&f, &s);
	check_kvm_module(&f, &s);
	check_kernel_tdx(&f, &s);
	check_kvm_tdx(&f, &s);
	check_module_init(&f, &s);
	check_max_vcpus(&f, &s);
	check_kvm_vm_types(&f, &s);
	check_keyid_capacity(&f, &s);
	r = check_convertible_memory(&f, &s);
	if (r < 0)
		goto fail;
	r = check_tdx_memory(&f, &s);
	if (r < 0)
		goto fail;
	check_memory_auto_online(&f, &s);
	check_module_version(&f, policy, &s);
	check_kexec(&f, &s);

	derive_state(&f, &s);

	/* The attestation checks read files and unit states the host probe does not have:
	 * attestation_complete() fills them in; until then they say so. */
	for (size_t i = CHECK_SGX; i <= CHECK_COLLATERAL_SERVICE; i++) {
		s.checks[i].result = CHECK_SKIP;
		textf(s.checks[i].summary, sizeof(s.checks[i].summary), false,
		      "not checked: attestation was not probed");
	}
	textf(s.attestation_reason, sizeof(s.attestation_reason), false,
	      "attestation is not available: attestation was not probed");

	/* Kernel lines and sysfs text are quoted in these: D-Bus and JSON need valid UTF-8. */
	(void)utf8_sanitize(s.reason);
	(void)utf8_sanitize(s.module_version);
	(void)utf8_sanitize(s.seamldr_version);
	for (size_t i = 0; i < _CHECK_MAX; i++) {
		(void)utf8_sanitize(s.checks[i].summary);
		(void)utf8_sanitize(s.checks[i].hint);
	}
	tdx_status_move(ret, &s);
	return 0;
fail:
	tdx_status_done(&s);
	return r;
}
