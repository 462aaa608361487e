// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test double of the TDX host core (arch/x86/virt/vmx/tdx/tdx.c) for tdxd's system test lane,
 * loaded early at boot (modules-load.d) in a QEMU guest that has no TDX hardware.
 *
 * It reproduces what userspace can observe of the real core, per
 * docs/kernel-interfaces.md, and nothing else:   [line 8: "(*Boot-time detection*)" => "(*Boot-time detection*)", "(*Version and vendor module lines*, *CMR lines*)" => "(*Version and vendor module lines*, *CMR lines*)"; check the rest of that list for more "section N"]
 *  - boot-time log lines: "BIOS enabled: private KeyID range [a, b)" (section 2.1) and the
 *    vendor-kernel "TDX module: attributes ..." and "CMR: [a, b)" lines (section 4.3);
 *  - the vendor /sys/firmware/tdx/ files (*Vendor firmware directory*);
 *  - tdx_enable(): a one-shot module initialization with the v6.8-v7.0 log lines (section 1,
 *    2.3), failing like the real one when a package has no online CPU, when memory that was
 *    ever onlined lies outside the CMRs (*What joins TDX memory*, point 2), or when the test injects a
 *    SEAMCALL failure;
 *  - the memory notifier (*The kernel's memory notifier*): once initialized, onlining memory that is not
 *    entirely inside one range of the memory present at initialization gets NOTIFY_BAD, which
 *    userspace sees as EPERM, with no message.
 * Every string printed here is part of the interface under test: keep it byte-exact to the
 * spec (tests/system/check-kmod-strings.sh compares them).
 */
#define pr_fmt(fmt) "virt/tdx: " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/ioport.h>
#include <linux/kobject.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <asm/topology.h>

#include "tdx_sim.h"

#define SIM_MAX_CMRS		32
#define SIM_MAX_PACKAGES	64

/* SEAMCALL leaf numbers of the steps the simulated initialization goes through. */
#define TDH_SYS_KEY_CONFIG	31
#define TDH_SYS_TDMR_INIT	36
#define TDH_SYS_CONFIG		45
/* The module's answer when a package never ran TDH.SYS.KEY.CONFIG (no online CPU in it). The
 * real status value is not part of the spec: this one is the stand-in's own, documented. */
#define SIM_STATUS_KEY_NOT_CONFIGURED	0xc000082000000000ULL
/* ... and when a TDMR covers memory outside the CMRs (the stand-in's own value too). */
#define SIM_STATUS_NOT_CONVERTIBLE	0xc000082100000000ULL

/* --- what the "BIOS" and the "TDX module" are: chosen by the test, fixed after load ----- */
static unsigned int keyid_start = 32;
module_param(keyid_start, uint, 0444);
MODULE_PARM_DESC(keyid_start, "first TDX private KeyID (MSR 0x87 partitioning)");
static unsigned int nr_keyids = 32;
module_param(nr_keyids, uint, 0444);
MODULE_PARM_DESC(nr_keyids, "number of TDX KeyIDs, the global one included (0: BIOS off)");

/* Defaults fit the lane's guest (-m 2G, hot-plug area from 4 GiB): all boot RAM, plus the
 * first 256 MiB of the hot-plug area, so a DIMM at 4 GiB is inside and one at 4.25 GiB not. */
static unsigned long long cmr_base[SIM_MAX_CMRS] = { 0x100000ULL, 0x100000000ULL };
static unsigned long long cmr_size[SIM_MAX_CMRS] = { 0x7ff00000ULL, 0x10000000ULL };
static int nr_cmr_base = 2, nr_cmr_size = 2;
module_param_array(cmr_base, ullong, &nr_cmr_base, 0444);
MODULE_PARM_DESC(cmr_base, "CMR base addresses (comma-separated)");
module_param_array(cmr_size, ullong, &nr_cmr_size, 0444);
MODULE_PARM_DESC(cmr_size, "CMR sizes, one per cmr_base");

static ushort major_version = 1, minor_version = 5, update_version = 6;
module_param(major_version, ushort, 0444);
module_param(minor_version, ushort, 0444);
module_param(update_version, ushort, 0444);
static unsigned int build_date = 20240725, build_num = 784;
module_param(build_date, uint, 0444);
module_param(build_num, uint, 0444);
static ushort max_vcpus_per_td = 576;
module_param(max_vcpus_per_td, ushort, 0444);
MODULE_PARM_DESC(max_vcpus_per_td, "module metadata MAX_VCPUS_PER_TD");

/* --- injected failure: writable so a scenario can arm it right before the KVM load ------- */
static ulong inject_seamcall;
module_param(inject_seamcall, ulong, 0644);
MODULE_PARM_DESC(inject_seamcall,
		 "SEAMCALL leaf that fails during initialization: 45 TDH.SYS.CONFIG, 31 TDH.SYS.KEY.CONFIG, 36 TDH.SYS.TDMR.INIT (0: none)");
static ulong inject_status = 0xc000010000000000UL;
module_param(inject_status, ulong, 0644);
MODULE_PARM_DESC(inject_status, "TDX status the injected SEAMCALL returns");

/* --- held initialization: while set, tdx_sim_enable() waits before doing anything, so a test
 * can keep the KVM module's init_module running (the PAMT allocation of a big host) for as
 * long as it needs, and release it by writing 0. Prints nothing. */
static bool hold_enable;
module_param(hold_enable, bool, 0644);
MODULE_PARM_DESC(hold_enable, "tdx_sim_enable() waits while this is set (0: does not wait)");

#define TDX_VENDOR_ID	0x8086
#define TDX_ATTRIBUTES	0x0
#define TDX_FEATURES0_NO_RBP_MOD	BIT_ULL(18)

enum module_status { MODULE_UNINITIALIZED, MODULE_INITIALIZED, MODULE_ERROR };

struct tdx_range {
	unsigned long start_pfn, end_pfn;
};

static bool platform;			/* BIOS enabled, >= 2 KeyIDs */
static unsigned int nr_cmrs;
static DEFINE_MUTEX(enable_lock);
static enum module_status module_status;	/* written under enable_lock */
/* tdx_memlist: the memory present at initialization, published before module_status. */
static struct tdx_range *memlist;
static unsigned int nr_memlist;

/*
 * What memblock holds, as far as TDX cares: the System RAM present when this module loaded
 * (boot), plus every range onlined since. The real kernel adds hot-added memory to memblock
 * when it is added, online or not (add_memory_resource() with ARCH_KEEP_MEMBLOCK); a module
 * sees no event for an add, only for an online, so this is a subset of the real list: a block
 * only added and never onlined would fail a real initialization but not this one (tdxd
 * refuses to enable TDX in both cases). Modules cannot see memblock itself. First 1 MiB clipped; driver-managed "System RAM
 * (kmem)" left out, as memblock marks it and tdx_memlist skips it. Adjacent ranges merge, as
 * memblock merges them (this ignores the NUMA node memblock also compares).
 */
#define SIM_MAX_RANGES	256
static struct tdx_range sysmem[SIM_MAX_RANGES];
static unsigned int nr_sysmem;
static DEFINE_MUTEX(sysmem_lock);

static void sysmem_add(unsigned long start, unsigned long end)
{
	unsigned int i;

	start = max_t(unsigned long, start, PFN_UP(SZ_1M));
	if (start >= end)
		return;
	mutex_lock(&sysmem_lock);
	for (i = 0; i < nr_sysmem; i++) {
		struct tdx_range *r = &sysmem[i];

		if (start >= r->start_pfn && end <= r->end_pfn)
			goto out;	/* onlined again: already there */
		if (r->end_pfn == start) {
			r->end_pfn = end;
			goto out;
		}
		if (r->start_pfn == end) {
			r->start_pfn = start;
			goto out;
		}
	}
	if (nr_sysmem < SIM_MAX_RANGES) {
		sysmem[nr_sysmem].start_pfn = start;
		sysmem[nr_sysmem].end_pfn = end;
		nr_sysmem++;
	}
out:
	mutex_unlock(&sysmem_lock);
}

static int find_driver_managed(struct resource *res, void *arg)
{
	return 1;
}

static bool is_driver_managed(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long flags = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY |
			      IORESOURCE_SYSRAM_DRIVER_MANAGED;

	return walk_iomem_res_desc(IORES_DESC_NONE, flags, PFN_PHYS(start_pfn),
				   PFN_PHYS(end_pfn) - 1, NULL, find_driver_managed) == 1;
}

static int add_boot_ram(struct resource *res, void *arg)
{
	if (!(res->flags & IORESOURCE_SYSRAM_DRIVER_MANAGED))
		sysmem_add(PFN_UP(res->start), PFN_DOWN(res->end + 1));
	return 0;
}

/* The memory gate (docs/kernel-interfaces.md, *The kernel's memory notifier*). */

static bool is_tdx_memory(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned int i;

	for (i = 0; i < nr_memlist; i++)
		if (start_pfn >= memlist[i].start_pfn && end_pfn <= memlist[i].end_pfn)
			return true;
	return false;
}

static int tdx_memory_notifier(struct notifier_block *nb, unsigned long action, void *v)
{
	struct memory_notify *mn = v;

	if (action == MEM_ONLINE) {
		if (!is_driver_managed(mn->start_pfn, mn->start_pfn + mn->nr_pages))
			sysmem_add(mn->start_pfn, mn->start_pfn + mn->nr_pages);
		return NOTIFY_OK;
	}
	if (action != MEM_GOING_ONLINE)
		return NOTIFY_OK;
	/* Not initialized: any memory may go online (and would become TDX memory). */
	if (smp_load_acquire(&module_status) != MODULE_INITIALIZED)
		return NOTIFY_OK;
	if (is_tdx_memory(mn->start_pfn, mn->start_pfn + mn->nr_pages))
		return NOTIFY_OK;
	/* NOTIFY_BAD <=> EPERM, and the real kernel prints nothing here either. */
	return NOTIFY_BAD;
}

static struct notifier_block tdx_memory_nb = {
	.notifier_call = tdx_memory_notifier,
};

/* build_tdx_memlist(): memblock as it is now. */
static int build_tdx_memlist(u64 *ret_bytes)
{
	unsigned int i;
	u64 bytes = 0;

	mutex_lock(&sysmem_lock);
	memlist = kmemdup(sysmem, sizeof(sysmem[0]) * (nr_sysmem ?: 1), GFP_KERNEL);
	nr_memlist = memlist ? nr_sysmem : 0;
	mutex_unlock(&sysmem_lock);
	if (!memlist)
		return -ENOMEM;
	for (i = 0; i < nr_memlist; i++)
		bytes += (u64)(memlist[i].end_pfn - memlist[i].start_pfn) << PAGE_SHIFT;
	*ret_bytes = bytes;
	return 0;
}

/* Inside the CMRs, adjacent CMRs merged: what TDH.SYS.CONFIG demands of every TDMR. */
static bool is_convertible(u64 start, u64 end)
{
	unsigned int i;
	bool progress = true;

	while (start < end && progress) {
		progress = false;
		for (i = 0; i < nr_cmrs; i++) {
			if (cmr_size[i] && cmr_base[i] <= start && start < cmr_base[i] + cmr_size[i]) {
				start = cmr_base[i] + cmr_size[i];
				progress = true;
			}
		}
	}
	return start >= end;
}

static bool memlist_convertible(void)
{
	unsigned int i;

	for (i = 0; i < nr_memlist; i++)
		if (!is_convertible(PFN_PHYS(memlist[i].start_pfn), PFN_PHYS(memlist[i].end_pfn)))
			return false;
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Module initialization (tdx_enable(), docs/kernel-interfaces.md, *TDX module initialization*, v6.8-v7.0 lines). */

static int seamcall_prerr(u64 fn, u64 status)
{
	pr_err("SEAMCALL (0x%016llx) failed: 0x%016llx\n", fn, status);
	return -EIO;
}

/* A simulated SEAMCALL of one initialization step: fails only when the test injected it. */
static int sim_seamcall(u64 fn)
{
	if (READ_ONCE(inject_seamcall) == fn)
		return seamcall_prerr(fn, READ_ONCE(inject_status));
	return 0;
}

/*
 * TDH.SYS.KEY.CONFIG runs on one CPU of every package; a package with no online CPU is
 * skipped and TDH.SYS.TDMR.INIT then fails (comment on config_global_keyid()).
 */
static bool every_package_online(void)
{
	DECLARE_BITMAP(present, SIM_MAX_PACKAGES);
	DECLARE_BITMAP(online, SIM_MAX_PACKAGES);
	unsigned int cpu;

	bitmap_zero(present, SIM_MAX_PACKAGES);
	bitmap_zero(online, SIM_MAX_PACKAGES);
	for_each_present_cpu(cpu) {
		unsigned int pkg = topology_physical_package_id(cpu);

		if (pkg >= SIM_MAX_PACKAGES)
			continue;
		__set_bit(pkg, present);
		if (cpu_online(cpu))
			__set_bit(pkg, online);
	}
	return bitmap_equal(present, online, SIM_MAX_PACKAGES);
}

static int init_tdx_module(void)
{
	u64 bytes, pamt_kb;
	int ret;

	ret = build_tdx_memlist(&bytes);
	if (ret)
		return ret;
	/* PAMT: 16 bytes per 4K, 2M and 1G page of TDX memory. */
	pamt_kb = ((bytes >> 12) + (bytes >> 21) + (bytes >> 30)) * 16 / 1024;

	/* TDMRs cover all of tdx_memlist: the module refuses non-convertible memory. */
	if (!memlist_convertible())
		ret = seamcall_prerr(TDH_SYS_CONFIG, SIM_STATUS_NOT_CONVERTIBLE);
	if (!ret)
		ret = sim_seamcall(TDH_SYS_CONFIG);
	if (!ret)
		ret = sim_seamcall(TDH_SYS_KEY_CONFIG);
	if (!ret && !every_package_online())
		ret = seamcall_prerr(TDH_SYS_TDMR_INIT, SIM_STATUS_KEY_NOT_CONFIGURED);
	if (!ret)
		ret = sim_seamcall(TDH_SYS_TDMR_INIT);
	if (ret) {
		kfree(memlist);
		memlist = NULL;
		nr_memlist = 0;
		return ret;
	}
	pr_info("%lu KB allocated for PAMT\n", (unsigned long)pamt_kb);
	return 0;
}

int tdx_sim_enable(void)
{
	int ret;

	if (!platform)
		return -ENODEV;
	/* Held by the test: not under the CPU hotplug lock, which this wait would block. Not
	 * interruptible, as the real initialization is not. */
	while (READ_ONCE(hold_enable))
		msleep(20);
	cpus_read_lock();
	mutex_lock(&enable_lock);
	switch (module_status) {
	case MODULE_UNINITIALIZED:
		ret = init_tdx_module();
		if (ret) {
			pr_err("module initialization failed (%d)\n", ret);
			smp_store_release(&module_status, MODULE_ERROR);
			break;
		}
		pr_info("module initialized\n");
		smp_store_release(&module_status, MODULE_INITIALIZED);
		break;
	case MODULE_INITIALIZED:
		ret = 0;
		break;
	default:
		/* One-shot: a failed initialization is not retried until reboot. */
		ret = -EINVAL;
		break;
	}
	mutex_unlock(&enable_lock);
	cpus_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(tdx_sim_enable);

bool tdx_sim_platform(void)
{
	return platform;
}
EXPORT_SYMBOL_GPL(tdx_sim_platform);

u16 tdx_sim_max_vcpus_per_td(void)
{
	return max_vcpus_per_td;
}
EXPORT_SYMBOL_GPL(tdx_sim_max_vcpus_per_td);

/* ---------------------------------------------------------------------------------------- */
/* Vendor sysfs: /sys/firmware/tdx (docs/kernel-interfaces.md, *Vendor firmware directory*). No trailing newlines. */

static struct kobject *tdx_kobj, *module_kobj, *metadata_kobj;

static ssize_t keyid_num_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "0x%08x", nr_keyids);
}

static ssize_t status_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	static const char *const names[] = {
		[MODULE_UNINITIALIZED] = "unknown",
		[MODULE_INITIALIZED] = "initialized",
		[MODULE_ERROR] = "error",
	};

	return sysfs_emit(buf, "%s", names[smp_load_acquire(&module_status)]);
}

