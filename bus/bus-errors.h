/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one error table of the API. The daemon sets these names explicitly (sd-bus does not turn
 * a returned errno into a custom name); clients register the map with
 * tdx_errors_register() so they get meaningful errno values back from sd_bus_call(). */

#include <systemd/sd-bus.h>

#define TDX_ERROR_NOT_SUPPORTED       "org.tdxd.Tdx1.Error.NotSupported"
#define TDX_ERROR_LAST_CPU_IN_PACKAGE "org.tdxd.Tdx1.Error.LastCPUInPackage"
#define TDX_ERROR_NO_SUCH_CPU         "org.tdxd.Tdx1.Error.NoSuchCPU"
#define TDX_ERROR_INVALID_RANGE       "org.tdxd.Tdx1.Error.InvalidRange"
#define TDX_ERROR_MODULE_LOAD_FAILED  "org.tdxd.Tdx1.Error.ModuleLoadFailed"
#define TDX_ERROR_BUSY                "org.tdxd.Tdx1.Error.Busy"
#define TDX_ERROR_INVALID_IMAGE       "org.tdxd.Tdx1.Error.InvalidImage"

extern const sd_bus_error_map tdx_error_map[];

int tdx_errors_register(void);
