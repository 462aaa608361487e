/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The enable sequence (enable-sequence.h). The decisions are pure (enable-plan.c, and
 * enable-explain.c for a failure); this file does the I/O around them: the libkmod facts,
 * onlining CPUs, the module load in a worker thread (init_module can take minutes while the
 * kernel allocates PAMT on multi-TB hosts, and the event loop must keep answering), and
 * verifying what the kernel did. */

#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>

#include "enable-plan.h"
#include "fileio.h"
#include "enable-sequence.h"
#include "kmod-util.h"
#include "kvm-dev.h"
#include "log.h"
#include "macro.h"

#define MID_TDX_ENABLED     "c2f4a9180b7e4d6c93a5e1f07b2d8c64"
#define MID_ENABLE_FAILED   "9d07e3b15a6c4f28b1e4c8a2d0f39e57"
#define MID_OPERATOR_POLICY "5e61b2c8d4a94f0b8c27e9d1a3f6b045"

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

struct enable_sequence {
	/* the caller's facts and outcome, for the duration of one call */
	const struct enable_facts *f;
	struct enable_outcome *out;

	pthread_t thread;
	bool thread_running;
	int efd;
	uint64_t started_usec;
	uint64_t since_seq; /* the last kernel log record before the load began */
	struct enable_plan plan;
	struct kmod_job job;
};

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
	r = sym_kmod_module_new_from_lookup(ctx, j->module, &list);
	if (r < 0 || !list) {
		j->lookup_error = r < 0 ? r : -ENOENT;
		goto out;
	}
	mod = sym_kmod_module_get_module(list);

	if (j->reload) {
		/* The decision was made on a probe moments ago: a VM manager may have opened
		 * /dev/kvm since. Never take the module away from a user. */
		_cleanup_kmod_list_ struct kmod_list *holders = sym_kmod_module_get_holders(mod);
		int refcnt = sym_kmod_module_get_refcnt(mod);
		if (refcnt != 0 || holders) {
			j->in_use_at_unload = true;
			j->refcnt_at_unload = refcnt;
			goto out;
		}
		r = sym_kmod_module_remove_module(mod, 0);
		if (r < 0) {
			j->unload_error = r;
			goto out;
		}
	}

	r = sym_kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, j->options, NULL,
	                                        NULL, NULL);
	if (r > 0) {
		j->blocked = true;
		goto out;
	}
	j->load_error = r < 0 ? r : 0;
	/* v6.16-v7.0: a failed TDX bring-up fails the whole load and leaves the host without
	 * KVM; load it again with TDX off so ordinary VMs keep working. */
	if (r < 0 && j->fallback && sym_kmod_module_get_initstate(mod) != KMOD_MODULE_LIVE) {
		r = sym_kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
		                                        j->fallback_options, NULL, NULL, NULL);
		j->fallback_error = r < 0 ? r : 0;
		j->fell_back = r == 0;
	}
out:
	(void)eventfd_write(j->efd, 1);
	return NULL;
}

/* ---- ending the sequence ---- */

/* The sequence ends: the outcome the manager applies (progress no longer running, derive and
 * publish, READY=1, the reply to EnableTDX()). */
static void finish_reply(struct enable_sequence *l, enum enable_result result, const char *msg) {
	l->out->finished = true;
	l->out->result = result;
	textf(l->out->message, sizeof l->out->message, false, "%s", msg ?: "");
}

static void finish_ok(struct enable_sequence *l) {
	finish_reply(l, ENABLE_RESULT_OK, NULL);
}

static void finish(struct enable_sequence *l, enum enable_result result, const char *fmt, ...)
    _printf_(3, 4);
