/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"

#define MEM_DIR    "/sys/devices/system/memory"
#define MEMMAP_DIR "/sys/firmware/memmap"
#define DAX_DIR    "/sys/bus/dax/devices"

/* Sort block ids in place. The directory lists them in hash order, and qsort() with a
 * comparison call per step was a quarter of a large host's probe. Block ids are nearly
 * dense (holes where the address space has none), so a bitmap of 0..max, walked once, sorts
 * 50,000 of them in 6 KiB; a sparse set (a bitmap bigger than the ids themselves) takes an
 * LSD radix sort, one byte per pass over the bytes the largest id uses. Ids are unique (they
 * are directory names). */
static int sort_block_ids(uint64_t *ids, size_t n) {
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++)
		max = ids[i] > max ? ids[i] : max;
	if (n < 2)
		return 0;
	if (max / 64 < n) {
		_cleanup_free_ uint64_t *bits = calloc(max / 64 + 1, sizeof(uint64_t));
		if (!bits)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			bits[ids[i] / 64] |= UINT64_C(1) << (ids[i] % 64);
		size_t k = 0;
		for (uint64_t w = 0; w <= max / 64; w++)
			for (uint64_t b = bits[w]; b; b &= b - 1)
				ids[k++] = w * 64 + (uint64_t)__builtin_ctzll(b);
		return 0;
	}
	_cleanup_free_ uint64_t *tmp = malloc(n * sizeof(uint64_t));
	if (!tmp)
		return -ENOMEM;
	uint64_t *from = ids, *to = tmp;
	for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((from[i] >> shift) & 0xff) + 1]++;
		for (size_t d = 1; d < 257; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			to[count[(from[i] >> shift) & 0xff]++] = from[i];
		uint64_t *t = from;
		from = to;
		to = t;
	}
	if (from != ids)
		memcpy(ids, from, n * sizeof(uint64_t));
	return 0;
}

static int add_block_name(struct memory_info *m, size_t *alloc, const char *name) {
	/* by hand: called 50,000 times, and strncmp() was 5% of a large host's probe */
	static const char prefix[] = "memory";
	for (size_t i = 0; i < sizeof prefix - 1; i++)
		if (name[i] != prefix[i])
			return 0;
	const char *s = name + sizeof prefix - 1;
	uint64_t id;
	if (*s < '0' || *s > '9' || parse_u64(s, &id) < 0)
		return 0;
	if (GREEDY_REALLOC(m->block_ids, *alloc, m->n_blocks + 1) < 0)
		return -ENOMEM;
	m->block_ids[m->n_blocks++] = id;
	return 0;
}

/* Block ids from the directory names alone: a 50,000-block host must not cost 50,000 reads.
 * getdents64 with a large buffer instead of readdir(): glibc's 32 KiB buffer means dozens of
 * system calls for such a directory, and each costs more the further into it they start
 * (measured: a 64 KiB buffer made the large host's probe about a quarter slower than 1 MiB). */
static int read_block_ids(struct tdx_host *h) {
	struct memory_info *m = &h->mem;
	_cleanup_free_ char *p = root_path(h->root, MEM_DIR);
	if (!p)
		return -ENOMEM;
	_cleanup_close_ int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	const size_t bufsize = 1024 * 1024;
	_cleanup_free_ char *buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	size_t alloc = 0;
	for (;;) {
		ssize_t n = getdents64(fd, buf, bufsize);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			host_warn(h, MEM_DIR ": %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (ssize_t o = 0; o < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + o);
			int r = add_block_name(m, &alloc, de->d_name);
			if (r < 0)
				return r;
			o += de->d_reclen;
		}
	}
	return sort_block_ids(m->block_ids, m->n_blocks);
}

/* One hex-with-0x attribute (memmap start/end, dax resource and mapping bounds). */
static int read_addr(struct tdx_host *h, const char *path, uint64_t *ret) {
	_cleanup_free_ char *t = NULL;
	int r = read_one_line_at(h->root, path, &t);
	if (r < 0)
		return r;
	r = parse_u64(t, ret);
	if (r < 0)
		host_warn(h, "%s: not an address: \"%.32s\"", path, t);
	return r;
}

