// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test double of the v7.2 TDX host services driver (drivers/virt/coco/tdx-host) and of the
 * kernel's firmware-upload core (drivers/base/firmware_loader/sysfs_upload.c) for tdxd's
 * system test lane. The lane's kernel has neither (CONFIG_FW_UPLOAD is off and it predates
 * the faux bus), so this module builds what userspace can observe of them, per
 * docs/kernel-interfaces.md (TDX module metadata: the tdx_host device; corrections: runtime
 * module update), and nothing else:
 *  - /sys/devices/faux/tdx_host/ with version (0444, "%u.%u.%02u\n", -ENXIO while an update
 *    holds the module and after a failed one), seamldr_version and num_remaining_updates
 *    (0400);
 *  - /sys/class/firmware/tdx_module -> /sys/devices/faux/tdx_host/firmware/tdx_module with
 *    the fw_upload files: loading ("1" begin, "0" hand-off, "-1" abort), data (the image),
 *    status (idle receiving preparing transferring programming), error ("<status>:<error>"
 *    at idle only, empty otherwise), remaining_size ("%u\n") and cancel (accepted, ignored:
 *    TDX module updates cannot be cancelled);
 *  - the kernel's image check (struct tdx_image_header: version 0x200, "TDX-BLOB" at offset
 *    4, at most 1 sigstruct page and 496 module pages, 4076 zero reserved bytes, exact
 *    length), failing as "transferring:firmware-invalid" like tdx_fw_write();
 *  - the P-SEAMLDR's update log: each good image uses one update; at zero the update fails
 *    ("transferring:flash-wearout", the word the driver gives -ENOSPC) and leaves the module
 *    untouched; a good image changes the version to next_*;
 *  - an injected failure of the update itself (fail_update=1): "programming:hw-error", and
 *    the module is unusable until reboot (version reads ENXIO).
 * Like the real update, a success prints nothing. It is independent of tdx_core_sim: its
 * version parameters default to the same 1.5.06.
 */
#include <linux/device.h>
#include <linux/kdev_t.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/unaligned.h>

/* --- the module and the P-SEAMLDR, chosen by the test ------------------------------------ */
static unsigned int major_version = 1, minor_version = 5, update_version = 6;
module_param(major_version, uint, 0444);
module_param(minor_version, uint, 0444);
module_param(update_version, uint, 0444);
MODULE_PARM_DESC(update_version, "the loaded TDX module's version (major.minor.update)");
static unsigned int next_major = 1, next_minor = 5, next_update = 8;
module_param(next_major, uint, 0444);
module_param(next_minor, uint, 0444);
module_param(next_update, uint, 0444);
MODULE_PARM_DESC(next_update, "the version a good image installs (next_major.next_minor.next_update)");
static unsigned int seamldr_major = 2, seamldr_minor = 0, seamldr_update = 0;
module_param(seamldr_major, uint, 0444);
module_param(seamldr_minor, uint, 0444);
module_param(seamldr_update, uint, 0444);
MODULE_PARM_DESC(seamldr_update, "the P-SEAMLDR's version");
static unsigned int remaining_updates = 2;
module_param(remaining_updates, uint, 0444);
MODULE_PARM_DESC(remaining_updates, "updates the P-SEAMLDR's log still allows (read the sysfs file for the live count)");
static bool seamldr_attrs = true;
module_param(seamldr_attrs, bool, 0444);
MODULE_PARM_DESC(seamldr_attrs, "show seamldr_version/num_remaining_updates (N: no TD-preserving update support)");
static bool fail_update;
module_param(fail_update, bool, 0644);
MODULE_PARM_DESC(fail_update, "make the next good image fail while programming (module unusable until reboot)");
static unsigned int step_ms = 300;
module_param(step_ms, uint, 0644);
MODULE_PARM_DESC(step_ms, "time spent in each upload phase, so userspace can watch it");

#define SIM_PAGE		4096u
#define SIM_HEADER_SIZE		4096u
#define SIM_MAX_SIG_PAGES	1u
#define SIM_MAX_MODULE_PAGES	496u
#define SIM_MAX_IMAGE		(SIM_HEADER_SIZE + (SIM_MAX_SIG_PAGES + SIM_MAX_MODULE_PAGES + 1) * SIM_PAGE)

