// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test double of the SGX driver's device nodes (arch/x86/kernel/cpu/sgx/driver.c) for tdxd's
 * system test lane: the QEMU/TCG guest has no SGX, so nothing else creates them.
 *
 * It registers the two misc devices the real driver registers, with the same names and node
 * names, so devtmpfs creates /dev/sgx_enclave and /dev/sgx_provision (character devices, misc
 * major 10, dynamic minors) and udev sees "misc" add events for them. Opening them succeeds;
 * nothing else is implemented: tdxd's sgx-devices check only looks for the two character
 * devices. Unloading the module removes both nodes, which is how a scenario takes them away.
 * It prints nothing: the real driver's "sgx: EPC section ..." lines would describe enclave
 * memory this guest does not have.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static int sgx_sim_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations sgx_sim_fops = {
	.owner = THIS_MODULE,
	.open = sgx_sim_open,
};

static struct miscdevice sgx_sim_enclave = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sgx_enclave",
	.nodename = "sgx_enclave",
	.fops = &sgx_sim_fops,
};

static struct miscdevice sgx_sim_provision = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sgx_provision",
	.nodename = "sgx_provision",
	.fops = &sgx_sim_fops,
};

static int __init sgx_sim_init(void)
{
	int r;

	r = misc_register(&sgx_sim_enclave);
	if (r)
		return r;
	r = misc_register(&sgx_sim_provision);
	if (r)
		misc_deregister(&sgx_sim_enclave);
	return r;
}

static void __exit sgx_sim_exit(void)
{
	misc_deregister(&sgx_sim_provision);
	misc_deregister(&sgx_sim_enclave);
}

module_init(sgx_sim_init);
module_exit(sgx_sim_exit);
MODULE_DESCRIPTION("tdxd system tests: stand-in for the SGX driver's device nodes (no hardware)");
MODULE_LICENSE("GPL");
