/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "attestation.h"
#include "macro.h"

/* The checks of attestation-decide.h, in the slots of enum check_id (same order). */
static const enum check_id slot[_ATT_CHECK_MAX] = {
    [ATT_CHECK_SGX] = CHECK_SGX,
    [ATT_CHECK_SGX_DEVICES] = CHECK_SGX_DEVICES,
    [ATT_CHECK_PLATFORM_REGISTRATION] = CHECK_PLATFORM_REGISTRATION,
    [ATT_CHECK_QUOTE_SERVICE] = CHECK_QUOTE_SERVICE,
    [ATT_CHECK_COLLATERAL_SERVICE] = CHECK_COLLATERAL_SERVICE,
};

void attestation_complete(struct tdx_status *s, const struct attestation_facts *f,
                          const char *quote_unit, enum unit_state quote, enum unit_state pccs) {
	struct attestation_input in = {
	    .facts = f,
	    .cpu_vendor = s->checks[CHECK_CPU_VENDOR].result,
	    .bare_metal = s->checks[CHECK_BARE_METAL].result,
	    .state = s->state,
	    .quote_unit = quote_unit,
	    .quote_unit_state = quote,
	    .pccs_unit_state = pccs,
	};
	struct attestation_status a;

	attestation_decide(&in, &a);
	for (size_t i = 0; i < _ATT_CHECK_MAX; i++)
		s->checks[slot[i]] = a.checks[i];
	s->attestation_ready = a.ready;
	memcpy(s->attestation_reason, a.reason, sizeof(s->attestation_reason));
}
