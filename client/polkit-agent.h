/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* polkit's text agent for the duration of a privileged call, as hostnamectl does: when tdxd
 * asks polkit about us and an administrator's password would do, pkttyagent asks for it on
 * this terminal. Nothing happens when stdin is not a terminal, for root, or when pkttyagent is
 * not installed (the call is then refused with a sentence naming the action). */

#include <sys/types.h>

/* Start the agent and wait until it has registered; returns its pid, or 0 when none runs. */
pid_t polkit_agent_open(void);
void polkit_agent_close(pid_t pid);
