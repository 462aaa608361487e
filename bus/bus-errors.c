/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "bus-errors.h"

const sd_bus_error_map tdx_error_map[] = {
    SD_BUS_ERROR_MAP(TDX_ERROR_NOT_SUPPORTED, EOPNOTSUPP),
    SD_BUS_ERROR_MAP(TDX_ERROR_LAST_CPU_IN_PACKAGE, EBUSY),
    SD_BUS_ERROR_MAP(TDX_ERROR_NO_SUCH_CPU, ENODEV),
    SD_BUS_ERROR_MAP(TDX_ERROR_INVALID_RANGE, ERANGE),
    SD_BUS_ERROR_MAP(TDX_ERROR_MODULE_LOAD_FAILED, EIO),
    SD_BUS_ERROR_MAP(TDX_ERROR_BUSY, EAGAIN),
    SD_BUS_ERROR_MAP(TDX_ERROR_INVALID_IMAGE, ENOEXEC),
    SD_BUS_ERROR_MAP_END,
};

int tdx_errors_register(void) {
	return sd_bus_error_add_map(tdx_error_map);
}
