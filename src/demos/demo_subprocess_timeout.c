/* demo_subprocess_timeout.c - a command with a timeout, by hand: run
 * `sleep WORK`, wait on its pidfd at most "timeout" ms, and when time is up
 * send SIGTERM, like the seed's communicate(timeout) + terminate(), or with
 * kill=1 SIGKILL, like subprocess.run(timeout=...). Repeats, so the knobs
 * can be changed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

enum outcome { FINISHED, TIMED_OUT, STOPPED };

/* Waits until the child ends, timeout_ms pass, or a stop is requested. */
static enum outcome wait_child(int pidfd, long timeout_ms)
{
	long end = demo_now_ms() + timeout_ms;
	struct pollfd p[2] = {
		{ .fd = pidfd, .events = POLLIN },
		{ .fd = demo_stop_fd(), .events = POLLIN },
	};

	for (;;) {
		long left = end - demo_now_ms();
		int r;

		if (left <= 0)
			return TIMED_OUT;
		r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR)
			return STOPPED;
		if (r > 0 && (p[0].revents & POLLIN))
			return FINISHED;
		if (demo_should_stop())
			return STOPPED;
	}
}

/* One run of the command; false when the demo should stop. */
static bool run_once(int n, long timeout_ms, long work_ms, bool use_kill)
{
	int sig = use_kill ? SIGKILL : SIGTERM;
	char secs[32], buf[64];
	long t0 = demo_now_ms();
	enum outcome how;
	pid_t pid;
	int pidfd, st;

	snprintf(secs, sizeof secs, "%ld.%03ld", work_ms / 1000, work_ms % 1000);
	pid = demo_fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		execlp("sleep", "sleep", secs, (char *)NULL);
		perror("concmon-demo: exec sleep");
		_exit(127);
	}
	pidfd = demo_pidfd_open(pid);
	printf("run %d: started `sleep %s` as pid %d, timeout %ld ms\n", n, secs, (int)pid,
	       timeout_ms);
	how = pidfd < 0 ? FINISHED : wait_child(pidfd, timeout_ms);
	if (how != FINISHED) {
		printf("run %d: %s: sending %s to pid %d%s\n", n,
		       how == TIMED_OUT ? "TIMEOUT" : "stopping", use_kill ? "SIGKILL" : "SIGTERM",
		       (int)pid, how != TIMED_OUT ? "" : use_kill ? " (as subprocess.run does)"
		       : " (as Popen.terminate() does)");
		demo_pidfd_signal(pidfd, sig);
	}
	demo_waitpid(pid, &st, 0);
	if (pidfd >= 0)
		close(pidfd);
	printf("run %d: pid %d %s after %ld ms%s\n", n, (int)pid,
	       demo_status_str(st, buf, sizeof buf), demo_now_ms() - t0,
	       how == TIMED_OUT ? " (subprocess.TimeoutExpired)" : "");
	return how != STOPPED;
}

int demo_subprocess_timeout(struct demo_ctx *ctx)
{
	for (int n = 1;; n++) {
		if (!run_once(n, demo_knob_value(ctx, "timeout"), demo_knob_value(ctx, "work"),
			      demo_knob_value(ctx, "kill") != 0))
			break;
		if (!demo_sleep_ms(1500))
			break;
	}
	printf("parent: stopped\n");
	return 0;
}