#define HEX_ATTR(name, value)							\
	static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
				   char *buf)						\
	{									\
		return sysfs_emit(buf, "0x%08x", (u32)(value));			\
	}									\
	static struct kobj_attribute name##_attr = __ATTR_RO(name)

HEX_ATTR(attributes, TDX_ATTRIBUTES);
HEX_ATTR(vendor_id, TDX_VENDOR_ID);
HEX_ATTR(build_num, build_num);
HEX_ATTR(minor_version, minor_version);
HEX_ATTR(major_version, major_version);

static ssize_t build_date_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d", build_date);
}

static struct kobj_attribute keyid_num_attr = __ATTR_RO(keyid_num);
static struct kobj_attribute status_attr = __ATTR_RO(status);
static struct kobj_attribute build_date_attr = __ATTR_RO(build_date);

static struct attribute *module_attrs[] = {
	&status_attr.attr, &attributes_attr.attr, &vendor_id_attr.attr, &build_num_attr.attr,
	&build_date_attr.attr, &minor_version_attr.attr, &major_version_attr.attr, NULL,
};
static const struct attribute_group module_group = { .attrs = module_attrs };

/*
 * Metadata: one binary file per field id; an array is one file named after element 0, the
 * elements little-endian and concatenated; element size from bits 33:32 of the id.
 */
