/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure helpers for the vendor TDX global metadata binaries
 * (/sys/firmware/tdx/tdx_module/metadata/<FIELD_ID>, docs/kernel-interfaces.md, *TDX module
 * metadata* and *Vendor firmware directory*): the file name is the 16-hex-digit field id, an array
 * field is one file named after its element 0, elements are little-endian and 1 << bits[33:32]
 * bytes wide. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

#define TDX_MD_MINOR_VERSION    UINT64_C(0x0800000100000003)
#define TDX_MD_MAJOR_VERSION    UINT64_C(0x0800000100000004)
#define TDX_MD_UPDATE_VERSION   UINT64_C(0x0800000100000005)
#define TDX_MD_NUM_CMRS         UINT64_C(0x9000000100000000)
#define TDX_MD_CMR_BASE         UINT64_C(0x9000000300000080)
#define TDX_MD_CMR_SIZE         UINT64_C(0x9000000300000100)
#define TDX_MD_MAX_VCPUS_PER_TD UINT64_C(0x9900000100000008)

/* Bytes per element: 1, 2, 4 or 8. */
static inline unsigned tdx_md_element_size(uint64_t field_id) {
	return 1u << ((field_id >> 32) & 3);
}

/* A metadata file name: exactly 16 hex digits, either case. -EINVAL otherwise. */
int tdx_md_parse_field_id(const char *name, uint64_t *ret);

/* Decode the elements of field_id from a file's bytes. The size must be a non-zero multiple
 * of the element size (-EBADMSG otherwise: a truncated file). Returns a newly allocated array
 * of *ret_n values. */
int tdx_md_decode(uint64_t field_id, const void *data, size_t size, uint64_t **ret, size_t *ret_n);
/* The first element of a scalar field (extra bytes are -EBADMSG too). */
int tdx_md_decode_scalar(uint64_t field_id, const void *data, size_t size, uint64_t *ret);

/* Build the CMR list from NUM_CMRS and the CMR_BASE/CMR_SIZE arrays: -EBADMSG when either
 * array has fewer than num_cmrs elements; entries of size 0 are skipped (padding), and
 * base + size overflowing 64 bits is -ERANGE. *ret is replaced, sorted. */
int tdx_md_cmrs(uint64_t num_cmrs, const uint64_t *base, size_t n_base, const uint64_t *size,
                size_t n_size, struct range_set *ret);
