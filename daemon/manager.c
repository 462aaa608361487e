/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "cpu-guard.h"
#include "kmod-loader.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "memory-gate.h"
#include "nfd-feature.h"
#include "run-state.h"
#include "tdxd-bus.h"
#include "uevent.h"

/* How long a burst of kernel events may run before the checks are brought up to date. */
#define DEFERRED_PROBE_USEC 200000u

static uint64_t now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int manager_new(Manager **ret) {
	Manager *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->uevents_fd = -1;
	config_defaults(&m->config);
	*ret = m;
	return 0;
}

Manager *manager_free(Manager *m) {
	if (!m)
		return NULL;
	kmod_loader_free(m);
	memory_gate_free(m->gate); /* the recorded TDX memory too (it leaked) */
	uevent_sources_stop(m);
	for (size_t i = 0; i < m->n_pending_refresh; i++)
		sd_bus_message_unref(m->pending_refresh[i]);
	free(m->pending_refresh);
	sd_event_source_unref(m->refresh_timer);
	sd_event_source_unref(m->deferred_probe);
	sd_event_source_unref(m->sighup_source);
	sd_bus_flush_close_unref(m->bus);
	sd_event_unref(m->event);
	tdx_status_done(&m->status);
	tdx_host_done(&m->host);
	free(m->root);
	free(m->config_path);
	free(m->uevents_path);
	free(m->saved_state);
	free(m->saved_cpu_package);
	free(m->saved_kernel_log);
	free(m->saved_nfd);
	free(m);
	return NULL;
}

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
#undef CHANGED
	names[n] = NULL;
	return n;
}

/* Keep /run/tdxd current for a restarted daemon and for the CPU guard's udev helper, which
 * must work while the daemon is down. Files are only rewritten when their contents change. */
static void save_file(Manager *m, char **last, const char *text,
                      int (*write_fn)(const char *root, const char *text), const char *what) {
	if (*last && streq(*last, text))
		return;
	int r = write_fn(m->root, text);
	if (r < 0) {
		log_warning_errno(r, "Failed to write %s: %m", what);
		return;
	}
	free(*last);
	*last = strdup(text);
}

static int write_state_text(const char *root, const char *text) {
	return write_file_atomic_at(root, RUN_STATE_PATH, text);
}

static int write_cpu_package_text(const char *root, const char *text) {
	return write_file_atomic_at(root, RUN_CPU_PACKAGE_PATH, text);
}

static void manager_save_state(Manager *m) {
	_cleanup_free_ char *text = NULL;
	struct run_state st = {
	    .has_tdx_enabled = true,
	    .tdx_enabled = m->status.tdx_up,
	    .has_module_initialized = true,
	    .module_initialized = m->status.module_initialized,
	};
	snprintf(st.kvm_module, sizeof st.kvm_module, "%s", m->config.kvm_module);
	snprintf(st.cpu_guard, sizeof st.cpu_guard, "%s",
	         policy_mode_to_string(m->config.cpu_guard));
	snprintf(st.memory_gate, sizeof st.memory_gate, "%s",
	         policy_mode_to_string(m->config.memory_gate));
	snprintf(st.boot_id, sizeof st.boot_id, "%s", m->host.boot_id);
	if (run_state_format(&st, &text) >= 0)
		save_file(m, &m->saved_state, text, write_state_text, RUN_STATE_PATH);

	/* Every CPU ever seen online this boot: the probe already merged the saved map with the
	 * topology of the CPUs online now. Inferred packages are not saved: they are guesses. */
	_cleanup_free_ struct cpu_package *map = calloc(m->host.n_cpus + 1, sizeof(*map));
	size_t n = 0;
	for (unsigned i = 0; map && i < m->host.n_cpus; i++) {
		const struct host_cpu *c = &m->host.cpus[i];
		if (c->package >= 0 && c->package_source && !streq(c->package_source, "node"))
			map[n++] = (struct cpu_package){i, (unsigned)c->package};
	}
	text = mfree(text);
	if (map && cpu_package_format(map, n, &text) >= 0)
		save_file(m, &m->saved_cpu_package, text, write_cpu_package_text,
		          RUN_CPU_PACKAGE_PATH);

	/* The kernel log is a ring: keep this boot's TDX lines before they are overwritten. */
	if (m->host.kmsg.tdx_lines && *m->host.kmsg.tdx_lines)
		save_file(m, &m->saved_kernel_log, m->host.kmsg.tdx_lines, run_kernel_log_write,
		          RUN_KERNEL_LOG_PATH);

	memory_gate_record_tdx_memory(m);

	if (*m->config.nfd_feature_file) {
		/* Not a kernel path, but under --root it goes below the tree like everything else,
		 * so tests never write to the real /etc. */
		text = mfree(text);
		if (nfd_feature_format(&m->status, &text) >= 0 &&
		    !(m->saved_nfd && streq(m->saved_nfd, text))) {
			int r = write_file_atomic_at(m->root, m->config.nfd_feature_file, text);
			if (r < 0)
				log_warning_errno(r, "Failed to write %s: %m",
				                  m->config.nfd_feature_file);
			else {
				free(m->saved_nfd);
				m->saved_nfd = strdup(text);
			}
		}
	}
}

