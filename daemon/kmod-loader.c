/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The enable sequence (spec sections 1-4, 7). The decisions are pure (enable-plan.c); this
 * file does the I/O around them: a fresh probe, the libkmod facts, onlining CPUs, the module
 * load in a worker thread (init_module can take minutes while the kernel allocates PAMT on
 * multi-TB hosts, and the event loop must keep answering), verifying what the kernel did, and
 * explaining a failure from the kernel log lines written since the load began. */

#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "enable-plan.h"
#include "fileio.h"
#include "kmod-loader.h"
#include "kmod-util.h"
#include "kvm-dev.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "tdx-errors.h"

#define MID_TDX_ENABLED     "c2f4a9180b7e4d6c93a5e1f07b2d8c64"
#define MID_ENABLE_FAILED   "9d07e3b15a6c4f28b1e4c8a2d0f39e57"
#define MID_OPERATOR_POLICY "5e61b2c8d4a94f0b8c27e9d1a3f6b045"

/* systemd's start timeout is extended in steps while the load runs. */
#define EXTEND_FIRST_USEC (3 * 1000000ULL)
#define EXTEND_EVERY_USEC (10 * 1000000ULL)
#define EXTEND_BY_USEC    (30 * 1000000ULL)

/* What the worker thread does and what it found. Only the worker touches it while it runs;
 * the main thread reads it after the eventfd fired and the thread was joined. */
struct kmod_job {
	struct kmod_paths paths;
	char module[64];
	char options[300];          /* what to load it with */
	char fallback_options[300]; /* ... and again with, if that fails */
	bool reload;                /* unload the idle module first */
	bool fallback;              /* try fallback_options after a failed load */
	int efd;

	int lookup_error;
	bool in_use_at_unload; /* a user appeared between the decision and the unload */
	int refcnt_at_unload;
	int unload_error;
	int load_error;
	bool blocked; /* libkmod's blacklist check refused it */
	bool fell_back;
	int fallback_error;
};

struct kmod_loader {
	Manager *m;
	sd_bus_message *call;
	pthread_t thread;
	bool thread_running;
	int efd;
	sd_event_source *done_source, *extend_source;
	uint64_t started_usec;
	uint64_t since_seq; /* the last kernel log record before the load began */
	struct enable_plan plan;
	struct kmod_job job;
};

static uint64_t now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the worker ---- */

static void *job_run(void *userdata) {
	struct kmod_job *j = userdata;
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_list_ struct kmod_list *list = NULL;
	_cleanup_kmod_module_ struct kmod_module *mod = NULL;
	int r;

	r = kmod_ctx_new_for_paths(&j->paths, &ctx);
	if (r < 0) {
		j->lookup_error = r;
		goto out;
	}
	r = kmod_module_new_from_lookup(ctx, j->module, &list);
	if (r < 0 || !list) {
		j->lookup_error = r < 0 ? r : -ENOENT;
		goto out;
	}
	mod = kmod_module_get_module(list);

	if (j->reload) {
		/* The decision was made on a probe moments ago: a VM manager may have opened
		 * /dev/kvm since. Never take the module away from a user. */
		_cleanup_kmod_list_ struct kmod_list *holders = kmod_module_get_holders(mod);
		int refcnt = kmod_module_get_refcnt(mod);
		if (refcnt != 0 || holders) {
			j->in_use_at_unload = true;
			j->refcnt_at_unload = refcnt;
			goto out;
		}
		r = kmod_module_remove_module(mod, 0);
		if (r < 0) {
			j->unload_error = r;
			goto out;
		}
	}

	r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, j->options, NULL, NULL,
	                                    NULL);
	if (r > 0) {
		j->blocked = true;
		goto out;
	}
	j->load_error = r < 0 ? r : 0;
	/* v6.16-v7.0: a failed TDX bring-up fails the whole load and leaves the host without
	 * KVM; load it again with TDX off so ordinary VMs keep working. */
	if (r < 0 && j->fallback && kmod_module_get_initstate(mod) != KMOD_MODULE_LIVE) {
		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
		                                    j->fallback_options, NULL, NULL, NULL);
		j->fallback_error = r < 0 ? r : 0;
		j->fell_back = r == 0;
	}
