/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's publisher on the bus: a new status becomes one PropertiesChanged naming the
 * properties that differ, the policies' reports become CPUOfflineBlocked and MemoryRefused,
 * and the end of an enable sequence becomes the reply to the EnableTDX() call waiting for
 * it. */
#include "bus-errors.h"
#include "bus-internal.h"
#include "log.h"
#include "macro.h"
#include "tdxd-bus.h"

static bool checks_equal(const struct tdx_status *a, const struct tdx_status *b) {
	for (size_t i = 0; i < _CHECK_MAX; i++)
		if (a->checks[i].result != b->checks[i].result ||
		    !streq(a->checks[i].summary, b->checks[i].summary) ||
		    !streq(a->checks[i].hint, b->checks[i].hint))
			return false;
	return true;
}

static bool ranges_equal(const struct range_set *a, const struct range_set *b) {
	return a->n == b->n &&
	       (a->n == 0 || memcmp(a->items, b->items, a->n * sizeof(a->items[0])) == 0);
}

static bool packages_equal(const struct tdx_status *a, const struct tdx_status *b) {
	return a->n_packages == b->n_packages &&
	       (a->n_packages == 0 ||
	        memcmp(a->packages, b->packages, a->n_packages * sizeof(a->packages[0])) == 0);
}

static bool sources_equal(const struct tdx_status *a, const struct tdx_status *b) {
	for (size_t i = 0; i < _SRC_MAX; i++)
		if (!streq_ptr(a->sources[i], b->sources[i]))
			return false;
	return true;
}

/* The emits-change properties whose value differs between two statuses (UsedKeyIDs has no
 * change signal, the const ones never change). */
static size_t changed_properties(const struct tdx_status *a, const struct tdx_status *b,
                                 const char **names) {
	size_t n = 0;
#define CHANGED(cond, name)                                                                        \
	do {                                                                                       \
		if (cond)                                                                          \
			names[n++] = name;                                                         \
	} while (0)
	CHANGED(a->state != b->state, "State");
	CHANGED(a->ready != b->ready, "Ready");
	CHANGED(!streq(a->reason, b->reason), "StateReason");
	CHANGED(!checks_equal(a, b), "Checks");
	CHANGED(!streq(a->module_version, b->module_version), "ModuleVersion");
	CHANGED(a->module_build_date != b->module_build_date, "ModuleBuildDate");
	CHANGED(a->module_build_number != b->module_build_number, "ModuleBuildNumber");
	CHANGED(a->module_max_vcpus != b->module_max_vcpus, "ModuleMaxVCPUsPerTD");
	CHANGED(a->max_vcpus != b->max_vcpus, "MaxVCPUsPerTD");
	CHANGED(a->total_keyids != b->total_keyids, "TotalKeyIDs");
	CHANGED(!ranges_equal(&a->cmrs, &b->cmrs), "ConvertibleMemory");
	CHANGED(a->cmr_bytes != b->cmr_bytes, "ConvertibleMemoryBytes");
	CHANGED(!packages_equal(a, b), "Packages");
	CHANGED(a->kvm_tdx_enabled != b->kvm_tdx_enabled, "KVMTDXEnabled");
	CHANGED(a->cpu_guard != b->cpu_guard, "CPUGuard");
	CHANGED(a->memory_gate != b->memory_gate, "MemoryGate");
	CHANGED(!sources_equal(a, b), "Sources");
	CHANGED(a->attestation_ready != b->attestation_ready, "AttestationReady");
	CHANGED(!streq(a->attestation_reason, b->attestation_reason), "AttestationReason");
	CHANGED(!streq(a->seamldr_version, b->seamldr_version), "SEAMLoaderVersion");
	CHANGED(a->updates_remaining != b->updates_remaining, "ModuleUpdatesRemaining");
	CHANGED(!streq_ptr(a->module_update, b->module_update), "ModuleUpdate");
#undef CHANGED
	names[n] = NULL;
	return n;
}

static void on_status_changed(void *userdata, const struct tdx_status *old,
                              const struct tdx_status *new) {
	struct bus_service *s = userdata;
	const char *names[32];

	if (changed_properties(old, new, names) > 0)
		(void)sd_bus_emit_properties_changed_strv(s->bus, TDXD_OBJECT_PATH,
		                                          TDXD_MANAGER_INTERFACE, (char **)names);
}

