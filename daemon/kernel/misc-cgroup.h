/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parser for the misc cgroup's flat keyed files (misc.capacity, misc.current, misc.peak):
 * "%s %llu\n" lines, one per resource, present only for non-zero values. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Look up resource (e.g. "tdx") in text. *ret_found is false when there is no such line, which
 * is "no answer" (the kernel omits zero-capacity resources), not 0. The value is left
 * untouched then. A malformed line for that resource is -EINVAL, a number beyond 64 bits is
 * -ERANGE; lines of other resources are not looked at beyond their name. */
int misc_cgroup_parse(const char *text, size_t size, const char *resource, bool *ret_found,
                      uint64_t *ret_value);
