/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parser for /proc/cpuinfo. Only the first processor block's fields are parsed (every
 * CPU of a host carries the same flags, and a 1000-CPU cpuinfo is megabytes); the rest is only
 * scanned to count processors. */

#include <stddef.h>

#include "host.h"

/* Returns 0, or -EINVAL when the text has no "processor" line (not a cpuinfo file). A
 * malformed "address sizes" line leaves phys_bits/virt_bits 0. */
int cpuinfo_parse(const char *text, size_t size, struct cpuinfo *ret);
