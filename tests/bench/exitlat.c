/* exitlat - children that record when they exit, for the exit-to-event
 * latency benchmark. Forks COUNT children one after another; each lives
 * 20-60 ms (so a monitor has seen it alive), appends "PID SECONDS\n" to
 * FILE with its CLOCK_REALTIME exit time, and exits at once. The parent
 * reaps each promptly, waits 10-30 ms and forks the next; at the end it
 * appends "done\n" and exits.
 *
 * usage: exitlat FILE COUNT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void record(int fd, const char *line)
{
	size_t len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len)
		_exit(1);
}

int main(int argc, char **argv)
{
	long count = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	if (count < 1) {
		fprintf(stderr, "usage: exitlat FILE COUNT\n");
		return 2;
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("exitlat: open");
		return 1;
	}
	srand((unsigned)getpid());
	for (long i = 0; i < count; i++) {
		long life = 20 + rand() % 41, gap = 10 + rand() % 21;
		pid_t pid = fork();
		if (pid < 0) {
			perror("exitlat: fork");
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_NAME, "cmexit");
			sleep_ms(life);
			struct timespec ts;
			char line[64];
			clock_gettime(CLOCK_REALTIME, &ts);
			snprintf(line, sizeof line, "%d %lld.%09ld\n", (int)getpid(), (long long)ts.tv_sec,
				 ts.tv_nsec);
			record(fd, line);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		sleep_ms(gap);
	}
	record(fd, "done\n");
	return 0;
}
