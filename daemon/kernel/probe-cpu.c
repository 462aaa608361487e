/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fileio.h"
#include "host.h"
#include "macro.h"
#include "parse-util.h"
#include "run-state.h"

#define CPU_DIR  "/sys/devices/system/cpu"
#define NODE_DIR "/sys/devices/system/node"
/* CPUS_MAX (parse-util.h) bounds CPU numbers. Node ids: x86 NODES_SHIFT is at most 10, so
 * 1024 nodes; a higher nodeN is not from a kernel and is skipped. */
#define NODES_MAX 1024u

static int read_cpu_list(struct tdx_host *h, const char *path, char **ret) {
	int r = read_one_line_at(h->root, path, ret);
	if (r < 0 && r != -ENOENT && r != -ENOMEM)
		host_warn(h, "%s: %s", path, read_strerror(r));
	return r;
}

/* Fill a bitmap of n bits from a list; problems are recorded, the bitmap stays empty. */
static void list_to_bitmap(struct tdx_host *h, const char *path, const char *list, uint8_t *b,
                           unsigned n) {
	int r = parse_cpu_list(list, b, n);
	if (r < 0)
		host_warn(h, "%s: %s: \"%.64s\"", path,
		          r == -ERANGE ? "CPU number out of range" : "malformed CPU list", list);
}

/* physical_package_id: 1 known, 0 not there, -ENOMEM. */
static int read_package(struct tdx_host *h, unsigned cpu, int *ret) {
	char path[96];
	snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/physical_package_id", cpu);
	_cleanup_free_ char *t = NULL;
	int r = probe_read_attr(h, path, &t);
	if (r <= 0)
		return r;
	uint32_t v;
	if (parse_u32(t, &v) < 0 || v > INT32_MAX) {
		host_warn(h, "%s: not a package id: \"%.32s\"", path, t);
		return 0;
	}
	*ret = (int)v;
	return 1;
}

/* The package of every online CPU from one read per package: an online CPU's
 * topology/package_cpus_list names the online CPUs of its package (core_siblings_list before
 * v5.3). The CPUs it names get `package` unless a package is known already. 1 applied, 0 no
 * such file (then none has it: *missing is set and no CPU is asked again), -ENOMEM. */
static int apply_package_list(struct tdx_host *h, unsigned cpu, int package, const uint8_t *online,
                              uint8_t *scratch, bool *missing) {
	char path[96];
	snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/package_cpus_list", cpu);
	_cleanup_free_ char *list = NULL;
	int r = read_cpu_list(h, path, &list);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		*missing = *missing || r == -ENOENT;
		return 0;
	}
	memset(scratch, 0, (h->n_cpus + 7) / 8);
	r = parse_cpu_list(list, scratch, h->n_cpus);
	if (r < 0) {
		host_warn(h, "%s: %s: \"%.64s\"", path,
		          r == -ERANGE ? "CPU number out of range" : "malformed CPU list", list);
		return 0;
	}
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *o = &h->cpus[c];
		/* offline CPUs are not in the list's kernel mask: never trust it for them */
		if (!bitmap_test(scratch, c) || !bitmap_test(online, c) || o->package >= 0)
			continue;
		o->package = package;
		o->package_source = "topology";
	}
	return 1;
}

/* The cpuN/nodeM link: one readdir, used only for CPUs no node cpulist names. */
static int read_cpu_node(struct tdx_host *h, unsigned cpu) {
	char path[64];
	snprintf(path, sizeof(path), CPU_DIR "/cpu%u", cpu);
	_cleanup_free_ char *p = root_path(h->root, path);
	if (!p)
		return -1;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return -1;
	for (struct dirent *de; (de = readdir(d));) {
		const char *s = startswith(de->d_name, "node");
		uint32_t v;
		if (s && *s >= '0' && *s <= '9' && parse_u32(s, &v) >= 0 && v < NODES_MAX)
			return (int)v;
	}
	return -1;
}

