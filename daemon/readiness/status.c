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

static const char *const state_names[_TDX_STATE_MAX] = {
    [TDX_STATE_UNSUPPORTED] = "unsupported", [TDX_STATE_DISABLED] = "disabled",
    [TDX_STATE_STARTING] = "starting",       [TDX_STATE_READY] = "ready",
    [TDX_STATE_DEGRADED] = "degraded",       [TDX_STATE_FAILED] = "failed",
};

static const char *const result_names[] = {
    [CHECK_PASS] = "pass",
    [CHECK_WARN] = "warn",
    [CHECK_FAIL] = "fail",
    [CHECK_SKIP] = "skip",
};

static const struct {
	const char *id;
	const char *category;
} check_table[_CHECK_MAX] = {
    [CHECK_CPU_VENDOR] = {"cpu-vendor", "platform"},
    [CHECK_BARE_METAL] = {"bare-metal", "platform"},
    [CHECK_BIOS_TDX] = {"bios-tdx", "bios"},
    [CHECK_KEYIDS] = {"keyids", "bios"},
    [CHECK_HIBERNATION] = {"hibernation", "kernel"},
    [CHECK_CPU_PACKAGES] = {"cpu-packages", "cpu"},
    [CHECK_KVM_MODULE] = {"kvm-module", "kvm"},
    [CHECK_KVM_TDX] = {"kvm-tdx", "kvm"},
    [CHECK_MODULE_INIT] = {"module-init", "module"},
    [CHECK_MAX_VCPUS] = {"max-vcpus", "module"},
    [CHECK_KERNEL_TDX] = {"kernel-tdx", "kernel"},
    [CHECK_KVM_VM_TYPES] = {"kvm-vm-types", "kvm"},
    [CHECK_KEYID_CAPACITY] = {"keyid-capacity", "capacity"},
    [CHECK_CONVERTIBLE_MEMORY] = {"convertible-memory", "memory"},
    [CHECK_TDX_MEMORY] = {"tdx-memory", "memory"},
    [CHECK_MEMORY_AUTO_ONLINE] = {"memory-auto-online", "memory"},
};

static const char *const source_keys[_SRC_MAX] = {
    [SRC_MODULE_VERSION] = "ModuleVersion",
    [SRC_MODULE_BUILD_DATE] = "ModuleBuildDate",
    [SRC_MODULE_BUILD_NUMBER] = "ModuleBuildNumber",
    [SRC_MODULE_MAX_VCPUS] = "ModuleMaxVCPUsPerTD",
    [SRC_MAX_VCPUS] = "MaxVCPUsPerTD",
    [SRC_TOTAL_KEYIDS] = "TotalKeyIDs",
    [SRC_USED_KEYIDS] = "UsedKeyIDs",
    [SRC_CONVERTIBLE_MEMORY] = "ConvertibleMemory",
    [SRC_GUEST_PHYS_ADDR_BITS] = "GuestPhysAddrBits",
    [SRC_PACKAGES] = "Packages",
    [SRC_KVM_TDX_ENABLED] = "KVMTDXEnabled",
};

const char *tdx_state_to_string(enum tdx_state s) {
	return s >= 0 && s < _TDX_STATE_MAX ? state_names[s] : NULL;
}

const char *check_result_to_string(enum check_result r) {
	return r >= 0 && r < (int)ELEMENTSOF(result_names) ? result_names[r] : NULL;
}

const char *check_id_to_string(enum check_id id) {
	return id >= 0 && id < _CHECK_MAX ? check_table[id].id : NULL;
}

const char *check_category(enum check_id id) {
	return id >= 0 && id < _CHECK_MAX ? check_table[id].category : NULL;
}

const char *source_key_to_string(int key) {
	return key >= 0 && key < _SRC_MAX ? source_keys[key] : NULL;
}

/* Text helpers: every summary, hint and reason is built with these, so nothing overflows. */
/* Every summary, hint and reason is built with textf() (macro.h), so nothing overflows. */

_printf_(3, 4) void set(struct check *c, enum check_result r, const char *fmt, ...) {
	va_list ap;
	c->result = r;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), false, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) void summary_add(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), true, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) void hint(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->hint, sizeof(c->hint), c->hint[0] != 0, fmt, ap);
	va_end(ap);
}

/* Quote the kernel's own line: `; the kernel says "virt/tdx: ..."`. */
void quote(struct check *c, const struct kline *k) {
	if (k && k->present)
		summary_add(c, "; the kernel says \"%s\"", k->text);
}

/* The prerequisite rule (docs/readiness.md, *Prerequisite rule*). Returns true when `c` may be
 * evaluated. */
bool need(struct tdx_status *s, enum check_id id, enum check_id on, bool pass_needed) {
	enum check_result r = s->checks[on].result;
	if (r == CHECK_FAIL || (pass_needed && r == CHECK_SKIP)) {
		set(&s->checks[id], CHECK_SKIP, "not checked: %s %s", check_table[on].id,
		    r == CHECK_FAIL ? "failed" : "skipped");
		return false;
	}
	return true;
}

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
	 * "Y" is evidence of an initialized module as much as the hotplug state is. */
	f->initialized = !f->init_failed &&
	                 (k->init == MODULE_INIT_OK || h->hp_virt_tdx || h->hp_kvm_tdx ||
	                  h->tdx_host_dev || streq(h->fw.status, "initialized") || f->param_y);

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

	derive_state(&f, &s);

	/* Kernel lines and sysfs text are quoted in these: D-Bus and JSON need valid UTF-8. */
	(void)utf8_sanitize(s.reason);
	(void)utf8_sanitize(s.module_version);
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
