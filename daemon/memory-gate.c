/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The memory gate's daemon side (spec section 6): acts on memory block and dax events with the
 * verdict of memory-gate-verdict.c, records the TDX memory at initialization, and logs one
 * journal line per contiguous run of blocks. */
#include <inttypes.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "memory-gate.h"
#include "run-state.h"

#include "message-ids.h"
#define MEM_DIR    "/sys/devices/system/memory"
#define IOMEM_PATH "/proc/iomem"
/* Blocks of one hot-add arrive as a burst of events (512 for a 64 GiB device): the journal
 * line for the run is written once the burst has been quiet this long. */
#define RUN_FLUSH_DELAY_USEC (200 * 1000)

static bool state_is_online(const char *s) {
	/* a fixture file keeps the word written, the kernel reads back "online" */
	return streq(s, "online") || streq(s, "online_movable") || streq(s, "online_kernel");
}

static void format_bytes(uint64_t b, char *buf, size_t size) {
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;
	while (u + 1 < ELEMENTSOF(units) && b >= 1024 && b % 1024 == 0) {
		b /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 " %s", b, units[u]);
}

static void format_blocks(uint64_t first, uint64_t last, char *buf, size_t size) {
	if (first == last)
		snprintf(buf, size, "memory%" PRIu64, first);
	else
		snprintf(buf, size, "memory%" PRIu64 "-%" PRIu64, first, last);
}

/* The verdict's reason starts with the range it names; the run's line names the whole run, so
 * keep what follows the first block's range. */
static const char *reason_tail(const char *reason, uint64_t address, uint64_t size) {
	char rng[64];
	memory_range_format(address, address + size - 1, rng, sizeof rng);
	const char *t = startswith(reason, rng);
	return t ? t : reason;
}

/* ---- one journal line per contiguous run ---- */

static void run_flush(Manager *m) {
	struct memory_gate_run *r = &m->gate->run;
	char blocks[64], rng[64], bytes[32], msg[CHECK_TEXT_MAX + 512], f_dev[96], f_start[64],
	    f_end[64];

	if (!r->active)
		return;
	r->active = false;

	uint64_t start = r->first * r->block_size, last = (r->last + 1) * r->block_size - 1;
	uint64_t n = r->last - r->first + 1;
	format_blocks(r->first, r->last, blocks, sizeof blocks);
	memory_range_format(start, last, rng, sizeof rng);
	format_bytes(n * r->block_size, bytes, sizeof bytes);

	if (!r->refused) {
		log_info("Memory gate: onlined %s %s (%s) as %s%s", blocks, rng, bytes,
		         m->config.memory_online_type,
		         r->n_failed ? "; some writes failed, see above" : "");
		return;
	}

	const char *done;
	char extra[128] = "";
	if (m->gate->mode != POLICY_ENFORCE)
		done = "left as it is";
	else if (r->n_offlined > 0) {
		done = "kept offline";
		snprintf(extra, sizeof extra,
		         " (%u block%s offlined again after something else "
		         "onlined %s)",
		         r->n_offlined, r->n_offlined == 1 ? "" : "s",
		         r->n_offlined == 1 ? "it" : "them");
	} else
		done = "kept offline";
	snprintf(msg, sizeof msg, "Memory gate: %s %s (%s)%s; %s%s%s", blocks, rng, bytes,
	         r->reason, done, extra,
	         r->n_failed ? "; writing its state failed for some blocks, see above" : "");
	snprintf(f_dev, sizeof f_dev, "TDXD_MEMORY_DEVICE=%s", blocks);
	snprintf(f_start, sizeof f_start, "TDXD_MEMORY_START=0x%" PRIx64, start);
	snprintf(f_end, sizeof f_end, "TDXD_MEMORY_SIZE=0x%" PRIx64, n * r->block_size);
	(void)log_struct_internal(LOG_WARNING, MEMORY_REFUSED_MESSAGE_ID, msg, f_dev, f_start,
	                          f_end, NULL);
}

static int on_flush_timer(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	run_flush(m);
	/* The blocks' states changed: the tdx-memory and convertible-memory checks read them. */
	(void)manager_probe(m);
	return 0;
}

static int on_exit_flush(sd_event_source *s, void *userdata) {
	Manager *m = userdata;
	if (m->gate) {
		run_flush(m);
		range_set_clear(&m->gate->recorded_memory);
		m->gate->retry = mfree(m->gate->retry);
		m->gate->n_retry = m->gate->n_retry_alloc = 0;
	}
	return 0;
}

