/* fdscan_cost [PROCS] [ITERS] - CPU cost of fdscan_update per supervised
 * process per refresh, on PROCS real children chained by pipes (each holds
 * the read end of one pipe and the write end of the next, plus stdio), and
 * the baseline measured in the same run: the least any fd reader does,
 * listing /proc/PID/fd and reading every link. Prints one line:
 *   fdscan_cost: procs P fds F fdscan U us bare B us ratio R */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infer/fdscan.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t bare_read(const struct task *t, size_t n)
{
	size_t fds = 0;
	for (size_t i = 0; i < n; i++) {
		char path[64], link[4096];
		snprintf(path, sizeof path, "/proc/%d/fd", (int)t[i].pid);
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.' && readlinkat(dirfd(d), de->d_name, link, sizeof link) > 0)
				fds++;
		if (d)
			closedir(d);
	}
	return fds;
}

int main(int argc, char **argv)
{
	size_t procs = argc > 1 ? strtoul(argv[1], NULL, 10) : 50;
	int iters = argc > 2 ? atoi(argv[2]) : 200;
	struct task *t = calloc(procs, sizeof *t);
	int prev = -1;
	for (size_t i = 0; i < procs; i++) {
		int p[2];
		if (pipe(p) < 0)
			return 1;
		pid_t c = fork();
		if (c == 0) {
			close(p[0]);
			pause();
			_exit(0);
		}
		close(p[1]);
		if (prev >= 0)
			close(prev);
		prev = p[0];
		t[i] = (struct task){ .pid = c, .tid = c, .ppid = getpid(), .supervised = true,
				      .cmdline = "child" };
		strcpy(t[i].comm, "child");
	}
	struct program prog = { .pid = t[0].pid };
	struct fdscan *f = fdscan_new();
	size_t fds = bare_read(t, procs);
	double a = cpu_now();
	for (int i = 0; i < iters; i++)
		fdscan_update(f, t, procs, &prog, 1);
	double b = cpu_now();
	for (int i = 0; i < iters; i++)
		bare_read(t, procs);
	double c = cpu_now();
	double us = (b - a) / iters / (double)procs * 1e6, bare = (c - b) / iters / (double)procs * 1e6;
	printf("fdscan_cost: procs %zu fds %zu fdscan %.2f us bare %.2f us ratio %.2f\n", procs, fds,
	       us, bare, bare > 0 ? us / bare : 0);
	for (size_t i = 0; i < procs; i++)
		kill(t[i].pid, SIGKILL);
	while (wait(NULL) > 0)
		;
	fdscan_free(f);
	free(prog.snap);
	free(t);
	return 0;
}