/* sysfs_upload.c's words, indexed by the progress and error codes of include/linux/firmware.h */
enum prog { PROG_IDLE, PROG_RECEIVING, PROG_PREPARING, PROG_TRANSFERRING, PROG_PROGRAMMING };
static const char *const prog_str[] = {
	[PROG_IDLE] = "idle",
	[PROG_RECEIVING] = "receiving",
	[PROG_PREPARING] = "preparing",
	[PROG_TRANSFERRING] = "transferring",
	[PROG_PROGRAMMING] = "programming",
};
enum err { ERR_NONE, ERR_HW, ERR_WEAROUT, ERR_FW_INVALID };
static const char *const err_str[] = {
	[ERR_NONE] = "none",
	[ERR_HW] = "hw-error",
	[ERR_WEAROUT] = "flash-wearout",
	[ERR_FW_INVALID] = "firmware-invalid",
};

static DEFINE_MUTEX(lock);
static bool loading;		/* between "1" and "0"/"-1" */
static enum prog progress;
static enum prog err_progress;
static enum err err_code;
static u32 remaining_size;
static u8 *image;		/* vmalloc'd, SIM_MAX_IMAGE bytes while loading */
static size_t image_len;
static bool module_unusable;	/* a failed update: version reads ENXIO until reboot */
static unsigned int live_remaining;

static struct device *faux_root, *tdx_host, *fw_dev;
static struct class *fw_class;
static struct delayed_work step_work;

/* The kernel's checks of the image (arch/x86/virt/vmx/tdx/seamldr.c init_seamldr_params). */
static bool image_valid(const u8 *d, size_t len)
{
	u32 sig_pages, mod_pages;
	size_t i;

	if (len < SIM_HEADER_SIZE)
		return false;
	sig_pages = get_unaligned_le32(d + 12);
	mod_pages = get_unaligned_le32(d + 16);
	if ((u64)SIM_HEADER_SIZE + ((u64)sig_pages + mod_pages) * SIM_PAGE != len)
		return false;
	if (get_unaligned_le16(d) != 0x200)
		return false;
	if (sig_pages > SIM_MAX_SIG_PAGES || mod_pages > SIM_MAX_MODULE_PAGES)
		return false;
	if (memcmp(d + 4, "TDX-BLOB", 8))
		return false;
	for (i = 20; i < SIM_HEADER_SIZE; i++)
		if (d[i])
			return false;
	return true;
}

static void finish(enum err e)
{
	err_progress = progress;
	err_code = e;
	progress = PROG_IDLE;
	vfree(image);
	image = NULL;
	image_len = 0;
}

/* The fw_upload worker: one phase per step_ms, the update itself in "transferring" (where
 * tdx_fw_write() runs the P-SEAMLDR) and its completion in "programming". */
static void step(struct work_struct *w)
{
	bool again = true;

	mutex_lock(&lock);
	switch (progress) {
	case PROG_RECEIVING:
		progress = PROG_PREPARING;
		break;
	case PROG_PREPARING:
		progress = PROG_TRANSFERRING;
		remaining_size = image_len;
		break;
	case PROG_TRANSFERRING:
		if (!image_valid(image, image_len)) {
			finish(ERR_FW_INVALID);
			again = false;
		} else if (!live_remaining) {
			finish(ERR_WEAROUT);
			again = false;
		} else {
			remaining_size = 0;
			progress = PROG_PROGRAMMING;
		}
		break;
	case PROG_PROGRAMMING:
		live_remaining--;
		if (fail_update) {
			module_unusable = true;
			finish(ERR_HW);
		} else {
			major_version = next_major;
			minor_version = next_minor;
			update_version = next_update;
			finish(ERR_NONE);
		}
		again = false;
		break;
	default:
		again = false;
	}
	mutex_unlock(&lock);
	if (again)
		schedule_delayed_work(&step_work, msecs_to_jiffies(step_ms));
}