struct md_field {
	u64 id;
	size_t len;
	void *data;
	struct bin_attribute attr;
	char name[17];
};

static struct md_field *fields;
static unsigned int nr_fields;

static ssize_t md_read(struct file *f, struct kobject *k, struct bin_attribute *attr, char *buf,
		       loff_t off, size_t count)
{
	struct md_field *fld = attr->private;

	return memory_read_from_buffer(buf, count, &off, fld->data, fld->len);
}

static int add_field(u64 id, const u64 *values, unsigned int n)
{
	size_t elem = 1U << ((id >> 32) & 3);
	struct md_field *fld = &fields[nr_fields];
	unsigned int i;
	u8 *p;

	fld->data = p = kcalloc(n ?: 1, elem, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u64 le = cpu_to_le64(values[i]);

		memcpy(p + i * elem, &le, elem);
	}
	fld->id = id;
	fld->len = n * elem;
	snprintf(fld->name, sizeof(fld->name), "%016llx", id);
	sysfs_bin_attr_init(&fld->attr);
	fld->attr.attr.name = fld->name;
	fld->attr.attr.mode = 0444;
	fld->attr.size = fld->len;
	fld->attr.read = md_read;
	fld->attr.private = fld;
	nr_fields++;
	return sysfs_create_bin_file(metadata_kobj, &fld->attr);
}

