/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TDX module image header check (module-image.h). The order of the checks is chosen for
 * the operator, not copied from the kernel: a file that is not a TDX image at all is named as
 * such first (signature), then the header fields, then the length the header promises. The
 * set of checks is the kernel's (v7.2 seamldr: version, page limits, signature, reserved
 * bytes, exact length), so an image that passes here is not refused by the kernel's parser.
 *
 * About the checksum: the header carries a u16 checksum, but the kernel that landed never
 * reads it (only the P-SEAMLDR judges the module, through the signed sigstruct). An earlier
 * revision of the series (with another header layout) required the wrapping 16-bit sum of
 * all little-endian u16 words of the blob to be zero; module_image_word_sum() computes that
 * so callers can log it, and the validator does not refuse on it. */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "module-image.h"

static uint16_t le16(const uint8_t *p) {
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint16_t module_image_word_sum(const void *data, size_t size) {
	const uint8_t *p = data;
	uint16_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < size; i += 2)
		sum = (uint16_t)(sum + le16(p + i));
	if (size % 2)
		sum = (uint16_t)(sum + p[size - 1]);
	return sum;
}

_printf_(3, 4) static int fail(char *msg, size_t msg_size, const char *fmt, ...) {
	if (msg && msg_size > 0) {
		va_list ap;
		va_start(ap, fmt);
		vtextf(msg, msg_size, false, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Quote up to 8 signature bytes, escaping what is not printable. */
static void quote_signature(const uint8_t *sig, char *buf, size_t size) {
	size_t o = 0;
	for (size_t i = 0; i < 8 && o + 5 < size; i++) {
		if (sig[i] >= 0x20 && sig[i] < 0x7f && sig[i] != '"' && sig[i] != '\\')
			buf[o++] = (char)sig[i];
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", sig[i]);
	}
	buf[o < size ? o : size - 1] = 0;
}

int module_image_validate(const void *data, size_t size, struct module_image_info *ret, char *msg,
                          size_t msg_size) {
	const uint8_t *p = data;

	if (!p || size < MODULE_IMAGE_HEADER_SIZE)
		return fail(msg, msg_size,
		            "the image is %zu bytes, shorter than the 4096-byte TDX module image "
		            "header",
		            p ? size : (size_t)0);
	/* The kernel takes the length as a u32: nothing larger can be a module image. */
	if ((uint64_t)size > UINT32_MAX) {
		fail(msg, msg_size, "the image is %zu bytes, larger than any TDX module image",
		     size);
		return -EFBIG;
	}

	if (memcmp(p + 4, MODULE_IMAGE_SIGNATURE, 8) != 0) {
		char q[40];
		quote_signature(p + 4, q, sizeof(q));
		return fail(msg, msg_size,
		            "signature (offset 4) is \"%s\", expected \"" MODULE_IMAGE_SIGNATURE
		            "\": not a TDX module image",
		            q);
	}

	uint16_t version = le16(p);
	if (version != MODULE_IMAGE_VERSION)
		return fail(msg, msg_size,
		            "version (offset 0) is 0x%x, expected 0x%x: an image format the kernel "
		            "does not accept",
		            version, MODULE_IMAGE_VERSION);

	for (size_t i = MODULE_IMAGE_RESERVED_OFF; i < MODULE_IMAGE_HEADER_SIZE; i++)
		if (p[i] != 0)
			return fail(msg, msg_size,
			            "reserved header byte at offset %zu is 0x%02x, expected 0 (the "
			            "4076 reserved bytes must be zero)",
			            i, p[i]);

	uint32_t sig_pages = le32(p + 12), mod_pages = le32(p + 16);
	if (sig_pages > MODULE_IMAGE_MAX_SIGSTRUCT_PAGES)
		return fail(msg, msg_size,
		            "sigstruct_nr_pages (offset 12) is %u, the kernel accepts at most %u",
		            sig_pages, MODULE_IMAGE_MAX_SIGSTRUCT_PAGES);
	if (mod_pages > MODULE_IMAGE_MAX_MODULE_PAGES)
		return fail(msg, msg_size,
		            "module_nr_pages (offset 16) is %u, the kernel accepts at most %u",
		            mod_pages, MODULE_IMAGE_MAX_MODULE_PAGES);

	/* The kernel's parser lets these through, but the P-SEAMLDR cannot install a module
	 * without a sigstruct or without code: refuse the doomed update before it starts. */
	if (sig_pages == 0)
		return fail(msg, msg_size,
		            "sigstruct_nr_pages (offset 12) is 0: the image has no "
		            "signature structure");
	if (mod_pages == 0)
		return fail(msg, msg_size,
		            "module_nr_pages (offset 16) is 0: the image has no "
		            "module pages");

	/* 64-bit arithmetic: two u32 page counts times 4096 cannot overflow it. */
	uint64_t expected = (uint64_t)MODULE_IMAGE_HEADER_SIZE +
	                    ((uint64_t)sig_pages + mod_pages) * MODULE_IMAGE_PAGE_SIZE;
	if (expected != (uint64_t)size)
		return fail(msg, msg_size,
		            "the image is %zu bytes, but its header (sigstruct_nr_pages %u, "
		            "module_nr_pages %u) promises %llu (4096-byte header plus %u pages of "
		            "4096)",
		            size, sig_pages, mod_pages, (unsigned long long)expected,
		            sig_pages + mod_pages);

	if (ret)
		*ret = (struct module_image_info){
		    .version = version,
		    .checksum = le16(p + 2),
		    .sigstruct_nr_pages = sig_pages,
		    .module_nr_pages = mod_pages,
		    .expected_size = expected,
		    .checksum_sums_to_zero = module_image_word_sum(p, size) == 0,
		};
	if (msg && msg_size > 0)
		msg[0] = 0;
	return 0;
}
