/* locks MODE [SECONDS] - a plain pthread program (no probe) that gets its
 * threads stuck, or busy, in one of the ways concmon infers from outside:
 *   abba     two threads take static mutexes fork_1, fork_2 in opposite order
 *   self     one thread locks the normal mutex fork_1 twice
 *   cycle3   three threads, each holds fork_N and wants fork_N+1 (mod 3)
 *   contend  4 threads queue behind one holder of fork_1 (no deadlock);
 *            the holder lets go after SECONDS
 *   rwlock   a writer holds the rwlock table_lock, two readers wait on it
 *   io       one thread reads an empty pipe, one waits on a condition
 *            variable, one sits in sem_wait, one in nanosleep(0.5 s)
 * Prints "ready" once every thread is where it should be (as far as the
 * program can know: its threads announce it just before blocking, and the
 * test polls /proc for the rest). Exits after SECONDS (default 60) unless
 * deadlocked, so a test kills it. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

pthread_mutex_t fork_1 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t fork_2 = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t fork_3 = PTHREAD_MUTEX_INITIALIZER;
pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cond_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static pthread_barrier_t barrier;
static int pipefd[2];
static double seconds = 60;

static void sleep_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static pthread_mutex_t *forks[3] = { &fork_1, &fork_2, &fork_3 };

/* Holds fork i, waits until every thread holds its own, then takes fork j. */
struct pair { int first, second; const char *name; };

static void *philosopher(void *arg)
{
	struct pair *p = arg;
	pthread_setname_np(pthread_self(), p->name);
	pthread_mutex_lock(forks[p->first]);
	pthread_barrier_wait(&barrier);
	pthread_mutex_lock(forks[p->second]);
	return NULL;
}

static void ring(int n)
{
	static struct pair pairs[3];
	static const char *const names[] = { "philosopher-A", "philosopher-B", "philosopher-C" };
	pthread_t t[3];
	pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		pairs[i] = (struct pair){ i, (i + 1) % n, names[i] };
		pthread_create(&t[i], NULL, philosopher, &pairs[i]);
	}
	pthread_barrier_wait(&barrier);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void *self_locker(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "self-locker");
	pthread_mutex_lock(&fork_1);
	printf("ready\n");
	fflush(stdout);
	pthread_mutex_lock(&fork_1);
	return NULL;
}

static void *contender(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "contender");
	pthread_mutex_lock(&fork_1);
	pthread_mutex_unlock(&fork_1);
	return NULL;
}

static void contend(void)
{
	pthread_t t[4];
	pthread_mutex_lock(&fork_1);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, contender, NULL);
	printf("ready\n");
	fflush(stdout);
	sleep_for(seconds);
	pthread_mutex_unlock(&fork_1);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

static void *reader(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "reader");
	pthread_rwlock_rdlock(&table_lock);
	pthread_rwlock_unlock(&table_lock);
	return NULL;
}

static void rwlock(void)
{
	pthread_t t[2];
	pthread_rwlock_wrlock(&table_lock);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	printf("ready\n");
	fflush(stdout);
	sleep_for(seconds);
	pthread_rwlock_unlock(&table_lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

static void *pipe_reader(void *arg)
{
	(void)arg;
	char c;
	pthread_setname_np(pthread_self(), "pipe-reader");
	return read(pipefd[0], &c, 1) < 0 ? NULL : NULL;
}

static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "cond-waiter");
	pthread_mutex_lock(&cond_mtx);
	pthread_cond_wait(&cond, &cond_mtx);
	pthread_mutex_unlock(&cond_mtx);
	return NULL;
}

static void *sem_waiter(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "sem-waiter");
	sem_wait(&sem);
	return NULL;
}

static void *napper(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "napper");
	for (;;)
		sleep_for(0.5);
	return NULL;
}

static void io(void)
{
	pthread_t t[4];
	if (pipe(pipefd) != 0 || sem_init(&sem, 0, 0) != 0)
		exit(1);
	pthread_create(&t[0], NULL, pipe_reader, NULL);
	pthread_create(&t[1], NULL, cond_waiter, NULL);
	pthread_create(&t[2], NULL, sem_waiter, NULL);
	pthread_create(&t[3], NULL, napper, NULL);
	printf("ready\n");
	fflush(stdout);
	sleep_for(seconds);
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: locks abba|hidden-abba|self|cycle3|contend|rwlock|io [SECONDS]\n");
		return 2;
	}
	if (argc == 3)
		seconds = strtod(argv[2], NULL);
	const char *m = argv[1];
	if (strcmp(m, "abba") == 0)
		ring(2);
	else if (strcmp(m, "hidden-abba") == 0) {
		/* Not dumpable: only a ptracer with CAP_SYS_PTRACE may look inside. */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		ring(2);
	}
	else if (strcmp(m, "cycle3") == 0)
		ring(3);
	else if (strcmp(m, "self") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, self_locker, NULL);
		pthread_join(t, NULL);
	} else if (strcmp(m, "contend") == 0)
		contend();
	else if (strcmp(m, "rwlock") == 0)
		rwlock();
	else if (strcmp(m, "io") == 0)
		io();
	else {
		fprintf(stderr, "locks: unknown mode %s\n", m);
		return 2;
	}
	return 0;
}
