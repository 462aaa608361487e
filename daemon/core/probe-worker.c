/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A probe in a worker thread (probe-worker.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "macro.h"
#include "probe-worker.h"

struct probe_worker {
	pthread_t thread;
	bool running;
	int efd;
	char *gate;

	/* the thread's input; the options copied at each start so that a config reload
	 * meanwhile cannot change them */
	char *root;
	char kvm_module[64];
	struct probe_options options;

	/* its output, read by the loop only after the join */
	int result;
	struct tdx_host host;
};

int probe_worker_new(const char *root, const char *gate, struct probe_worker **ret) {
	struct probe_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->root = strdup(root);
	w->gate = gate ? strdup(gate) : NULL;
	if (w->efd < 0 || !w->root || (gate && !w->gate)) {
		int r = w->efd < 0 ? -errno : -ENOMEM;
		probe_worker_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

static void wait_gate(const char *fifo) {
	char c;
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	(void)close(fd);
}

static void *probe_thread(void *userdata) {
	struct probe_worker *w = userdata;

	if (w->gate)
		wait_gate(w->gate);
	w->result = probe_host(w->root, &w->options, &w->host);
	(void)eventfd_write(w->efd, 1);
	return NULL;
}

int probe_worker_start(struct probe_worker *w, const struct probe_options *o) {
	if (w->running)
		return -EBUSY;
	w->options = *o;
	if (o->kvm_module) {
		if (strlen(o->kvm_module) >= sizeof w->kvm_module)
			return -ENAMETOOLONG;
		strcpy(w->kvm_module, o->kvm_module);
		w->options.kvm_module = w->kvm_module;
	}
	w->host = (struct tdx_host){0};
	w->result = 0;
	int r = -pthread_create(&w->thread, NULL, probe_thread, w);
	if (r < 0)
		return r;
	(void)pthread_setname_np(w->thread, "tdxd-probe"); /* ps -L, top -H */
	w->running = true;
	return 0;
}

bool probe_worker_running(const struct probe_worker *w) {
	return w && w->running;
}

int probe_worker_fd(const struct probe_worker *w) {
	return w->efd;
}

int probe_worker_reap(struct probe_worker *w, struct tdx_host *ret) {
	eventfd_t v;

	if (!w->running)
		return -ECHILD;
	(void)pthread_join(w->thread, NULL);
	(void)eventfd_read(w->efd, &v);
	w->running = false;
	if (w->result < 0) {
		tdx_host_done(&w->host);
		*ret = (struct tdx_host){0};
	} else
		*ret = w->host;
	w->host = (struct tdx_host){0};
	return w->result;
}

struct probe_worker *probe_worker_free(struct probe_worker *w) {
	if (!w)
		return NULL;
	if (w->running) {
		struct tdx_host h;
		if (probe_worker_reap(w, &h) >= 0)
			tdx_host_done(&h);
	}
	if (w->efd >= 0)
		(void)close(w->efd);
	free(w->gate);
	free(w->root);
	free(w);
	return NULL;
}