/* Online node cpulists name the node of every online CPU in a handful of reads. */
static int read_node_lists(struct tdx_host *h) {
	_cleanup_free_ char *p = root_path(h->root, NODE_DIR);
	if (!p)
		return -ENOMEM;
	_cleanup_closedir_ DIR *d = opendir(p);
	if (!d)
		return 0;
	_cleanup_free_ uint8_t *bm = malloc((h->n_cpus + 7) / 8);
	if (!bm)
		return -ENOMEM;
	for (struct dirent *de; (de = readdir(d));) {
		const char *s = startswith(de->d_name, "node");
		uint32_t node;
		if (!s || *s < '0' || *s > '9' || parse_u32(s, &node) < 0 || node >= NODES_MAX)
			continue;
		char path[96];
		snprintf(path, sizeof(path), NODE_DIR "/node%u/cpulist", node);
		_cleanup_free_ char *list = NULL;
		int r = read_cpu_list(h, path, &list);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		memset(bm, 0, (h->n_cpus + 7) / 8);
		list_to_bitmap(h, path, list, bm, h->n_cpus);
		for (unsigned c = 0; c < h->n_cpus; c++)
			if (bitmap_test(bm, c))
				h->cpus[c].node = (int)node;
	}
	return 0;
}

static int apply_saved_packages(struct tdx_host *h) {
	if (h->run_files_stale)
		return 0;
	_cleanup_free_ struct cpu_package *e = NULL;
	size_t n = 0;
	unsigned line = 0;
	int r = run_cpu_package_read(h->root, &e, &n, &line);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (line)
			host_warn(h, "%s:%u: malformed line, file ignored", RUN_CPU_PACKAGE_PATH,
			          line);
		else
			host_warn(h, "%s: %s", RUN_CPU_PACKAGE_PATH, read_strerror(r));
		return 0;
	}
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (!cpu->present || cpu->package >= 0)
			continue;
		int p = cpu_package_lookup(e, n, c);
		if (p >= 0) {
			cpu->package = p;
			cpu->package_source = "saved";
		}
	}
	return 0;
}

/* An offline CPU whose NUMA node holds CPUs of one package only is in that package. */
static int infer_from_nodes(struct tdx_host *h) {
	int max_node = -1;
	for (unsigned c = 0; c < h->n_cpus; c++)
		if (h->cpus[c].node > max_node)
			max_node = h->cpus[c].node;
	if (max_node < 0)
		return 0;
	enum { NONE = -2, MIXED = -3 };
	_cleanup_free_ int *pkg = malloc(sizeof(int) * ((size_t)max_node + 1));
	if (!pkg)
		return -ENOMEM;
	for (int i = 0; i <= max_node; i++)
		pkg[i] = NONE;
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (cpu->node < 0 || cpu->package < 0)
			continue;
		int *p = &pkg[cpu->node];
		if (*p == NONE)
			*p = cpu->package;
		else if (*p != cpu->package)
			*p = MIXED;
	}
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (!cpu->present || cpu->package >= 0 || cpu->node < 0 || pkg[cpu->node] < 0)
			continue;
		cpu->package = pkg[cpu->node];
		cpu->package_source = "node";
	}
	return 0;
}

static int cmp_int(const void *a, const void *b) {
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_package_id(const void *key, const void *elem) {
	int k = *(const int *)key, id = ((const struct host_package *)elem)->id;
	return (k > id) - (k < id);
}

static int summarize(struct tdx_host *h) {
	/* packages: sort the distinct ids, then count */
	_cleanup_free_ int *ids = malloc(sizeof(int) * (h->n_cpus ? h->n_cpus : 1));
	if (!ids)
		return -ENOMEM;
	size_t n = 0;
	for (unsigned c = 0; c < h->n_cpus; c++)
		if (h->cpus[c].present && h->cpus[c].package >= 0)
			ids[n++] = h->cpus[c].package;
	qsort(ids, n, sizeof(int), cmp_int);
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		if (np == 0 || ids[np - 1] != ids[i])
			ids[np++] = ids[i];
	h->packages = calloc(np ? np : 1, sizeof(struct host_package));
	if (!h->packages)
		return -ENOMEM;
	h->n_packages = np;
	for (size_t i = 0; i < np; i++)
		h->packages[i].id = ids[i];

	int max_node = -1;
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (!cpu->present)
			continue;
		h->n_present++;
		if (cpu->online)
			h->n_online++;
		else if (cpu->package < 0)
			h->n_unknown_package_offline++;
		if (cpu->node > max_node)
			max_node = cpu->node;
		if (cpu->package < 0)
			continue;
		struct host_package *p = bsearch(&cpu->package, h->packages, np,
		                                 sizeof(struct host_package), cmp_package_id);
		p->present_cpus++;
		if (cpu->online)
			p->online_cpus++;
	}

	if (max_node < 0)
		return 0;
	_cleanup_free_ unsigned *present = calloc((size_t)max_node + 1, sizeof(unsigned));
	_cleanup_free_ unsigned *online = calloc((size_t)max_node + 1, sizeof(unsigned));
	if (!present || !online)
		return -ENOMEM;
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (!cpu->present || cpu->node < 0)
			continue;
		present[cpu->node]++;
		if (cpu->online)
			online[cpu->node]++;
	}
	for (int i = 0; i <= max_node; i++) {
		if (present[i] == 0 || online[i] > 0)
			continue;
		int *d = realloc(h->dark_nodes, (h->n_dark_nodes + 1) * sizeof(int));
		if (!d)
			return -ENOMEM;
		h->dark_nodes = d;
		h->dark_nodes[h->n_dark_nodes++] = i;
	}
	return 0;
}

