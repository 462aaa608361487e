/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parser of the SGX multi-package registration status the BIOS and Intel's registration
 * agent (MPA) keep in an EFI variable, as efivarfs shows it: a 4-byte little-endian attribute
 * word, then the variable's data, packed little-endian:
 *
 *   u16 version   1 (the only version the MPA reads or writes for this variable; version 2
 *                 exists for SgxRegistrationServerRequest only)
 *   u16 size      bytes that follow: 3 (status and error_code)
 *   u16 status    bit 0 registration complete, bit 1 package info read, the rest reserved
 *   u8  error_code 0 success; 0x80-0x86 agent errors, 0xa0-0xa8 registration server errors
 *
 * A larger `size` with its bytes present is accepted (fields appended by a later revision are
 * ignored); a shorter one, or data that ends before `size` says, is not. No I/O. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFIVARS_DIR                 "/sys/firmware/efi/efivars"
#define SGX_REGISTRATION_STATUS_VAR "SgxRegistrationStatus-f236c5dc-a491-4bbe-bcdd-88885770df45"
#define SGX_REGISTRATION_REQUEST_VAR                                                               \
	"SgxRegistrationServerRequest-304e0796-d515-4698-ac6e-e76cb1a71c28"
#define SGX_REGISTRATION_STATUS_PATH    EFIVARS_DIR "/" SGX_REGISTRATION_STATUS_VAR
#define SGX_REGISTRATION_REQUEST_PATH   EFIVARS_DIR "/" SGX_REGISTRATION_REQUEST_VAR
#define SGX_REGISTRATION_STATUS_VERSION 1

enum {
	SGX_REG_COMPLETE = 1u << 0,     /* SgxRegistrationComplete */
	SGX_REG_PACKAGE_INFO = 1u << 1, /* the package info was read (add-package flow) */
};

struct sgx_registration_status {
	uint32_t attributes; /* EFI_VARIABLE_* of the variable (efivarfs prefix) */
	uint16_t version;
	uint16_t size;
	uint16_t status;
	uint8_t error_code;
};

/* Parse the whole efivarfs file. Returns 0; -EBADMSG when it is shorter than the attributes
 * and the fixed header, when `size` is below 3, or when the data ends before `size` says;
 * -EPROTONOSUPPORT for a version other than 1 (*ret still gets attributes and version). */
int sgx_registration_status_parse(const void *data, size_t n, struct sgx_registration_status *ret);

static inline bool sgx_registration_complete(const struct sgx_registration_status *s) {
	return s->status & SGX_REG_COMPLETE;
}

/* The MPA's name for an error code ("network error"), NULL for a code it does not define. */
const char *sgx_registration_error_to_string(uint8_t code);
