/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The kernel release string (/proc/sys/kernel/osrelease, `uname -r`): "6.18.0-1-amd64",
 * "7.2.0-rc3", "6.17.5", "6.8.0-1028-intel". Pure: no I/O. */

#include <errno.h>
#include <stdint.h>

struct kernel_release {
	uint32_t major, minor, patch; /* patch 0 when the release has only two numbers */
};

/* Parse the leading "MAJOR.MINOR[.PATCH]" (what follows, "-1-amd64", "-rc3", "+", is the
 * distribution's and ignored). Returns 0, or -EINVAL when it does not start that way. */
int kernel_release_parse(const char *s, struct kernel_release *ret);

/* <0, 0, >0 comparing with MAJOR.MINOR.PATCH. */
int kernel_release_compare(const struct kernel_release *r, uint32_t major, uint32_t minor,
                           uint32_t patch);
