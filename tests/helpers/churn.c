/* churn N LONG [orphans] - keeps N short-lived children churning (each
 * lives 1-LIFE_MS ms) beside LONG long-lived ones named "churn-long" that
 * sleep until killed. With "orphans", every child is made through a
 * middle process that exits at once, so the children are adopted by the
 * nearest subreaper (concmon) and churn in its children list instead.
 * Prints "ready" once the first long-lived child exists. For the tests that
 * /proc/PID/task/TID/children, unreliable while siblings come and go,
 * never makes concmon call a live process dead. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIFE_MS 40
#define SPACING 50

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Runs body in a new process: a child, or with orphans a grandchild whose
 * parent has already exited. Returns -1 when fork fails. */
static int spawn(int orphans, void (*body)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (orphans && fork() != 0)
			_exit(0); /* the middle process; a failed fork loses one churner */
		body(arg);
		_exit(0);
	}
	if (orphans)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return 0;
}

static void long_lived(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "churn-long");
	for (;;)
		pause();
}

static void short_lived(void *arg)
{
	atomic_int *live = arg;
	prctl(PR_SET_NAME, "churn-kid");
	nap_ms(1 + getpid() % LIFE_MS);
	atomic_fetch_sub(live, 1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: churn N LONG [orphans]\n");
		return 2;
	}
	int n = atoi(argv[1]), nlong = atoi(argv[2]);
	int orphans = argc > 3 && strcmp(argv[3], "orphans") == 0;
	atomic_int *live = mmap(NULL, sizeof *live, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (n < 0 || nlong < 0 || live == MAP_FAILED) {
		fprintf(stderr, "churn: bad arguments or no shared memory\n");
		return 2;
	}
	atomic_init(live, 0);
	/* A child is missed when the sibling listed before it is reaped while
	 * the list is read: long-lived children made among the churners, one
	 * every SPACING forks, are the ones at risk. */
	long forks = 0;
	int made = 0;
	for (;;) {
		if (made < nlong && forks >= (long)made * SPACING && spawn(orphans, long_lived, NULL) == 0)
			made++;
		if (made == 1 && forks == 0) {
			printf("ready\n");
			fflush(stdout);
		}
		if (atomic_load(live) < n) {
			atomic_fetch_add(live, 1);
			if (spawn(orphans, short_lived, live) == 0) {
				forks++;
			} else {
				atomic_fetch_sub(live, 1);
				nap_ms(1);
			}
		} else {
			nap_ms(1);
		}
		while (!orphans && waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
