/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The questions tdxd asks /dev/kvm (docs/kernel-interfaces.md, "/dev/kvm"), behind an ops table so
 * unit tests can fake the kernel's answers. Asking uses no KeyID and issues no SEAMCALL: a
 * throw-away KVM_CREATE_VM(KVM_X86_TDX_VM) only sets up state in KVM. */

#include <stdbool.h>
#include <stdint.h>

#define TDXD_KVMIO               0xAE
#define TDXD_KVM_CREATE_VM       0xAE01UL /* _IO(KVMIO, 0x01), argument: the VM type */
#define TDXD_KVM_CHECK_EXTENSION 0xAE03UL /* _IO(KVMIO, 0x03), system or VM fd */
#define TDXD_KVM_CAP_MAX_VCPUS   66
#define TDXD_KVM_CAP_VM_TYPES    235
#define TDXD_KVM_X86_TDX_VM      5

struct kvm_dev_ops {
	/* Returns an fd for /dev/kvm, or -errno. */
	int (*open_kvm)(void *userdata);
	/* An ioctl with an integer argument: its non-negative result, or -errno. */
	int (*ioctl)(void *userdata, int fd, unsigned long request, unsigned long arg);
	void (*close_fd)(void *userdata, int fd);
	void *userdata;
};

/* The real device. */
extern const struct kvm_dev_ops kvm_dev_real_ops;

struct kvm_dev_answers {
	bool asked;            /* /dev/kvm was opened and KVM_CAP_VM_TYPES answered */
	uint64_t vm_types;     /* the KVM_CAP_VM_TYPES bitmask (0 on kernels without the cap) */
	bool tdx_vm_type;      /* bit KVM_X86_TDX_VM is set */
	int create_vm_error;   /* -errno of the throw-away KVM_CREATE_VM(5), 0 if it worked */
	uint32_t td_max_vcpus; /* KVM_CAP_MAX_VCPUS on the TD VM fd, 0 unknown */
};

/* Ask /dev/kvm through ops. Returns 0 (answers in *ret), or the -errno of opening /dev/kvm or
 * of KVM_CHECK_EXTENSION(KVM_CAP_VM_TYPES) (*ret untouched). A failed throw-away VM is not an
 * error: ret->create_vm_error says why and td_max_vcpus stays 0. */
int kvm_dev_ask(const struct kvm_dev_ops *ops, struct kvm_dev_answers *ret);