static int create_metadata(void)
{
	u64 v;
	int r;

	fields = kcalloc(9, sizeof(*fields), GFP_KERNEL);
	if (!fields)
		return -ENOMEM;
	v = minor_version;
	r = add_field(0x0800000100000003ULL, &v, 1);
	v = major_version;
	r = r ?: add_field(0x0800000100000004ULL, &v, 1);
	v = update_version;
	r = r ?: add_field(0x0800000100000005ULL, &v, 1);
	v = TDX_FEATURES0_NO_RBP_MOD;
	r = r ?: add_field(0x0A00000300000008ULL, &v, 1);
	v = nr_cmrs;
	r = r ?: add_field(0x9000000100000000ULL, &v, 1);		/* NUM_CMRS */
	r = r ?: add_field(0x9000000300000080ULL, cmr_base, nr_cmrs);	/* CMR_BASE[] */
	r = r ?: add_field(0x9000000300000100ULL, cmr_size, nr_cmrs);	/* CMR_SIZE[] */
	v = max_vcpus_per_td;
	r = r ?: add_field(0x9900000100000008ULL, &v, 1);		/* MAX_VCPUS_PER_TD */
	return r;
}

static void remove_sysfs(void)
{
	unsigned int i;

	for (i = 0; i < nr_fields; i++) {
		sysfs_remove_bin_file(metadata_kobj, &fields[i].attr);
		kfree(fields[i].data);
	}
	kfree(fields);
	kobject_put(metadata_kobj);
	if (module_kobj)
		sysfs_remove_group(module_kobj, &module_group);
	kobject_put(module_kobj);
	kobject_put(tdx_kobj);
}