static void on_cpu_offline_blocked(void *userdata, unsigned cpu, int package, const char *action) {
	struct bus_service *s = userdata;
	int r = sd_bus_emit_signal(s->bus, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
	                           "CPUOfflineBlocked", "uus", (uint32_t)cpu,
	                           package < 0 ? TDXD_PACKAGE_UNKNOWN : (uint32_t)package, action);
	if (r < 0)
		log_debug_errno(r, "Failed to emit CPUOfflineBlocked for CPU %u: %m", cpu);
}

static void on_memory_refused(void *userdata, const struct memory_refusal_note *n) {
	struct bus_service *s = userdata;
	int r =
	    sd_bus_emit_signal(s->bus, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE, "MemoryRefused",
	                       "stts", n->device, n->address, n->size, n->reason);
	if (r < 0)
		log_debug_errno(r, "Failed to emit MemoryRefused for %s: %m", n->device);
}

static const char *enable_error_name(enum enable_result r) {
	switch (r) {
	case ENABLE_RESULT_OK: return NULL;
	case ENABLE_RESULT_NOT_SUPPORTED: return TDX_ERROR_NOT_SUPPORTED;
	case ENABLE_RESULT_LOAD_FAILED: return TDX_ERROR_MODULE_LOAD_FAILED;
	case ENABLE_RESULT_NO_MEMORY: return SD_BUS_ERROR_NO_MEMORY;
	default: return SD_BUS_ERROR_FAILED;
	}
}

static void on_units_stale(void *userdata) {
	struct bus_service *s = userdata;
	bus_systemd_ask(s);
}

static void on_enable_finished(void *userdata, const struct enable_outcome *o) {
	struct bus_service *s = userdata;
	const char *name = enable_error_name(o->result);

	if (!s->pending_enable)
		return; /* the sequence at start-up: nobody asked */
	if (name)
		(void)sd_bus_reply_method_errorf(s->pending_enable, name, "%s", o->message);
	else
		(void)sd_bus_reply_method_return(s->pending_enable, NULL);
	s->pending_enable = sd_bus_message_unref(s->pending_enable);
}

int bus_module_update_error(const struct module_update_outcome *o, sd_bus_error *error) {
	switch (o->error) {
	case MODULE_UPDATE_ERROR_NONE: return 0;
	case MODULE_UPDATE_ERROR_NOT_SUPPORTED:
		return sd_bus_error_setf(error, TDX_ERROR_NOT_SUPPORTED, "%s", o->message);
	case MODULE_UPDATE_ERROR_INVALID_IMAGE:
		return sd_bus_error_setf(error, TDX_ERROR_INVALID_IMAGE, "%s", o->message);
	case MODULE_UPDATE_ERROR_BUSY:
		return sd_bus_error_setf(error, TDX_ERROR_BUSY, "%s", o->message);
	default: return sd_bus_error_set_errnof(error, o->errnum ?: -EIO, "%s", o->message);
	}
}

static void on_module_update_accepted(void *userdata, const struct module_update_outcome *o) {
	struct bus_service *s = userdata;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

	if (!s->pending_update)
		return;
	if (bus_module_update_error(o, &error) < 0)
		(void)sd_bus_reply_method_error(s->pending_update, &error);
	else
		(void)sd_bus_reply_method_return(s->pending_update, NULL);
	s->pending_update = sd_bus_message_unref(s->pending_update);
}

static void on_module_update_finished(void *userdata, const struct module_update_outcome *o) {
	struct bus_service *s = userdata;
	int r = sd_bus_emit_signal(s->bus, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
	                           "ModuleUpdateFinished", "ssss", strempty(o->result),
	                           o->old_version, o->new_version, o->message);
	if (r < 0)
		log_debug_errno(r, "Failed to emit ModuleUpdateFinished: %m");
}

static void on_probe_done(void *userdata) {
	bus_refresh_answer(userdata);
}

void bus_publisher_install(struct bus_service *s) {
	s->m->publisher = (struct manager_publisher){
	    .userdata = s,
	    .status_changed = on_status_changed,
	    .cpu_offline_blocked = on_cpu_offline_blocked,
	    .memory_refused = on_memory_refused,
	    .enable_finished = on_enable_finished,
	    .units_stale = on_units_stale,
	    .module_update_accepted = on_module_update_accepted,
	    .module_update_finished = on_module_update_finished,
	    .probe_done = on_probe_done,
	};
}
