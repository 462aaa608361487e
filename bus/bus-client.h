/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The client side of org.tdxd.Tdx1, for tdxctl: one call per method, errors turned into a
 * struct the caller words for its user. Callers of this header need no sd-bus. */

#include <stdbool.h>
#include <stdint.h>

struct tdxd_client;

struct tdxd_client_error {
	int errnum;          /* negative errno */
	bool no_bus;         /* the system bus itself is not there */
	bool daemon_missing; /* the bus is there, tdxd is not on it */
	bool access_denied;
	char name[128];     /* the D-Bus error name; "" for a local failure */
	char message[1024]; /* the daemon's sentence, or strerror */
};

/* interactive: the calls allow polkit to ask for an administrator's password (an agent on
 * the caller's terminal answers it). */
int tdxd_client_open(struct tdxd_client **ret, bool interactive, struct tdxd_client_error *e);
struct tdxd_client *tdxd_client_free(struct tdxd_client *c);
static inline void tdxd_client_freep(struct tdxd_client **c) {
	if (*c)
		tdxd_client_free(*c);
}

/* Each returns 0, or a negative errno with *e filled. Strings are the caller's to free. */
int tdxd_client_get_capabilities(struct tdxd_client *c, char **ret_json,
                                 struct tdxd_client_error *e);
int tdxd_client_check_memory_range(struct tdxd_client *c, uint64_t address, uint64_t size,
                                   bool *ret_allowed, char **ret_reason,
                                   struct tdxd_client_error *e);
int tdxd_client_check_cpu_offline(struct tdxd_client *c, uint32_t cpu, bool *ret_allowed,
                                  char **ret_reason, struct tdxd_client_error *e);
int tdxd_client_offline_cpu(struct tdxd_client *c, uint32_t cpu, struct tdxd_client_error *e);
/* EnableTDX returns when the sequence ends: PAMT allocation on multi-TB hosts takes minutes. */
int tdxd_client_enable(struct tdxd_client *c, uint64_t timeout_usec, struct tdxd_client_error *e);

/* UpdateModule: hands the open image file to the daemon, which returns once the kernel took
 * it; then waits for ModuleUpdateFinished (up to timeout_usec in all, 0: no limit). While it
 * waits, progress (may be NULL) is called about once a second with ModuleUpdate's value and
 * the time since the kernel took the image. The result is filled when the signal came: a
 * "failed" result returns -EIO with e->message set to the signal's message. */
struct tdxd_client_update_result {
	char result[16];
	char old_version[32], new_version[32];
	char message[1024];
};
typedef void (*tdxd_client_update_progress_fn)(const char *module_update, uint64_t elapsed_usec,
                                               void *userdata);
int tdxd_client_update_module(struct tdxd_client *c, int fd, uint64_t timeout_usec,
                              tdxd_client_update_progress_fn progress, void *userdata,
                              struct tdxd_client_update_result *ret, struct tdxd_client_error *e);
