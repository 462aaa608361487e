/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state rule: unsupported, failed, disabled, degraded or ready, and its one-sentence
 * reason, from the checks in a fixed order (docs/readiness.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* ---- the state ---- */

static const struct check *first_failed(const struct tdx_status *s, const enum check_id *ids,
                                        size_t n) {
	for (size_t i = 0; i < n; i++)
		if (s->checks[ids[i]].result == CHECK_FAIL)
			return &s->checks[ids[i]];
	return NULL;
}

static bool bringup_failed(const struct facts *f, const struct tdx_status *s,
                           const struct check **ret) {
	const struct kmsg_facts *k = &f->h->kmsg;

	if (f->init_failed) {
		*ret = &s->checks[CHECK_MODULE_INIT];
		return true;
	}
	if (f->tdx_up)
		/* an older refusal this boot was followed by a successful load */
		return false;
	if (k->max_vcpu.present) {
		*ret = &s->checks[CHECK_MAX_VCPUS];
		return true;
	}
	/* Someone (udev's coldplug, an operator, tdxd) loaded the KVM module and the kernel said
	 * no: VMX is off or missing. A module load error, whoever loaded it. */
	if (k->no_hw_support.present && !f->h->kvm.loaded) {
		*ret = &s->checks[CHECK_KVM_MODULE];
		return true;
	}
	bool platform_ok = s->checks[CHECK_BIOS_TDX].result == CHECK_PASS &&
	                   s->checks[CHECK_KEYIDS].result == CHECK_PASS &&
	                   s->checks[CHECK_HIBERNATION].result == CHECK_PASS;
	for (int i = 0; i < _KVM_PREREQ_MAX; i++) {
		if (!k->kvm_prereq[i].present)
			continue;
		/* Without TDX in the BIOS (or refused at boot) these lines only say so. */
		if ((i == KVM_PREREQ_PLATFORM || i == KVM_PREREQ_NO_KEYIDS) && !platform_ok)
			continue;
		*ret = &s->checks[CHECK_KVM_TDX];
		return true;
	}
	return false;
}

void derive_state(const struct facts *f, struct tdx_status *s) {
	static const enum check_id platform[] = {CHECK_CPU_VENDOR, CHECK_BARE_METAL, CHECK_BIOS_TDX,
	                                         CHECK_KEYIDS};
	static const enum check_id software[] = {CHECK_HIBERNATION, CHECK_KERNEL_TDX,
	                                         CHECK_KVM_MODULE, CHECK_KVM_TDX,
	                                         CHECK_KVM_VM_TYPES};
	static const enum check_id capacity[] = {CHECK_CPU_PACKAGES, CHECK_KEYID_CAPACITY,
	                                         CHECK_CONVERTIBLE_MEMORY, CHECK_TDX_MEMORY,
	                                         CHECK_MODULE_VERSION};
	const struct enable_progress *ep = f->ep;
	const struct check *c;
	char *reason = s->reason;
	size_t rs = sizeof(s->reason);

	if (ep && ep->running) {
		s->state = TDX_STATE_STARTING;
		/* Say loading only once the sequence decided to load: on a host with nothing to
		 * enable (another vendor, a guest) the first probe must not claim it. */
		if (ep->loading)
			textf(reason, rs, false, "tdxd is enabling TDX: loading %s with tdx=1",
			      f->kvm);
		else
			textf(reason, rs, false,
			      "tdxd is enabling TDX: checking what it needs before loading %s",
			      f->kvm);
		return;
	}

	c = first_failed(s, platform, ELEMENTSOF(platform));
	if (c) {
		s->state = TDX_STATE_UNSUPPORTED;
		textf(reason, rs, false, "TDX is not supported here: %s", c->summary);
		return;
	}

	if (f->h->tdx_host_version_enxio && !(ep && ep->update_running)) {
		s->state = TDX_STATE_FAILED;
		textf(reason, rs, false, "the TDX module is unusable until the host reboots: %s",
		      s->checks[CHECK_MODULE_INIT].summary);
		return;
	}
	if (ep && ep->failed) {
		s->state = TDX_STATE_FAILED;
		textf(reason, rs, false, "enabling TDX failed: %s",
		      ep->failure[0] ? ep->failure : "the module load failed");
	} else if (bringup_failed(f, s, &c)) {
		s->state = TDX_STATE_FAILED;
		textf(reason, rs, false, "TDX bring-up failed: %s", c->summary);
	}
	if (s->state == TDX_STATE_FAILED) {
		if (ep && ep->fell_back)
			textf(reason, rs, true,
			      " (%s was loaded again without TDX so ordinary VMs "
			      "keep working)",
			      f->kvm);
		return;
	}

	if (!f->tdx_up) {
		s->state = TDX_STATE_DISABLED;
		if (ep && ep->blocked_by_policy)
			textf(reason, rs, false,
			      "TDX is disabled: %s is blocked by the operator in %s", f->kvm,
			      ep->policy_file[0] ? ep->policy_file : "modprobe.d");
		else if (ep && ep->in_use)
			textf(reason, rs, false,
			      "TDX is disabled: %s is loaded without TDX and in use%s%s", f->kvm,
			      ep->in_use_reason[0] ? ": " : "", ep->in_use_reason);
		else if ((c = first_failed(s, software, ELEMENTSOF(software))))
			textf(reason, rs, false, "TDX is disabled: %s", c->summary);
		else
			textf(reason, rs, false, "TDX is disabled: TDX is not up in %s", f->kvm);
		if (ep && ep->dry_run)
			textf(reason, rs, true, " (test root: nothing was loaded)");
		return;
	}

	c = first_failed(s, capacity, ELEMENTSOF(capacity));
	if (!c)
		/* "ready" means no check failed; any other failure breaks a guarantee too */
		for (int i = 0; i < _CHECK_MAX && !c; i++)
			if (s->checks[i].result == CHECK_FAIL)
				c = &s->checks[i];
	if (c) {
		s->state = TDX_STATE_DEGRADED;
		textf(reason, rs, false, "TDX is up but degraded: %s", c->summary);
		return;
	}

	s->state = TDX_STATE_READY;
	s->ready = true;
	if (s->total_keyids_known && s->used_keyids_known)
		textf(reason, rs, false,
		      "TDX is ready: %" PRIu32 " of %" PRIu32 " guest KeyIDs free",
		      s->total_keyids - s->used_keyids, s->total_keyids);
	else if (s->total_keyids_known)
		textf(reason, rs, false, "TDX is ready: %" PRIu32 " guest KeyIDs (usage unknown)",
		      s->total_keyids);
	else
		textf(reason, rs, false, "TDX is ready");
}
