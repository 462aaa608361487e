/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The D-Bus names of tdxd (org.tdxd.Tdx1(5), man/org.tdxd.Tdx1.5). Shared by the daemon and tdxctl.
 */

#define TDXD_BUS_NAME          "org.tdxd.Tdx1"
#define TDXD_OBJECT_PATH       "/org/tdxd/Tdx1"
#define TDXD_MANAGER_INTERFACE "org.tdxd.Tdx1.Manager"

/* CPUOfflineBlocked's package argument when the package is unknown. */
#define TDXD_PACKAGE_UNKNOWN 4294967295u
