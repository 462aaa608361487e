/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "tdx-metadata.h"

int tdx_md_parse_field_id(const char *name, uint64_t *ret) {
	uint64_t v = 0;
	size_t i;
	for (i = 0; name[i]; i++) {
		char c = name[i];
		unsigned d;
		if (i >= 16)
			return -EINVAL;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	if (i != 16)
		return -EINVAL;
	*ret = v;
	return 0;
}

int tdx_md_decode(uint64_t field_id, const void *data, size_t size, uint64_t **ret, size_t *ret_n) {
	unsigned es = tdx_md_element_size(field_id);
	const uint8_t *b = data;
	if (size == 0 || size % es != 0)
		return -EBADMSG;
	size_t n = size / es;
	uint64_t *v = calloc(n, sizeof(uint64_t));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = 0;
		for (unsigned j = 0; j < es; j++)
			x |= (uint64_t)b[i * es + j] << (8 * j);
		v[i] = x;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int tdx_md_decode_scalar(uint64_t field_id, const void *data, size_t size, uint64_t *ret) {
	if (size != tdx_md_element_size(field_id))
		return -EBADMSG;
	_cleanup_free_ uint64_t *v = NULL;
	size_t n;
	int r = tdx_md_decode(field_id, data, size, &v, &n);
	if (r < 0)
		return r;
	*ret = v[0];
	return 0;
}

int tdx_md_cmrs(uint64_t num_cmrs, const uint64_t *base, size_t n_base, const uint64_t *size,
                size_t n_size, struct range_set *ret) {
	if (n_base < num_cmrs || n_size < num_cmrs)
		return -EBADMSG;
	struct range_set s = {0};
	for (size_t i = 0; i < num_cmrs; i++) {
		if (size[i] == 0)
			continue;
		if (base[i] > UINT64_MAX - size[i]) {
			range_set_clear(&s);
			return -ERANGE;
		}
		if (range_set_add(&s, base[i], base[i] + size[i]) < 0) {
			range_set_clear(&s);
			return -ENOMEM;
		}
	}
	range_set_normalize(&s, false);
	range_set_clear(ret);
	*ret = s;
	return 0;
}
