/* relaunch.h - launching a program again with the same arguments (the TUI's
 * R key, and the restart a knob read only at start needs), and the
 * restarts that wait for the old program to be gone. */
#ifndef CONCMON_RELAUNCH_H
#define CONCMON_RELAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "supervise/programs.h"

/* How to launch a program again: exactly one of argv (as launched), line
 * (a command line, "--trace " first when it was traced) and demo (a spec
 * "NAME,k=v,..." for programs_launch_demo) is set. */
struct relaunch {
	char **argv;
	char *line;
	char *demo;
	struct restart_state restart;  /* the policy it keeps, and its counts */
	pid_t old;                     /* the program it replaces */
	double backoff;                /* an automatic restart: what it waited */
};

/* Fills r from pr: a demo gets its spec with every knob at its last
 * published value, and knob (unless NULL) at value; other programs their
 * argv or command line. The restart policy is pr's, its counts start over
 * (the user asked). Free with relaunch_clear. */
void relaunch_of(const struct program *pr, const char *knob, long value, struct relaunch *r);

/* Frees what r holds and empties it. */
void relaunch_clear(struct relaunch *r);

/* Restarts waiting for their old program to be reaped. */
struct relaunches;
struct relaunches *relaunches_new(void);
void relaunches_free(struct relaunches *q);

/* Launch r once old is gone: takes r's contents (r is emptied). A second
 * restart of the same old program replaces the first. */
void relaunches_add(struct relaunches *q, pid_t old, struct relaunch *r);

/* A restart of launched program pid (knob, unless NULL, at value). When
 * it has ended: 0, with *now to launch at once. Else the supervisor stops
 * it by PID and start (0: already exiting, a zombie or unknown: nothing is
 * sent) and the restart waits for it: EINPROGRESS. ESRCH (not a launched
 * program) or the supervisor's error, with a message in err. */
int relaunches_request(struct relaunches *q, struct programs *progs, struct supervisor *sup,
		       pid_t pid, unsigned long long start, const char *knob, long value,
		       struct relaunch *now, char *err, size_t errlen);

/* old is gone: its restart (if one waits) is due. Launching is left to
 * relaunches_due, outside the reaping that calls this. */
void relaunches_gone(struct relaunches *q, pid_t old);

/* Moves one due restart into *r (to launch now) and forgets it; false when
 * none is due. */
bool relaunches_due(struct relaunches *q, struct relaunch *r);

/* The restart policy of launches that name none (the command line's
 * --restart, the prompt's --restart= and the config file set their own):
 * never until this is called. */
void relaunch_set_default_policy(const struct restart_spec *s);
struct restart_spec relaunch_default_policy(void);

/* Program pid ended (exit code, or signal sig with code -1) at monotonic
 * time now: decides by its policy whether and when it is launched again
 * (restart_decide) and marks it so (restart_at, or given_up). */
void relaunch_plan(struct programs *p, pid_t pid, int code, int sig, double now);

/* Seconds from now until the next planned restart (0 when one is due),
 * -1 when none is planned. */
double relaunch_next(const struct programs *p, double now);

/* Moves one planned restart due at now into *r (its counts one up) and
 * unplans it; false when none is due. */
bool relaunch_take_due(struct programs *p, double now, struct relaunch *r);

/* True while launched program pid (started at start_ticks, 0: unknown)
 * has ended and its row stays listed: a restart is planned, or it gave up
 * (lifecycle_set_hold's question). */
bool relaunch_holds(const struct programs *p, pid_t pid, unsigned long long start_ticks);

/* The user dismissed the ended program pid: its planned restart is
 * cancelled and it no longer counts as given up, so its row and entry go.
 * False when pid is no program that relaunch_holds. */
bool relaunch_dismiss(struct programs *p, pid_t pid);

/* What a program's row says of its restarts, "" when nothing: "[restarts
 * 3, next in 4s]", "[restarts 5/5: given up]", "[restarts 2]". */
void relaunch_describe(const struct program *pr, double now, char *buf, size_t len);

#endif
