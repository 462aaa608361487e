/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Human output of tdxctl, made from the capabilities document (docs/readiness.md, *Capabilities
 * document*) so that `tdxctl status` (the document comes from the daemon) and `tdxctl check` (built
 * locally) print the same way. */

#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* hostnamectl-style "Label: value" lines (the labels of tdxctl(8) "status", in order; listed in
 * docs/readiness.md, *Capabilities document*), then every check that did not pass with its summary
 * and hint. Returns 0 or -EINVAL for a document that is not an object. */
int format_status_human(struct json_object *caps, FILE *f);

/* Every check grouped by category with its result and summary, the hint of each non-pass,
 * then the state line. */
int format_checks_human(struct json_object *caps, FILE *f);

/* "256.0 GiB" (powers of 1024) into buf. */
void format_bytes(uint64_t v, char *buf, size_t size);
