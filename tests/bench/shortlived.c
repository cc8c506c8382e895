/* shortlived - forks COUNT children one after another, each named
 * "cmshort" and living LIFE_US microseconds, reaping each before the next.
 * Waits DELAY_MS before the first fork and after the last one, so monitors
 * started with it are already looking. Appends "forked N\n" to FILE.
 *
 * usage: shortlived FILE COUNT LIFE_US DELAY_MS */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: shortlived FILE COUNT LIFE_US DELAY_MS\n");
		return 2;
	}
	long count = strtol(argv[2], NULL, 10), life = strtol(argv[3], NULL, 10);
	long delay = strtol(argv[4], NULL, 10);
	if (count < 1 || life < 0 || delay < 0) {
		fprintf(stderr, "shortlived: bad arguments\n");
		return 2;
	}
	sleep_us(delay * 1000);
	long forked = 0;
	for (long i = 0; i < count; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("shortlived: fork");
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_NAME, "cmshort");
			sleep_us(life);
			_exit(0);
		}
		forked++;
		waitpid(pid, NULL, 0);
	}
	sleep_us(delay * 1000);
	FILE *fp = fopen(argv[1], "a");
	if (fp) {
		fprintf(fp, "forked %ld\n", forked);
		fclose(fp);
	}
	return 0;
}
