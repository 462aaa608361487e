/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The capabilities document (docs/readiness.md, *Capabilities document*), built with json-c. One
 * builder serves GetCapabilities(), `tdxctl status --json` and `tdxctl check --json`. */

#include <stdint.h>

#include <json-c/json.h>

#include "host-identity.h"
#include "status.h"

#define CAPABILITIES_SCHEMA "tdxd.capabilities.v1"

/* A new json object (caller owns it), or NULL on ENOMEM. */
struct json_object *capabilities_build(const struct tdx_status *s);
/* Adds "host": {"hostname", "kernel", "boot_id"} (host_identity_of(): "" when unknown) and
 * "generated_usec" (CLOCK_REALTIME) to a document, replacing them if present. Returns 0 or
 * -ENOMEM. */
int capabilities_add_host(struct json_object *o, const struct host_identity *id,
                          uint64_t generated_usec);
uint64_t capabilities_now_usec(void);
/* Serialized, pretty or compact, with the host keys and the current time; caller frees. */
char *capabilities_to_string(const struct tdx_status *s, const struct host_identity *id,
                             bool pretty);
