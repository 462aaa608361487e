/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The tdxctl verbs that talk to the daemon over D-Bus. Each returns tdxctl's exit code: 0
 * success (for check-*: allowed), 1 refused/not allowed/failed, 2 usage error. argv[0] is the
 * verb; the remaining arguments are the verb's positional arguments. */

#include <stdbool.h>

#include "tdxctl-format.h"

/* json: JSON_OFF for the human view (all: no folding), else the document in that form. */
int verb_status(int argc, char **argv, enum json_mode json, bool all);
int verb_check_memory(int argc, char **argv);
int verb_check_cpu(int argc, char **argv);
/* --no-ask-password: privileged verbs never ask for a password (they do on a terminal). */
void verbs_set_ask_password(bool ask);
int verb_offline_cpu(int argc, char **argv);
int verb_enable(int argc, char **argv);
int verb_update_module(int argc, char **argv);
