/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* TDX module versions as the kernel prints them ("%u.%u.%02u": 1.5.24, 1.2.03) and as the
 * operator writes MinimumModuleVersion= (1.5.6 is 1.5.06): three decimal numbers compared
 * numerically, major first. Pure: no I/O. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct module_version {
	uint32_t major, minor, update;
};

/* Parse "major.minor.update": exactly three dot-separated runs of decimal digits, each fitting
 * a u32, no sign, no spaces; one trailing newline is accepted (a sysfs read). Returns 0 or
 * -EINVAL (not that form) / -ERANGE (a number above 4294967295). */
int module_version_parse(const char *s, struct module_version *ret);

/* <0, 0, >0 like strcmp, numerically: 1.5.10 is above 1.5.9. */
int module_version_compare(const struct module_version *a, const struct module_version *b);

/* The kernel's form, "%u.%u.%02u" (buf of at least MODULE_VERSION_STRING_MAX). */
#define MODULE_VERSION_STRING_MAX 36
char *module_version_format(const struct module_version *v, char *buf, size_t size);
