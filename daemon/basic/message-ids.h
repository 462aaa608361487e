/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The journal MESSAGE_IDs of tdxd's policy actions, explained in systemd/tdxd.catalog
 * (`journalctl -x`). Fixed for the project: never reuse or change one. */

#define CPU_GUARD_MESSAGE_ID      "6a1c3f0e9d2b4b7a8e51c0d4f2a7b913" /* offline refused/undone */
#define MEMORY_REFUSED_MESSAGE_ID "3b8e5d71c9f04a2e9a16d0b7c45e2f08" /* memory kept offline */
#define TDX_ENABLED_MESSAGE_ID    "c2f4a9180b7e4d6c93a5e1f07b2d8c64" /* TDX enabled (ready) */
#define ENABLE_FAILED_MESSAGE_ID  "9d07e3b15a6c4f28b1e4c8a2d0f39e57" /* enabling TDX failed */
#define OPERATOR_POLICY_MESSAGE_ID                                                                 \
	"5e61b2c8d4a94f0b8c27e9d1a3f6b045" /* load blocked by modprobe.d */
#define MODULE_UPDATED_MESSAGE_ID "8dee39ea87364757a7bbeb031bfbde06" /* runtime module update */
#define MODULE_UPDATE_FAILED_MESSAGE_ID                                                            \
	"eecadae5b1a649619400785b72ff0e7d" /* runtime module update failed */
