/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Stand-in for Intel's Quote Generation Service (qgsd) in the system lane's guest, where there
 * is no SGX and so no quoting enclave. It listens where /etc/qgs.conf says, read the way qgsd
 * reads it (daemon/attestation/qgs-config.c): a `port = N` line means AF_VSOCK port N on any
 * CID, otherwise the Unix socket /var/run/tdx-qgs/qgs.socket. It accepts connections and
 * closes them unanswered (no quote is ever made), and removes its socket on SIGTERM/SIGINT.
 *
 *   qgs-stub [--config FILE] [--socket PATH] [--delay-ms N] [--hold]
 *
 * --delay-ms waits before listening, --hold until SIGUSR1 comes (`systemctl kill -s USR1`), so
 * a test can watch a Type=simple unit that is active before its socket exists
 * (docs/readiness.md, *Attestation checks*) for as long as it decides, whatever the machine's
 * speed; --config and --socket let it run outside the guest. */

#include <errno.h>
#include <getopt.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "qgs-config.h"

static int listen_unix(const char *path) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qgs-stub: %s: path too long for a Unix socket\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	/* the directory: systemd's RuntimeDirectory= makes it in the guest, this outside */
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		/* and its parents (mkdir -p) */
		for (char *p = dir + 1;; p++) {
			bool last = !*p;
			if (*p && *p != '/')
				continue;
			*p = 0;
			if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
				fprintf(stderr, "qgs-stub: mkdir %s: %m\n", dir);
				return -errno;
			}
			if (last)
				break;
			*p = '/';
		}
	}
	(void)unlink(path); /* a stale socket of an earlier run, as qgsd's asio does */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int r = -errno;
		fprintf(stderr, "qgs-stub: listening on %s: %s\n", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

static int listen_vsock(uint32_t port) {
	struct sockaddr_vm sa = {
	    .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int r = -errno;
		fprintf(stderr, "qgs-stub: listening on AF_VSOCK port %u: %s\n", port,
		        strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

int main(int argc, char *argv[]) {
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 's'},
	    {"delay-ms", required_argument, NULL, 'd'},
	    {"hold", no_argument, NULL, 'H'},
	    {},
	};
	const char *config = QGS_CONF_PATH, *path = QGS_SOCKET_PATH;
	long delay_ms = 0;
	bool hold = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
		switch (c) {
		case 'c': config = optarg; break;
		case 's': path = optarg; break;
		case 'H': hold = true; break;
		case 'd': {
			char *end;
			delay_ms = strtol(optarg, &end, 10);
			if (*end || delay_ms < 0 || delay_ms > 600000) {
				fprintf(stderr, "qgs-stub: --delay-ms %s: not 0-600000\n", optarg);
				return 2;
			}
			break;
		}
		default:
			fprintf(stderr,
			        "usage: qgs-stub [--config FILE] [--socket PATH] [--delay-ms N] "
			        "[--hold]\n");
			return 2;
		}

	/* qgsd without a config file uses the Unix socket; with a broken one it exits */
	struct qgs_config cfg = {.transport = QGS_TRANSPORT_UNIX};
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r = read_full_file_at(NULL, config, 1024 * 1024, &text, &n);
	if (r >= 0) {
		char err[256];
		if (qgs_config_parse(text, n, &cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "qgs-stub: %s: %s\n", config, err);
			return 1;
		}
	} else if (r != -ENOENT) {
		fprintf(stderr, "qgs-stub: %s: %s\n", config, strerror(-r));
		return 1;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (hold)
		sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return 1;
	_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "qgs-stub: signalfd: %m\n");
		return 1;
	}

	if (delay_ms > 0) {
		struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000};
		struct pollfd p = {sfd, POLLIN, 0};
		/* a stop request during the delay ends it at once */
		if (ppoll(&p, 1, &ts, NULL) > 0)
			return 0;
	}
	while (hold) {
		struct signalfd_siginfo si;
		ssize_t k = read(sfd, &si, sizeof(si));
		if (k < 0 && errno == EINTR)
			continue;
		if (k != sizeof(si) || si.ssi_signo != SIGUSR1)
			return 0; /* a stop request while held */
		hold = false;
	}

	bool unix_socket = cfg.transport == QGS_TRANSPORT_UNIX;
	_cleanup_close_ int lfd = unix_socket ? listen_unix(path) : listen_vsock(cfg.port);
	if (lfd < 0)
		return 1;
	if (unix_socket)
		fprintf(stderr, "qgs-stub: listening on %s\n", path);
	else
		fprintf(stderr, "qgs-stub: listening on AF_VSOCK port %u\n", cfg.port);

	for (;;) {
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "qgs-stub: poll: %m\n");
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd >= 0)
				close(cfd); /* no quote here: the caller sees EOF */
		}
	}
	if (unix_socket)
		(void)unlink(path);
	fprintf(stderr, "qgs-stub: stopped\n");
	return 0;
}
