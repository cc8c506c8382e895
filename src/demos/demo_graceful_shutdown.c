/* demo_graceful_shutdown.c - how a supervisor stops its children: SIGTERM
 * to each, a grace period for them to clean up and exit, then SIGKILL for
 * whoever is still there. The last child ignores SIGTERM (and SIGINT), so
 * only the KILL ends it. SIGTERM to the parent runs the sequence and exits;
 * SIGUSR1 runs it and starts new children (to watch it again). */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define CHILDREN_MAX 16

struct kid {
	pid_t pid;
	int pidfd;
};

static _Noreturn void polite_child(int i)
{
	long cleanup_ms = 100L * (i < 5 ? i : 5);

	cm_thread_role("polite");
	printf("[%d] child %d: working; on SIGTERM I clean up and exit\n", (int)getpid(), i);
	while (demo_sleep_ms(1000))
		;
	printf("[%d] child %d: got SIGTERM, cleaning up (%ld ms)\n", (int)getpid(), i, cleanup_ms);
	sleep_ms(cleanup_ms);
	printf("[%d] child %d: clean, exiting 0\n", (int)getpid(), i);
	demo_child_exit(0);
}

static _Noreturn void stubborn_child(int i)
{
	cm_thread_role("stubborn");
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	printf("[%d] child %d: I ignore SIGTERM; only SIGKILL can stop me\n", (int)getpid(), i);
	for (;;)
		sleep_ms(1000);
}

static int spawn(struct kid *kids, int n)
{
	int made = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = demo_fork();

		if (pid == 0) {
			if (i == n - 1)
				stubborn_child(i + 1);
			polite_child(i + 1);
		}
		if (pid < 0)
			break;
		kids[made].pid = pid;
		kids[made].pidfd = demo_pidfd_open(pid);
		made++;
	}
	printf("parent: %d children running; SIGTERM me to stop them all\n", made);
	return made;
}

static void shutdown_kids(struct kid *kids, int n, long grace)
{
	int pidfds[CHILDREN_MAX];
	bool killed[CHILDREN_MAX];
	long t0 = demo_now_ms();
	char buf[64];

	for (int i = 0; i < n; i++)
		pidfds[i] = kids[i].pidfd;
	printf("parent: sending SIGTERM to %d children, grace period %ld ms\n", n, grace);
	demo_terminate_pidfds(pidfds, n, grace, killed);
	for (int i = 0; i < n; i++) {
		int st;

		if (kids[i].pidfd < 0)  /* no pidfd: our unreaped child, safe by PID */
			kill(kids[i].pid, SIGKILL);
		if (killed[i])
			printf("parent: child %d (pid %d) still there after %ld ms: SIGKILL\n", i + 1,
			       (int)kids[i].pid, grace);
		demo_waitpid(kids[i].pid, &st, 0);
		if (kids[i].pidfd >= 0)
			close(kids[i].pidfd);
		printf("parent: child %d (pid %d) %s\n", i + 1, (int)kids[i].pid,
		       demo_status_str(st, buf, sizeof buf));
	}
	printf("parent: all children stopped in %ld ms\n", demo_now_ms() - t0);
}

int demo_graceful_shutdown(struct demo_ctx *ctx)
{
	struct kid kids[CHILDREN_MAX];
	int n = spawn(kids, (int)demo_knob_value(ctx, "children"));
	unsigned usr1 = demo_usr1_count();

	while (demo_sleep_ms(100)) {
		if (demo_usr1_count() == usr1)
			continue;
		usr1 = demo_usr1_count();
		printf("parent: SIGUSR1: a practice shutdown\n");
		shutdown_kids(kids, n, demo_knob_value(ctx, "grace"));
		if (!demo_sleep_ms(2000))
			return 0;
		n = spawn(kids, (int)demo_knob_value(ctx, "children"));
	}
	printf("parent: SIGTERM received: stopping my children\n");
	shutdown_kids(kids, n, demo_knob_value(ctx, "grace"));
	return 0;
}
