/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by kmsg.c (recognising lines) and kmsg-stream.c (feeding them); not for use outside
 * these two files. */

#include "kmsg.h"

/* The longest message kept of one record. */
#define MSG_MAX 1024

bool kmsg_scan_u64(const char **p, uint64_t *ret);
void kmsg_copy_msg(char *dst, const char *msg, size_t len);
/* Recognise one message: record the TDX facts it carries in the parser's facts. */
int kmsg_recognise(struct kmsg_parser *p, const char *msg, uint64_t seq);