int probe_cpus(struct tdx_host *h) {
	_cleanup_free_ char *present = NULL, *online = NULL;
	int r;

	r = read_cpu_list(h, CPU_DIR "/present", &present);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	r = read_cpu_list(h, CPU_DIR "/online", &online);
	if (r == -ENOMEM)
		return r;

	unsigned maxp = 0, maxo = 0;
	int rp = cpu_list_max(present, &maxp);
	if (rp < 0 && rp != -ENOENT) {
		host_warn(h, CPU_DIR "/present: malformed CPU list: \"%.64s\"", present);
		return 0;
	}
	int ro = online ? cpu_list_max(online, &maxo) : -ENOENT;
	if (ro < 0 && ro != -ENOENT) {
		host_warn(h, CPU_DIR "/online: malformed CPU list: \"%.64s\"", online);
		online = mfree(online);
	}
	if (rp == -ENOENT)
		return 0;
	unsigned max = ro >= 0 && maxo > maxp ? maxo : maxp;
	if (max >= CPUS_MAX) {
		host_warn(h, "%s: CPU %u is beyond the kernel's limit (NR_CPUS at most %u)",
		          ro >= 0 && maxo > maxp ? CPU_DIR "/online" : CPU_DIR "/present", max,
		          CPUS_MAX);
		return 0;
	}
	h->n_cpus = max + 1;
	h->cpus = calloc(h->n_cpus, sizeof(struct host_cpu));
	_cleanup_free_ uint8_t *bp = calloc((h->n_cpus + 7) / 8, 1);
	_cleanup_free_ uint8_t *bo = calloc((h->n_cpus + 7) / 8, 1);
	if (!h->cpus || !bp || !bo)
		return -ENOMEM;
	list_to_bitmap(h, CPU_DIR "/present", present, bp, h->n_cpus);
	if (online)
		list_to_bitmap(h, CPU_DIR "/online", online, bo, h->n_cpus);

	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		cpu->online = bitmap_test(bo, c);
		cpu->present = bitmap_test(bp, c) || cpu->online;
		cpu->package = -1;
		cpu->node = -1;
	}
	/* One physical_package_id and one package_cpus_list per package, not one read per CPU:
	 * a CPU named by the list of one read before is known already. */
	_cleanup_free_ uint8_t *scratch = malloc((h->n_cpus + 7) / 8);
	if (!scratch)
		return -ENOMEM;
	bool no_lists = false;
	for (unsigned c = 0; c < h->n_cpus; c++) {
		struct host_cpu *cpu = &h->cpus[c];
		if (!cpu->present || cpu->package >= 0)
			continue;
		/* offline CPUs lose topology/ on real kernels; fixtures may keep it */
		r = read_package(h, c, &cpu->package);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		cpu->package_source = "topology";
		if (cpu->online && !no_lists) {
			r = apply_package_list(h, c, cpu->package, bo, scratch, &no_lists);
			if (r < 0)
				return r;
		}
	}

	if ((r = read_node_lists(h)) < 0)
		return r;
	for (unsigned c = 0; c < h->n_cpus; c++)
		if (h->cpus[c].present && h->cpus[c].node < 0)
			h->cpus[c].node = read_cpu_node(h, c);

	if ((r = apply_saved_packages(h)) < 0)
		return r;
	if ((r = infer_from_nodes(h)) < 0)
		return r;
	return summarize(h);
}