static void finish(struct enable_sequence *l, enum enable_result result, const char *fmt, ...) {
	char msg[2 * CHECK_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	finish_reply(l, result, msg);
}

static void log_enable_failed(const struct enable_facts *f, const char *fmt, ...) _printf_(2, 3);
static void log_enable_failed(const struct enable_facts *f, const char *fmt, ...) {
	char msg[3 * CHECK_TEXT_MAX], field[96];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	textf(field, sizeof field, false, "TDXD_KVM_MODULE=%s", f->config->kvm_module);
	(void)log_struct_internal(LOG_ERR, MID_ENABLE_FAILED, msg, field, NULL);
}

static void fail(struct enable_sequence *l, enum enable_result result, const char *failure,
                 const char *hint) {
	const struct enable_facts *f = l->f;
	f->progress->attempted = true;
	f->progress->failed = true;
	textf(f->progress->failure, sizeof f->progress->failure, false, "%s", failure);
	textf(f->progress->hint, sizeof f->progress->hint, false, "%s", hint);
	log_enable_failed(f, "Enabling TDX failed: %s%s%s", failure, hint[0] ? ". Hint: " : "",
	                  hint);
	finish(l, result, "%s%s%s", failure, hint[0] ? ". " : "", hint);
}

/* Ask /dev/kvm what KVM really accepts: the manager keeps the answers across probes. */
static void ask_kvm_dev(const struct enable_facts *f) {
	struct kvm_dev_answers a;
	int r;

	if (f->test_root || !f->host->kvm.loaded)
		return;
	r = kvm_dev_ask(&kvm_dev_real_ops, &a);
	if (r < 0) {
		log_debug_errno(r, "Cannot ask /dev/kvm (%m): deciding on %s.tdx alone.",
		                f->config->kvm_module);
		f->host->kvm_dev_asked = false;
		return;
	}
	f->host->kvm_dev_asked = true;
	f->host->kvm_vm_types_tdx = a.tdx_vm_type;
	f->host->kvm_td_max_vcpus = a.td_max_vcpus;
	if (a.tdx_vm_type && a.create_vm_error < 0)
		log_warning_errno(
		    a.create_vm_error,
		    "A throw-away TDX VM could not be created to read the per-TD vCPU "
		    "limit: %m");
}

static void verify_and_finish(struct enable_sequence *l) {
	const struct enable_facts *f = l->f;
	struct kmod_job *j = &l->job;
	const char *mod = l->plan.module;
	char failure[CHECK_TEXT_MAX], hint[CHECK_TEXT_MAX];
	bool one_shot = false;
	uint64_t secs = (now_usec() - l->started_usec) / 1000000u;

	/* What the kernel really did: the manager probed again (including the log lines the
	 * kernel wrote meanwhile); /dev/kvm says whether KVM accepts TD VMs. */
	ask_kvm_dev(f);

	if (j->lookup_error < 0) {
		textf(failure, sizeof failure, false, "%s could not be looked up with libkmod (%s)",
		      mod, strerror(-j->lookup_error));
		fail(l, ENABLE_RESULT_LOAD_FAILED, failure,
		     "check that this kernel's modules are installed (modinfo kvm_intel)");
		return;
	}
	if (j->in_use_at_unload) {
		f->progress->in_use = true;
		textf(f->progress->in_use_reason, sizeof f->progress->in_use_reason, false,
		      "a user appeared just before the reload (refcnt %d), not reloaded; at the "
		      "next boot use %s.tdx=1 on the kernel command line or `options %s tdx=1` "
		      "in /etc/modprobe.d/",
		      j->refcnt_at_unload, mod, mod);
		log_warning("Not reloading %s: %s.", mod, f->progress->in_use_reason);
		finish(l, ENABLE_RESULT_LOAD_FAILED, "%s is in use: %s", mod,
		       f->progress->in_use_reason);
		return;
	}
	if (j->unload_error < 0) {
		textf(failure, sizeof failure, false,
		      "unloading the idle %s (loaded without TDX) failed (%s)", mod,
		      strerror(-j->unload_error));
		textf(hint, sizeof hint, false,
		      "run modprobe -r %s && modprobe %s tdx=1 by hand, or boot with %s.tdx=1", mod,
		      mod, mod);
		fail(l, ENABLE_RESULT_LOAD_FAILED, failure, hint);
		return;
	}
	if (j->blocked) {
		f->progress->blocked_by_policy = true;
		log_struct_internal(LOG_NOTICE, MID_OPERATOR_POLICY,
		                    "Not loading the KVM module: libkmod reports it blacklisted",
		                    NULL);
		finish(l, ENABLE_RESULT_NOT_SUPPORTED, "%s is blacklisted in modprobe.d", mod);
		return;
	}

	bool tdx_y = f->host->kvm.loaded && f->host->kvm.has_tdx_param && f->host->kvm.tdx_enabled;
	bool up = tdx_y && (!f->host->kvm_dev_asked || f->host->kvm_vm_types_tdx);

	if (l->plan.action == ENABLE_ACTION_LOAD_WITHOUT_TDX) {
		f->progress->attempted = true;
		f->progress->failed = true;
		f->progress->fell_back = j->load_error == 0;
		textf(f->progress->failure, sizeof f->progress->failure, false, "%s",
		      l->plan.message);
		textf(f->progress->hint, sizeof f->progress->hint, false, "%s", l->plan.hint);
		if (j->load_error < 0) {
			textf(failure, sizeof failure, false,
			      "%s; loading %s without TDX failed too (%s)", l->plan.message, mod,
			      strerror(-j->load_error));
			fail(l, ENABLE_RESULT_LOAD_FAILED, failure, l->plan.hint);
			return;
		}
		log_enable_failed(f, "%s; %s was loaded without TDX so ordinary VMs keep working.",
		                  l->plan.message, mod);
		finish(l, ENABLE_RESULT_NOT_SUPPORTED, "%s. %s", l->plan.message, l->plan.hint);
		return;
	}

	if (j->load_error == 0 && up) {
		char msg[CHECK_TEXT_MAX], field[96];
		f->progress->attempted = true;
		textf(msg, sizeof msg, false,
		      "TDX enabled: %s loaded with %s in %" PRIu64 " s; module %s, %" PRIu32
		      " guest KeyIDs%s, max %" PRIu32 " vCPUs per TD%s%s",
		      mod, l->plan.options, secs,
		      f->status->module_version[0] ? f->status->module_version : "version unknown",
		      f->status->total_keyids, f->host->misc.capacity_known ? " (misc cgroup)" : "",
		      f->status->max_vcpus, f->host->kvm_td_max_vcpus ? " (/dev/kvm)" : "",
		      f->host->hp_kvm_tdx    ? ", hotplug state kvm/cpu/tdx:online"
		      : f->host->hp_virt_tdx ? ", hotplug state virt/tdx:online"
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
		fail(l, ENABLE_RESULT_LOAD_FAILED, failure,
		     "look at the kernel log (journalctl -k | grep -iE 'tdx|kvm')");
		return;
	}

	/* Failed: the load itself, or TDX stayed off. */
	(void)enable_explain(&f->host->kmsg, l->since_seq, mod, true, j->load_error, failure,
	                     sizeof failure, hint, sizeof hint, &one_shot);
	f->progress->fell_back = j->fell_back;
	if (j->load_error < 0 && j->fallback && !j->fell_back && j->fallback_error < 0) {
		size_t o = strlen(failure);
		textf(failure + o, sizeof failure - o, false,
		      "; loading it without TDX failed too (%s)", strerror(-j->fallback_error));
	}
	if (j->fell_back)
		log_info("%s was loaded again without TDX (%s) so ordinary VMs keep working.", mod,
		         l->plan.fallback_options);
	fail(l, one_shot ? ENABLE_RESULT_NOT_SUPPORTED : ENABLE_RESULT_LOAD_FAILED, failure, hint);
}

static const char *plan_load_options(const struct enable_plan *p) {
	return p->action == ENABLE_ACTION_LOAD_WITHOUT_TDX ? p->fallback_options : p->options;
}

static int start_job(struct enable_sequence *l) {
	const struct enable_facts *f = l->f;
	struct kmod_job *j = &l->job;
	int r;

	kmod_paths_done(&j->paths);
	*j = (struct kmod_job){0};
	r = kmod_paths_for_root(f->root, &j->paths);
	if (r < 0)
		return r;
	textf(j->module, sizeof j->module, false, "%s", l->plan.module);
	textf(j->options, sizeof j->options, false, "%s", plan_load_options(&l->plan));
	textf(j->fallback_options, sizeof j->fallback_options, false, "%s",
	      l->plan.fallback_options);
	j->reload = l->plan.action == ENABLE_ACTION_RELOAD;
	/* only a load with TDX falls back to one without */
	j->fallback = f->config->fallback_without_tdx && (l->plan.action == ENABLE_ACTION_LOAD ||
	                                                  l->plan.action == ENABLE_ACTION_RELOAD);

	if (l->efd < 0) {
		l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->efd < 0)
			return -errno;
	}
	j->efd = l->efd;

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
static int lookup_module(const struct enable_facts *f, struct kmod_module_facts *ret) {
	return kmod_module_facts_for_root(f->root, f->config->kvm_module, ret);
}

static int online_cpus(struct enable_sequence *l) {
	const struct enable_facts *f = l->f;
	for (size_t i = 0; i < l->plan.n_cpus_to_online; i++) {
		unsigned cpu = l->plan.cpus_to_online[i];
		char path[96];
		int pkg = cpu < f->host->n_cpus ? f->host->cpus[cpu].package : -1;
		textf(path, sizeof path, false, "/sys/devices/system/cpu/cpu%u/online", cpu);
		if (f->test_root) {
			log_info("Would online CPU %u (package %d has no online CPU) for the TDX "
			         "module initialization (test root: nothing written).",
			         cpu, pkg);
			continue;
		}
		int r = write_string_at(f->root, path, "1");
		if (r < 0) {
			char failure[CHECK_TEXT_MAX], hint[CHECK_TEXT_MAX];
			textf(failure, sizeof failure, false,
			      "cannot enable TDX: onlining CPU %u (package %d has no online CPU) "
			      "failed (%s)",
			      cpu, pkg, strerror(-r));
			textf(hint, sizeof hint, false,
			      "online a CPU of that package by hand: echo 1 > %s", path);
			fail(l, ENABLE_RESULT_NOT_SUPPORTED, failure, hint);
			return r;
		}
		log_info("Onlined CPU %u: package %d had no online CPU, and the TDX module "
		         "initialization needs one in every package.",
		         cpu, pkg);
	}
	return 0;
}

int enable_sequence_new(struct enable_sequence **ret) {
	struct enable_sequence *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->efd = -1;
	*ret = l;
	return 0;
}

int enable_sequence_begin(struct enable_sequence *l, const struct enable_facts *f,
                          struct enable_outcome *out) {
	struct kmod_module_facts facts = {0};
	char path[128];
	int r;

	*out = (struct enable_outcome){0};
	if (l->thread_running)
		return -EBUSY;
	l->f = f;
	l->out = out;
	l->plan = (struct enable_plan){0};

	/* The decision is made on the fresh probe the manager made for it; its last log record
	 * marks where "since the load began" starts. */
	if (f->probe_error < 0) {
		fail(l, ENABLE_RESULT_LOAD_FAILED, "the host could not be read", "");
		return 0;
	}
	l->since_seq = f->host->kmsg.last_seq;

	r = lookup_module(f, &facts);
	if (r == -ENOMEM) {
		finish(l, ENABLE_RESULT_NO_MEMORY, "Out of memory.");
		return 0;
	}
	if (r < 0)
		log_warning_errno(r, "libkmod could not be asked about %s: %m",
		                  f->config->kvm_module);
	if (r > 0)
		f->host->kvm.modinfo_has_tdx = facts.has_tdx_param;

	textf(path, sizeof path, false, "/sys/module/%s/initstate", f->config->kvm_module);
	struct enable_input in = {
	    .host = f->host,
	    .status = f->status,
	    .config = f->config,
	    .kmod = r > 0 ? &facts : NULL,
	    .builtin = f->host->kvm.loaded && !exists_at(f->root, path),
	};
	(void)enable_plan_decide(&in, &l->plan);
	const struct enable_plan *p = &l->plan;
	log_debug("Enable sequence: %s", enable_action_to_string(p->action));

	switch (p->action) {
	case ENABLE_ACTION_NONE:
		log_info("%s; nothing to load.", p->message);
		/* still ask /dev/kvm: the effective per-TD vCPU limit is only known there */
		ask_kvm_dev(f);
		finish_ok(l);
		return 0;

	case ENABLE_ACTION_UNSUPPORTED:
	case ENABLE_ACTION_NO_SUPPORT:
		log_notice("Not enabling TDX: %s.", p->message);
		finish(l, ENABLE_RESULT_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;

	case ENABLE_ACTION_ONE_SHOT:
		/* The kernel keeps the failure until reboot: the state already says "failed"
		 * from the kernel log; loading again would change nothing. */
		log_enable_failed(f, "Not enabling TDX: %s.", p->message);
		finish(l, ENABLE_RESULT_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;

	case ENABLE_ACTION_BLOCKED: {
		char field[96];
		f->progress->blocked_by_policy = true;
		textf(f->progress->policy_file, sizeof f->progress->policy_file, false, "%s",
		      facts.policy_file);
		textf(field, sizeof field, false, "TDXD_KVM_MODULE=%s", p->module);
		char msg[2 * CHECK_TEXT_MAX];
		textf(msg, sizeof msg, false, "TDX was not enabled: %s.", p->message);
		(void)log_struct_internal(LOG_NOTICE, MID_OPERATOR_POLICY, msg, field, NULL);
		finish(l, ENABLE_RESULT_NOT_SUPPORTED, "%s. %s", p->message, p->hint);
		return 0;
	}

	case ENABLE_ACTION_NOT_FOUND:
		fail(l, ENABLE_RESULT_LOAD_FAILED, p->message, p->hint);
		return 0;

	case ENABLE_ACTION_IN_USE:
		f->progress->in_use = true;
		textf(f->progress->in_use_reason, sizeof f->progress->in_use_reason, false, "%s",
		      p->message);
		log_warning("Not reloading %s (loaded without TDX): %s.", p->module, p->message);
		finish(l, ENABLE_RESULT_LOAD_FAILED, "%s is loaded without TDX: %s", p->module,
		       p->message);
		return 0;

	case ENABLE_ACTION_CPUS_REFUSED:
	case ENABLE_ACTION_MEMORY_REFUSED:
		fail(l, ENABLE_RESULT_NOT_SUPPORTED, p->message, p->hint);
		return 0;

	case ENABLE_ACTION_LOAD:
	case ENABLE_ACTION_RELOAD:
	case ENABLE_ACTION_LOAD_WITHOUT_TDX: break;
	default: finish(l, ENABLE_RESULT_FAILED, "internal error: unknown enable action"); return 0;
	}

	if (online_cpus(l) < 0)
		return 0;

	const char *opts = plan_load_options(p);
	if (!opts[0])
		opts = "no options";
	if (f->test_root) {
		f->progress->dry_run = true;
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
	if (r >= 0)
		out->running = true;
	else {
		char failure[CHECK_TEXT_MAX];
		kmod_paths_done(&l->job.paths);
		textf(failure, sizeof failure, false, "could not start loading %s (%s)", p->module,
		      strerror(-r));
		fail(l, ENABLE_RESULT_LOAD_FAILED, failure, "");
	}
	return 0;
}

int enable_sequence_fd(const struct enable_sequence *l) {
	return l->thread_running ? l->efd : -EBADF;
}

void enable_sequence_reap(struct enable_sequence *l) {
	eventfd_t v;

	(void)eventfd_read(l->efd, &v);
	if (l->thread_running) {
		(void)pthread_join(l->thread, NULL);
		l->thread_running = false;
	}
	kmod_paths_done(&l->job.paths);
}

void enable_sequence_verify(struct enable_sequence *l, const struct enable_facts *f,
                            struct enable_outcome *out) {
	*out = (struct enable_outcome){0};
	l->f = f;
	l->out = out;
	verify_and_finish(l);
	l->f = NULL;
	l->out = NULL;
}

void enable_sequence_describe(const struct enable_sequence *l, uint64_t now, char *buf,
                              size_t size) {
	textf(buf, size, false,
	      "Loading %s with %s (%" PRIu64 " s so far: the kernel allocates TDX memory "
	      "metadata, PAMT)",
	      l->plan.module, l->plan.options, (now - l->started_usec) / 1000000u);
}

struct enable_sequence *enable_sequence_free(struct enable_sequence *l) {
	if (!l)
		return NULL;
	/* init_module cannot be interrupted: wait for it rather than exit under it. */
	if (l->thread_running)
		(void)pthread_join(l->thread, NULL);
	kmod_paths_done(&l->job.paths);
	if (l->efd >= 0)
		(void)close(l->efd);
	free(l);
	return NULL;
}