int manager_rederive(Manager *m) {
	struct tdx_status s = {0};
	struct status_policy p = {
	    .cpu_guard = m->config.cpu_guard,
	    .memory_gate = m->config.memory_gate,
	    .kvm_module = m->config.kvm_module,
	};
	int r = status_derive(&m->host, &p, &m->enable, &s);
	if (r < 0)
		return log_error_errno(r, "Failed to derive the TDX state: %m");

	const char *names[32];
	size_t n = m->have_status ? changed_properties(&m->status, &s, names) : 0;
	bool state_changed = !m->have_status || m->status.state != s.state;
	tdx_status_done(&m->status);
	tdx_status_move(&m->status, &s);
	m->have_status = true;

	if (state_changed)
		log_info("TDX state: %s: %s", tdx_state_to_string(m->status.state),
		         m->status.reason);

	if (m->gate) {
		memory_gate_done(m->gate);
		r = memory_gate_prepare(m->gate, &m->host, &m->status, m->config.memory_gate);
		if (r < 0)
			log_warning_errno(r, "Failed to prepare the memory gate: %m");
		else
			memory_gate_judge_present_dax(m);
	}

	if (n > 0 && m->bus)
		(void)sd_bus_emit_properties_changed_strv(m->bus, TDXD_OBJECT_PATH,
		                                          TDXD_MANAGER_INTERFACE, (char **)names);
	manager_save_state(m);
	manager_notify_status(m);
	return 0;
}

int manager_probe(Manager *m) {
	struct tdx_host h = {0};
	struct probe_options o = {
	    .kvm_module = m->config.kvm_module,
	    .use_journal = !m->test_root,
	};
	int r = probe_host(m->root, &o, &h);
	if (r < 0)
		return log_error_errno(r, "Failed to read the host's TDX state: %m");

	/* Say each malformed kernel file once, not on every re-probe. */
	for (size_t i = 0; i < h.n_warnings; i++) {
		bool seen = false;
		for (size_t j = 0; j < m->host.n_warnings && !seen; j++)
			seen = streq(h.warnings[i], m->host.warnings[j]);
		if (!seen)
			log_warning("%s", h.warnings[i]);
	}

	/* What the enable sequence learnt from /dev/kvm survives a re-probe of sysfs. */
	h.kvm_dev_asked = m->host.kvm_dev_asked;
	h.kvm_vm_types_tdx = m->host.kvm_vm_types_tdx;
	h.kvm_td_max_vcpus = m->host.kvm_td_max_vcpus;
	h.kvm.modinfo_has_tdx = m->host.root ? m->host.kvm.modinfo_has_tdx : -1;

	tdx_host_done(&m->host);
	m->host = h;
	m->last_probe_usec = now_usec();
	return manager_rederive(m);
}

static int on_deferred_probe(sd_event_source *s, uint64_t usec, void *userdata) {
	(void)manager_probe(userdata);
	return 0;
}

void manager_schedule_probe(Manager *m) {
	uint64_t now;
	int r;

	if (!m->event || sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0)
		return;
	if (m->deferred_probe) {
		/* already pending: keep the first deadline so a steady stream cannot starve it */
		if (sd_event_source_get_enabled(m->deferred_probe, NULL) > 0)
			return;
		r = sd_event_source_set_time(m->deferred_probe, now + DEFERRED_PROBE_USEC);
		if (r >= 0)
			r = sd_event_source_set_enabled(m->deferred_probe, SD_EVENT_ONESHOT);
	} else
		r = sd_event_add_time(m->event, &m->deferred_probe, CLOCK_MONOTONIC,
		                      now + DEFERRED_PROBE_USEC, 0, on_deferred_probe, m);
	if (r < 0)
		log_warning_errno(r, "Failed to schedule a re-probe, probing now: %m");
	if (r < 0)
		(void)manager_probe(m);
}

