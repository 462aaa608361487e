/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory checks: convertible memory (CMRs), the TDX memory recorded at initialization,
 * and memory auto-online (docs/readiness.md). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "macro.h"
#include "memory-blocks.h"
#include "parse-util.h"

/* ---- memory ---- */

int check_convertible_memory(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_CONVERTIBLE_MEMORY];
	const struct memory_info *m = &f->h->mem;
	_cleanup_free_ uint64_t *bad = NULL;
	struct range_set cmrs = {0};
	size_t n_bad = 0;
	char blocks[640];
	int r;

	if (f->h->cmrs.n == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the CMRs are unknown (this kernel does not report "
		    "them)");
		return 0;
	}
	if (!m->present || m->block_size == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the memory blocks are unknown "
		    "(/sys/devices/system/memory)");
		return 0;
	}
	r = range_set_copy(&cmrs, &f->h->cmrs);
	if (r < 0)
		return r;
	range_set_normalize(&cmrs, true);
	bool online = true;
	r = memory_blocks_outside(m, BLOCKS_ONLINE, &cmrs, &bad, &n_bad);
	if (r >= 0 && n_bad == 0 && !f->initialized) {
		/* Before the initialization, memory only hot-added and still offline counts too:
		 * the kernel put it in memblock when it was added, and the initialization takes
		 * all of memblock (docs/kernel-interfaces.md, *What joins TDX memory*). */
		online = false;
		bad = mfree(bad);
		r = memory_blocks_outside(m, BLOCKS_OFFLINE, &cmrs, &bad, &n_bad);
	}
	range_set_clear(&cmrs);
	if (r < 0)
		return r;

	if (n_bad == 0) {
		set(c, CHECK_PASS, "all online System RAM lies inside the %zu CMRs", s->cmrs.n);
		return 0;
	}
	memory_blocks_format(bad, n_bad, m->block_size, blocks, sizeof(blocks));
	if (online)
		set(c, CHECK_FAIL, "online memory outside the CMRs (not convertible): %s", blocks);
	else
		set(c, CHECK_WARN,
		    "hot-added memory outside the CMRs (not convertible) is present, offline: %s",
		    blocks);
	if (f->initialized)
		hint(c,
		     "this memory cannot be TDX memory: offline it (echo offline > "
		     "/sys/devices/system/memory/memory%" PRIu64 "/state) or remove it; keep "
		     "MemoryGate=enforce so hot-added memory is checked before onlining",
		     bad[0]);
	else
		hint(c,
		     "the TDX module initialization takes all memory present, online or not, and "
		     "fails (one-shot, until reboot) on memory outside the CMRs: remove it before "
		     "enabling TDX (unplug the DIMM, or daxctl reconfigure-device --mode=devdax "
		     "for a dax device)%s",
		     online ? "; offline its blocks first (echo offline > "
		              "/sys/devices/system/memory/memoryN/state)"
		            : "");
	return 0;
}

int check_tdx_memory(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_TDX_MEMORY];
	const struct tdx_host *h = f->h;
	const struct memory_info *m = &h->mem;
	_cleanup_free_ uint64_t *bad = NULL, *never = NULL;
	struct range_set tm = {0};
	size_t n_bad = 0, n_never = 0, n_dax_bad = 0;
	char blocks[640], dax[384] = "";
	int r;

	if (!f->initialized) {
		set(c, CHECK_SKIP, "not checked: the TDX module is not initialized");
		return 0;
	}
	if (!h->tdx_memory_known) {
		set(c, CHECK_SKIP,
		    "not checked: the memory present at the module initialization "
		    "was not recorded (/run/tdxd/tdx-memory)");
		return 0;
	}
	if (!m->present || m->block_size == 0) {
		set(c, CHECK_SKIP,
		    "not checked: the memory blocks are unknown "
		    "(/sys/devices/system/memory)");
		return 0;
	}

	r = range_set_copy(&tm, &h->tdx_memory);
	if (r < 0)
		return r;
	/* The kernel wants a block inside ONE range recorded at initialization: no merging. */
	range_set_normalize(&tm, false);
	r = memory_blocks_outside(m, BLOCKS_ONLINE, &tm, &bad, &n_bad);
	if (r >= 0)
		r = memory_blocks_outside(m, BLOCKS_OFFLINE, &tm, &never, &n_never);
	for (size_t i = 0; r >= 0 && i < m->n_dax; i++) {
		const struct dax_dev *d = &m->dax[i];
		for (size_t j = 0; j < d->ranges.n; j++)
			if (!range_set_contains(&tm, max_u64(d->ranges.items[j].start, MIB(1)),
			                        d->ranges.items[j].end)) {
				textf(dax, sizeof(dax), true, "%s%s [0x%" PRIx64 ", 0x%" PRIx64 ")",
				      dax[0] ? ", " : "", d->name, d->ranges.items[j].start,
				      d->ranges.items[j].end);
				n_dax_bad++;
				break;
			}
	}
	range_set_clear(&tm);
	if (r < 0)
		return r;

	if (n_bad > 0) {
		memory_blocks_format(bad, n_bad, m->block_size, blocks, sizeof(blocks));
		set(c, CHECK_FAIL,
		    "online memory outside the TDX memory recorded at the module "
		    "initialization: %s",
		    blocks);
		hint(c,
		     "the kernel never accepts this memory for TDs: offline it (echo offline > "
		     "/sys/devices/system/memory/memory%" PRIu64 "/state) and set "
		     "MemoryGate=enforce so it stays offline",
		     bad[0]);
		return 0;
	}
	if (n_never > 0 || n_dax_bad > 0) {
		memory_blocks_format(never, n_never, m->block_size, blocks, sizeof(blocks));
		set(c, CHECK_WARN, "memory that cannot be onlined while TDX is on:");
		if (blocks[0])
			summary_add(c, " offline blocks %s", blocks);
		if (dax[0])
			summary_add(c, "%s device-dax %s", blocks[0] ? ";" : "", dax);
		hint(c,
		     "the kernel refuses to online it (EPERM) because it was not present at the "
		     "TDX module initialization: use it as device-dax (not system-ram) or for "
		     "non-TD workloads only after a reboot without TDX, or reboot with it present "
		     "so it becomes TDX memory");
		return 0;
	}
	set(c, CHECK_PASS,
	    "all online memory is TDX memory (%zu ranges recorded at the module "
	    "initialization)",
	    h->tdx_memory.n);
	return 0;
}

void check_memory_auto_online(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_MEMORY_AUTO_ONLINE];
	const char *v = f->h->mem.auto_online;

	if (!v[0]) {
		set(c, CHECK_SKIP,
		    "not checked: /sys/devices/system/memory/auto_online_blocks is "
		    "missing");
		return;
	}
	if (streq(v, "offline")) {
		set(c, CHECK_PASS,
		    "auto_online_blocks is offline: hot-added memory waits for the "
		    "memory gate");
		return;
	}
	set(c, CHECK_WARN,
	    "auto_online_blocks is %s: the kernel onlines hot-added memory before "
	    "the memory gate can decide",
	    v);
	hint(c,
	     "echo offline > /sys/devices/system/memory/auto_online_blocks and boot with "
	     "memhp_default_state=offline; with auto-online, MemoryGate=%s can only offline "
	     "ineligible blocks afterwards, blocks the kernel refuses stay offline silently, and "
	     "before the module initialization non-convertible memory would become TDX memory",
	     policy_mode_to_string(s->memory_gate));
}
