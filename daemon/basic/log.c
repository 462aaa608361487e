/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static const char *program = "tdxd";

void log_set_max_level(int level) {
	max_level = level;
}

int log_get_max_level(void) {
	return max_level;
}

void log_set_program(const char *name) {
	program = name;
}

/* Under systemd, stderr is a journal stream; sd_journal_send() keeps the priority and lets us
 * attach fields. Otherwise plain stderr. */
static bool use_journal(void) {
	static int cached = -1;
	if (cached < 0)
		cached = getenv("JOURNAL_STREAM") != NULL;
	return cached;
}

/* Replace %m by strerror(error) so the format can be handed to vsnprintf. */
static void expand_m(const char *format, int error, char *out, size_t size) {
	const char *e = strerror(error);
	size_t o = 0;
	for (const char *p = format; *p && o + 1 < size; p++) {
		if (p[0] == '%' && p[1] == '%') {
			if (o + 2 < size) {
				out[o++] = '%';
				out[o++] = '%';
			}
			p++;
		} else if (p[0] == '%' && p[1] == 'm') {
			for (const char *q = e; *q && o + 2 < size; q++) {
				if (*q == '%')
					out[o++] = '%';
				out[o++] = *q;
			}
			p++;
		} else
			out[o++] = *p;
	}
	out[o] = 0;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
	error = error < 0 ? -error : error;
	if (level > max_level)
		return -error;

	char fmt[1024], msg[2048];
	expand_m(format, error, fmt, sizeof fmt);
	va_list ap;
	va_start(ap, format);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(msg, sizeof msg, fmt, ap);
#pragma GCC diagnostic pop
	va_end(ap);

	if (use_journal()) {
		char cfile[256], cline[32];
		snprintf(cfile, sizeof cfile, "CODE_FILE=%s", file);
		snprintf(cline, sizeof cline, "CODE_LINE=%d", line);
		if (error)
			(void)sd_journal_send_with_location(cfile, cline, func, "MESSAGE=%s", msg,
			                                    "PRIORITY=%i", level, "ERRNO=%i", error,
			                                    NULL);
		else
			(void)sd_journal_send_with_location(cfile, cline, func, "MESSAGE=%s", msg,
			                                    "PRIORITY=%i", level, NULL);
	} else
		fprintf(stderr, "%s: %s\n", program, msg);
	return -error;
}

int log_struct_internal(int level, const char *message_id, const char *message, ...) {
	if (level > max_level)
		return 0;
	if (!use_journal()) {
		fprintf(stderr, "%s: %s\n", program, message);
		return 0;
	}
	/* Collect "FIELD=value" strings (NULL-terminated varargs) into iovecs. */
	struct iovec iov[16];
	char mid[64], prio[32];
	char *msg = NULL;
	size_t n = 0;
	if (asprintf(&msg, "MESSAGE=%s", message) < 0)
		return -ENOMEM;
	iov[n++] = (struct iovec){msg, strlen(msg)};
	snprintf(mid, sizeof mid, "MESSAGE_ID=%s", message_id);
	iov[n++] = (struct iovec){mid, strlen(mid)};
	snprintf(prio, sizeof prio, "PRIORITY=%d", level);
	iov[n++] = (struct iovec){prio, strlen(prio)};
	va_list ap;
	va_start(ap, message);
	for (const char *f; n < ELEMENTSOF(iov) && (f = va_arg(ap, const char *));)
		iov[n++] = (struct iovec){(void *)f, strlen(f)};
	va_end(ap);
	int r = sd_journal_sendv(iov, (int)n);
	free(msg);
	return r;
}