/* --- tdx_host ------------------------------------------------------------------------------ */
static ssize_t version_show(struct device *d, struct device_attribute *a, char *buf)
{
	ssize_t r;

	mutex_lock(&lock);
	/* the real attribute takes the update lock and fails while the module is not usable */
	if (module_unusable || progress == PROG_PROGRAMMING)
		r = -ENXIO;
	else
		r = sysfs_emit(buf, "%u.%u.%02u\n", major_version, minor_version, update_version);
	mutex_unlock(&lock);
	return r;
}
static DEVICE_ATTR_RO(version);

static ssize_t seamldr_version_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u.%u.%02u\n", seamldr_major, seamldr_minor, seamldr_update);
}
static DEVICE_ATTR(seamldr_version, 0400, seamldr_version_show, NULL);

static ssize_t num_remaining_updates_show(struct device *d, struct device_attribute *a, char *buf)
{
	ssize_t r;

	mutex_lock(&lock);
	r = sysfs_emit(buf, "%u\n", live_remaining);
	mutex_unlock(&lock);
	return r;
}
static DEVICE_ATTR(num_remaining_updates, 0400, num_remaining_updates_show, NULL);

static struct attribute *tdx_host_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_seamldr_version.attr,
	&dev_attr_num_remaining_updates.attr,
	NULL,
};

static umode_t tdx_host_visible(struct kobject *k, struct attribute *a, int n)
{
	if (a != &dev_attr_version.attr && !seamldr_attrs)
		return 0;
	return a->mode;
}

static const struct attribute_group tdx_host_group = {
	.attrs = tdx_host_attrs,
	.is_visible = tdx_host_visible,
};
static const struct attribute_group *tdx_host_groups[] = { &tdx_host_group, NULL };

/* --- the firmware-upload files -------------------------------------------------------------- */
static ssize_t loading_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", loading);
}

static ssize_t loading_store(struct device *d, struct device_attribute *a, const char *buf,
			     size_t count)
{
	int v, r;

	r = kstrtoint(buf, 10, &v);
	if (r)
		return r;
	mutex_lock(&lock);
	switch (v) {
	case 1:
		if (progress != PROG_IDLE) {
			r = -EBUSY;
			break;
		}
		if (!loading) {
			vfree(image);
			image = vzalloc(SIM_MAX_IMAGE);
			image_len = 0;
			if (!image) {
				r = -ENOMEM;
				break;
			}
			loading = true;
		}
		break;
	case 0:
		if (!loading)
			break;
		loading = false;
		/* fw_upload_start(): queued before the store returns */
		progress = PROG_RECEIVING;
		err_code = ERR_NONE;
		remaining_size = image_len;
		schedule_delayed_work(&step_work, msecs_to_jiffies(step_ms));
		break;
	case -1:
		loading = false;
		vfree(image);
		image = NULL;
		image_len = 0;
		break;
	default:
		r = -EINVAL;
	}
	mutex_unlock(&lock);
	return r ? r : count;
}
static DEVICE_ATTR_RW(loading);

static ssize_t status_show(struct device *d, struct device_attribute *a, char *buf)
{
	ssize_t r;

	mutex_lock(&lock);
	r = sysfs_emit(buf, "%s\n", prog_str[progress]);
	mutex_unlock(&lock);
	return r;
}
static DEVICE_ATTR_RO(status);

static ssize_t error_show(struct device *d, struct device_attribute *a, char *buf)
{
	ssize_t r = 0;

	mutex_lock(&lock);
	if (progress == PROG_IDLE && err_code != ERR_NONE)
		r = sysfs_emit(buf, "%s:%s\n", prog_str[err_progress], err_str[err_code]);
	mutex_unlock(&lock);
	return r;
}
static DEVICE_ATTR_RO(error);

static ssize_t remaining_size_show(struct device *d, struct device_attribute *a, char *buf)
{
	ssize_t r;

	mutex_lock(&lock);
	r = sysfs_emit(buf, "%u\n", remaining_size);
	mutex_unlock(&lock);
	return r;
}
static DEVICE_ATTR_RO(remaining_size);