void memory_gate_free(struct memory_gate *g) {
	if (!g)
		return;
	memory_gate_done(g);
	range_set_clear(&g->recorded_memory);
	free(g->retry);
	free(g);
}

/* ---- offlining again, when the kernel is still busy with the block ---- */

#define OFFLINE_RETRY_FIRST_USEC 250000u
#define OFFLINE_RETRIES          5 /* 0.25 + 0.5 + 1 + 2 + 4 s */

static bool retry_pending(const struct memory_gate *g, uint64_t block) {
	for (size_t i = 0; i < g->n_retry; i++)
		if (g->retry[i] == block)
			return true;
	return false;
}

static void arm_retry(Manager *m);

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
	Manager *m = userdata;
	struct memory_gate *g = m->gate;
	size_t keep = 0;

	g->retry_round++;
	for (size_t i = 0; i < g->n_retry; i++) {
		uint64_t block = g->retry[i];
		char path[96];
		_cleanup_free_ char *state = NULL;
		snprintf(path, sizeof path, MEM_DIR "/memory%" PRIu64 "/state", block);
		/* gone, or offline by now (by someone, or the kernel): nothing left to do */
		if (read_one_line_at(m->root, path, &state) < 0 || !state_is_online(state))
			continue;
		int r = write_string_at(m->root, path, "offline");
		if (r >= 0)
			log_info("Memory gate: memory%" PRIu64 " offlined again (attempt %u).",
			         block, g->retry_round + 1);
		else if (r == -EBUSY && g->retry_round < OFFLINE_RETRIES)
			g->retry[keep++] = block;
		else
			log_warning_errno(
			    r,
			    "Memory gate: memory%" PRIu64 " stays online although it is "
			    "not TDX memory: offlining it failed: %m. It was onlined "
			    "into a zone with unmovable kernel pages; stop the agent "
			    "that onlines hot-added memory (or make it online_movable) "
			    "and remove the memory, or reboot.",
			    block);
	}
	g->n_retry = keep;
	if (keep > 0)
		arm_retry(m);
	else
		g->retry_round = 0;
	manager_schedule_probe(m);
	return 0;
}

static void arm_retry(Manager *m) {
	struct memory_gate *g = m->gate;
	uint64_t delay = (uint64_t)OFFLINE_RETRY_FIRST_USEC << g->retry_round;
	int r;

	if (!m->event)
		return;
	if (!g->retry_timer) {
		r = sd_event_add_time_relative(m->event, &g->retry_timer, CLOCK_MONOTONIC, delay, 0,
		                               on_retry_timer, m);
		if (r < 0) {
			g->retry_timer = NULL;
			log_warning_errno(r, "Failed to set up the memory gate's retry timer: %m");
			return;
		}
		/* the loop owns it; the pointer stays valid while the loop lives */
		(void)sd_event_source_set_floating(g->retry_timer, true);
		sd_event_source_unref(g->retry_timer);
	} else
		(void)sd_event_source_set_time_relative(g->retry_timer, delay);
	(void)sd_event_source_set_enabled(g->retry_timer, SD_EVENT_ONESHOT);
}

static int queue_retry(Manager *m, uint64_t block) {
	struct memory_gate *g = m->gate;
	if (retry_pending(g, block))
		return 0;
	if (GREEDY_REALLOC(g->retry, g->n_retry_alloc, g->n_retry + 1) < 0)
		return -ENOMEM;
	g->retry[g->n_retry++] = block;
	if (g->n_retry == 1 && g->retry_round == 0)
		arm_retry(m);
	return 0;
}

