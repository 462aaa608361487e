/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The /run/tdxd files: state, cpu-package and tdx-memory each round-trip (parse, format,
 * parse again: the same facts), as a restarted daemon and the udev helper rely on. */
#include "fuzz-util.h"
#include "run-state.h"

static void state_eq(const struct run_state *a, const struct run_state *b) {
	fuzz_assert(a->has_tdx_enabled == b->has_tdx_enabled);
	fuzz_assert(!a->has_tdx_enabled || a->tdx_enabled == b->tdx_enabled);
	fuzz_assert(a->has_module_initialized == b->has_module_initialized);
	fuzz_assert(!a->has_module_initialized || a->module_initialized == b->module_initialized);
	fuzz_assert(strcmp(a->kvm_module, b->kvm_module) == 0);
	fuzz_assert(strcmp(a->cpu_guard, b->cpu_guard) == 0);
	fuzz_assert(strcmp(a->memory_gate, b->memory_gate) == 0);
	fuzz_assert(strcmp(a->boot_id, b->boot_id) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT)
		return 0;
	char *s = fuzz_strndup(data, size);
	unsigned line = 0;

	struct run_state st, st2;
	memset(&st, 0, sizeof(st));
	memset(&st2, 0, sizeof(st2));
	if (run_state_parse(s, &st, &line) >= 0) {
		char *t = NULL;
		fuzz_assert(run_state_format(&st, &t) >= 0);
		fuzz_assert(run_state_parse(t, &st2, &line) >= 0);
		state_eq(&st, &st2);
		free(t);
	}

	struct cpu_package *e = NULL, *e2 = NULL;
	size_t n = 0, n2 = 0;
	if (cpu_package_parse(s, &e, &n, &line) >= 0) {
		char *t = NULL;
		fuzz_assert(cpu_package_format(e, n, &t) >= 0);
		fuzz_assert(cpu_package_parse(t, &e2, &n2, &line) >= 0);
		fuzz_assert(n2 == n);
		fuzz_assert(n == 0 || memcmp(e, e2, n * sizeof(*e)) == 0);
		for (size_t i = 0; i < n && i < 64; i++)
			fuzz_assert(cpu_package_lookup(e2, n2, e[i].cpu) >= 0);
		free(t);
	}
	free(e);
	free(e2);

	struct range_set r = {0}, r2 = {0};
	if (tdx_memory_parse(s, &r, &line) >= 0) {
		char *t = NULL;
		fuzz_assert(tdx_memory_format(&r, &t) >= 0);
		fuzz_assert(tdx_memory_parse(t, &r2, &line) >= 0);
		fuzz_assert(r2.n == r.n);
		fuzz_assert(r.n == 0 || memcmp(r.items, r2.items, r.n * sizeof(*r.items)) == 0);
		free(t);
	}
	range_set_clear(&r);
	range_set_clear(&r2);
	free(s);
	return 0;
}
