/* hostile COMM ARGV0 [ARG...] - a process with a hostile name: re-executes
 * itself as ARGV0 --named COMM [ARG...], then sets its command name (comm)
 * to COMM with PR_SET_NAME and sleeps until killed. The tests pass escape
 * sequences, control characters, quotes and invalid UTF-8 in COMM, ARGV0 and
 * the ARGs and check that concmon never lets them reach a terminal raw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--named") == 0) {
		if (prctl(PR_SET_NAME, argv[2], 0, 0, 0) < 0) {
			perror("prctl");
			return 1;
		}
		for (;;)
			pause();
	}
	if (argc < 3) {
		fprintf(stderr, "usage: hostile COMM ARGV0 [ARG...]\n");
		return 2;
	}
	char **nargv = calloc((size_t)argc + 2, sizeof *nargv);
	if (!nargv)
		return 1;
	nargv[0] = argv[2];
	nargv[1] = "--named";
	nargv[2] = argv[1];
	for (int i = 3; i < argc; i++)
		nargv[i] = argv[i];
	nargv[argc] = NULL;
	execv("/proc/self/exe", nargv);
	perror("execv /proc/self/exe");
	return 1;
}
