/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parser of /etc/qgs.conf, the Quote Generation Service's configuration, read the way
 * qgsd itself reads it (QuoteGeneration/quote_wrapper/qgs/server_main.cpp of Intel's DCAP
 * sources): every blank is removed from a line, empty lines and lines starting with '#' are
 * skipped, lines without '=' are ignored, a line with nothing before '=' makes qgsd refuse to
 * start. `port=N` (decimal, up to UINT_MAX) selects AF_VSOCK port N; while no non-zero port
 * was seen, later port lines are read too; `port = 0` or no port line means the Unix socket
 * /var/run/tdx-qgs/qgs.socket. A port value qgsd cannot read also makes it refuse to start.
 * Unknown keys are ignored, as qgsd ignores them. No I/O. */

#include <stddef.h>
#include <stdint.h>

#define QGS_CONF_PATH   "/etc/qgs.conf"
#define QGS_SOCKET_DIR  "/var/run/tdx-qgs"
#define QGS_SOCKET_PATH QGS_SOCKET_DIR "/qgs.socket"

enum qgs_transport {
	QGS_TRANSPORT_UNIX,
	QGS_TRANSPORT_VSOCK,
};

struct qgs_config {
	enum qgs_transport transport;
	uint32_t port;      /* vsock port, 0 with the Unix socket */
	unsigned port_line; /* the line that chose the port, 0 when none */
};

/* Returns 0, or -EINVAL for a file qgsd refuses to start with; then err (may be NULL) gets
 * "line N: what" and *ret is left untouched. */
int qgs_config_parse(const char *text, size_t n, struct qgs_config *ret, char *err,
                     size_t err_size);

const char *qgs_transport_to_string(enum qgs_transport t);