static void arm_flush(Manager *m) {
	struct memory_gate *g = m->gate;
	int r;

	if (!m->event) {
		run_flush(m);
		return;
	}
	if (!g->exit_flush) {
		r = sd_event_add_exit(m->event, &g->exit_flush, on_exit_flush, m);
		if (r >= 0) {
			/* the loop owns it; the pointer stays valid while the loop lives */
			(void)sd_event_source_set_floating(g->exit_flush, true);
			sd_event_source_unref(g->exit_flush);
		} else
			g->exit_flush = NULL;
	}
	if (!g->flush_timer) {
		r = sd_event_add_time_relative(m->event, &g->flush_timer, CLOCK_MONOTONIC,
		                               RUN_FLUSH_DELAY_USEC, 0, on_flush_timer, m);
		if (r < 0) {
			g->flush_timer = NULL;
			log_warning_errno(r, "Failed to set up the memory gate's timer: %m");
			run_flush(m);
			return;
		}
		(void)sd_event_source_set_floating(g->flush_timer, true);
		sd_event_source_unref(g->flush_timer);
		(void)sd_event_source_set_enabled(g->flush_timer, SD_EVENT_ONESHOT);
		return;
	}
	/* every event of the burst pushes the line back */
	(void)sd_event_source_set_time_relative(g->flush_timer, RUN_FLUSH_DELAY_USEC);
	(void)sd_event_source_set_enabled(g->flush_timer, SD_EVENT_ONESHOT);
}

static void run_add(Manager *m, bool refused, const struct memory_verdict *v, uint64_t block,
                    uint64_t bs, bool offlined, bool failed) {
	struct memory_gate_run *r = &m->gate->run;

	if (r->active && (r->refused != refused || (refused && r->why != (int)v->why) ||
	                  r->block_size != bs || (block != r->last + 1 && block + 1 != r->first)))
		run_flush(m);
	if (!r->active) {
		*r = (struct memory_gate_run){
		    .active = true,
		    .refused = refused,
		    .why = v->why,
		    .first = block,
		    .last = block,
		    .block_size = bs,
		};
		snprintf(r->reason, sizeof r->reason, "%s", reason_tail(v->reason, block * bs, bs));
	} else if (block == r->last + 1)
		r->last = block;
	else
		r->first = block;
	r->n_offlined += offlined;
	r->n_failed += failed;
	arm_flush(m);
}

/* ---- memory blocks ---- */

int memory_gate_on_block(Manager *m, const char *action, uint64_t block) {
	struct memory_gate *g = m->gate;
	struct memory_verdict v;
	char path[96], dev[48];
	_cleanup_free_ char *state = NULL;
	int r;

	if (!g || g->mode == POLICY_OFF)
		return 0;
	uint64_t bs = m->host.mem.block_size;
	if (bs == 0)
		return log_warning_errno(ENODATA,
		                         "Memory gate: cannot decide on memory%" PRIu64
		                         ": the memory block size is unknown (%s/"
		                         "block_size_bytes)",
		                         block, MEM_DIR);
	if (block >= UINT64_MAX / bs)
		return log_warning_errno(
		    ERANGE, "Memory gate: memory%" PRIu64 " lies beyond 2^64, ignored", block);

	snprintf(dev, sizeof dev, "memory%" PRIu64, block);
	snprintf(path, sizeof path, MEM_DIR "/memory%" PRIu64 "/state", block);
	r = read_one_line_at(m->root, path, &state);
	if (r == -ENOENT)
		return 0; /* removed again before we got to it */
	if (r < 0)
		return log_warning_errno(r, "Memory gate: failed to read %s: %m", path);

	r = memory_gate_decide(g, block * bs, bs, &v);
	if (r < 0)
		return r;
	bool online = state_is_online(state);
	/* The `online` event of a block this gate already decided on its `add` (offlined
	 * again, or waiting to be): decided and reported once is enough. */
	if (streq(action, "online") && (!online || retry_pending(g, block)))
		return 0;

	if (v.allowed) {
		/* Onlining is the system's business once tdxd is out of the way; tdxd does it the
		 * way the system asks, and only for a fresh block nobody onlined yet. */
		if (g->mode != POLICY_ENFORCE || !streq(action, "add") || online ||
		    !streq(state, "offline"))
			return 0;
		r = write_string_at(m->root, path, m->config.memory_online_type);
		if (r >= 0) {
			run_add(m, false, &v, block, bs, false, false);
			return 0;
		}
		if (r != -EPERM) {
			log_warning_errno(r, "Memory gate: failed to online %s (%s): %m", dev,
			                  m->config.memory_online_type);
			return r;
		}
		/* The kernel's TDX notifier said no: the record is wider than what the kernel
		 * took at initialization (see memory_gate_record_tdx_memory()). Say it in
		 * words, as for any refusal. */
		char rng[64];
		memory_range_format(block * bs, block * bs + bs - 1, rng, sizeof rng);
		v.allowed = false;
		v.why = MEMORY_KERNEL_REFUSED;
		snprintf(v.reason, sizeof v.reason,
		         "%s was refused by the kernel (EPERM): it is not TDX memory, it was added "
		         "after the TDX module was initialized",
		         rng);
	}

	bool offlined = false, failed = false;
	if (g->mode == POLICY_ENFORCE && online) {
		r = write_string_at(m->root, path, "offline");
		if (r == -EBUSY && queue_retry(m, block) >= 0)
			log_info("Memory gate: %s is busy being onlined or still holds pages; "
			         "offlining it again shortly.",
			         dev);
		else if (r < 0) {
			log_warning_errno(r, "Memory gate: failed to offline %s again: %m", dev);
			failed = true;
		} else
			offlined = true;
	}
	r = manager_emit_memory_refused(m, dev, block * bs, bs, v.reason);
	if (r < 0)
		log_debug_errno(r, "Failed to emit MemoryRefused for %s: %m", dev);
	run_add(m, true, &v, block, bs, offlined, failed);
	return 0;
}

