/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "efivar-sgx.h"
#include "macro.h"

#define ATTR_SIZE   4
#define HEADER_SIZE 4 /* version, size */
#define BODY_MIN    3 /* status, error_code */

static uint16_t le16(const uint8_t *p) {
	return (uint16_t)(p[0] | p[1] << 8);
}

int sgx_registration_status_parse(const void *data, size_t n, struct sgx_registration_status *ret) {
	const uint8_t *p = data;
	struct sgx_registration_status s = {0};

	if (!p || n < ATTR_SIZE + HEADER_SIZE)
		return -EBADMSG;
	s.attributes =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	p += ATTR_SIZE;
	n -= ATTR_SIZE;
	s.version = le16(p);
	s.size = le16(p + 2);
	if (s.version != SGX_REGISTRATION_STATUS_VERSION) {
		*ret = s;
		return -EPROTONOSUPPORT;
	}
	if (s.size < BODY_MIN || n - HEADER_SIZE < s.size)
		return -EBADMSG;
	s.status = le16(p + 4);
	s.error_code = p[6];
	*ret = s;
	return 0;
}

/* Names of RegistrationErrorCode (tools/SGXPlatformRegistration of Intel's DCAP sources): what
 * the agent writes after a failed attempt. */
static const struct {
	uint8_t code;
	const char *name;
} errors[] = {
    {0x80, "unexpected agent error"},
    {0x81, "agent out of memory"},
    {0x82, "network error (proxy or connection to the registration server)"},
    {0x83, "invalid parameter"},
    {0x84, "registration server internal error"},
    {0x85, "registration server timeout"},
    {0x86, "BIOS protocol error"},
    {0xa0, "the registration server could not understand the request"},
    {0xa1, "the request was meant for another registration server"},
    {0xa2, "invalid or revoked processor package"},
    {0xa3, "a processor package is unknown to the registration server"},
    {0xa4, "a processor package is incompatible with the others"},
    {0xa5, "invalid platform manifest"},
    {0xa6, "the platform instance is unknown to the registration server"},
    {0xa7, "invalid add-package request"},
    {0xa8, "rejected by the registration server for an unknown reason"},
};

const char *sgx_registration_error_to_string(uint8_t code) {
	for (size_t i = 0; i < ELEMENTSOF(errors); i++)
		if (errors[i].code == code)
			return errors[i].name;
	return NULL;
}
