/* control.h - the commands a script can write to concmon's standard input
 * in batch mode, one per line: the batch twin of the TUI's keys.
 *   knob PID NAME VALUE      set a knob of the launched program PID
 *   signal PID SIGNAL        send SIGNAL (name or number) to process PID
 *   terminate PID            SIGTERM, then SIGKILL after the grace period
 *   launch COMMAND [ARGS...] launch a command line (shell quoting, no substitution)
 *   demo NAME[,KEY=VALUE...] launch a demo workload
 * Blank lines and lines starting with # are ignored. */
#ifndef CONCMON_CONTROL_H
#define CONCMON_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

enum control_op { CONTROL_NONE, CONTROL_KNOB, CONTROL_SIGNAL, CONTROL_TERMINATE, CONTROL_LAUNCH,
		  CONTROL_DEMO };

struct control_cmd {
	enum control_op op;
	pid_t pid;
	int sig;
	long value;
	char name[64];        /* the knob */
	const char *rest;     /* launch/demo: the rest of the line (points into it) */
};

/* Parses one line (without its newline). Returns 0 (CONTROL_NONE for a
 * blank or comment line), or -1 with a one-line reason in err. */
int control_parse(const char *line, struct control_cmd *out, char *err, size_t errlen);

#endif