/* ---- device-dax ---- */

/* Judge one device from the last probe: log the verdict, signal a refusal. */
static int judge_dax(Manager *m, const struct dax_dev *d) {
	struct memory_gate *g = m->gate;
	const char *name = d->name;

	if (d->ranges.n == 0) {
		log_debug("Memory gate: %s has no readable range yet", name);
		return 0;
	}

	struct memory_verdict v = {0}, first_refused = {0};
	bool refused = false;
	uint64_t total = 0;
	for (size_t i = 0; i < d->ranges.n; i++) {
		const struct range *rg = &d->ranges.items[i];
		total += rg->end - rg->start;
		(void)memory_gate_decide(g, rg->start, rg->end - rg->start, &v);
		if (!v.allowed && !refused) {
			refused = true;
			first_refused = v;
		}
	}

	uint64_t start = d->ranges.items[0].start;
	char rng[64], bytes[32];
	memory_range_format(start, d->ranges.items[d->ranges.n - 1].end - 1, rng, sizeof rng);
	format_bytes(total, bytes, sizeof bytes);
	if (!refused) {
		log_info("Memory gate: %s %s (%s) may be onlined as system-ram: %s", name, rng,
		         bytes, v.reason);
		return 0;
	}

	char msg[CHECK_TEXT_MAX + 256], f_dev[64], f_start[64], f_size[64];
	/* one range: the reason's own copy of it is redundant next to the device's */
	const char *why = d->ranges.n == 1 ? reason_tail(first_refused.reason, start, total)
	                                   : first_refused.reason;
	snprintf(msg, sizeof msg,
	         "Memory gate: %s %s (%s)%s%s; 'daxctl reconfigure-device --mode=system-ram %s' "
	         "would %s",
	         name, rng, bytes, why == first_refused.reason ? ": " : "", why, name,
	         g->mode == POLICY_ENFORCE ? "leave its memory offline"
	                                   : "be refused by the kernel or make TDX fail");
	snprintf(f_dev, sizeof f_dev, "TDXD_MEMORY_DEVICE=%s", name);
	snprintf(f_start, sizeof f_start, "TDXD_MEMORY_START=0x%" PRIx64, start);
	snprintf(f_size, sizeof f_size, "TDXD_MEMORY_SIZE=0x%" PRIx64, total);
	(void)log_struct_internal(LOG_WARNING, MEMORY_REFUSED_MESSAGE_ID, msg, f_dev, f_start,
	                          f_size, NULL);
	int r = manager_emit_memory_refused(m, name, start, total, first_refused.reason);
	if (r < 0)
		log_debug_errno(r, "Failed to emit MemoryRefused for %s: %m", name);
	return 0;
}

int memory_gate_on_dax(Manager *m, const char *name) {
	if (!m->gate || m->gate->mode == POLICY_OFF || !name)
		return 0;
	/* The device's ranges are read by the probe (mapping*, or resource + size). */
	(void)manager_probe(m);
	for (size_t i = 0; i < m->host.mem.n_dax; i++)
		if (streq(m->host.mem.dax[i].name, name))
			return judge_dax(m, &m->host.mem.dax[i]);
	log_debug("Memory gate: %s is not a dax device the probe can read", name);
	return 0;
}