int manager_refresh_usage(Manager *m) {
	struct misc_cgroup mc = {0};
	int r = probe_misc_cgroup(m->root, &mc);
	if (r < 0)
		return r;
	if (mc.current_known == m->host.misc.current_known && mc.current == m->host.misc.current &&
	    mc.capacity_known == m->host.misc.capacity_known &&
	    mc.capacity == m->host.misc.capacity)
		return 0;
	m->host.misc = mc;
	return manager_rederive(m);
}

void manager_notify_status(Manager *m) {
	char line[CHECK_TEXT_MAX + 64];
	const struct tdx_status *s = &m->status;

	if (!m->have_status)
		return;
	switch (s->state) {
	case TDX_STATE_READY:
	case TDX_STATE_DEGRADED:
		if (s->total_keyids_known)
			snprintf(line, sizeof line,
			         "TDX %s: %" PRIu32 "/%" PRIu32 " KeyIDs free, max %" PRIu32
			         " vCPUs per TD",
			         tdx_state_to_string(s->state),
			         s->total_keyids - (s->used_keyids > s->total_keyids
			                                ? s->total_keyids
			                                : s->used_keyids),
			         s->total_keyids, s->max_vcpus);
		else
			snprintf(line, sizeof line, "TDX %s: max %" PRIu32 " vCPUs per TD",
			         tdx_state_to_string(s->state), s->max_vcpus);
		break;
	default:
		snprintf(line, sizeof line, "TDX %s: %s", tdx_state_to_string(s->state), s->reason);
	}

	if (s->state == TDX_STATE_STARTING || m->enable.running) {
		(void)sd_notifyf(false, "STATUS=%s", line);
		return;
	}
	(void)sd_notifyf(false, "%sSTATUS=%s", m->ready_notified ? "" : "READY=1\n", line);
	m->ready_notified = true;
}

int manager_emit_cpu_offline_blocked(Manager *m, unsigned cpu, int package, const char *action) {
	if (!m->bus)
		return 0;
	return sd_bus_emit_signal(m->bus, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE,
	                          "CPUOfflineBlocked", "uus", (uint32_t)cpu,
	                          package < 0 ? TDXD_PACKAGE_UNKNOWN : (uint32_t)package, action);
}

int manager_emit_memory_refused(Manager *m, const char *device, uint64_t address, uint64_t size,
                                const char *reason) {
	if (!m->bus)
		return 0;
	return sd_bus_emit_signal(m->bus, TDXD_OBJECT_PATH, TDXD_MANAGER_INTERFACE, "MemoryRefused",
	                          "stts", device, address, size, reason);
}

void manager_handle_uevent(Manager *m, const struct uevent *ev) {
	unsigned cpu;
	uint64_t block;

	log_debug("uevent: %s %s (%s)", ev->action, ev->devpath, ev->subsystem);

	if (streq(ev->subsystem, "cpu") && uevent_cpu(ev, &cpu) >= 0) {
		/* The guard re-reads the host itself on an offline, after bringing back a
		 * package's last CPU (the full probe would widen that window). */
		if (streq(ev->action, "offline")) {
			(void)cpu_guard_on_offline(m, cpu);
			return;
		}
		/* Re-read first: the guard decides on the topology as it is now. */
		(void)manager_probe(m);
		if (streq(ev->action, "online"))
			(void)cpu_guard_on_online(m, cpu);
		return;
	}
	if (streq(ev->subsystem, "memory") && uevent_memory_block(ev, &block) >= 0) {
		/* A 64 GiB dax device arrives as 512 block events: the gate decides each from what
		 * it prepared at the last probe (the block's range needs only the block size), and
		 * the checks are brought up to date once the burst is over. */
		if (streq(ev->action, "add") || streq(ev->action, "online"))
			(void)memory_gate_on_block(m, ev->action, block);
		manager_schedule_probe(m);
		return;
	}
	if (streq(ev->subsystem, "dax")) {
		if (streq(ev->action, "add"))
			(void)memory_gate_on_dax(m, ev->sysname);
		return;
	}
	if (streq(ev->subsystem, "module")) {
		/* kvm_intel (or the configured module) loaded or unloaded by someone else. */
		if (streq(ev->sysname, m->config.kvm_module))
			(void)manager_probe(m);
		return;
	}
}
