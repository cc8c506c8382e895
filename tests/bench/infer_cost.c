/* infer_cost - what the inferred layer costs per supervised thread per
 * refresh: a child with N threads (half asleep in nanosleep, half queued on
 * a mutex its main thread holds, so both the plain and the futex-grouping
 * paths run), and infer_update over it, timed. Goal: <= 5 us per thread.
 *
 * usage: infer_cost [--smoke] [THREADS]   (default 200; --smoke: 4 threads,
 * a few rounds, exit 0 if it ran). Exit status 1 when the goal is missed
 * (not in --smoke). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infer/infer.h"

#define GOAL_US 5.0

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(100);
	return NULL;
}

static void *queuer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held);
	return NULL;
}

static void child(int n, int ready)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_mutex_lock(&held);
	for (int i = 0; i < n - 1; i++) {
		pthread_t t;
		if (pthread_create(&t, &a, i % 2 ? queuer : sleeper, NULL) != 0)
			_exit(1);
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	int n = smoke ? 4 : argc > 1 ? atoi(argv[1]) : 200;
	int rounds = smoke ? 3 : 15, iters = smoke ? 2 : 50;
	int p[2];
	if (n < 2 || pipe(p) != 0)
		return 2;
	pid_t pid = fork();
	if (pid == 0)
		child(n, p[1]);
	char x;
	if (pid < 0 || read(p[0], &x, 1) != 1)
		return 1;
	/* Until every queuer sleeps in the kernel the figures mix in running threads. */
	usleep(200000);
	struct task t = { .tid = pid, .pid = pid, .ppid = getpid(), .state = 'S', .supervised = true,
			  .launched = true, .cmdline = "", .threads = n };
	struct program prog = { .pid = pid };
	struct infer *in = infer_new();
	double per[64];
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		for (int i = 0; i < iters; i++)
			infer_update(in, &t, 1, &prog, 1);
		per[r] = (now() - t0) / iters / n * 1e6;
	}
	qsort(per, (size_t)rounds, sizeof per[0], cmp);
	double med = per[rounds / 2];
	size_t locks = prog.snap ? prog.snap->n_locks : 0;
	size_t threads = prog.snap ? prog.snap->n_threads : 0;
	printf("infer_update: %d threads, %.2f us per thread per refresh (median of %d rounds; "
	       "goal <= %.1f); %zu inferred lock(s), %zu thread record(s)\n",
	       n, med, rounds, GOAL_US, locks, threads);
	infer_free(in);
	free(prog.snap);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (locks != 1)
		return 1;
	return smoke || med <= GOAL_US ? 0 : 1;
}
