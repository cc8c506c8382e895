/* demo_spawn_join.c - the parent starts "count" children; child i works a
 * different time and exits with code 10+i. The parent joins them in the
 * order it started them, so a child that ends early stays a zombie (Z)
 * until its turn comes. Then the parent lingers a moment, alone, and the
 * demo ends. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define CHILDREN_MAX 20

static void child_work(int i, long ms)
{
	char role[CM_NAME_MAX];

	signal(SIGTERM, SIG_DFL);   /* a killed child shows as killed */
	snprintf(role, sizeof role, "child-%d", i);
	cm_thread_role(role);
	printf("[%d] child %d: started by %d, working %ld ms, then exit(%d)\n", (int)getpid(), i,
	       (int)getppid(), ms, 10 + i);
	if (!demo_sleep_ms(ms)) {
		printf("[%d] child %d: stopped early\n", (int)getpid(), i);
		demo_child_exit(1);
	}
	printf("[%d] child %d: done, exiting with code %d\n", (int)getpid(), i, 10 + i);
	demo_child_exit(10 + i);
}

/* Stops the children not joined yet and reaps them. */
static void stop_children(const pid_t *pids, int from, int n)
{
	char buf[64];

	for (int i = from; i < n; i++)
		kill(pids[i], SIGTERM);
	for (int i = from; i < n; i++) {
		int st;

		if (demo_waitpid(pids[i], &st, 0) == pids[i])
			printf("parent: child %d (pid %d) %s\n", i + 1, (int)pids[i],
			       demo_status_str(st, buf, sizeof buf));
	}
}

/* Says which children after index i have exited but wait to be joined
 * (waitid with WNOWAIT looks without reaping). */
static void note_zombies(const pid_t *pids, bool *noted, int i, int n)
{
	for (int j = i + 1; j < n; j++) {
		siginfo_t si = { 0 };

		if (noted[j] || waitid(P_PID, (id_t)pids[j], &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			continue;
		noted[j] = true;
		printf("parent: child %d (pid %d) has exited, but I am still joining child %d: "
		       "it is a zombie (Z) until its turn\n", j + 1, (int)pids[j], i + 1);
	}
}

int demo_spawn_join(struct demo_ctx *ctx)
{
	int n = (int)demo_knob_value(ctx, "count");
	long dur = demo_knob_value(ctx, "duration");
	pid_t pids[CHILDREN_MAX];
	bool noted[CHILDREN_MAX] = { false };
	long t0 = demo_now_ms();
	char buf[64];

	for (int i = 0; i < n; i++) {
		/* The first child works longest: the others finish before it. */
		long ms = dur * (n - i) / n;

		pids[i] = demo_fork();
		if (pids[i] == 0)
			child_work(i + 1, ms);
		if (pids[i] < 0) {
			stop_children(pids, 0, i);
			return 1;
		}
		printf("parent: started child %d as pid %d\n", i + 1, (int)pids[i]);
	}
	printf("parent: joining them in order; children that finish first wait as zombies\n");
	for (int i = 0; i < n; i++) {
		int st;

		while (demo_waitpid(pids[i], &st, WNOHANG) == 0) {
			note_zombies(pids, noted, i, n);
			if (!demo_sleep_ms(20)) {
				printf("parent: stopping: terminating children not joined yet\n");
				stop_children(pids, i, n);
				return 0;
			}
		}
		printf("parent: joined child %d (pid %d) after %ld ms: %s\n", i + 1, (int)pids[i],
		       demo_now_ms() - t0, demo_status_str(st, buf, sizeof buf));
	}
	/* Lingers so that the last view shows the parent alone: no child, no
	 * zombie left (a demo that ended at once would leave the last frame
	 * with the children as they were a refresh ago). */
	printf("parent: all %d children joined, none left; the demo ends in %ld ms\n", n,
	       demo_knob_value(ctx, "linger"));
	demo_sleep_ms(demo_knob_value(ctx, "linger"));
	printf("parent: the demo ends\n");
	return 0;
}
