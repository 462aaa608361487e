/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "macro.h"
#include "polkit-agent.h"

#define PKTTYAGENT "/usr/bin/pkttyagent"
/* How long to wait for the agent to register: a deadline, so a broken agent cannot hang
 * tdxctl; the call goes on without it (and polkit then answers with a challenge). */
#define AGENT_REGISTER_TIMEOUT_MS 10000

pid_t polkit_agent_open(void) {
	int fds[2];
	char notify[16], parent[32];

	if (!isatty(STDIN_FILENO) || geteuid() == 0 || access(PKTTYAGENT, X_OK) < 0)
		return 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return 0;
	snprintf(parent, sizeof parent, "%d", (int)getpid());

	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		/* the write end must survive exec: the agent closes it once registered */
		int w = fcntl(fds[1], F_DUPFD, 3);
		if (w < 0)
			_exit(EXIT_FAILURE);
		snprintf(notify, sizeof notify, "%d", w);
		execl(PKTTYAGENT, PKTTYAGENT, "--notify-fd", notify, "--fallback", "--process",
		      parent, (char *)NULL);
		_exit(EXIT_FAILURE);
	}
	close(fds[1]);
	struct pollfd p = {.fd = fds[0], .events = POLLIN};
	(void)poll(&p, 1, AGENT_REGISTER_TIMEOUT_MS);
	close(fds[0]);
	return pid;
}

void polkit_agent_close(pid_t pid) {
	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	(void)waitpid(pid, NULL, 0);
}
