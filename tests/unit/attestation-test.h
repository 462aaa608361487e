/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by test-attestation-decide.c and test-attestation-checks.c. */

#include <check.h>
#include <stdio.h>
#include "attestation-decide.h"
#include "macro.h"

static struct attestation_facts f;
static struct attestation_input in;
static struct attestation_status st;

/* A host where quotes work: SGX on, devices, registered, QGS on its Unix socket, remote PCCS. */
static inline void setup(void) {
	f = (struct attestation_facts){
	    .real_root = false,
	    .cpuinfo_read = true,
	    .sgx = true,
	    .sgx_lc = true,
	    .kmsg_readable = true,
	    .dev_enclave = NODE_PRESENT,
	    .dev_provision = NODE_PRESENT,
	    .efi = true,
	    .reg_status_present = true,
	    .reg_status = {.attributes = 7, .version = 1, .size = 3, .status = 0x0003},
	    .qgs_conf_present = true,
	    .qgs = {.transport = QGS_TRANSPORT_UNIX},
	    .qgs_socket = NODE_PRESENT,
	    .qcnl_present = true,
	    .pccs_url = "https://pccs.example.net:8081/sgx/certification/v4/",
	    .pccs_host = "pccs.example.net",
	};
	in = (struct attestation_input){
	    .facts = &f,
	    .cpu_vendor = CHECK_PASS,
	    .bare_metal = CHECK_PASS,
	    .state = TDX_STATE_READY,
	    .quote_unit_state = UNIT_ACTIVE,
	    .pccs_unit_state = UNIT_UNKNOWN,
	};
}

static inline void run(void) {
	attestation_decide(&in, &st);
}

static inline const struct check *chk(enum attestation_check_id id) {
	return &st.checks[id];
}

#define assert_result(id, r)                                                                       \
	ck_assert_msg(chk(id)->result == (r), "%s: %s, expected %s: %s",                           \
	              attestation_check_id_to_string(id), check_result_to_string(chk(id)->result), \
	              check_result_to_string(r), chk(id)->summary)

static inline void assert_has(const char *text, const char *needle) {
	ck_assert_msg(strstr(text, needle), "\"%s\" lacks \"%s\"", text, needle);
}

/* Every check has a summary; every failure and warning a hint; nothing prints "(null)". */
static inline void assert_wellformed(void) {
	for (int i = 0; i < _ATT_CHECK_MAX; i++) {
		const struct check *c = chk(i);
		ck_assert_msg(c->summary[0], "%s: no summary", attestation_check_id_to_string(i));
		if (c->result == CHECK_FAIL || c->result == CHECK_WARN)
			ck_assert_msg(c->hint[0], "%s: %s without a hint",
			              attestation_check_id_to_string(i), c->summary);
		ck_assert(!strstr(c->summary, "(null)") && !strstr(c->hint, "(null)"));
	}
	ck_assert(st.reason[0]);
	ck_assert(!strstr(st.reason, "(null)"));
	ck_assert(st.ready == !!startswith(st.reason, "attestation is available"));
}
