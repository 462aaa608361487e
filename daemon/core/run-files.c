/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "nfd-feature.h"
#include "run-files.h"
#include "run-state.h"

/* Write `text` to `path` below root unless it is what was written last. A failure is a
 * warning: the daemon keeps serving, and tries again at the next change. */
static void save_file(char **last, const char *root, const char *path, const char *text) {
	if (*last && streq(*last, text))
		return;
	int r = write_file_atomic_at(root, path, text);
	if (r < 0) {
		log_warning_errno(r, "Failed to write %s: %m", path);
		return;
	}
	free(*last);
	*last = strdup(text);
}

void run_files_save(struct run_files *saved, const char *root, const struct tdxd_config *c,
                    const struct tdx_host *h, const struct tdx_status *s) {
	_cleanup_free_ char *text = NULL;
	struct run_state st = {
	    .has_tdx_enabled = true,
	    .tdx_enabled = s->tdx_up,
	    .has_module_initialized = true,
	    .module_initialized = s->module_initialized,
	};
	textf(st.kvm_module, sizeof st.kvm_module, false, "%s", c->kvm_module);
	textf(st.cpu_guard, sizeof st.cpu_guard, false, "%s", policy_mode_to_string(c->cpu_guard));
	textf(st.memory_gate, sizeof st.memory_gate, false, "%s",
	      policy_mode_to_string(c->memory_gate));
	textf(st.boot_id, sizeof st.boot_id, false, "%s", h->boot_id);
	if (run_state_format(&st, &text) >= 0)
		save_file(&saved->state, root, RUN_STATE_PATH, text);

	/* Every CPU ever seen online this boot: the probe already merged the saved map with the
	 * topology of the CPUs online now. Inferred packages are not saved: they are guesses. */
	_cleanup_free_ struct cpu_package *map = calloc(h->n_cpus + 1, sizeof(*map));
	size_t n = 0;
	for (unsigned i = 0; map && i < h->n_cpus; i++) {
		const struct host_cpu *cpu = &h->cpus[i];
		if (cpu->package >= 0 && cpu->package_source && !streq(cpu->package_source, "node"))
			map[n++] = (struct cpu_package){i, (unsigned)cpu->package};
	}
	text = mfree(text);
	if (map && cpu_package_format(map, n, &text) >= 0)
		save_file(&saved->cpu_package, root, RUN_CPU_PACKAGE_PATH, text);

	/* The kernel log is a ring: keep this boot's TDX lines before they are overwritten. */
	if (h->kmsg.tdx_lines && *h->kmsg.tdx_lines)
		save_file(&saved->kernel_log, root, RUN_KERNEL_LOG_PATH, h->kmsg.tdx_lines);

	/* Not a kernel path, but under --root it goes below the tree like everything else, so
	 * tests never write to the real /etc. */
	text = mfree(text);
	if (*c->nfd_feature_file && nfd_feature_format(s, &text) >= 0)
		save_file(&saved->nfd, root, c->nfd_feature_file, text);
}

void run_files_save_metrics(struct run_files *saved, const char *root, const struct tdxd_config *c,
                            const struct tdx_status *s,
                            const struct prometheus_counters *counters) {
	_cleanup_free_ char *text = NULL;

	if (!*c->prometheus_text_file)
		return;
	if (prometheus_format(s, counters, PROMETHEUS_UNKNOWN, s->seamldr_version, &text) < 0)
		return;
	if (saved->prometheus && streq(saved->prometheus, text))
		return;
	/* temp file + rename: node_exporter reads the old file or the new one, never a part */
	int r = prometheus_write_textfile(root, c->prometheus_text_file, text);
	if (r < 0) {
		log_warning_errno(r, "Failed to write %s: %m", c->prometheus_text_file);
		return;
	}
	free(saved->prometheus);
	saved->prometheus = TAKE_PTR(text);
}

void run_files_done(struct run_files *saved) {
	saved->prometheus = mfree(saved->prometheus);
	saved->state = mfree(saved->state);
	saved->cpu_package = mfree(saved->cpu_package);
	saved->kernel_log = mfree(saved->kernel_log);
	saved->nfd = mfree(saved->nfd);
}
