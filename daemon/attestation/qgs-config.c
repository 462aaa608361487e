/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>

#include "macro.h"
#include "qgs-config.h"

/* qgsd keeps at most 255 bytes of a value (a char[256]); lines are kept up to this length
 * once their blanks are removed, enough for any key this parser looks at and such a value. */
#define VALUE_MAX     255
#define LINE_MAX_KEPT 1024

/* One line with every blank removed (qgsd erases all isspace() characters). */
static void squeeze(const char *s, size_t l, char *out, size_t size) {
	size_t o = 0;
	for (size_t i = 0; i < l && o + 1 < size; i++)
		if (!isspace((unsigned char)s[i]))
			out[o++] = s[i];
	out[o] = 0;
}

/* strtoul(value, 10) with nothing left over and no overflow, as qgsd demands: an empty value
 * reads as 0 there (strtoul of "" succeeds), and so it does here. */
static bool parse_port(const char *v, uint32_t *ret) {
	uint64_t x = 0;
	const char *s = v;
	/* strtoul also takes a sign; a negative value wraps to near ULONG_MAX, which qgsd refuses
	 * (> UINT_MAX), except "-0" */
	bool neg = *s == '-';
	if (*s == '+' || *s == '-') {
		s++;
		if (!*s)
			return false; /* a bare sign: strtoul reads nothing and leaves it over */
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > UINT_MAX || (neg && x != 0))
			return false;
	}
	*ret = (uint32_t)x;
	return true;
}

int qgs_config_parse(const char *text, size_t n, struct qgs_config *ret, char *err,
                     size_t err_size) {
	struct qgs_config c = {.transport = QGS_TRANSPORT_UNIX};
	const char *p = text, *end = text + n;
	unsigned lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[LINE_MAX_KEPT];
		squeeze(p, l, line, sizeof(line));
		p += l + 1;
		lineno++;

		if (!line[0] || line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		if (eq == line) {
			if (err)
				textf(err, err_size, false, "line %u: no key before '='", lineno);
			return -EINVAL;
		}
		*eq = 0;
		if (c.port != 0 || !streq(line, "port"))
			continue;
		if (strlen(eq + 1) > VALUE_MAX)
			eq[1 + VALUE_MAX] = 0;
		uint32_t port;
		if (!parse_port(eq + 1, &port)) {
			if (err)
				textf(err, err_size, false,
				      "line %u: port \"%.64s\" is not a number up to %u", lineno,
				      eq + 1, UINT_MAX);
			return -EINVAL;
		}
		c.port = port;
		c.port_line = lineno;
	}
	if (c.port != 0)
		c.transport = QGS_TRANSPORT_VSOCK;
	else
		c.port_line = 0;
	*ret = c;
	return 0;
}

const char *qgs_transport_to_string(enum qgs_transport t) {
	switch (t) {
	case QGS_TRANSPORT_UNIX: return "unix";
	case QGS_TRANSPORT_VSOCK: return "vsock";
	}
	return NULL;
}
