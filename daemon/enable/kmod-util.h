/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libkmod helpers: cleanup functions, a context made for a root directory (the real host, or a
 * test tree with its own lib/modules/<version> and modprobe.d), and the facts modprobe would
 * act on for one module: its real name behind an alias, whether it has a tdx parameter, its
 * modprobe.d options, and whether the operator blocked it (blacklist, install /bin/false)
 * in which file. No logging, no loading: enable-sequence.c does that. */

#include <stdbool.h>

#include "kmod-dl.h"
#include "macro.h"

/* kmod_unref() and the library reference the context held (kmod-dl.h). */
void kmod_ctx_free(struct kmod_ctx *ctx);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_ctx *, kmod_ctx_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_module *, sym_kmod_module_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, sym_kmod_module_unref_list);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, sym_kmod_module_info_free_list);
#define _cleanup_kmod_ctx_       _cleanup_(kmod_ctx_freep)
#define _cleanup_kmod_module_    _cleanup_(sym_kmod_module_unrefp)
#define _cleanup_kmod_list_      _cleanup_(sym_kmod_module_unref_listp)
#define _cleanup_kmod_info_list_ _cleanup_(sym_kmod_module_info_free_listp)

/* Where libkmod looks. */
struct kmod_paths {
	char *dirname; /* the module directory; NULL: libkmod's default for the running kernel */
	char **config; /* modprobe.d directories (or files), in libkmod's precedence order;
	                * NULL-terminated, never NULL itself */
	bool have_modules; /* the module directory exists */
};

/* For root "/" the system's paths; for a test tree, ROOT/lib/modules/<uname -r> (or
 * ROOT/usr/lib/modules/..., or the only version directory there) and the modprobe.d
 * directories below ROOT that exist, so nothing is read from the real host. */
int kmod_paths_for_root(const char *root, struct kmod_paths *ret);
void kmod_paths_done(struct kmod_paths *p);

/* kmod_new() on those paths, with libkmod's own logging off (we report errors ourselves). It
 * loads libkmod (-ELIBACC when it cannot be loaded); release the context with
 * kmod_ctx_free(). */
int kmod_ctx_new_for_paths(const struct kmod_paths *p, struct kmod_ctx **ret);

/* The first modprobe.d file, in libkmod's reading order (all *.conf files sorted by name; a
 * name in an earlier directory masks the same name in later ones), with a line
 * "KEYWORD MODULE ..." (MODULE compared with '-' and '_' alike). libkmod does not say which
 * file a blacklist or install line came from, so it is found again here for the hint.
 * Returns 0 with *ret_file set, -ENOENT if no file has it, -ENOMEM. */
int kmod_config_find(char *const *config, const char *keyword, const char *module, char **ret_file);

/* True for an install command that only refuses or skips the load (/bin/false, /bin/true and
 * their /usr/bin or bare forms, with or without arguments): the operator's "never load". */
bool kmod_install_command_blocks(const char *cmd);

struct kmod_module_facts {
	bool found;          /* the lookup resolved to a module */
	char name[64];       /* its real name (an alias resolved) */
	int has_tdx_param;   /* its modinfo lists a tdx parameter: 1, 0, or -1 unknown */
	bool blacklisted;    /* "blacklist NAME" */
	bool install_blocks; /* "install NAME /bin/false" and the like */
	char install_cmd[256];
	char policy_file[256]; /* the modprobe.d file with the blacklist/install line */
	char options[512];     /* modprobe.d options for it ("" none) */
};

/* Look NAME up the way modprobe does. A name nothing resolves to gives found=false and 0.
 * Returns 0 or -ENOMEM. */
int kmod_module_facts_lookup(struct kmod_ctx *ctx, char *const *config, const char *name,
                             struct kmod_module_facts *ret);

/* The facts for NAME on a root ("/" or a test tree): 1 with *ret set, 0 when a test tree has
 * neither a module directory nor modprobe.d (nothing to go on), or -errno. In a test tree
 * without a module directory "not found" only means "not known" (found=true,
 * has_tdx_param=-1). policy_file is shown as on the host, without the root prefix. */
int kmod_module_facts_for_root(const char *root, const char *name, struct kmod_module_facts *ret);

/* "a-b" and "a_b" name the same module. */
bool kmod_names_equal(const char *a, const char *b);
