/* demo_orphans.c - a middle process forks "count" children that live on,
 * then exits before them. The children are orphans: the kernel re-parents
 * them to the nearest subreaper (concmon) or to init, never to their
 * grandparent (this demo's main process). Each orphan reports its parent
 * PID as it changes. The grandparent keeps pidfds on them to stop them. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define ORPHANS_MAX 20

static _Noreturn void orphan(int i, long life_ms)
{
	long end = demo_now_ms() + life_ms;
	pid_t ppid = getppid();

	cm_thread_role("orphan");
	printf("[%d] orphan-to-be %d: my parent is %d\n", (int)getpid(), i, (int)ppid);
	while (demo_now_ms() < end && demo_sleep_ms(200)) {
		if (getppid() != ppid) {
			ppid = getppid();
			printf("[%d] orphan %d: my parent died; adopted by PID %d\n", (int)getpid(), i,
			       (int)ppid);
		}
	}
	printf("[%d] orphan %d: %s\n", (int)getpid(), i,
	       demo_should_stop() ? "stopped" : "lived my life, exiting (my adopter reaps me)");
	demo_child_exit(0);
}

static _Noreturn void middle(int count, long life_ms, int report_fd)
{
	cm_thread_role("middle");
	for (int i = 0; i < count; i++) {
		pid_t pid = demo_fork();

		if (pid == 0) {
			close(report_fd);
			orphan(i + 1, life_ms);
		}
		if (pid > 0 && write(report_fd, &pid, sizeof pid) != (ssize_t)sizeof pid)
			break;
	}
	close(report_fd);
	printf("[%d] middle: started %d children; exiting in 1 s without waiting for them\n",
	       (int)getpid(), count);
	demo_sleep_ms(1000);
	demo_child_exit(0);
}

/* Opens pidfds on the PIDs the middle process reports; returns how many. */
static int collect_orphans(int fd, int *pidfds)
{
	pid_t pid;
	int n = 0;

	while (n < ORPHANS_MAX && read(fd, &pid, sizeof pid) == (ssize_t)sizeof pid) {
		pidfds[n] = demo_pidfd_open(pid);
		if (pidfds[n] >= 0)
			n++;
	}
	return n;
}

static void stop_orphans(int *pidfds, int n)
{
	demo_terminate_pidfds(pidfds, n, 3000, NULL);
	for (int i = 0; i < n; i++)
		close(pidfds[i]);
}

/* One round; returns the number of orphans left to stop (pidfds filled). */
static int round_of_orphans(struct demo_ctx *ctx, int *pidfds)
{
	int fds[2], n, st;
	char buf[64];
	pid_t mid;

	if (pipe(fds) < 0)
		return 0;
	mid = demo_fork();
	if (mid == 0) {
		close(fds[0]);
		middle((int)demo_knob_value(ctx, "count"), demo_knob_value(ctx, "life_ms"), fds[1]);
	}
	close(fds[1]);
	n = mid > 0 ? collect_orphans(fds[0], pidfds) : 0;
	close(fds[0]);
	if (mid > 0 && demo_waitpid(mid, &st, 0) == mid)
		printf("grandparent: middle process %d %s; its %d children are orphans now\n",
		       (int)mid, demo_status_str(st, buf, sizeof buf), n);
	while (demo_pidfds_running(pidfds, n) > 0 && demo_sleep_ms(100))
		;
	return n;
}

int demo_orphans(struct demo_ctx *ctx)
{
	int pidfds[ORPHANS_MAX], n = 0;

	while (!demo_should_stop()) {
		n = round_of_orphans(ctx, pidfds);
		if (demo_should_stop())
			break;
		printf("grandparent: all orphans are gone; a new round in 2 s\n");
		for (int i = 0; i < n; i++)
			close(pidfds[i]);
		n = 0;
		if (!demo_sleep_ms(2000))
			break;
	}
	printf("grandparent: stopping the orphans that are left\n");
	stop_orphans(pidfds, n);
	return 0;
}
