/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder for the D-Bus verbs of tdxctl; the daemon's bus client replaces this file. */
#include <stdio.h>

#include "tdxctl-bus.h"

static int not_yet(const char *verb) {
	fprintf(stderr, "tdxctl: %s: not implemented yet\n", verb);
	return 1;
}

int verb_status(int argc, char **argv, bool json) {
	return not_yet("status");
}

int verb_check_memory(int argc, char **argv) {
	return not_yet("check-memory");
}

int verb_check_cpu(int argc, char **argv) {
	return not_yet("check-cpu");
}

int verb_offline_cpu(int argc, char **argv) {
	return not_yet("offline-cpu");
}

int verb_enable(int argc, char **argv) {
	return not_yet("enable");
}
