/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The capabilities document (docs/readiness.md, *Capabilities document*), built with json-c. One
 * builder serves GetCapabilities(), `tdxctl status --json` and `tdxctl check --json`. */

#include <json-c/json.h>

#include "status.h"

#define CAPABILITIES_SCHEMA "tdxd.capabilities.v1"

/* A new json object (caller owns it), or NULL on ENOMEM. */
struct json_object *capabilities_build(const struct tdx_status *s);
/* Serialized, pretty or compact; caller frees. */
char *capabilities_to_string(const struct tdx_status *s, bool pretty);
