/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STUB: to be replaced by the memory gate implementation. */
#include "macro.h"
#include "manager.h"
#include "memory-gate.h"

int memory_gate_on_block(struct Manager *m, const char *action, uint64_t block) {
	return 0;
}

int memory_gate_on_dax(struct Manager *m, const char *name) {
	return 0;
}

void memory_gate_record_tdx_memory(struct Manager *m) {
}