/* /sys/firmware/memmap/N/{start,end,type}: end is inclusive. */
static int read_memmap(struct tdx_host *h) {
	struct memory_info *m = &h->mem;
	_cleanup_free_ char *p = root_path(h->root, MEMMAP_DIR);
	if (!p)
		return -ENOMEM;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return 0;
	m->memmap_present = true;
	for (struct dirent *de; (de = readdir(d));) {
		uint32_t n;
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || parse_u32(de->d_name, &n) < 0)
			continue;
		char path[96];
		_cleanup_free_ char *type = NULL;
		snprintf(path, sizeof(path), MEMMAP_DIR "/%u/type", n);
		int r = read_one_line_at(h->root, path, &type);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			host_warn(h, "%s: %s", path, read_strerror(r));
			continue;
		}
		if (!streq(type, "System RAM"))
			continue;
		uint64_t start, end;
		snprintf(path, sizeof(path), MEMMAP_DIR "/%u/start", n);
		r = read_addr(h, path, &start);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			if (r != -EINVAL && r != -ERANGE)
				host_warn(h, "%s: %s", path, read_strerror(r));
			continue;
		}
		snprintf(path, sizeof(path), MEMMAP_DIR "/%u/end", n);
		r = read_addr(h, path, &end);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			if (r != -EINVAL && r != -ERANGE)
				host_warn(h, "%s: %s", path, read_strerror(r));
			continue;
		}
		if (end < start || end == UINT64_MAX) {
			host_warn(h, "%s: end 0x%llx before start 0x%llx or at the top of memory",
			          path, (unsigned long long)end, (unsigned long long)start);
			continue;
		}
		if (range_set_add(&m->system_ram, start, end + 1) < 0)
			return -ENOMEM;
	}
	range_set_normalize(&m->system_ram, false);
	return 0;
}

static bool is_online_state(const char *s) {
	return streq(s, "online") || streq(s, "online_movable") || streq(s, "online_kernel");
}

/* Only blocks outside what is known to be eligible are looked at: none on a healthy host. */
static int read_outside_blocks(struct tdx_host *h) {
	struct memory_info *m = &h->mem;
	bool cmrs = h->cmrs.n > 0;
	if (m->block_size == 0 || (!cmrs && !h->tdx_memory_known))
		return 0;

	struct range_set merged = {0};
	if (cmrs) {
		if (range_set_copy(&merged, &h->cmrs) < 0)
			return -ENOMEM;
		range_set_normalize(&merged, true);
	}
	int r = 0;
	size_t alloc = 0;
	for (size_t i = 0; i < m->n_blocks; i++) {
		uint64_t id = m->block_ids[i];
		if (id > UINT64_MAX / m->block_size - 1) {
			host_warn(h, MEM_DIR "/memory%llu: beyond the 64-bit address space",
			          (unsigned long long)id);
			continue;
		}
		uint64_t start = id * m->block_size, end = start + m->block_size;
		/* the kernel clips [0, 1 MiB) from TDX memory, so does the eligibility test */
		uint64_t cstart = start < MIB(1) ? MIB(1) : start;
		if (cstart >= end)
			continue;
		bool outside =
		    (cmrs && !range_set_contains(&merged, cstart, end)) ||
		    (h->tdx_memory_known && !range_set_contains(&h->tdx_memory, cstart, end));
		if (!outside)
			continue;

		char path[96];
		snprintf(path, sizeof(path), MEM_DIR "/memory%llu/state", (unsigned long long)id);
		_cleanup_free_ char *st = NULL;
		r = read_one_line_at(h->root, path, &st);
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			/* a block removed since readdir: nothing to report */
			if (r != -ENOENT)
				host_warn(h, "%s: %s", path, read_strerror(r));
			r = 0;
			continue;
		}
		if (GREEDY_REALLOC(m->outside, alloc, m->n_outside + 1) < 0) {
			r = -ENOMEM;
			goto out;
		}
		struct outside_block *b = &m->outside[m->n_outside++];
		b->id = id;
		b->online = is_online_state(st);
		snprintf(b->state, sizeof(b->state), "%s", st);
	}
	r = 0;
out:
	range_set_clear(&merged);
	return r;
}

