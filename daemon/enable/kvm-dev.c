/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "kvm-dev.h"
#include "macro.h"

static int real_open(void *userdata) {
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int real_ioctl(void *userdata, int fd, unsigned long request, unsigned long arg) {
	int r = ioctl(fd, request, arg);
	return r < 0 ? -errno : r;
}

static void real_close(void *userdata, int fd) {
	(void)close(fd);
}

const struct kvm_dev_ops kvm_dev_real_ops = {
    .open_kvm = real_open,
    .ioctl = real_ioctl,
    .close_fd = real_close,
};

int kvm_dev_ask(const struct kvm_dev_ops *ops, struct kvm_dev_answers *ret) {
	struct kvm_dev_answers a = {0};
	int fd, r;

	fd = ops->open_kvm(ops->userdata);
	if (fd < 0)
		return fd;

	r = ops->ioctl(ops->userdata, fd, TDXD_KVM_CHECK_EXTENSION, TDXD_KVM_CAP_VM_TYPES);
	if (r < 0) {
		ops->close_fd(ops->userdata, fd);
		return r;
	}
	a.asked = true;
	a.vm_types = (uint64_t)(unsigned)r;
	a.tdx_vm_type = a.vm_types & (UINT64_C(1) << TDXD_KVM_X86_TDX_VM);

	/* KVM_CAP_MAX_VCPUS on /dev/kvm is the generic KVM_MAX_VCPUS; only a TD's own VM fd
	 * answers with the per-TD limit (min of that and the present CPUs). */
	if (a.tdx_vm_type) {
		int vm = ops->ioctl(ops->userdata, fd, TDXD_KVM_CREATE_VM, TDXD_KVM_X86_TDX_VM);
		if (vm < 0)
			a.create_vm_error = vm;
		else {
			r = ops->ioctl(ops->userdata, vm, TDXD_KVM_CHECK_EXTENSION,
			               TDXD_KVM_CAP_MAX_VCPUS);
			if (r > 0)
				a.td_max_vcpus = (uint32_t)r;
			ops->close_fd(ops->userdata, vm);
		}
	}
	ops->close_fd(ops->userdata, fd);
	*ret = a;
	return 0;
}
