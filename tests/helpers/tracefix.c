/* tracefix - plain pthread programs (no probe) for `concmon --trace`
 * (tests/integration/test_trace.py). Each runs until killed:
 *   tracefix deadlock   two threads take two mutexes in opposite order
 *   tracefix sem        8 workers share a semaphore of 3 permits, and hold them
 *   tracefix contend    4 threads fight over one mutex
 *   tracefix fork       forks; the child deadlocks as `deadlock` does
 *   tracefix held       a thread holds a (statically initialised, never
 *                       waited for) recursive mutex 3 deep, then main
 *                       waits for it: published only then
 * Prints "ready" once the state is set up (the deadlock: once both hold
 * their first lock). Built without sanitizers and with its symbols
 * exported, so lock names read "worker_a+0x..". */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a, lock_b;
static pthread_mutex_t deep = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_barrier_t both_hold;
static sem_t permits;
static atomic_long counter;

void *worker_a(void *arg);
void *worker_b(void *arg);
void *sem_worker(void *arg);
void *contender(void *arg);
void *deep_holder(void *arg);
void setup_deadlock(void);

void *worker_a(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock_a);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&lock_b);
	return NULL;
}

void *worker_b(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock_b);
	pthread_barrier_wait(&both_hold);
	pthread_mutex_lock(&lock_a);
	return NULL;
}

void *sem_worker(void *arg)
{
	(void)arg;
	sem_wait(&permits);
	for (;;)
		pause();        /* holds its permit */
}

void *contender(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock_a);
		for (int i = 0; i < 20000; i++)
			atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
		pthread_mutex_unlock(&lock_a);
	}
}

void *deep_holder(void *arg)
{
	for (int i = 0; i < 3; i++)
		pthread_mutex_lock(&deep);
	pthread_barrier_wait(arg);
	for (;;)
		pause();
}

static void start(int n, void *(*fn)(void *))
{
	for (int i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, fn, NULL);
	}
}

__attribute__((noinline)) void setup_deadlock(void)
{
	pthread_mutex_init(&lock_a, NULL);
	pthread_mutex_init(&lock_b, NULL);
	pthread_barrier_init(&both_hold, NULL, 3);
	start(1, worker_a);
	start(1, worker_b);
	pthread_barrier_wait(&both_hold);
	printf("ready\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "deadlock";
	if (strcmp(mode, "deadlock") == 0) {
		setup_deadlock();
	} else if (strcmp(mode, "sem") == 0) {
		sem_init(&permits, 0, 3);
		start(8, sem_worker);
		printf("ready\n");
		fflush(stdout);
	} else if (strcmp(mode, "contend") == 0) {
		pthread_mutex_init(&lock_a, NULL);
		start(4, contender);
		printf("ready\n");
		fflush(stdout);
	} else if (strcmp(mode, "fork") == 0) {
		pthread_mutex_init(&lock_a, NULL);
		pthread_mutex_lock(&lock_a);    /* held across fork by the forking thread */
		pthread_mutex_unlock(&lock_a);
		pid_t pid = fork();
		if (pid == 0) {
			setup_deadlock();
			for (;;)
				pause();
		}
		waitpid(pid, NULL, 0);
		return 0;
	} else if (strcmp(mode, "held") == 0) {
		pthread_barrier_t held;
		pthread_t t;
		pthread_barrier_init(&held, NULL, 2);
		pthread_create(&t, NULL, deep_holder, &held);
		pthread_barrier_wait(&held);
		printf("ready\n");
		fflush(stdout);
		pthread_mutex_lock(&deep);
	} else {
		fprintf(stderr, "usage: tracefix deadlock|sem|contend|fork|held\n");
		return 2;
	}
	for (;;)
		pause();
}
