/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Human output of tdxctl, made from the capabilities document (docs/readiness.md, *Capabilities
 * document*) so that `tdxctl status` (the document comes from the daemon) and `tdxctl check` (built
 * locally) print the same way. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

struct format_options {
	bool color; /* ANSI colours on the result markers (format_use_color()) */
	bool all;   /* --all: no folding, every check and every hint */
};

/* Make every string of a document safe for a terminal (utf8_escape(): control characters as
 * "\xNN", invalid UTF-8 as U+FFFD): its strings come from the host (sysfs, the kernel log),
 * and the human view adds its own colour codes after this. Returns 0 or -ENOMEM. */
int format_escape_strings(struct json_object *o);

/* Whether to colour output on fd: a terminal, TERM not "dumb", NO_COLOR unset or empty,
 * SYSTEMD_COLORS not false ("0", "no", ...); SYSTEMD_COLORS true forces colour. */
bool format_use_color(int fd);

/* hostnamectl-style "Label: value" lines (the labels of tdxctl(8) "status", in order), then every
 * check that did not pass with its summary and hint (the skips that follow from one failed check
 * folded into one line unless opts->all), then the count line. opts may be NULL. Returns 0
 * or -EINVAL for a document that is not an object. */
int format_status_human(struct json_object *caps, FILE *f, const struct format_options *opts);

/* Every check grouped by category with its result and summary, the hint of each non-pass,
 * then the count line and the state line. When a check failed that others need, the skips
 * that follow from it are folded into "N checks not run: ID failed" and the passes are only
 * counted, unless opts->all. */
int format_checks_human(struct json_object *caps, FILE *f, const struct format_options *opts);

/* --json=pretty|short (spec 9.5, like systemd's tools): --json alone is pretty on a
 * terminal, short otherwise. */
enum json_mode {
	JSON_OFF,
	JSON_PRETTY,
	JSON_SHORT,
};
/* The json-c serialization flags of a mode (not JSON_OFF). */
int format_json_flags(enum json_mode m);

/* "256.0 GiB" (powers of 1024) into buf. */
void format_bytes(uint64_t v, char *buf, size_t size);