out:
	(void)eventfd_write(j->efd, 1);
	return NULL;
}

/* ---- ending the sequence ---- */

static void loader_stop_sources(struct kmod_loader *l) {
	l->done_source = sd_event_source_disable_unref(l->done_source);
	l->extend_source = sd_event_source_disable_unref(l->extend_source);
}

static void finish_reply(struct kmod_loader *l, const char *error_name, const char *msg) {
	Manager *m = l->m;

	loader_stop_sources(l);
	m->enable.running = false;
	(void)manager_rederive(m);

	if (l->call) {
		if (error_name)
			(void)sd_bus_reply_method_errorf(l->call, error_name, "%s", msg);
		else
			(void)sd_bus_reply_method_return(l->call, NULL);
		l->call = sd_bus_message_unref(l->call);
	}
	/* READY=1 only now: units ordered after tdxd see the final answer. */
	manager_notify_status(m);
}

static void finish_ok(struct kmod_loader *l) {
	finish_reply(l, NULL, NULL);
}

static void finish(struct kmod_loader *l, const char *error_name, const char *fmt, ...)
    _printf_(3, 4);
static void finish(struct kmod_loader *l, const char *error_name, const char *fmt, ...) {
	char msg[2 * CHECK_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	finish_reply(l, error_name, msg);
}

static void log_enable_failed(Manager *m, const char *fmt, ...) _printf_(2, 3);
static void log_enable_failed(Manager *m, const char *fmt, ...) {
	char msg[3 * CHECK_TEXT_MAX], field[96];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	textf(field, sizeof field, false, "TDXD_KVM_MODULE=%s", m->config.kvm_module);
	(void)log_struct_internal(LOG_ERR, MID_ENABLE_FAILED, msg, field, NULL);
}

static void fail(struct kmod_loader *l, const char *error_name, const char *failure,
                 const char *hint) {
	Manager *m = l->m;
	m->enable.attempted = true;
	m->enable.failed = true;
	textf(m->enable.failure, sizeof m->enable.failure, false, "%s", failure);
	textf(m->enable.hint, sizeof m->enable.hint, false, "%s", hint);
	log_enable_failed(m, "Enabling TDX failed: %s%s%s", failure, hint[0] ? ". Hint: " : "",
	                  hint);
	finish(l, error_name, "%s%s%s", failure, hint[0] ? ". " : "", hint);
}

/* Ask /dev/kvm what KVM really accepts: the manager keeps the answers across probes. */
static void ask_kvm_dev(Manager *m) {
	struct kvm_dev_answers a;
	int r;

	if (m->test_root || !m->host.kvm.loaded)
		return;
	r = kvm_dev_ask(&kvm_dev_real_ops, &a);
	if (r < 0) {
		log_debug_errno(r, "Cannot ask /dev/kvm (%m): deciding on %s.tdx alone.",
		                m->config.kvm_module);
		m->host.kvm_dev_asked = false;
		return;
	}
	m->host.kvm_dev_asked = true;
	m->host.kvm_vm_types_tdx = a.tdx_vm_type;
	m->host.kvm_td_max_vcpus = a.td_max_vcpus;
	if (a.tdx_vm_type && a.create_vm_error < 0)
		log_warning_errno(
		    a.create_vm_error,
		    "A throw-away TDX VM could not be created to read the per-TD vCPU "
		    "limit: %m");
}

static void verify_and_finish(struct kmod_loader *l) {
	Manager *m = l->m;
	struct kmod_job *j = &l->job;
	const char *mod = l->plan.module;
	char failure[CHECK_TEXT_MAX], hint[CHECK_TEXT_MAX];
	bool one_shot = false;
	uint64_t secs = (now_usec() - l->started_usec) / 1000000u;

	/* What the kernel really did, including the log lines it wrote meanwhile. */
	(void)manager_probe(m);
	ask_kvm_dev(m);

	if (j->lookup_error < 0) {
		textf(failure, sizeof failure, false, "%s could not be looked up with libkmod (%s)",
		      mod, strerror(-j->lookup_error));
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, failure,
		     "check that this kernel's modules are installed (modinfo kvm_intel)");
		return;
	}
	if (j->in_use_at_unload) {
		m->enable.in_use = true;
		textf(m->enable.in_use_reason, sizeof m->enable.in_use_reason, false,
		      "a user appeared just before the reload (refcnt %d), not reloaded; at the "
		      "next boot use %s.tdx=1 on the kernel command line or `options %s tdx=1` "
		      "in /etc/modprobe.d/",
		      j->refcnt_at_unload, mod, mod);
		log_warning("Not reloading %s: %s.", mod, m->enable.in_use_reason);
		finish(l, TDX_ERROR_MODULE_LOAD_FAILED, "%s is in use: %s", mod,
		       m->enable.in_use_reason);
		return;
	}
	if (j->unload_error < 0) {
		textf(failure, sizeof failure, false,
		      "unloading the idle %s (loaded without TDX) failed (%s)", mod,
		      strerror(-j->unload_error));
		textf(hint, sizeof hint, false,
		      "run modprobe -r %s && modprobe %s tdx=1 by hand, or boot with %s.tdx=1", mod,
		      mod, mod);
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, failure, hint);
		return;
	}
	if (j->blocked) {
		m->enable.blocked_by_policy = true;
		log_struct_internal(LOG_NOTICE, MID_OPERATOR_POLICY,
		                    "Not loading the KVM module: libkmod reports it blacklisted",
		                    NULL);
		finish(l, TDX_ERROR_NOT_SUPPORTED, "%s is blacklisted in modprobe.d", mod);
		return;
	}

	bool tdx_y = m->host.kvm.loaded && m->host.kvm.has_tdx_param && m->host.kvm.tdx_enabled;
	bool up = tdx_y && (!m->host.kvm_dev_asked || m->host.kvm_vm_types_tdx);

	if (l->plan.action == ENABLE_ACTION_LOAD_WITHOUT_TDX) {
		m->enable.attempted = true;
		m->enable.failed = true;
		m->enable.fell_back = j->load_error == 0;
		textf(m->enable.failure, sizeof m->enable.failure, false, "%s", l->plan.message);
		textf(m->enable.hint, sizeof m->enable.hint, false, "%s", l->plan.hint);
		if (j->load_error < 0) {
			textf(failure, sizeof failure, false,
			      "%s; loading %s without TDX failed too (%s)", l->plan.message, mod,
			      strerror(-j->load_error));
			fail(l, TDX_ERROR_MODULE_LOAD_FAILED, failure, l->plan.hint);
			return;
		}
		log_enable_failed(m, "%s; %s was loaded without TDX so ordinary VMs keep working.",
		                  l->plan.message, mod);
		finish(l, TDX_ERROR_NOT_SUPPORTED, "%s. %s", l->plan.message, l->plan.hint);
		return;
	}

	if (j->load_error == 0 && up) {
		char msg[CHECK_TEXT_MAX], field[96];
		m->enable.attempted = true;
		textf(msg, sizeof msg, false,
		      "TDX enabled: %s loaded with %s in %" PRIu64 " s; module %s, %" PRIu32
		      " guest KeyIDs%s, max %" PRIu32 " vCPUs per TD%s%s",
		      mod, l->plan.options, secs,
		      m->status.module_version[0] ? m->status.module_version : "version unknown",
		      m->status.total_keyids, m->host.misc.capacity_known ? " (misc cgroup)" : "",
		      m->status.max_vcpus, m->host.kvm_td_max_vcpus ? " (/dev/kvm)" : "",
		      m->host.hp_kvm_tdx    ? ", hotplug state kvm/cpu/tdx:online"
		      : m->host.hp_virt_tdx ? ", hotplug state virt/tdx:online"
		                            : "");
		textf(field, sizeof field, false, "TDXD_KVM_MODULE=%s", mod);
		(void)log_struct_internal(LOG_INFO, MID_TDX_ENABLED, msg, field, NULL);
		finish_ok(l);
		return;
	}

	if (j->load_error == 0 && tdx_y && !up) {
		textf(failure, sizeof failure, false,
		      "%s.tdx reads Y but /dev/kvm does not list KVM_X86_TDX_VM (5) in "
		      "KVM_CAP_VM_TYPES",
		      mod);
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, failure,
		     "look at the kernel log (journalctl -k | grep -iE 'tdx|kvm')");
		return;
	}

	/* Failed: the load itself, or TDX stayed off. */
	(void)enable_explain(&m->host.kmsg, l->since_seq, mod, true, j->load_error, failure,
	                     sizeof failure, hint, sizeof hint, &one_shot);
	m->enable.fell_back = j->fell_back;
	if (j->load_error < 0 && j->fallback && !j->fell_back && j->fallback_error < 0) {
		size_t o = strlen(failure);
		textf(failure + o, sizeof failure - o, false,
		      "; loading it without TDX failed too (%s)", strerror(-j->fallback_error));
	}
	if (j->fell_back)
		log_info("%s was loaded again without TDX (%s) so ordinary VMs keep working.", mod,
		         l->plan.fallback_options);
	fail(l, one_shot ? TDX_ERROR_NOT_SUPPORTED : TDX_ERROR_MODULE_LOAD_FAILED, failure, hint);
}