void memory_gate_judge_present_dax(Manager *m) {
	struct memory_gate *g = m->gate;
	if (!g || g->mode == POLICY_OFF)
		return;
	/* Devices that appeared before tdxd started get no event; and a verdict given before the
	 * module initialization changes with it (the CMRs then the recorded TDX memory decide). */
	int basis = (g->initialized ? 1 : 0) | (g->tdx_memory_known ? 2 : 0);
	if (g->dax_judged && g->dax_judged_basis == basis)
		return;
	g->dax_judged = true;
	g->dax_judged_basis = basis;
	for (size_t i = 0; i < m->host.mem.n_dax; i++)
		(void)judge_dax(m, &m->host.mem.dax[i]);
}

/* ---- the TDX memory recorded at initialization ---- */

static int on_rederive(sd_event_source *s, void *userdata) {
	(void)manager_rederive(userdata);
	return 0;
}

/* What the kernel leaves out of TDX memory besides [0, 1 MiB): driver-managed memory (kmem,
 * virtio-mem), from the dax devices the probe saw and, as root, /proc/iomem. */
static int driver_managed_ranges(Manager *m, struct range_set *ret) {
	_cleanup_free_ char *iomem = NULL;
	struct range_set ex = {0}, io = {0};
	unsigned line = 0;
	int r;

	for (size_t i = 0; i < m->host.mem.n_dax; i++)
		for (size_t j = 0; j < m->host.mem.dax[i].ranges.n; j++) {
			const struct range *rg = &m->host.mem.dax[i].ranges.items[j];
			r = range_set_add(&ex, rg->start, rg->end);
			if (r < 0)
				goto fail;
		}
	r = read_full_file_at(m->root, IOMEM_PATH, 16 << 20, &iomem, NULL);
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
void memory_gate_record_tdx_memory(Manager *m) {
	struct memory_gate *g = m->gate;
	struct range_set snap = {0}, ex = {0};
	int r;

	if (!g || !m->have_status || !m->status.module_initialized || m->host.tdx_memory_known)
		return;

	if (g->recorded) {
		/* written before but not readable back (e.g. /run/tdxd not writable) */
		r = range_set_copy(&m->host.tdx_memory, &g->recorded_memory);
		if (r < 0)
			return;
		m->host.tdx_memory_known = true;
	} else {
		const struct memory_info *mem = &m->host.mem;
		if (!mem->present || mem->block_size == 0 || mem->n_blocks == 0)
			return; /* nothing to record from: the gate then refuses after init */
		r = driver_managed_ranges(m, &ex);
		if (r < 0) {
			log_warning_errno(
			    r, "Memory gate: failed to collect driver-managed memory: %m");
			return;
		}
		r = memory_gate_snapshot(mem->block_ids, mem->n_blocks, mem->block_size, &ex,
		                         &snap);
		range_set_clear(&ex);
		if (r < 0) {
			log_warning_errno(r, "Memory gate: failed to record the TDX memory: %m");
			return;
		}
		r = run_tdx_memory_write(m->root, &snap);
		if (r < 0)
			log_warning_errno(r,
			                  "Memory gate: failed to write %s: %m; the record is kept "
			                  "in memory until tdxd stops",
			                  RUN_TDX_MEMORY_PATH);
		char bytes[32];
		format_bytes(range_set_bytes(&snap), bytes, sizeof bytes);
		log_info(
		    "Memory gate: recorded the TDX memory (the memory present now that the TDX "
		    "module is initialized): %zu range%s, %s, in %s",
		    snap.n, snap.n == 1 ? "" : "s", bytes, RUN_TDX_MEMORY_PATH);
		r = range_set_copy(&g->recorded_memory, &snap);
		if (r >= 0)
			g->recorded = true;
		range_set_clear(&m->host.tdx_memory);
		m->host.tdx_memory = snap;
		m->host.tdx_memory_known = true;
	}

	r = memory_gate_prepare(g, &m->host, &m->status, m->config.memory_gate);
	if (r < 0)
		log_warning_errno(r, "Failed to prepare the memory gate: %m");
	/* The status was derived without the record (the tdx-memory check): derive again once
	 * the current derivation has finished. */
	if (m->event) {
		sd_event_source *s = NULL;
		if (sd_event_add_defer(m->event, &s, on_rederive, m) >= 0) {
			(void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
			(void)sd_event_source_set_floating(s, true);
			sd_event_source_unref(s);
		}
	}
}
