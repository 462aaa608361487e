/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The attestation checks joined to the readiness model: attestation_complete() decides them
 * (attestation-decide.h) from the facts of attestation_probe() and the status status_derive()
 * made, and copies the five checks, AttestationReady and AttestationReason into that status.
 * State and everything else of the status stay as they are. Pure. */

#include "attestation-decide.h"
#include "attestation-probe.h"
#include "status.h"

/* quote_unit: QuoteServiceUnit= (NULL or "": qgsd.service). quote and pccs: the units' states
 * as systemd reported them, UNIT_UNKNOWN where nobody asked (--root, tdxctl check). */
void attestation_complete(struct tdx_status *s, const struct attestation_facts *f,
                          const char *quote_unit, enum unit_state quote, enum unit_state pccs);
