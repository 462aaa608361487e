/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TDX memory the kernel took at the module initialization, as tdxd records it: what the
 * memory gate's verdict after initialization rests on. */
#include <inttypes.h>

#include "fileio.h"
#include "iomem.h"
#include "log.h"
#include "macro.h"
#include "memory-gate-internal.h"
#include "run-state.h"

#define IOMEM_PATH "/proc/iomem"

/* What the kernel leaves out of TDX memory besides [0, 1 MiB): driver-managed memory (kmem,
 * virtio-mem), from the dax devices the probe saw and, as root, /proc/iomem. */
static int driver_managed_ranges(const char *root, const struct tdx_host *h,
                                 struct range_set *ret) {
	_cleanup_free_ char *iomem = NULL;
	struct range_set ex = {0}, io = {0};
	unsigned line = 0;
	int r;

	for (size_t i = 0; i < h->mem.n_dax; i++)
		for (size_t j = 0; j < h->mem.dax[i].ranges.n; j++) {
			const struct range *rg = &h->mem.dax[i].ranges.items[j];
			r = range_set_add(&ex, rg->start, rg->end);
			if (r < 0)
				goto fail;
		}
	r = read_full_file_at(root, IOMEM_PATH, 16 << 20, &iomem, NULL);
	if (r >= 0) {
		r = iomem_parse_driver_managed(iomem, &io, &line);
		if (r == -EINVAL)
			log_warning(
			    "%s:%u: malformed line, driver-managed memory taken from the dax "
			    "devices only",
			    IOMEM_PATH, line);
		for (size_t i = 0; r >= 0 && i < io.n; i++)
			r = range_set_add(&ex, io.items[i].start, io.items[i].end);
		range_set_clear(&io);
		if (r == -ENOMEM)
			goto fail;
	}
	/* -EACCES (not root: addresses hidden) or no /proc/iomem: the dax devices suffice for
	 * kmem; virtio-mem then stays in the record, which errs towards allowing. */
	range_set_normalize(&ex, true);
	*ret = ex;
	return 0;
fail:
	range_set_clear(&ex);
	return r;
}

/* The kernel's list (tdx_memlist) is memblock at initialization: the memory present then,
 * driver-managed memory excluded, [0, 1 MiB) clipped. tdxd sees the memory present when it
 * first sees the module initialized: exact when it initialized the module itself or started
 * at boot.
 *
 * Started for the first time AFTER a hot-add on v7.1+ (the module was initialized at boot),
 * the blocks present now are a superset of the kernel's list: a block added after the
 * initialization is present, offline (the kernel refused it), and cannot be told from a boot
 * block someone offlined without reading every block's state and guessing. We record the
 * superset, deliberately: a wrongly eligible block costs a verdict the kernel contradicts
 * (tdxd's own online attempt then gets EPERM, which memory_gate_on_block() reports as a
 * refusal in words), while a wrongly ineligible boot block would make enforce offline memory
 * the kernel accepts, fighting the operator. Every later start of this boot reuses the record
 * from /run/tdxd/tdx-memory, so blocks hot-added after the first record are judged right. */
int memory_gate_record_tdx_memory(struct memory_gate *g, const char *root, struct tdx_host *h,
                                  const struct tdx_status *s) {
	struct range_set snap = {0}, ex = {0};
	int r;

	if (!s->module_initialized || h->tdx_memory_known)
		return 0;

	if (g->recorded) {
		/* written before but not readable back (e.g. /run/tdxd not writable) */
		r = range_set_copy(&h->tdx_memory, &g->recorded_memory);
		if (r < 0)
			return 0;
		h->tdx_memory_known = true;
		return 1;
	}

	const struct memory_info *mem = &h->mem;
	if (!mem->present || mem->block_size == 0 || mem->n_blocks == 0)
		return 0; /* nothing to record from: the gate then refuses after init */
	r = driver_managed_ranges(root, h, &ex);
	if (r < 0) {
		log_warning_errno(r, "Memory gate: failed to collect driver-managed memory: %m");
		return 0;
	}
	r = memory_gate_snapshot(mem->block_ids, mem->n_blocks, mem->block_size, &ex, &snap);
	range_set_clear(&ex);
	if (r < 0) {
		log_warning_errno(r, "Memory gate: failed to record the TDX memory: %m");
		return 0;
	}
	r = run_tdx_memory_write(root, &snap);
	if (r < 0)
		log_warning_errno(
		    r,
		    "Memory gate: failed to write %s: %m; the record is kept in memory "
		    "until tdxd stops",
		    RUN_TDX_MEMORY_PATH);
	char bytes[32];
	memory_format_bytes(range_set_bytes(&snap), bytes, sizeof bytes);
	log_info("Memory gate: recorded the TDX memory (the memory present now that the TDX "
	         "module is initialized): %zu range%s, %s, in %s",
	         snap.n, snap.n == 1 ? "" : "s", bytes, RUN_TDX_MEMORY_PATH);
	range_set_clear(&g->recorded_memory);
	r = range_set_copy(&g->recorded_memory, &snap);
	if (r >= 0)
		g->recorded = true;
	range_set_clear(&h->tdx_memory);
	h->tdx_memory = snap;
	h->tdx_memory_known = true;
	return 1;
}
