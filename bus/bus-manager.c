/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The org.tdxd.Tdx1.Manager interface: the vtable, the property getters and the method
 * handlers. Handlers validate their arguments first, then check the caller, then ask the
 * manager, and turn its outcome into a reply or a named error (bus-errors.h). */

#include <inttypes.h>
#include <sys/socket.h>

#include <systemd/sd-bus.h>

#include "bus-errors.h"
#include "bus-internal.h"
#include "log.h"
#include "macro.h"
#include "tdxd-bus.h"

/* Properties */

static int property_get_state(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	return sd_bus_message_append(reply, "s", tdx_state_to_string(m->status.state));
}

static int property_get_checks(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int r = sd_bus_message_open_container(reply, 'a', "(sssss)");
	if (r < 0)
		return r;
	for (int i = 0; i < _CHECK_MAX; i++) {
		const struct check *c = &m->status.checks[i];
		r = sd_bus_message_append(reply, "(sssss)", check_id_to_string(i),
		                          check_category(i), check_result_to_string(c->result),
		                          c->summary, c->hint);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	const struct tdx_status *s = &m->status;
	const char *v = "";
	if (streq(property, "StateReason"))
		v = s->reason;
	else if (streq(property, "ModuleVersion"))
		v = s->module_version;
	else if (streq(property, "KVMModule"))
		v = m->config.kvm_module;
	else if (streq(property, "CPUGuard"))
		v = policy_mode_to_string(s->cpu_guard);
	else if (streq(property, "MemoryGate"))
		v = policy_mode_to_string(s->memory_gate);
	else if (streq(property, "AttestationReason"))
		v = s->attestation_reason;
	else if (streq(property, "SEAMLoaderVersion"))
		v = s->seamldr_version;
	else if (streq(property, "ModuleUpdate"))
		v = strempty(s->module_update);
	return sd_bus_message_append(reply, "s", v);
}

static int property_get_u32(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	const struct tdx_status *s = &m->status;
	uint32_t v = 0;
	if (streq(property, "ModuleBuildDate"))
		v = s->module_build_date;
	else if (streq(property, "ModuleBuildNumber"))
		v = s->module_build_number;
	else if (streq(property, "ModuleMaxVCPUsPerTD"))
		v = s->module_max_vcpus;
	else if (streq(property, "MaxVCPUsPerTD"))
		v = s->max_vcpus;
	else if (streq(property, "TotalKeyIDs"))
		v = s->total_keyids;
	else if (streq(property, "GuestPhysAddrBits"))
		v = s->guest_phys_addr_bits;
	else if (streq(property, "ModuleUpdatesRemaining"))
		v = s->updates_remaining;
	return sd_bus_message_append(reply, "u", v);
}

static int property_get_used_keyids(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply, void *userdata,
                                    sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	/* Read fresh by the bus filter (bus-service.c) before a Get or GetAll reaches here:
	 * once per call, so a GetAll's UsedKeyIDs and State come from the same read. */
	return sd_bus_message_append(reply, "u", m->status.used_keyids);
}

static int property_get_bool(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int v = streq(property, "Ready")              ? m->status.ready
	        : streq(property, "AttestationReady") ? m->status.attestation_ready
	                                              : m->status.kvm_tdx_enabled;
	return sd_bus_message_append(reply, "b", v);
}

static int property_get_convertible_memory(sd_bus *bus, const char *path, const char *interface,
                                           const char *property, sd_bus_message *reply,
                                           void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int r = sd_bus_message_open_container(reply, 'a', "(tt)");
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->status.cmrs.n; i++) {
		const struct range *c = &m->status.cmrs.items[i];
		r = sd_bus_message_append(reply, "(tt)", c->start, c->end - c->start);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_convertible_bytes(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply,
                                          void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	return sd_bus_message_append(reply, "t", m->status.cmr_bytes);
}

static int property_get_packages(sd_bus *bus, const char *path, const char *interface,
                                 const char *property, sd_bus_message *reply, void *userdata,
                                 sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int r = sd_bus_message_open_container(reply, 'a', "(uuu)");
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->status.n_packages; i++) {
		const struct host_package *p = &m->status.packages[i];
		r = sd_bus_message_append(reply, "(uuu)", (uint32_t)p->id, p->present_cpus,
		                          p->online_cpus);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static int property_get_sources(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int r = sd_bus_message_open_container(reply, 'a', "{ss}");
	if (r < 0)
		return r;
	for (int i = 0; i < _SRC_MAX; i++) {
		if (!m->status.sources[i])
			continue;
		r = sd_bus_message_append(reply, "{ss}", source_key_to_string(i),
		                          m->status.sources[i]);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

/* Methods */

static int method_get_capabilities(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	_cleanup_free_ char *json = NULL;
	/* the attestation files and units are asked again (the units answer asynchronously:
	 * a change reaches the document after it, and PropertiesChanged says so) */
	(void)manager_refresh_attestation(bs->m);
	int r = manager_get_capabilities(bs->m, &json);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Failed to build the capabilities: %m");
	return sd_bus_reply_method_return(msg, "s", json);
}

static int method_check_memory_range(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	uint64_t address, size;
	struct memory_verdict v = {0};
	int r = sd_bus_message_read(msg, "tt", &address, &size);
	if (r < 0)
		return r;
	if (size == 0 || size - 1 > UINT64_MAX - address)
		return sd_bus_error_setf(error, TDX_ERROR_INVALID_RANGE,
		                         "Invalid range: address 0x%" PRIx64 " size 0x%" PRIx64
		                         " %s; give a size > 0 that does not run past 2^64.",
		                         address, size, size == 0 ? "is empty" : "wraps past 2^64");
	r = manager_check_memory_range(m, address, size, &v);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Failed to decide on the range: %m");
	return sd_bus_reply_method_return(msg, "bs", v.allowed, v.reason);
}

static int method_check_cpu_offline(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	uint32_t cpu;
	struct cpu_verdict v = {0};
	int r = sd_bus_message_read(msg, "u", &cpu);
	if (r < 0)
		return r;
	r = manager_check_cpu_offline(m, cpu, &v);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Failed to decide on CPU %u: %m", cpu);
	if (!v.exists)
		return sd_bus_error_setf(error, TDX_ERROR_NO_SUCH_CPU, "%s", v.reason);
	return sd_bus_reply_method_return(msg, "bs", v.allowed, v.reason);
}

/* Who asked, for the journal: "OfflineCPU() from :1.42 (tdxctl, PID 1234, UID 0)". */
static void describe_caller(sd_bus_message *msg, const char *method, char *buf, size_t size) {
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *sender = sd_bus_message_get_sender(msg);
	pid_t pid = 0;
	uid_t uid = (uid_t)-1;
	const char *comm = NULL;

	if (sd_bus_query_sender_creds(msg,
	                              SD_BUS_CREDS_PID | SD_BUS_CREDS_EUID | SD_BUS_CREDS_COMM |
	                                  SD_BUS_CREDS_AUGMENT,
	                              &creds) >= 0) {
		(void)sd_bus_creds_get_pid(creds, &pid);
		(void)sd_bus_creds_get_euid(creds, &uid);
		(void)sd_bus_creds_get_comm(creds, &comm);
	}
	textf(buf, size, false, "%s() from %s", method, sender ? sender : "an unknown caller");
	if (pid > 0)
		textf(buf, size, true, " (%s, PID %d, UID %u)", comm ? comm : "?", (int)pid,
		      (unsigned)uid);
}

static int cpu_guard_error(const struct cpu_guard_outcome *o, sd_bus_error *error) {
	switch (o->error) {
	case CPU_GUARD_ERROR_NONE: return 0;
	case CPU_GUARD_ERROR_NO_SUCH_CPU:
		return sd_bus_error_setf(error, TDX_ERROR_NO_SUCH_CPU, "%s", o->message);
	case CPU_GUARD_ERROR_LAST_CPU_IN_PACKAGE:
		return sd_bus_error_setf(error, TDX_ERROR_LAST_CPU_IN_PACKAGE, "%s", o->message);
	case CPU_GUARD_ERROR_NOT_SUPPORTED:
		return sd_bus_error_setf(error, TDX_ERROR_NOT_SUPPORTED, "%s", o->message);
	default: return sd_bus_error_set_errnof(error, o->errnum ?: -EIO, "%s", o->message);
	}
}

static int method_offline_cpu(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	struct cpu_guard_outcome o;
	char who[256];
	uint32_t cpu;
	int r = sd_bus_message_read(msg, "u", &cpu);
	if (r < 0)
		return r;
	/* Checked here, not by the bus policy: it lets everyone send this, polkit decides. */
	r = bus_verify_polkit(bs, msg, "org.tdxd.Tdx1.offline-cpu", "OfflineCPU", error);
	if (r <= 0)
		return r < 0 ? r : 1; /* 0: asked polkit, dispatched again when it answers */
	describe_caller(msg, "OfflineCPU", who, sizeof who);
	(void)manager_offline_cpu(bs->m, cpu, who, &o);
	r = cpu_guard_error(&o, error);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, NULL);
}

static int method_enable_tdx(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	Manager *m = bs->m;
	int r = bus_verify_polkit(bs, msg, "org.tdxd.Tdx1.enable", "EnableTDX", error);
	if (r <= 0)
		return r < 0 ? r : 1; /* 0: asked polkit, dispatched again when it answers */
	if (m->enable.running || bs->pending_enable)
		return sd_bus_error_setf(error, TDX_ERROR_BUSY,
		                         "TDX is being enabled right now; wait for State to leave "
		                         "'starting' and try again.");
	if (m->enable.update_running)
		return sd_bus_error_setf(error, TDX_ERROR_BUSY,
		                         "A TDX module update is running; wait for "
		                         "ModuleUpdateFinished and try again.");
	if (m->status.state == TDX_STATE_READY)
		return sd_bus_reply_method_return(msg, NULL);
	/* answered when the sequence ends (bus-publish.c), which may be within this call */
	bs->pending_enable = sd_bus_message_ref(msg);
	r = manager_enable(m);
	if (r < 0) {
		bs->pending_enable = sd_bus_message_unref(bs->pending_enable);
		if (r == -EBUSY)
			return sd_bus_error_setf(error, TDX_ERROR_BUSY,
			                         "TDX is being enabled right now.");
		return sd_bus_error_set_errnof(error, r, "Failed to start enabling TDX: %m");
	}
	return 1;
}

static int method_update_module(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
	struct bus_service *bs = userdata;
	struct module_update_outcome o;
	char who[256];
	int fd;
	int r = sd_bus_message_read(msg, "h", &fd);
	if (r < 0)
		return r;
	r = bus_verify_polkit(bs, msg, "org.tdxd.Tdx1.update-module", "UpdateModule", error);
	if (r <= 0)
		return r < 0 ? r : 1; /* 0: asked polkit, dispatched again when it answers */
	if (bs->pending_update)
		return sd_bus_error_setf(error, TDX_ERROR_BUSY,
		                         "Another TDX module update is being started; wait for "
		                         "ModuleUpdateFinished and try again.");
	describe_caller(msg, "UpdateModule", who, sizeof who);
	r = manager_update_module(bs->m, fd, who, &o);
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "Failed to start the module update: %m");
	r = bus_module_update_error(&o, error);
	if (r < 0)
		return r;
	/* answered when the kernel has taken the image (bus-publish.c) */
	bs->pending_update = sd_bus_message_ref(msg);
	return 1;
}

#define PROP_CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define PROP_CONST  SD_BUS_VTABLE_PROPERTY_CONST

const sd_bus_vtable bus_manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("State", "s", property_get_state, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("Ready", "b", property_get_bool, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("StateReason", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("Checks", "a(sssss)", property_get_checks, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleVersion", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleBuildDate", "u", property_get_u32, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleBuildNumber", "u", property_get_u32, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleMaxVCPUsPerTD", "u", property_get_u32, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("MaxVCPUsPerTD", "u", property_get_u32, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("TotalKeyIDs", "u", property_get_u32, 0, PROP_CHANGE),
    /* no change signal: the kernel gives no event for KeyID usage */
    SD_BUS_PROPERTY("UsedKeyIDs", "u", property_get_used_keyids, 0, 0),
    SD_BUS_PROPERTY("ConvertibleMemory", "a(tt)", property_get_convertible_memory, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ConvertibleMemoryBytes", "t", property_get_convertible_bytes, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("GuestPhysAddrBits", "u", property_get_u32, 0, PROP_CONST),
    SD_BUS_PROPERTY("Packages", "a(uuu)", property_get_packages, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("KVMModule", "s", property_get_string, 0, PROP_CONST),
    SD_BUS_PROPERTY("KVMTDXEnabled", "b", property_get_bool, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("CPUGuard", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("MemoryGate", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("Sources", "a{ss}", property_get_sources, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("AttestationReady", "b", property_get_bool, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("AttestationReason", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("SEAMLoaderVersion", "s", property_get_string, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleUpdatesRemaining", "u", property_get_u32, 0, PROP_CHANGE),
    SD_BUS_PROPERTY("ModuleUpdate", "s", property_get_string, 0, PROP_CHANGE),

    SD_BUS_METHOD_WITH_ARGS("Refresh", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_refresh,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", capabilities),
                            method_get_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CheckMemoryRange", SD_BUS_ARGS("t", address, "t", size),
                            SD_BUS_RESULT("b", allowed, "s", reason), method_check_memory_range,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CheckCPUOffline", SD_BUS_ARGS("u", cpu),
                            SD_BUS_RESULT("b", allowed, "s", reason), method_check_cpu_offline,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    /* Root, or polkit's authorization (bus-polkit.c): marked unprivileged for sd-bus, which
     * would otherwise refuse every non-root caller without a word about polkit. */
    SD_BUS_METHOD_WITH_ARGS("OfflineCPU", SD_BUS_ARGS("u", cpu), SD_BUS_NO_RESULT,
                            method_offline_cpu, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("EnableTDX", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_enable_tdx,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("UpdateModule", SD_BUS_ARGS("h", image), SD_BUS_NO_RESULT,
                            method_update_module, SD_BUS_VTABLE_UNPRIVILEGED),

    SD_BUS_SIGNAL_WITH_ARGS("CPUOfflineBlocked", SD_BUS_ARGS("u", cpu, "u", package, "s", action),
                            0),
    SD_BUS_SIGNAL_WITH_ARGS("MemoryRefused",
                            SD_BUS_ARGS("s", device, "t", address, "t", size, "s", reason), 0),
    SD_BUS_SIGNAL_WITH_ARGS(
        "ModuleUpdateFinished",
        SD_BUS_ARGS("s", result, "s", old_version, "s", new_version, "s", message), 0),
    SD_BUS_VTABLE_END,
};
