/* demo_memory_isolation.c - one global variable, three writers. Each round
 * the parent sets it, a forked child changes it (the parent does not see
 * it: fork gave the child a copy-on-write copy of the address space, at the
 * same virtual addresses), then a thread changes it (the parent sees it:
 * threads share one address space). With shared=1 the child also writes a
 * MAP_SHARED page, which the parent does see. The child reports what it saw
 * through a pipe, the way multiprocessing's Queue/Pipe carry results. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

/* The lesson's global. Written by the parent, its thread (joined before
 * the parent reads it again) and, in the child's own copy, by the child. */
static long g_global;

struct child_report {
	long value;
	const void *addr;
	long shared_value;
};

struct isolation {
	long *shared;               /* MAP_SHARED page, seen by parent and children */
	struct cm_knob *kshared, *child_ms, *period_ms;
	struct cm_value *v_child, *v_after_child, *v_thread, *v_after_thread;
	struct cm_value *v_shared_parent, *v_rounds;
};

static _Noreturn void child_main(const struct isolation *iso, pid_t parent, long value,
				 bool shared, int wfd)
{
	struct child_report r;

	demo_die_with_parent(parent, SIGTERM);
	g_global = value;
	if (shared)
		*iso->shared = value + 2;
	r = (struct child_report){ g_global, (const void *)&g_global, shared ? *iso->shared : -1 };
	printf("[%d] child: set global = %ld at %p; I read %ld\n", (int)getpid(), value,
	       (void *)&g_global, g_global);
	if (shared)
		printf("[%d] child: set the MAP_SHARED page at %p to %ld\n", (int)getpid(),
		       (void *)iso->shared, *iso->shared);
	if (write(wfd, &r, sizeof r) != (ssize_t)sizeof r)
		demo_child_exit(1);
	close(wfd);
	demo_sleep_ms(cm_knob_get(iso->child_ms));
	demo_child_exit(0);
}

/* Waits for the child; on a stop, terminates it first. */
static void reap_child(pid_t pid)
{
	int st;

	while (demo_waitpid(pid, &st, WNOHANG) == 0) {
		if (!demo_sleep_ms(20)) {
			kill(pid, SIGTERM);
			demo_waitpid(pid, &st, 0);
			return;
		}
	}
}

/* Forks the child writer; false when the fork failed or the demo stopped. */
static bool child_round(struct isolation *iso, long value, bool shared)
{
	struct child_report r = { 0 };
	int fds[2];
	pid_t pid, self = getpid();
	ssize_t got;

	if (pipe(fds) < 0) {
		perror("pipe");
		return false;
	}
	pid = demo_fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(iso, self, value, shared, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return false;
	}
	do
		got = read(fds[0], &r, sizeof r);
	while (got < 0 && errno == EINTR);
	close(fds[0]);
	if (got != (ssize_t)sizeof r) {
		reap_child(pid);
		return false;
	}
	cm_value_set(iso->v_child, r.value);
	cm_value_set(iso->v_after_child, g_global);
	printf("parent: the child (pid %d, still alive) reported through a pipe: it read %ld at "
	       "%p\n", (int)pid, r.value, r.addr);
	printf("parent: after the child: global = %ld at %p: UNCHANGED (same address, another "
	       "value: the child wrote its own copy-on-write page)\n", g_global, (void *)&g_global);
	if (shared) {
		cm_value_set(iso->v_shared_parent, *iso->shared);
		printf("parent: the MAP_SHARED page at %p reads %ld: SEEN (both map the same page)\n",
		       (void *)iso->shared, *iso->shared);
	}
	reap_child(pid);
	return true;
}

static void *thread_writer(void *p)
{
	long value = *(long *)p;

	cm_thread_role("writer-thread");
	g_global = value;
	printf("writer-thread: set global = %ld at %p\n", value, (void *)&g_global);
	return NULL;
}

static void thread_round(struct isolation *iso, long value)
{
	pthread_t t;

	demo_thread_start(&t, thread_writer, &value);
	demo_thread_join(t);
	cm_value_set(iso->v_thread, value);
	cm_value_set(iso->v_after_thread, g_global);
	printf("parent: after the thread: global = %ld at %p: SEEN (one address space)\n",
	       g_global, (void *)&g_global);
}

static bool run_round(struct isolation *iso, long round)
{
	bool shared = cm_knob_get(iso->kshared) != 0;

	g_global = round * 100;
	*iso->shared = round * 100;
	cm_value_set(iso->v_shared_parent, shared ? *iso->shared : -1);
	printf("round %ld: parent sets global = %ld at %p; the child will write %ld, the thread "
	       "%ld", round, g_global, (void *)&g_global, round * 100 + 1, round * 100 + 2);
	if (shared)
		printf("; the child sets the shared page to %ld", round * 100 + 3);
	printf("\n");
	if (!child_round(iso, round * 100 + 1, shared))
		return false;
	thread_round(iso, round * 100 + 2);
	cm_value_set(iso->v_rounds, round);
	printf("round %ld: child wrote %ld -> parent sees %ld; thread wrote %ld -> parent sees "
	       "%ld%s\n", round, cm_value_get(iso->v_child), cm_value_get(iso->v_after_child),
	       round * 100 + 2, g_global, shared ? "; shared page: SEEN" : "");
	return true;
}

int demo_memory_isolation(struct demo_ctx *ctx)
{
	struct isolation iso = {
		.kshared = demo_knob(ctx, "shared"), .child_ms = demo_knob(ctx, "child_ms"),
		.period_ms = demo_knob(ctx, "period_ms"),
		.v_child = cm_value_new("child_wrote"), .v_after_child = cm_value_new("parent_after_child"),
		.v_thread = cm_value_new("thread_wrote"),
		.v_after_thread = cm_value_new("parent_after_thread"),
		.v_shared_parent = cm_value_new("parent_sees_shared"),
		.v_rounds = cm_value_new("rounds"),
	};
	unsigned usr1 = demo_usr1_count();
	long round = 0, last = 0;

	iso.shared = mmap(NULL, sizeof *iso.shared, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (iso.shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("main: a round every period_ms (0: only on SIGUSR1); SIGUSR1 runs one now\n");
	do {
		long period = cm_knob_get(iso.period_ms);
		bool due = round == 0 || (period > 0 && demo_now_ms() - last >= period);

		if (demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			due = true;
		}
		if (due) {
			last = demo_now_ms();
			if (!run_round(&iso, ++round) && !demo_should_stop())
				printf("round %ld: the child failed\n", round);
		}
	} while (demo_sleep_ms(50));
	munmap(iso.shared, sizeof *iso.shared);
	return 0;
}
