/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STUB: to be replaced by the memory gate implementation. */
#include "macro.h"
#include "manager.h"
#include "memory-gate.h"

int memory_gate_prepare(struct memory_gate *g, const struct tdx_host *h, const struct tdx_status *s,
			enum policy_mode mode) {
	g->mode = mode;
	return 0;
}

void memory_gate_done(struct memory_gate *g) {
	range_set_clear(&g->cmrs);
	range_set_clear(&g->tdx_memory);
}

int memory_gate_decide(const struct memory_gate *g, uint64_t address, uint64_t size,
		       struct memory_verdict *ret) {
	*ret = (struct memory_verdict){.valid = true, .allowed = true, .reason = "stub"};
	return 0;
}

int memory_gate_on_block(struct Manager *m, const char *action, uint64_t block) {
	return 0;
}

int memory_gate_on_dax(struct Manager *m, const char *name) {
	return 0;
}

void memory_gate_record_tdx_memory(struct Manager *m) {
}
