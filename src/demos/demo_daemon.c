/* demo_daemon.c - children that die with their parent, in C: daemon
 * children ask the kernel (PR_SET_PDEATHSIG) to be terminated when their
 * parent dies (Python's Process(daemon=True) gets there differently: its
 * exit handler calls terminate(), and joins the non-daemon children);
 * ordinary children do not, so when the parent leaves (after parent_ms, or
 * on SIGUSR1) the daemons die with it and the others are adopted by the
 * subreaper (concmon) or init and live on until life_ms. SIGTERM instead
 * stops everyone cleanly. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define KIDS_MAX 20

static _Noreturn void child_main(bool daemon, int i, pid_t parent, long life_ms)
{
	long end = demo_now_ms() + life_ms;
	pid_t ppid = parent;

	if (daemon) {
		signal(SIGTERM, SIG_DFL);   /* dies at once, like a terminated daemon */
		demo_die_with_parent(parent, SIGTERM);
	}
	cm_thread_role(daemon ? "daemon" : "ordinary");
	printf("[%d] %s child %d: started by %d%s\n", (int)getpid(), daemon ? "daemon" : "ordinary",
	       i, (int)parent, daemon ? ", dies with it" : "");
	while ((daemon || demo_now_ms() < end) && demo_sleep_ms(500)) {
		if (getppid() != ppid) {
			ppid = getppid();
			printf("[%d] ordinary child %d: my parent is gone; adopted by %d, still alive\n",
			       (int)getpid(), i, (int)ppid);
		}
	}
	printf("[%d] ordinary child %d: %s\n", (int)getpid(), i,
	       demo_should_stop() ? "stopped" : "lived my life, exiting");
	demo_child_exit(0);
}

static int spawn_kids(pid_t *pids, int daemons, int others, long life_ms)
{
	pid_t me = getpid();
	int n = 0;

	for (int i = 0; i < daemons + others && n < KIDS_MAX; i++) {
		pid_t pid = demo_fork();

		if (pid == 0)
			child_main(i < daemons, i + 1, me, life_ms);
		if (pid > 0)
			pids[n++] = pid;
	}
	return n;
}

static void reap_some(pid_t *pids, int n, int flags)
{
	char buf[64];
	pid_t pid;
	int st;

	while ((pid = demo_waitpid(-1, &st, flags)) > 0) {
		for (int i = 0; i < n; i++)
			if (pids[i] == pid)
				pids[i] = 0;
		printf("parent: child %d %s\n", (int)pid, demo_status_str(st, buf, sizeof buf));
	}
}

int demo_daemon(struct demo_ctx *ctx)
{
	long parent_ms = demo_knob_value(ctx, "parent_ms");
	int daemons = (int)demo_knob_value(ctx, "daemons");
	pid_t pids[KIDS_MAX];
	int n = spawn_kids(pids, daemons, (int)demo_knob_value(ctx, "others"),
			   demo_knob_value(ctx, "life_ms"));
	unsigned usr1 = demo_usr1_count();
	long leave_at = demo_now_ms() + parent_ms;

	printf("parent: %d daemon and %d ordinary children; I leave %s\n", daemons, n - daemons,
	       parent_ms ? "after parent_ms (or on SIGUSR1)" : "on SIGUSR1");
	while (demo_sleep_ms(100)) {
		reap_some(pids, n, WNOHANG);
		if (demo_usr1_count() != usr1 || (parent_ms && demo_now_ms() >= leave_at)) {
			printf("parent: leaving now without waiting: the daemons die with me, the "
			       "others are orphaned and adopted\n");
			return 0;
		}
	}
	printf("parent: SIGTERM: stopping all my children first\n");
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)    /* unreaped child: the PID cannot be reused */
			kill(pids[i], SIGTERM);
	reap_some(pids, n, 0);
	return 0;
}
