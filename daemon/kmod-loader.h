/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The enable sequence (spec sections 1, 4, 7): check prerequisites, load KVMModule with
 * KVMModuleOptions through libkmod (aliases, dependencies, blacklists and modprobe.d options as
 * modprobe does), reload an idle module loaded without TDX, verify what the kernel did and
 * explain a failure from the kernel log lines written since the load began. */

#include <systemd/sd-bus.h>

struct Manager;

/* Start the sequence (at start-up, or for EnableTDX() when `call` is set: the reply is sent when
 * it ends). Sets m->enable.running while it runs. Returns -EBUSY when one is running. */
int kmod_loader_start(struct Manager *m, sd_bus_message *call);
void kmod_loader_free(struct Manager *m);
