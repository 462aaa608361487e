/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "kmod-dl.h"

/* The soname tdxd is built against (libkmod 2.x: every kmod release since v1). */
#define LIBKMOD_SONAME "libkmod.so.2"

#define KMOD_DL_DEFINE(name) __typeof__(name) *sym_##name;
KMOD_DL_SYMBOLS(KMOD_DL_DEFINE)
#undef KMOD_DL_DEFINE

/* the enable sequence's worker thread takes and drops references too */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *handle;
static unsigned refs;

static void clear_symbols(void) {
#define KMOD_DL_CLEAR(name) sym_##name = NULL;
	KMOD_DL_SYMBOLS(KMOD_DL_CLEAR)
#undef KMOD_DL_CLEAR
}

static int load(void) {
	handle = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return -ELIBACC;
#define KMOD_DL_RESOLVE(name)                                                                      \
	if (!(sym_##name = (__typeof__(name) *)dlsym(handle, #name)))                              \
		goto missing;
	KMOD_DL_SYMBOLS(KMOD_DL_RESOLVE)
#undef KMOD_DL_RESOLVE
	return 0;
missing:
	clear_symbols();
	(void)dlclose(handle);
	handle = NULL;
	return -ELIBACC;
}

int kmod_dl_ref(void) {
	int r = 0;
	pthread_mutex_lock(&lock);
	if (refs == 0)
		r = load();
	if (r == 0)
		refs++;
	pthread_mutex_unlock(&lock);
	return r;
}

void kmod_dl_unref(void) {
	pthread_mutex_lock(&lock);
	if (refs > 0 && --refs == 0) {
		clear_symbols();
		(void)dlclose(handle);
		handle = NULL;
	}
	pthread_mutex_unlock(&lock);
}
