/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by test-enable.c and test-enable-kmod.c. */

#include <check.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "config.h"
#include "enable-plan.h"
#include "fileio.h"
#include "kmod-util.h"
#include "kvm-dev.h"
#include "kmsg.h"
#include "macro.h"
#include "status.h"

#define ck_assert_has(text, needle)                                                                \
	ck_assert_msg(strstr((text), (needle)), "\"%s\" lacks \"%s\"", (text), (needle))
#define ck_assert_lacks(text, needle)                                                              \
	ck_assert_msg(!strstr((text), (needle)), "\"%s\" has \"%s\"", (text), (needle))

/* ---- the plan, on fixture trees ---- */

struct case_state {
	struct tdx_host h;
	struct tdx_status s;
	struct tdxd_config c;
	struct kmod_module_facts k;
	bool have_k;
	bool builtin;
};

static struct case_state cs;

static inline void load_fixture(const char *name) {
	char root[512];
	struct probe_options o = {.kvm_module = "kvm_intel"};

	tdx_host_done(&cs.h);
	tdx_status_done(&cs.s);
	memset(&cs, 0, sizeof cs);
	snprintf(root, sizeof root, "%s/%s", FIXTURES_DIR, name);
	ck_assert_int_eq(probe_host(root, &o, &cs.h), 0);
	config_defaults(&cs.c);
	cs.k = (struct kmod_module_facts){.found = true, .has_tdx_param = 1};
	snprintf(cs.k.name, sizeof cs.k.name, "kvm_intel");
	cs.have_k = true;
}

static inline struct enable_plan decide(void) {
	struct enable_plan p;
	struct status_policy pol = {.kvm_module = cs.c.kvm_module};
	tdx_status_done(&cs.s);
	memset(&cs.s, 0, sizeof cs.s);
	ck_assert_int_eq(status_derive(&cs.h, &pol, NULL, &cs.s), 0);
	struct enable_input in = {
	    .host = &cs.h,
	    .status = &cs.s,
	    .config = &cs.c,
	    .kmod = cs.have_k ? &cs.k : NULL,
	    .builtin = cs.builtin,
	};
	memset(&p, 0x55, sizeof p);
	ck_assert_int_eq(enable_plan_decide(&in, &p), 0);
	return p;
}

static inline void unload(void) {
	cs.h.kvm.loaded = false;
	cs.h.kvm.has_tdx_param = false;
	cs.h.kvm.tdx_enabled = false;
	cs.h.kvm.refcnt = -1;
	cs.h.kvm.n_holders = 0;
}

static inline void teardown_case(void) {
	tdx_host_done(&cs.h);
	tdx_status_done(&cs.s);
	memset(&cs, 0, sizeof cs);
}
