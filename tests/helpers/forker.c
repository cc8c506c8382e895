/* forker N - forks N children as fast as it can (retrying while fork says
 * EAGAIN), each of which sleeps until killed; then sleeps itself. Prints
 * "forked N" on stdout once all are there. A fork storm for the fault tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: forker N\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	if (n < 1 || n > 100000) {
		fprintf(stderr, "forker: bad N\n");
		return 2;
	}
	for (long i = 0; i < n;) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("fork");
			return 1;
		}
		i++;
	}
	printf("forked %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