static ssize_t cancel_store(struct device *d, struct device_attribute *a, const char *buf,
			    size_t count)
{
	bool v;
	int r = kstrtobool(buf, &v);

	if (r)
		return r;
	/* sysfs_upload.c: nothing to cancel at idle; tdx-host's cancel op does nothing */
	mutex_lock(&lock);
	r = progress == PROG_IDLE ? -ENODEV : 0;
	mutex_unlock(&lock);
	return r ? r : count;
}
static DEVICE_ATTR_WO(cancel);

static ssize_t data_write(struct file *f, struct kobject *k, struct bin_attribute *attr,
			  char *buf, loff_t off, size_t count)
{
	ssize_t r = count;

	mutex_lock(&lock);
	if (!loading || !image)
		r = -ENODEV;
	else if (off < 0 || off + count > SIM_MAX_IMAGE)
		r = -EFBIG;
	else {
		memcpy(image + off, buf, count);
		if (off + count > image_len)
			image_len = off + count;
	}
	mutex_unlock(&lock);
	return r;
}
static BIN_ATTR(data, 0200, NULL, data_write, 0);

static struct attribute *fw_attrs[] = {
	&dev_attr_loading.attr,
	&dev_attr_status.attr,
	&dev_attr_error.attr,
	&dev_attr_remaining_size.attr,
	&dev_attr_cancel.attr,
	NULL,
};
static struct bin_attribute *fw_bin_attrs[] = { &bin_attr_data, NULL };
static const struct attribute_group fw_group = {
	.attrs = fw_attrs,
	.bin_attrs = fw_bin_attrs,
};
static const struct attribute_group *fw_groups[] = { &fw_group, NULL };

static void tdx_host_release(struct device *d)
{
	kfree(d);
}

static void teardown(void)
{
	if (fw_dev)
		device_unregister(fw_dev);
	if (fw_class)
		class_destroy(fw_class);
	if (tdx_host)
		device_unregister(tdx_host);
	if (faux_root)
		root_device_unregister(faux_root);
}

static int __init tdx_fwupload_sim_init(void)
{
	int r;

	live_remaining = remaining_updates;
	INIT_DELAYED_WORK(&step_work, step);

	/* /sys/devices/faux: the faux bus's root on v6.14+, a plain root device here */
	faux_root = root_device_register("faux");
	if (IS_ERR(faux_root)) {
		r = PTR_ERR(faux_root);
		faux_root = NULL;
		return r;
	}
	tdx_host = kzalloc(sizeof(*tdx_host), GFP_KERNEL);
	if (!tdx_host) {
		teardown();
		return -ENOMEM;
	}
	device_initialize(tdx_host);
	tdx_host->parent = faux_root;
	tdx_host->release = tdx_host_release;
	tdx_host->groups = tdx_host_groups;
	dev_set_name(tdx_host, "tdx_host");
	r = device_add(tdx_host);
	if (r) {
		put_device(tdx_host);
		tdx_host = NULL;
		teardown();
		return r;
	}

	/* The "firmware" class exists only with CONFIG_FW_LOADER_USER_HELPER or FW_UPLOAD, both
	 * off in the lane's kernel: the class link lands at /sys/class/firmware/tdx_module and
	 * the device under tdx_host/firmware/, as the real registration does. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	fw_class = class_create("firmware");
#else
	fw_class = class_create(THIS_MODULE, "firmware");
#endif
	if (IS_ERR(fw_class)) {
		r = PTR_ERR(fw_class);
		fw_class = NULL;
		teardown();
		return r;
	}
	fw_dev = device_create_with_groups(fw_class, tdx_host, MKDEV(0, 0), NULL, fw_groups,
					   "tdx_module");
	if (IS_ERR(fw_dev)) {
		r = PTR_ERR(fw_dev);
		fw_dev = NULL;
		teardown();
		return r;
	}
	return 0;
}

static void __exit tdx_fwupload_sim_exit(void)
{
	cancel_delayed_work_sync(&step_work);
	teardown();
	vfree(image);
}

module_init(tdx_fwupload_sim_init);
module_exit(tdx_fwupload_sim_exit);
MODULE_DESCRIPTION("tdxd system tests: stand-in for the v7.2 tdx_host device and its TDX module upload (no hardware)");
MODULE_LICENSE("GPL");
