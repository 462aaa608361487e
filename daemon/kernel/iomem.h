/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ranges.h"

/* The driver-managed System RAM of /proc/iomem ("System RAM (kmem)", "System RAM
 * (virtio_mem)"), end made exclusive. -EACCES when the addresses are hidden (all zero: not
 * root), -EINVAL (with *ret_line) on a malformed line. Pure. */
int iomem_parse_driver_managed(const char *text, struct range_set *ret, unsigned *ret_line);