static int on_job_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
	struct kmod_loader *l = userdata;
	eventfd_t v;

	(void)eventfd_read(fd, &v);
	if (l->thread_running) {
		(void)pthread_join(l->thread, NULL);
		l->thread_running = false;
	}
	kmod_paths_done(&l->job.paths);
	verify_and_finish(l);
	return 0;
}

static int on_extend(sd_event_source *s, uint64_t usec, void *userdata) {
	struct kmod_loader *l = userdata;
	uint64_t secs = (now_usec() - l->started_usec) / 1000000u;

	(void)sd_notifyf(false,
	                 "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=Loading %s with %s (%" PRIu64
	                 " s so far: the kernel allocates TDX memory metadata, PAMT)",
	                 (unsigned long long)EXTEND_BY_USEC, l->plan.module, l->plan.options, secs);
	(void)sd_event_source_set_time_relative(s, EXTEND_EVERY_USEC);
	(void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

static const char *plan_load_options(const struct enable_plan *p) {
	return p->action == ENABLE_ACTION_LOAD_WITHOUT_TDX ? p->fallback_options : p->options;
}

static int start_job(struct kmod_loader *l) {
	Manager *m = l->m;
	struct kmod_job *j = &l->job;
	int r;

	kmod_paths_done(&j->paths);
	*j = (struct kmod_job){0};
	r = kmod_paths_for_root(m->root, &j->paths);
	if (r < 0)
		return r;
	textf(j->module, sizeof j->module, false, "%s", l->plan.module);
	textf(j->options, sizeof j->options, false, "%s", plan_load_options(&l->plan));
	textf(j->fallback_options, sizeof j->fallback_options, false, "%s",
	      l->plan.fallback_options);
	j->reload = l->plan.action == ENABLE_ACTION_RELOAD;
	/* only a load with TDX falls back to one without */
	j->fallback = m->config.fallback_without_tdx && (l->plan.action == ENABLE_ACTION_LOAD ||
	                                                 l->plan.action == ENABLE_ACTION_RELOAD);

	if (l->efd < 0) {
		l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->efd < 0)
			return -errno;
	}
	j->efd = l->efd;
	r = sd_event_add_io(m->event, &l->done_source, l->efd, EPOLLIN, on_job_done, l);
	if (r < 0)
		return r;
	r = sd_event_add_time_relative(m->event, &l->extend_source, CLOCK_MONOTONIC,
	                               EXTEND_FIRST_USEC, 0, on_extend, l);
	if (r < 0)
		return r;

	l->started_usec = now_usec();
	r = -pthread_create(&l->thread, NULL, job_run, j);
	if (r < 0)
		return r;
	l->thread_running = true;
	return 0;
}

/* ---- the start ---- */

/* The libkmod facts for KVMModule; 0 when they cannot be had (a test tree without a module
 * directory or modprobe.d: then the decision goes on as if the module were installed). */
static int lookup_module(Manager *m, struct kmod_module_facts *ret) {
	return kmod_module_facts_for_root(m->root, m->config.kvm_module, ret);
}

static int online_cpus(struct kmod_loader *l) {
	Manager *m = l->m;
	for (size_t i = 0; i < l->plan.n_cpus_to_online; i++) {
		unsigned cpu = l->plan.cpus_to_online[i];
		char path[96];
		int pkg = cpu < m->host.n_cpus ? m->host.cpus[cpu].package : -1;
		textf(path, sizeof path, false, "/sys/devices/system/cpu/cpu%u/online", cpu);
		if (m->test_root) {
			log_info("Would online CPU %u (package %d has no online CPU) for the TDX "
			         "module initialization (test root: nothing written).",
			         cpu, pkg);
			continue;
		}
		int r = write_string_at(m->root, path, "1");
		if (r < 0) {
			char failure[CHECK_TEXT_MAX], hint[CHECK_TEXT_MAX];
			textf(failure, sizeof failure, false,
			      "cannot enable TDX: onlining CPU %u (package %d has no online CPU) "
			      "failed (%s)",
			      cpu, pkg, strerror(-r));
			textf(hint, sizeof hint, false,
			      "online a CPU of that package by hand: echo 1 > %s", path);
			fail(l, TDX_ERROR_NOT_SUPPORTED, failure, hint);
			return r;
		}
		log_info("Onlined CPU %u: package %d had no online CPU, and the TDX module "
		         "initialization needs one in every package.",
		         cpu, pkg);
	}
	return 0;
}

static int loader_get(Manager *m, struct kmod_loader **ret) {
	if (!m->loader) {
		m->loader = calloc(1, sizeof(*m->loader));
		if (!m->loader)
			return -ENOMEM;
		m->loader->m = m;
		m->loader->efd = -1;
	}
	*ret = m->loader;
	return 0;
}

int kmod_loader_start(Manager *m, sd_bus_message *call) {
	struct kmod_loader *l;
	struct kmod_module_facts facts = {0};
	char path[128];
	int r;

	if (m->enable.running)
		return -EBUSY;
	r = loader_get(m, &l);
	if (r < 0)
		return r;

	l->call = call ? sd_bus_message_ref(call) : NULL;
	l->plan = (struct enable_plan){0};

	/* A new attempt: what an earlier one concluded no longer holds. State is "starting"
	 * from here on, and manager_notify_status() holds READY=1 back until finish(). The
	 * decision is made on a fresh probe; its last log record marks where "since the load
	 * began" starts. */
	m->enable = (struct enable_progress){.running = true};
	r = manager_probe(m);
	if (r < 0) {
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, "the host could not be read", "");
		return 0;
	}
	l->since_seq = m->host.kmsg.last_seq;

	r = lookup_module(m, &facts);
	if (r == -ENOMEM) {
		finish(l, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
		return 0;
	}
	if (r < 0)
		log_warning_errno(r, "libkmod could not be asked about %s: %m",
		                  m->config.kvm_module);
	if (r > 0)
		m->host.kvm.modinfo_has_tdx = facts.has_tdx_param;

	textf(path, sizeof path, false, "/sys/module/%s/initstate", m->config.kvm_module);
	struct enable_input in = {
	    .host = &m->host,
	    .status = &m->status,
	    .config = &m->config,
	    .kmod = r > 0 ? &facts : NULL,
	    .builtin = m->host.kvm.loaded && !exists_at(m->root, path),
	};
	(void)enable_plan_decide(&in, &l->plan);
	const struct enable_plan *p = &l->plan;
	log_debug("Enable sequence: %s", enable_action_to_string(p->action));

	switch (p->action) {
	case ENABLE_ACTION_NONE:
		log_info("%s; nothing to load.", p->message);
		/* still ask /dev/kvm: the effective per-TD vCPU limit is only known there */
		ask_kvm_dev(m);
		finish_ok(l);
		return 0;

	case ENABLE_ACTION_UNSUPPORTED:
	case ENABLE_ACTION_NO_SUPPORT:
		log_notice("Not enabling TDX: %s.", p->message);
		finish(l, TDX_ERROR_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;

	case ENABLE_ACTION_ONE_SHOT:
		/* The kernel keeps the failure until reboot: the state already says "failed"
		 * from the kernel log; loading again would change nothing. */
		log_enable_failed(m, "Not enabling TDX: %s.", p->message);
		finish(l, TDX_ERROR_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;

	case ENABLE_ACTION_BLOCKED: {
		char field[96];
		m->enable.blocked_by_policy = true;
		textf(m->enable.policy_file, sizeof m->enable.policy_file, false, "%s",
		      facts.policy_file);
		textf(field, sizeof field, false, "TDXD_KVM_MODULE=%s", p->module);
		char msg[2 * CHECK_TEXT_MAX];
		textf(msg, sizeof msg, false, "TDX was not enabled: %s.", p->message);
		(void)log_struct_internal(LOG_NOTICE, MID_OPERATOR_POLICY, msg, field, NULL);
		finish(l, TDX_ERROR_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;
	}

	case ENABLE_ACTION_NOT_FOUND:
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, p->message, p->hint);
		return 0;

	case ENABLE_ACTION_IN_USE:
		m->enable.in_use = true;
		textf(m->enable.in_use_reason, sizeof m->enable.in_use_reason, false, "%s",
		      p->message);
		log_warning("Not reloading %s (loaded without TDX): %s.", p->module, p->message);
		finish(l, TDX_ERROR_MODULE_LOAD_FAILED, "%s is loaded without TDX: %s", p->module,
		       p->message);
		return 0;

	case ENABLE_ACTION_CPUS_REFUSED:
	case ENABLE_ACTION_MEMORY_REFUSED:
		fail(l, TDX_ERROR_NOT_SUPPORTED, p->message, p->hint);
		return 0;

	case ENABLE_ACTION_LOAD:
	case ENABLE_ACTION_RELOAD:
	case ENABLE_ACTION_LOAD_WITHOUT_TDX: break;
	default: finish(l, SD_BUS_ERROR_FAILED, "internal error: unknown enable action"); return 0;
	}

	if (online_cpus(l) < 0)
		return 0;

	const char *opts = plan_load_options(p);
	if (!opts[0])
		opts = "no options";
	if (m->test_root) {
		m->enable.dry_run = true;
		if (p->action == ENABLE_ACTION_RELOAD)
			log_info(
			    "Would unload the idle %s (loaded without TDX, refcnt 0, no holders) "
			    "and load it with %s%s%s (test root: nothing loaded).",
			    p->module, opts, facts.options[0] ? "; modprobe.d adds " : "",
			    facts.options);
		else
			log_info("Would load %s with %s%s%s (test root: nothing loaded).",
			         p->module, opts, facts.options[0] ? "; modprobe.d adds " : "",
			         facts.options);
		finish_ok(l);
		return 0;
	}

	log_info("%s %s with %s%s.", p->action == ENABLE_ACTION_RELOAD ? "Reloading" : "Loading",
	         p->module, opts,
	         p->action == ENABLE_ACTION_RELOAD ? " (it was loaded without TDX and is idle)"
	                                           : "");
	r = start_job(l);
	if (r < 0) {
		char failure[CHECK_TEXT_MAX];
		loader_stop_sources(l);
		kmod_paths_done(&l->job.paths);
		textf(failure, sizeof failure, false, "could not start loading %s (%s)", p->module,
		      strerror(-r));
		fail(l, TDX_ERROR_MODULE_LOAD_FAILED, failure, "");
	}
	return 0;
}

void kmod_loader_free(Manager *m) {
	struct kmod_loader *l = m->loader;
	if (!l)
		return;
	/* init_module cannot be interrupted: wait for it rather than exit under it. */
	if (l->thread_running)
		(void)pthread_join(l->thread, NULL);
	loader_stop_sources(l);
	kmod_paths_done(&l->job.paths);
	if (l->efd >= 0)
		(void)close(l->efd);
	sd_bus_message_unref(l->call);
	free(l);
	m->loader = NULL;
}