static int create_sysfs(void)
{
	int r;

	tdx_kobj = kobject_create_and_add("tdx", firmware_kobj);
	if (!tdx_kobj)
		return -ENOMEM;
	r = sysfs_create_file(tdx_kobj, &keyid_num_attr.attr);
	if (r)
		return r;
	module_kobj = kobject_create_and_add("tdx_module", tdx_kobj);
	if (!module_kobj)
		return -ENOMEM;
	r = sysfs_create_group(module_kobj, &module_group);
	if (r)
		return r;
	metadata_kobj = kobject_create_and_add("metadata", module_kobj);
	if (!metadata_kobj)
		return -ENOMEM;
	return create_metadata();
}

/* ---------------------------------------------------------------------------------------- */

static int __init tdx_core_sim_init(void)
{
	unsigned int i;
	int r;

	if (nr_cmr_base != nr_cmr_size) {
		pr_err("sim: cmr_base and cmr_size differ in length\n");
		return -EINVAL;
	}
	nr_cmrs = nr_cmr_base;

	/* tdx_init() at boot: no KeyIDs partitioned means the BIOS left TDX off, silently. */
	if (!nr_keyids)
		return 0;
	pr_info("BIOS enabled: private KeyID range [%u, %u)\n", keyid_start,
		keyid_start + nr_keyids);
	if (nr_keyids < 2) {
		pr_err("initialization failed: too few private KeyIDs available.\n");
		return 0;
	}
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, -1,
			    NULL, add_boot_ram);
	r = register_memory_notifier(&tdx_memory_nb);
	if (r) {
		pr_err("initialization failed: register_memory_notifier() failed (%d)\n", r);
		return 0;
	}
	pr_info("Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.\n");
	platform = true;

	/* What the vendor kernels print once they have read the module's information. */
	pr_info("TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u\n",
		TDX_ATTRIBUTES, TDX_VENDOR_ID, major_version, minor_version, build_date,
		build_num);
	for (i = 0; i < nr_cmrs; i++) {
		if (!cmr_size[i])
			continue;
		pr_info("CMR: [0x%llx, 0x%llx)\n", cmr_base[i], cmr_base[i] + cmr_size[i]);
	}

	r = create_sysfs();
	if (r) {
		remove_sysfs();
		unregister_memory_notifier(&tdx_memory_nb);
		platform = false;
		return r;
	}
	return 0;
}

/* No module_exit: like the built-in core it stands for, it cannot be unloaded (the memory
 * gate and the one-shot initialization state live until reboot). */
module_init(tdx_core_sim_init);
MODULE_DESCRIPTION("tdxd system tests: stand-in for the TDX host core (no hardware)");
MODULE_LICENSE("GPL");
