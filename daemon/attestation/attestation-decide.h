/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The attestation checks (docs/readiness.md, *Attestation checks*: category "attestation",
 * after the sixteen of *Checks*) and AttestationReady/AttestationReason, decided by pure code
 * from the probed facts, the results of the two platform checks they depend on, the main State,
 * and the states of two systemd units that the daemon asks systemd for (UNIT_UNKNOWN where
 * nobody asked: under --root and in `tdxctl check`, where the files alone are judged). The
 * checks never change State. Each result is a struct check of status.h, ready to be copied
 * into the status. */

#include <stdbool.h>

#include "attestation-probe.h"
#include "status.h"

#define ATTESTATION_CATEGORY       "attestation"
#define QUOTE_SERVICE_UNIT_DEFAULT "qgsd.service"
#define PCCS_UNIT                  "pccs.service"

/* In the order of the documented table (the Checks array keeps it). */
enum attestation_check_id {
	ATT_CHECK_SGX,
	ATT_CHECK_SGX_DEVICES,
	ATT_CHECK_PLATFORM_REGISTRATION,
	ATT_CHECK_QUOTE_SERVICE,
	ATT_CHECK_COLLATERAL_SERVICE,
	_ATT_CHECK_MAX,
};

/* A systemd unit as far as these checks care. */
enum unit_state {
	UNIT_UNKNOWN,    /* not asked */
	UNIT_ACTIVE,     /* ActiveState active or reloading */
	UNIT_ACTIVATING, /* activating: started, not up yet */
	UNIT_INACTIVE,   /* inactive or deactivating */
	UNIT_FAILED,     /* failed */
	UNIT_NOT_FOUND,  /* LoadState not-found: not installed */
	UNIT_MASKED,     /* LoadState masked */
	_UNIT_STATE_MAX,
};

struct attestation_input {
	const struct attestation_facts *facts;
	enum check_result cpu_vendor, bare_metal; /* the results of those two checks */
	enum tdx_state state;                     /* State */
	const char *quote_unit;                   /* QuoteServiceUnit=, NULL: qgsd.service */
	enum unit_state quote_unit_state;
	enum unit_state pccs_unit_state; /* only consulted when pccs_url is local */
};

struct attestation_status {
	struct check checks[_ATT_CHECK_MAX];
	bool ready;                  /* AttestationReady */
	char reason[CHECK_TEXT_MAX]; /* AttestationReason: one sentence */
};

void attestation_decide(const struct attestation_input *in, struct attestation_status *ret);

const char *attestation_check_id_to_string(enum attestation_check_id id);
/* The unit state from systemd's LoadState and ActiveState strings (either may be NULL). */
enum unit_state unit_state_from_systemd(const char *load_state, const char *active_state);
const char *unit_state_to_string(enum unit_state s);
