/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The files tdxd keeps under /run/tdxd (docs/readiness.md, *Files under /run/tdxd*) for a restarted
 * daemon and for the CPU guard's udev helper: pure format/parse functions, and thin read/write
 * wrappers that go through fileio.h (so --root applies). All files are text, one fact a line,
 * replaced atomically. A file from another boot (state's BOOT_ID differs from
 * /proc/sys/kernel/random/boot_id) must be ignored: see run_state_is_current(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

#define RUN_DIR              "/run/tdxd"
#define RUN_STATE_PATH       "/run/tdxd/state"
#define RUN_CPU_PACKAGE_PATH "/run/tdxd/cpu-package"
#define RUN_TDX_MEMORY_PATH  "/run/tdxd/tdx-memory"
#define RUN_KERNEL_LOG_PATH  "/run/tdxd/kernel-log"
#define BOOT_ID_PATH         "/proc/sys/kernel/random/boot_id"

/* `state`: KEY=VALUE lines. Keys not present keep has_* false / "" strings. */
struct run_state {
	bool has_tdx_enabled, tdx_enabled;               /* TDX_ENABLED=0|1 */
	bool has_module_initialized, module_initialized; /* MODULE_INITIALIZED=0|1 */
	char kvm_module[64];                             /* KVM_MODULE= */
	char cpu_guard[16];                              /* CPU_GUARD=enforce|warn|off */
	char memory_gate[16];                            /* MEMORY_GATE= */
	char boot_id[40];                                /* BOOT_ID= */
};

/* `cpu-package`: "CPU PACKAGE" lines, decimal. */
struct cpu_package {
	unsigned cpu;
	unsigned package;
};

int run_state_format(const struct run_state *s, char **ret);
/* Unknown keys are skipped (a newer daemon may add some); a malformed line (no '=', a value
 * too long, a 0/1 key with another value) is -EINVAL with *ret_line set to its 1-based line
 * number when ret_line is not NULL. */
int run_state_parse(const char *text, struct run_state *ret, unsigned *ret_line);

int cpu_package_format(const struct cpu_package *e, size_t n, char **ret);
/* Returns the entries in file order; a later line for the same CPU wins when looked up with
 * cpu_package_lookup(). -EINVAL (with *ret_line) on a malformed line, -ERANGE on overflow. */
int cpu_package_parse(const char *text, struct cpu_package **ret, size_t *ret_n,
                      unsigned *ret_line);
/* The package saved for cpu, or -1. */
int cpu_package_lookup(const struct cpu_package *e, size_t n, unsigned cpu);

/* `tdx-memory`: "0xSTART 0xEND" lines, end exclusive, sorted. */
int tdx_memory_format(const struct range_set *s, char **ret);
/* The result is sorted, exact duplicates dropped, not merged (the kernel's rule: a block must
 * lie inside one entry). -EINVAL (with *ret_line) on a malformed or empty range. */
int tdx_memory_parse(const char *text, struct range_set *ret, unsigned *ret_line);

/* True when the saved state belongs to this boot. Unknown on either side (no BOOT_ID saved,
 * boot_id unreadable) counts as current: /run is a tmpfs, so only an explicit mismatch proves
 * the files are stale. */
bool run_state_is_current(const struct run_state *s, const char *boot_id);

/* Wrappers: -ENOENT when the file is missing; parse errors as above. */
int run_state_read(const char *root, struct run_state *ret, unsigned *ret_line);
int run_state_write(const char *root, const struct run_state *s);
int run_cpu_package_read(const char *root, struct cpu_package **ret, size_t *ret_n,
                         unsigned *ret_line);
int run_cpu_package_write(const char *root, const struct cpu_package *e, size_t n);
int run_tdx_memory_read(const char *root, struct range_set *ret, unsigned *ret_line);
int run_tdx_memory_write(const char *root, const struct range_set *s);
/* kernel-log holds original log lines as kmsg_extract_tdx() returns them. */
int run_kernel_log_read(const char *root, char **ret, size_t *ret_size);
int run_kernel_log_write(const char *root, const char *lines);

/* Read /proc/sys/kernel/random/boot_id into buf (newline stripped). -ENOENT when missing,
 * -EINVAL when it does not look like a UUID. */
int read_boot_id(const char *root, char *buf, size_t size);
