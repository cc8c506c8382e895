/* trace_overhead - what libconcmon-trace.so costs on an uncontended
 * pthread_mutex_lock+unlock, with telemetry active: the program re-executes
 * itself with the tracer preloaded and a segment made by telemetry_create()
 * (as `concmon --trace` does), then times, in the same process and
 * alternating rounds, the loop through libc's own functions (bare, found
 * with dlopen("libc.so.6", RTLD_NOLOAD)) and through the ordinary calls the
 * tracer intercepts. Measured while single-threaded (glibc then locks
 * without atomics) and after a thread has run. Goal: ratio <= 1.5. Also
 * sem_wait+sem_post on a semaphore of 1 permit (CPython's Lock), whose
 * holders the tracer keeps from the start: reported, no goal.
 *
 * usage: trace_overhead [--smoke] [TRACER.so]   (default: the build's)
 * Exit status 1 when a ratio misses the goal (not in --smoke), 2 when it
 * could not run traced. */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "concmon/telemetry_format.h"
#include "telemetry/telemetry.h"
#include "median.h"

#define GOAL 1.5
#define MAX_ROUNDS 61

typedef int mutex_fn(pthread_mutex_t *);
typedef int sem_fn(sem_t *);
static mutex_fn *bare_lock, *bare_unlock;
static sem_fn *bare_wait, *bare_post;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

__attribute__((noinline)) static void run_bare(void *p, long n)
{
	pthread_mutex_t *m = p;
	mutex_fn *lock = bare_lock, *unlock = bare_unlock;
	for (long i = 0; i < n; i++) {
		lock(m);
		unlock(m);
	}
}

__attribute__((noinline)) static void run_traced(void *p, long n)
{
	pthread_mutex_t *m = p;
	for (long i = 0; i < n; i++) {
		pthread_mutex_lock(m);
		pthread_mutex_unlock(m);
	}
}

__attribute__((noinline)) static void run_bare_sem(void *p, long n)
{
	sem_t *s = p;
	sem_fn *wait = bare_wait, *post = bare_post;
	for (long i = 0; i < n; i++) {
		wait(s);
		post(s);
	}
}

__attribute__((noinline)) static void run_traced_sem(void *p, long n)
{
	sem_t *s = p;
	for (long i = 0; i < n; i++) {
		sem_wait(s);
		sem_post(s);
	}
}

/* One measured operation: bare and traced loops, each on its own object. */
struct op {
	const char *what;
	void (*bare)(void *, long), (*traced)(void *, long);
	void *bobj, *tobj;
	double goal;                    /* 0: none */
};

static int compare(const struct op *op, const char *when, long n, int rounds)
{
	double tb[MAX_ROUNDS], tt[MAX_ROUNDS], tr[MAX_ROUNDS];
	op->bare(op->bobj, n);          /* warm up */
	op->traced(op->tobj, n);
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		op->bare(op->bobj, n);
		double t1 = now();
		op->traced(op->tobj, n);
		double t2 = now();
		tb[r] = (t1 - t0) * 1e9 / (double)n;
		tt[r] = (t2 - t1) * 1e9 / (double)n;
		tr[r] = tt[r] / tb[r];
	}
	double ratio = median(tr, rounds);
	int ok = !op->goal || ratio <= op->goal;
	char what[64], goal[32];
	snprintf(what, sizeof what, "%s (%s)", op->what, when);
	if (op->goal)
		snprintf(goal, sizeof goal, "goal <= %.1f  %s", op->goal, ok ? "PASS" : "FAIL");
	else
		snprintf(goal, sizeof goal, "no goal");
	printf("%-48s bare %7.2f ns  traced %7.2f ns  ratio %5.2f  %s\n", what,
	       median(tb, rounds), median(tt, rounds), ratio, goal);
	return ok;
}

static int compare_all(const struct op *ops, size_t n_ops, const char *when, long n, int rounds)
{
	int ok = 1;
	for (size_t i = 0; i < n_ops; i++)
		ok &= compare(&ops[i], when, n, rounds);
	return ok;
}

static void *nothing(void *arg)
{
	return arg;
}

/* Not traced yet: make a segment, preload the tracer, run again. */
static void reexec(char **argv, const char *lib)
{
	char err[256], var[32];
	struct telemetry *t = telemetry_create(err, sizeof err);
	if (!t) {
		fprintf(stderr, "trace_overhead: %s\n", err);
		exit(2);
	}
	int fd = telemetry_fd(t);
	fcntl(fd, F_SETFD, 0);          /* survives the exec */
	snprintf(var, sizeof var, "%d", fd);
	setenv(CM_TELEMETRY_ENV, var, 1);
	setenv("LD_PRELOAD", lib, 1);
	setenv("TRACE_OVERHEAD_CHILD", "1", 1);
	execv("/proc/self/exe", argv);
	perror("trace_overhead: exec");
	exit(2);
}

int main(int argc, char **argv)
{
	int smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	const char *lib = argc > 1 + smoke ? argv[1 + smoke] : TRACE_LIB;
	if (!getenv("TRACE_OVERHEAD_CHILD"))
		reexec(argv, lib);
	void (*traced_auto)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "cmtrace_auto");
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	bare_lock = libc ? (mutex_fn *)dlsym(libc, "pthread_mutex_lock") : NULL;
	bare_unlock = libc ? (mutex_fn *)dlsym(libc, "pthread_mutex_unlock") : NULL;
	bare_wait = libc ? (sem_fn *)dlsym(libc, "sem_wait") : NULL;
	bare_post = libc ? (sem_fn *)dlsym(libc, "sem_post") : NULL;
	if (!traced_auto || !bare_lock || !bare_unlock || !bare_wait || !bare_post) {
		fprintf(stderr, "trace_overhead: the tracer is not loaded (%s)\n", lib);
		return 2;
	}
	int rounds = smoke ? 3 : MAX_ROUNDS;
	long n = smoke ? 1000 : 500000;
	pthread_mutex_t bm = PTHREAD_MUTEX_INITIALIZER, tm = PTHREAD_MUTEX_INITIALIZER;
	sem_t bs, ts;
	sem_init(&bs, 0, 1);
	sem_init(&ts, 0, 1);
	const struct op ops[] = {
		{ "mutex lock+unlock traced", run_bare, run_traced, &bm, &tm, GOAL },
		{ "sem_wait+sem_post traced", run_bare_sem, run_traced_sem, &bs, &ts, 0 },
	};
	size_t n_ops = sizeof ops / sizeof ops[0];
	printf("tracer overhead, %ld operations x %d rounds, medians of CPU time and of "
	       "per-round ratios, telemetry active\n", n, rounds);
	int ok = compare_all(ops, n_ops, "single-threaded", n, rounds);
	pthread_t th;                   /* from now on glibc uses atomics */
	pthread_create(&th, NULL, nothing, NULL);
	pthread_join(th, NULL);
	ok &= compare_all(ops, n_ops, "after a thread ran", n, rounds);
	printf("overall: %s\n", ok ? "PASS" : "FAIL");
	return smoke || ok ? 0 : 1;
}
