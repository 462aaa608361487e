/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor metadata binaries: field id names, element decoding, and the CMR list built from
 * NUM_CMRS and the base/size arrays (the input split in two halves). */
#include "fuzz-util.h"
#include "tdx-metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > FUZZ_MAX_INPUT || size < 8)
		return 0;
	uint64_t id;
	char *name = fuzz_strndup(data, size < 32 ? size : 32);
	if (tdx_md_parse_field_id(name, &id) >= 0) {
		char back[17];
		snprintf(back, sizeof(back), "%016llx", (unsigned long long)id);
		fuzz_assert(strcasecmp(back, name) == 0); /* exactly 16 hex digits */
	}
	free(name);

	memcpy(&id, data, 8);
	const uint8_t *d = data + 8;
	size_t n = size - 8;
	uint64_t *v = NULL, s;
	size_t nv = 0;
	if (tdx_md_decode(id, d, n, &v, &nv) >= 0) {
		fuzz_assert(nv * tdx_md_element_size(id) == n);
		free(v);
	}
	(void)tdx_md_decode_scalar(id, d, n, &s);

	uint64_t *base = NULL, *sz = NULL;
	size_t nb = 0, ns = 0;
	(void)tdx_md_decode(TDX_MD_CMR_BASE, d, n / 2 / 8 * 8, &base, &nb);
	(void)tdx_md_decode(TDX_MD_CMR_SIZE, d + n / 2, n / 2 / 8 * 8, &sz, &ns);
	struct range_set cmrs = {0};
	if (tdx_md_cmrs(id & 0xff, base, nb, sz, ns, &cmrs) >= 0)
		for (size_t i = 0; i < cmrs.n; i++)
			fuzz_assert(cmrs.items[i].start < cmrs.items[i].end);
	range_set_clear(&cmrs);
	free(base);
	free(sz);
	return 0;
}
