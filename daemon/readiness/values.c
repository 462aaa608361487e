/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The published values (module version, limits, KeyIDs, CMRs, packages) and the source of
 * each, by the kernel era that provides it (docs/kernel-interfaces.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* ---- published values ---- */

int derive_values(const struct facts *f, const struct status_policy *policy, struct tdx_status *s) {
	const struct tdx_host *h = f->h;
	const struct kmsg_facts *k = &h->kmsg;
	int r;

	/* Module lifecycle (docs/readiness.md, *Module currency and lifecycle*). */
	if (h->seamldr_version_known)
		textf(s->seamldr_version, sizeof(s->seamldr_version), false, "%u.%u.%02u",
		      h->sl_major, h->sl_minor, h->sl_update);
	s->updates_remaining = h->remaining_updates_known ? h->remaining_updates : UINT32_MAX;
	if (f->ep && f->ep->update_running)
		s->module_update = "running";
	else if ((f->ep && f->ep->update_failed) || h->tdx_host_version_enxio)
		s->module_update = "failed";
	else if (h->module_update_supported)
		s->module_update = "idle";
	else
		s->module_update = "unsupported";

	if (h->tdx_host_version_enxio) {
		/* The module that initialized at boot (the log's version line) is gone: no version
		 * is the truth until it works again. */
	} else if (h->tdx_host_version_known) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
		      h->th_major, h->th_minor, h->th_update);
		s->sources[SRC_MODULE_VERSION] = "/sys/devices/faux/tdx_host/version";
	} else if (k->version_line.present) {
		if (k->version_has_update)
			textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
			      k->version_major, k->version_minor, k->version_update);
		else
			textf(s->module_version, sizeof(s->module_version), false, "%u.%u",
			      k->version_major, k->version_minor);
		s->sources[SRC_MODULE_VERSION] = f->logsrc;
	} else if (h->fw.md_version_known) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u.%02u",
		      h->fw.md_major, h->fw.md_minor, h->fw.md_update);
		s->sources[SRC_MODULE_VERSION] =
		    "/sys/firmware/tdx/tdx_module/metadata/0800000100000004";
	} else if (h->fw.has_version) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u",
		      h->fw.major_version, h->fw.minor_version);
		s->sources[SRC_MODULE_VERSION] = "/sys/firmware/tdx/tdx_module/major_version";
	} else if (k->vendor_module_line.present) {
		textf(s->module_version, sizeof(s->module_version), false, "%u.%u", k->vendor_major,
		      k->vendor_minor);
		s->sources[SRC_MODULE_VERSION] = f->logsrc;
	}

	if (h->fw.has_version && (h->fw.build_date || h->fw.build_num)) {
		s->module_build_date = h->fw.build_date;
		s->module_build_number = h->fw.build_num;
		s->sources[SRC_MODULE_BUILD_DATE] = "/sys/firmware/tdx/tdx_module/build_date";
		s->sources[SRC_MODULE_BUILD_NUMBER] = "/sys/firmware/tdx/tdx_module/build_num";
	} else if (k->vendor_module_line.present) {
		s->module_build_date = k->build_date;
		s->module_build_number = k->build_num;
		s->sources[SRC_MODULE_BUILD_DATE] = f->logsrc;
		s->sources[SRC_MODULE_BUILD_NUMBER] = f->logsrc;
	}

	if (h->fw.md_max_vcpus_known) {
		s->module_max_vcpus = h->fw.md_max_vcpus;
		s->sources[SRC_MODULE_MAX_VCPUS] =
		    "/sys/firmware/tdx/tdx_module/metadata/9900000100000008";
	} else if (k->max_vcpu.present && k->max_vcpu_module && !f->tdx_up) {
		/* KVM printed the module's value when it refused TDX for it (a later successful
		 * load means that line is stale). */
		s->module_max_vcpus = k->max_vcpu_module;
		s->sources[SRC_MODULE_MAX_VCPUS] = f->logsrc;
	}

	if (f->tdx_up) {
		/* KVM's per-TD limit is min(KVM_MAX_VCPUS, num_present_cpus()); the ioctl on a
		 * throw-away TD VM tells it exactly, else KVM's own rule gives it. */
		uint32_t kvm_limit = 0;
		const char *src = "computed";
		if (h->kvm_dev_asked && h->kvm_td_max_vcpus) {
			kvm_limit = h->kvm_td_max_vcpus;
			src = "/dev/kvm:KVM_CAP_MAX_VCPUS";
		} else
			kvm_limit = h->n_present;
		uint32_t v = kvm_limit;
		if (s->module_max_vcpus && (v == 0 || s->module_max_vcpus < v)) {
			v = s->module_max_vcpus;
			src = "computed";
		}
		s->max_vcpus = v;
		if (v)
			s->sources[SRC_MAX_VCPUS] = src;
	}

	if (h->misc.capacity_known) {
		s->total_keyids = h->misc.capacity;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = h->misc.capacity_source
		                                   ? h->misc.capacity_source
		                                   : "/sys/fs/cgroup/misc.capacity";
	} else if (h->fw.has_nr_guest_keyids) {
		s->total_keyids = h->fw.nr_guest_keyids;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = "/sys/firmware/tdx/nr_guest_keyids";
	} else if (h->fw.has_keyid_num && h->fw.keyid_num >= 1) {
		s->total_keyids = h->fw.keyid_num - 1;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = "/sys/firmware/tdx/keyid_num";
	} else if (k->keyid_range.present && k->keyid_end > k->keyid_start) {
		/* [a, b): KeyID a is the global KeyID, guests get a+1 .. b-1 */
		s->total_keyids = k->keyid_end - k->keyid_start - 1;
		s->total_keyids_known = true;
		s->sources[SRC_TOTAL_KEYIDS] = f->logsrc;
	}

	if (h->misc.current_known) {
		s->used_keyids = h->misc.current;
		s->used_keyids_known = true;
		s->sources[SRC_USED_KEYIDS] =
		    h->misc.current_source ? h->misc.current_source : "/sys/fs/cgroup/misc.current";
	}

	r = range_set_copy(&s->cmrs, &h->cmrs);
	if (r < 0)
		return r;
	range_set_normalize(&s->cmrs, false);
	s->cmr_bytes = range_set_bytes(&s->cmrs);
	if (s->cmrs.n > 0)
		s->sources[SRC_CONVERTIBLE_MEMORY] = h->cmrs_source ? h->cmrs_source : "computed";

	if (h->cpuinfo.ept_5level)
		s->guest_phys_addr_bits = 52;
	else if (h->cpuinfo.has_vmx_flags)
		s->guest_phys_addr_bits = 48;
	if (s->guest_phys_addr_bits)
		s->sources[SRC_GUEST_PHYS_ADDR_BITS] = "/proc/cpuinfo";

	if (h->n_packages > 0) {
		s->packages = calloc(h->n_packages, sizeof(struct host_package));
		if (!s->packages)
			return -ENOMEM;
		memcpy(s->packages, h->packages, h->n_packages * sizeof(struct host_package));
		s->n_packages = h->n_packages;
		s->sources[SRC_PACKAGES] = "/sys/devices/system/cpu";
	}

	textf(s->kvm_module, sizeof(s->kvm_module), false, "%s", f->kvm);
	s->kvm_tdx_enabled = f->param_y;
	if (h->kvm.loaded && h->kvm.has_tdx_param) {
		textf(s->kvm_tdx_source, sizeof(s->kvm_tdx_source), false,
		      "/sys/module/%s/parameters/tdx", f->kvm);
		s->sources[SRC_KVM_TDX_ENABLED] = s->kvm_tdx_source;
	}

	s->tdx_up = f->tdx_up;
	s->module_initialized = f->initialized;
	s->cpu_guard = policy ? policy->cpu_guard : POLICY_ENFORCE;
	s->memory_gate = policy ? policy->memory_gate : POLICY_ENFORCE;
	return 0;
}
