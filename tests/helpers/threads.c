/* threads N [SECONDS] - a process with N threads in all (main included, up to
 * 20000) that sleep; the extra ones are named worker-1 .. worker-(N-1). Exits after
 * SECONDS (default 300). Prints nothing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double seconds = 300;

static void sleep_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void *worker(void *arg)
{
	(void)arg;
	sleep_for(seconds);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: threads N [SECONDS]\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	if (argc == 3)
		seconds = strtod(argv[2], NULL);
	if (n < 1 || n > 20000 || seconds < 0) {
		fprintf(stderr, "threads: bad arguments\n");
		return 2;
	}
	/* Small stacks: thousands of threads must not need gigabytes. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 1; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, &attr, worker, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
		char name[16];
		snprintf(name, sizeof name, "worker-%ld", i);
		pthread_setname_np(t, name);
		pthread_detach(t);
	}
	sleep_for(seconds);
	return 0;
}
