/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "kmsg.h"
#include "macro.h"
#include "run-state.h"

/* The saved files under /run/tdxd are trusted unless state names another boot. */
static void probe_run_state(struct tdx_host *h) {
	struct run_state st;
	unsigned line = 0;
	int r = run_state_read(h->root, &st, &line);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		if (line)
			host_warn(h, "%s:%u: malformed line, file ignored", RUN_STATE_PATH, line);
		else
			host_warn(h, "%s: %s", RUN_STATE_PATH, read_strerror(r));
		return;
	}
	h->run_files_stale = !run_state_is_current(&st, h->boot_id);
}

static void probe_boot_id(struct tdx_host *h) {
	int r = read_boot_id(h->root, h->boot_id, sizeof(h->boot_id));
	if (r < 0 && r != -ENOENT)
		host_warn(h, "%s: %s", BOOT_ID_PATH,
		          r == -EINVAL ? "not a boot id" : read_strerror(r));
}

/* The CMRs from the first source that has them (docs/kernel-interfaces.md, *Convertible memory
 * regions*). */
static int choose_cmrs(struct tdx_host *h) {
	const struct range_set *src = NULL;
	if (h->fw.md_cmrs_known && h->fw.md_cmrs.n > 0) {
		src = &h->fw.md_cmrs;
		h->cmrs_source = "/sys/firmware/tdx/tdx_module/metadata";
	} else if (h->kmsg.cmrs.n > 0) {
		src = &h->kmsg.cmrs;
		h->cmrs_source = h->kmsg.source ? h->kmsg.source : "/dev/kmsg";
	}
	if (!src)
		return 0;
	int r = range_set_copy(&h->cmrs, src);
	if (r < 0)
		return r;
	range_set_normalize(&h->cmrs, false);
	return 0;
}

static void probe_saved_tdx_memory(struct tdx_host *h) {
	if (h->run_files_stale)
		return;
	unsigned line = 0;
	int r = run_tdx_memory_read(h->root, &h->tdx_memory, &line);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		if (line)
			host_warn(h, "%s:%u: malformed range, file ignored", RUN_TDX_MEMORY_PATH,
			          line);
		else
			host_warn(h, "%s: %s", RUN_TDX_MEMORY_PATH, read_strerror(r));
		return;
	}
	h->tdx_memory_known = true;
}

int probe_host(const char *root, const struct probe_options *opts, struct tdx_host *ret) {
	static const struct probe_options defaults = {0};
	struct tdx_host h = {0};
	int r;

	if (!opts)
		opts = &defaults;
	h.root = strdup(root && *root ? root : "/");
	if (!h.root)
		return -ENOMEM;
	snprintf(h.kvm.name, sizeof(h.kvm.name), "%s",
	         opts->kvm_module ? opts->kvm_module : "kvm_intel");

	/* boot_id first: it decides whether the saved /run/tdxd files may be used */
	probe_boot_id(&h);
	probe_run_state(&h);

	if ((r = probe_cpuinfo(&h)) < 0)
		goto fail;
	if ((r = probe_kmsg(&h)) < 0)
		goto fail;
	/* The ring wraps on long-running hosts. When it no longer reaches back to boot (or could
	 * not be read) and neither it nor the saved copy had the boot-time facts, this boot's
	 * journal may still have them. */
	if (opts->use_journal && !h.kmsg.ring_complete && !h.kmsg.keyid_range.present &&
	    h.kmsg.init == MODULE_INIT_NONE && (r = probe_kmsg_journal(&h)) < 0)
		goto fail;
	if ((r = probe_firmware_tdx(&h)) < 0)
		goto fail;
	if ((r = probe_kvm_module(&h)) < 0)
		goto fail;
	if ((r = probe_cgroup(&h)) < 0)
		goto fail;
	if ((r = probe_hotplug_states(&h)) < 0)
		goto fail;
	if ((r = probe_tdx_host_dev(&h)) < 0)
		goto fail;
	if ((r = probe_osrelease(&h)) < 0)
		goto fail;
	if ((r = probe_cpus(&h)) < 0)
		goto fail;
	if ((r = choose_cmrs(&h)) < 0)
		goto fail;
	probe_saved_tdx_memory(&h);
	if ((r = probe_memory(&h)) < 0)
		goto fail;

	*ret = h;
	return 0;
fail:
	tdx_host_done(&h);
	return r;
}
