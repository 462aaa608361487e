/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the files of the readiness model (status.c, values.c, checks-*.c, state.c); not
 * for use outside readiness/. */

#include "macro.h"
#include "status.h"

static inline uint64_t max_u64(uint64_t a, uint64_t b) {
	return a > b ? a : b;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b) {
	return a < b ? a : b;
}

#define RUN_AS_ROOT                                                                                \
	"run as root: reading /dev/kmsg needs CAP_SYSLOG when kernel.dmesg_restrict=1 (or run "    \
	"sudo tdxctl check)"
#define ONE_SHOT "TDX module initialization is one-shot: only a reboot retries it"
#define BIOS_TDX_HINT                                                                              \
	"enable TDX in the BIOS setup: Memory Encryption (TME) and Total Memory Encryption "       \
	"Multi-Tenant (TME-MT), a TME-MT/TDX KeyID split with a non-zero number of TDX KeyIDs, "   \
	"Trust Domain Extension (TDX) and the TDX Secure Arbitration Mode Loader (SEAM Loader); "  \
	"then reboot"

/* What every check reads: the host, the enable progress and what follows from them. */
struct facts {
	const struct tdx_host *h;
	const struct enable_progress *ep;
	const char *kvm;    /* the KVM module's name */
	const char *logsrc; /* where the kernel log facts came from */
	bool log;           /* the kernel log could be read */
	bool param_y;       /* the module's tdx parameter reads Y */
	bool tdx_up;        /* TDX is up in KVM */
	bool initialized;   /* the TDX module is initialized */
	bool init_failed;   /* the module initialization failed this boot */
	bool tdx_evidence;  /* something shows TDX working (so the BIOS enabled it) */
};

void gather_facts(const struct tdx_host *h, const struct status_policy *policy,
                  const struct enable_progress *ep, struct facts *f);

/* Text helpers: every summary, hint and reason is built with these, so nothing overflows. */
_printf_(3, 4) void set(struct check *c, enum check_result r, const char *fmt, ...);
_printf_(2, 3) void summary_add(struct check *c, const char *fmt, ...);
_printf_(2, 3) void hint(struct check *c, const char *fmt, ...);
/* Quote the kernel's own line: `; the kernel says "virt/tdx: ..."`. */
void quote(struct check *c, const struct kline *k);
/* The prerequisite rule: returns true when check `id` may be evaluated, else marks it
 * "not checked: <on> failed" (or skipped, when pass_needed). */
bool need(struct tdx_status *s, enum check_id id, enum check_id on, bool pass_needed);

/* values.c: the published values and their sources. */
int derive_values(const struct facts *f, const struct status_policy *policy, struct tdx_status *s);

/* checks-platform.c */
void check_cpu_vendor(const struct facts *f, struct tdx_status *s);
void check_bare_metal(const struct facts *f, struct tdx_status *s);
void check_bios_tdx(const struct facts *f, struct tdx_status *s);
void check_keyids(const struct facts *f, struct tdx_status *s);
void check_hibernation(const struct facts *f, struct tdx_status *s);
void check_cpu_packages(const struct facts *f, struct tdx_status *s);

/* checks-kvm.c */
void check_kvm_module(const struct facts *f, struct tdx_status *s);
void check_kernel_tdx(const struct facts *f, struct tdx_status *s);
void check_kvm_tdx(const struct facts *f, struct tdx_status *s);
void check_kvm_vm_types(const struct facts *f, struct tdx_status *s);

/* checks-module.c */
void check_module_init(const struct facts *f, struct tdx_status *s);
void check_max_vcpus(const struct facts *f, struct tdx_status *s);
void check_keyid_capacity(const struct facts *f, struct tdx_status *s);
void check_module_version(const struct facts *f, const struct status_policy *policy,
                          struct tdx_status *s);

/* checks-kernel.c */
void check_kexec(const struct facts *f, struct tdx_status *s);

/* checks-memory.c */
int check_convertible_memory(const struct facts *f, struct tdx_status *s);
int check_tdx_memory(const struct facts *f, struct tdx_status *s);
void check_memory_auto_online(const struct facts *f, struct tdx_status *s);

/* state.c: the state and its reason, from the checks. */
void derive_state(const struct facts *f, struct tdx_status *s);
