/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging: to the journal when stderr is connected to it (JOURNAL_STREAM), else to stderr
 * with a "tdxd: " style prefix. Library code (parsers, probe, checks) does not log; it returns
 * errors and the caller logs once. */

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_program(const char *name);

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* Log a structured record (MESSAGE_ID plus extra FIELD=value pairs, NULL-terminated) to the
 * journal; falls back to stderr with the message only. */
int log_struct_internal(int level, const char *message_id, const char *message, ...);

#define log_full_errno(level, error, ...)                                                          \
	log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_full(level, ...) log_full_errno((level), 0, __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

/* These return -abs(error), so callers can write `return log_error_errno(r, "...: %m");`.
 * %m in the format expands to strerror(abs(error)). */
#define log_debug_errno(error, ...)   log_full_errno(LOG_DEBUG, (error), __VA_ARGS__)
#define log_info_errno(error, ...)    log_full_errno(LOG_INFO, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, (error), __VA_ARGS__)
