/* load - the benchmarks' background load: PROCS processes, each carrying
 * THREADS extra threads, all asleep. Prints "ready TASKS" on stdout once
 * every thread exists, then waits for end-of-file on stdin (or, with
 * --hold, for SIGTERM/SIGINT), kills what it started, reaps it and exits.
 * Children die with it (PR_SET_PDEATHSIG), so nothing is ever left behind.
 *
 * usage: load [--hold] PROCS THREADS */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sleeping threads touch little of their stack: keep it small, so 10000
 * of them fit anywhere. */
#define STACK_SIZE (64 * 1024)

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* One loaded process: threads, then one byte to the parent, then sleep. */
static void __attribute__((noreturn)) child_main(long threads, int ready_fd, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "cmload");
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (long i = 0; i < threads; i++) {
		pthread_t t;
		int rc = pthread_create(&t, &attr, sleeper, NULL);
		if (rc != 0) {
			fprintf(stderr, "load: pthread_create: %s\n", strerror(rc));
			_exit(1);
		}
	}
	char c = 'r';
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause();
}

static void stop_all(const pid_t *kids, long n)
{
	for (long i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

/* Blocks until it is time to stop: EOF on stdin, or a signal with --hold. */
static void wait_for_stop(int hold)
{
	if (hold) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		int sig;
		sigwait(&set, &sig);
		return;
	}
	char buf[256];
	while (read(STDIN_FILENO, buf, sizeof buf) > 0 || errno == EINTR)
		errno = 0;
}

int main(int argc, char **argv)
{
	int hold = argc > 1 && strcmp(argv[1], "--hold") == 0;
	if (argc != 3 + hold) {
		fprintf(stderr, "usage: load [--hold] PROCS THREADS\n");
		return 2;
	}
	long procs = strtol(argv[1 + hold], NULL, 10), threads = strtol(argv[2 + hold], NULL, 10);
	if (procs < 0 || procs > 5000 || threads < 0 || threads > 1000) {
		fprintf(stderr, "load: bad arguments\n");
		return 2;
	}
	/* Blocked in every thread and child from the start: --hold waits for
	 * them with sigwait, and a child's default is restored by SIGKILL. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (hold)
		sigprocmask(SIG_BLOCK, &set, NULL);
	int fds[2];
	if (pipe(fds) < 0) {
		perror("load: pipe");
		return 1;
	}
	pid_t self = getpid();
	pid_t *kids = calloc((size_t)procs + 1, sizeof *kids);
	for (long i = 0; i < procs; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("load: fork");
			stop_all(kids, i);
			return 1;
		}
		if (kids[i] == 0) {
			close(fds[0]);
			child_main(threads, fds[1], self);
		}
	}
	close(fds[1]);
	long ready = 0;
	char buf[256];
	while (ready < procs) {
		ssize_t r = read(fds[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ready += r;
	}
	close(fds[0]);
	if (ready < procs) {
		fprintf(stderr, "load: only %ld of %ld processes started\n", ready, procs);
		stop_all(kids, procs);
		return 1;
	}
	printf("ready %ld\n", 1 + procs * (1 + threads));
	fflush(stdout);
	wait_for_stop(hold);
	stop_all(kids, procs);
	free(kids);
	return 0;
}
