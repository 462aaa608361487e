/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The on-disk TDX module update image ("TDX module blob") as the kernel's firmware-upload
 * path judges it before it hands the pages to the P-SEAMLDR (docs/kernel-interfaces.md,
 * runtime module update): a 4,096-byte little-endian header
 *
 *   offset 0   u16 version             0x200
 *   offset 2   u16 checksum            not checked by the kernel (see module-image.c)
 *   offset 4   u8  signature[8]        "TDX-BLOB"
 *   offset 12  u32 sigstruct_nr_pages  at most MODULE_IMAGE_MAX_SIGSTRUCT_PAGES
 *   offset 16  u32 module_nr_pages     at most MODULE_IMAGE_MAX_MODULE_PAGES
 *   offset 20  u8  reserved[4076]      all zero
 *
 * followed by exactly sigstruct_nr_pages + module_nr_pages pages of 4,096 bytes. A pure
 * parser: no I/O, so UpdateModule() can refuse a doomed image before it writes anything. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODULE_IMAGE_PAGE_SIZE    4096u
#define MODULE_IMAGE_HEADER_SIZE  4096u
#define MODULE_IMAGE_VERSION      0x200u
#define MODULE_IMAGE_SIGNATURE    "TDX-BLOB"
#define MODULE_IMAGE_RESERVED_OFF 20u
/* The kernel's limits (SEAMLDR_MAX_NR_SIG_PAGES, SEAMLDR_MAX_NR_MODULE_PAGES): the
 * P-SEAMLDR parameter page has room for this many page addresses. */
#define MODULE_IMAGE_MAX_SIGSTRUCT_PAGES 1u
#define MODULE_IMAGE_MAX_MODULE_PAGES    496u

struct module_image_info {
	uint16_t version;
	uint16_t checksum;
	uint32_t sigstruct_nr_pages;
	uint32_t module_nr_pages;
	uint64_t expected_size; /* header + all pages */
	/* The wrapping 16-bit sum of the image's little-endian u16 words is zero (what an
	 * early revision of the kernel series required of its blob). Reported only: the kernel
	 * that landed ignores the checksum field, so tdxd must not refuse on it. */
	bool checksum_sums_to_zero;
};

/* Validate an image of `size` bytes. Returns 0 and fills *ret (may be NULL), or -EINVAL with
 * a one-sentence message in msg (naming the field, e.g. "signature is \"TDX-BLAB\", expected
 * \"TDX-BLOB\"") for InvalidImage, or -EFBIG when size cannot be a module image at all. msg
 * may be NULL. */
int module_image_validate(const void *data, size_t size, struct module_image_info *ret, char *msg,
                          size_t msg_size);

/* Wrapping 16-bit sum of the image's little-endian u16 words (an odd last byte counts as a
 * word with a zero high byte). */
uint16_t module_image_word_sum(const void *data, size_t size);
