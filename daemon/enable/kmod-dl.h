/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libkmod, loaded only while it is used (dlopen of its soname, as systemd loads its optional
 * libraries). libkmod brings libcrypto, whose relocations alone keep about 1.4 MiB resident:
 * more than a quarter of the daemon, which needs libkmod only while an enable sequence looks
 * up or loads the KVM module. Every kmod_ctx holds one reference on the library:
 * kmod_ctx_new_for_paths() (kmod-util.h) takes it, kmod_ctx_free() drops it, and the last
 * drop unloads it. Objects of a context must be released before the context. */

#include <libkmod.h>

/* Load the library (the first reference) and resolve its symbols: 0, or -ELIBACC when it
 * cannot be loaded or lacks a symbol. Safe from any thread. */
int kmod_dl_ref(void);
/* Drop a reference; the last one unloads the library. */
void kmod_dl_unref(void);

/* The libkmod functions tdxd calls, as sym_<name>, valid while a reference is held. */
#define KMOD_DL_SYMBOLS(X)                                                                         \
	X(kmod_new)                                                                                \
	X(kmod_unref)                                                                              \
	X(kmod_set_log_fn)                                                                         \
	X(kmod_list_next)                                                                          \
	X(kmod_config_get_blacklists)                                                              \
	X(kmod_config_iter_next)                                                                   \
	X(kmod_config_iter_get_key)                                                                \
	X(kmod_config_iter_free_iter)                                                              \
	X(kmod_module_new_from_lookup)                                                             \
	X(kmod_module_new_from_name)                                                               \
	X(kmod_module_get_module)                                                                  \
	X(kmod_module_unref)                                                                       \
	X(kmod_module_unref_list)                                                                  \
	X(kmod_module_get_name)                                                                    \
	X(kmod_module_get_options)                                                                 \
	X(kmod_module_get_install_commands)                                                        \
	X(kmod_module_get_info)                                                                    \
	X(kmod_module_info_get_key)                                                                \
	X(kmod_module_info_get_value)                                                              \
	X(kmod_module_info_free_list)                                                              \
	X(kmod_module_get_holders)                                                                 \
	X(kmod_module_get_refcnt)                                                                  \
	X(kmod_module_get_initstate)                                                               \
	X(kmod_module_remove_module)                                                               \
	X(kmod_module_probe_insert_module)

#define KMOD_DL_DECLARE(name) extern __typeof__(name) *sym_##name;
KMOD_DL_SYMBOLS(KMOD_DL_DECLARE)
#undef KMOD_DL_DECLARE

/* kmod_list_foreach() with the loaded kmod_list_next() */
#define sym_kmod_list_foreach(entry, first)                                                        \
	for ((entry) = (first); (entry); (entry) = sym_kmod_list_next((first), (entry)))
