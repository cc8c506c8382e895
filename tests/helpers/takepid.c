/* takepid PID SECONDS - forks a child onto PID (root: through
 * /proc/sys/kernel/ns_last_pid; another process's fork may take the PID
 * first, then it tries again) that exits at once with code 7. Prints
 * "took PID" once that child is reaped, or "missed" after SECONDS. A
 * recycled PID, made on purpose, for the identity tests. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: takepid PID SECONDS\n");
		return 2;
	}
	long want = strtol(argv[1], NULL, 10);
	double end = now() + strtod(argv[2], NULL);
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (want < 2 || fd < 0) {
		perror("takepid: ns_last_pid");
		return 2;
	}
	char last[32];
	int len = snprintf(last, sizeof last, "%ld", want - 1);
	while (now() < end) {
		if (pwrite(fd, last, (size_t)len, 0) != len) {
			perror("takepid: ns_last_pid");
			return 2;
		}
		pid_t pid = fork();
		if (pid == 0)
			_exit(7);
		if (pid < 0)
			continue;
		while (waitpid(pid, NULL, 0) < 0)
			;
		if (pid == want) {
			printf("took %ld\n", want);
			return 0;
		}
	}
	printf("missed\n");
	return 1;
}