/* daxX.Y: every mappingN/{start,end} (end inclusive), else resource + size. */
static int read_dax_device(struct tdx_host *h, const char *name, struct dax_dev *dev) {
	char dir[128], path[192];
	snprintf(dir, sizeof(dir), DAX_DIR "/%s", name);
	snprintf(dev->name, sizeof(dev->name), "%s", name);

	_cleanup_free_ char *p = root_path(h->root, dir);
	if (!p)
		return -ENOMEM;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));) {
		const char *s = startswith(de->d_name, "mapping");
		uint32_t n;
		if (!s || *s < '0' || *s > '9' || parse_u32(s, &n) < 0)
			continue;
		uint64_t start, end;
		snprintf(path, sizeof(path), "%s/mapping%u/start", dir, n);
		int r = read_addr(h, path, &start);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		snprintf(path, sizeof(path), "%s/mapping%u/end", dir, n);
		r = read_addr(h, path, &end);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		if (end < start || end == UINT64_MAX) {
			host_warn(h, "%s: end before start", path);
			continue;
		}
		if (range_set_add(&dev->ranges, start, end + 1) < 0)
			return -ENOMEM;
	}
	if (dev->ranges.n > 0) {
		range_set_normalize(&dev->ranges, false);
		return 0;
	}

	uint64_t start, size;
	snprintf(path, sizeof(path), "%s/resource", dir);
	int r = read_addr(h, path, &start);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/size", dir);
	r = read_addr(h, path, &size);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || size == 0)
		return 0;
	if (start > UINT64_MAX - size) {
		host_warn(h, "%s: resource + size beyond 64 bits", dir);
		return 0;
	}
	return range_set_add(&dev->ranges, start, start + size);
}

static int cmp_dax(const void *a, const void *b) {
	return strcmp(((const struct dax_dev *)a)->name, ((const struct dax_dev *)b)->name);
}

static int read_dax(struct tdx_host *h) {
	struct memory_info *m = &h->mem;
	_cleanup_free_ char *p = root_path(h->root, DAX_DIR);
	if (!p)
		return -ENOMEM;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return 0;
	size_t alloc = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (!startswith(de->d_name, "dax"))
			continue;
		if (strlen(de->d_name) >= sizeof(m->dax->name)) {
			host_warn(h, DAX_DIR "/%s: name too long, device not examined", de->d_name);
			continue;
		}
		if (GREEDY_REALLOC(m->dax, alloc, m->n_dax + 1) < 0)
			return -ENOMEM;
		struct dax_dev *dev = &m->dax[m->n_dax++];
		int r = read_dax_device(h, de->d_name, dev);
		if (r < 0)
			return r;
	}
	if (m->n_dax > 0)
		qsort(m->dax, m->n_dax, sizeof(struct dax_dev), cmp_dax);
	return 0;
}

int probe_memory(struct tdx_host *h) {
	struct memory_info *m = &h->mem;
	int r;

	if (is_dir_at(h->root, MEM_DIR)) {
		m->present = true;
		_cleanup_free_ char *bs = NULL;
		r = read_one_line_at(h->root, MEM_DIR "/block_size_bytes", &bs);
		if (r == -ENOMEM)
			return r;
		if (r >= 0) {
			uint64_t v;
			/* "%lx" without 0x; a zero or non-power-of-two size is not a block size */
			if (parse_hex_u64(bs, &v) < 0 || v == 0 || (v & (v - 1)) != 0)
				host_warn(h,
				          MEM_DIR "/block_size_bytes: not a block size: \"%.32s\"",
				          bs);
			else
				m->block_size = v;
		} else if (r != -ENOENT)
			host_warn(h, MEM_DIR "/block_size_bytes: %s", read_strerror(r));

		_cleanup_free_ char *ao = NULL;
		r = read_one_line_at(h->root, MEM_DIR "/auto_online_blocks", &ao);
		if (r == -ENOMEM)
			return r;
		if (r >= 0)
			snprintf(m->auto_online, sizeof(m->auto_online), "%s", ao);

		if ((r = read_block_ids(h)) < 0)
			return r;
	}
	if ((r = read_memmap(h)) < 0)
		return r;
	if ((r = read_outside_blocks(h)) < 0)
		return r;
	return read_dax(h);
}
