/* programs.h - the programs concmon launched: each one's telemetry segment,
 * its last validated snapshot, and the knobs concmon turns in it. */
#ifndef CONCMON_PROGRAMS_H
#define CONCMON_PROGRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "supervisor.h"
#include "telemetry.h"

/* How long a program's last telemetry stays readable after it ended. */
#define PROGRAMS_LINGER 5.0

struct program {
	pid_t pid;
	char *name;                       /* the command line as launched */
	char *demo;                       /* demo name, or NULL */
	struct telemetry *tel;            /* NULL when no segment could be made */
	struct telemetry_snapshot *snap;  /* last good snapshot, NULL before one */
	char error[160];                  /* why the segment was rejected, "" if it was not */
	bool ended;
	double ended_at;                  /* monotonic seconds */
};

struct programs;

/* An empty list that launches through sup. Aborts on allocation failure. */
struct programs *programs_new(struct supervisor *sup);
void programs_free(struct programs *p);

/* Launches argv (or the command line line, when argv is NULL) with a fresh
 * telemetry segment handed over in CM_TELEMETRY_ENV. demo names the demo
 * it runs, or NULL. Returns the PID, or -1 with the reason in err. */
pid_t programs_launch(struct programs *p, char *const argv[], const char *line, const char *demo,
		      char *err, size_t errlen);

/* Launches "NAME[,key=value...]" through the concmon-demo program found
 * next to concmon's own executable (else on PATH). As programs_launch. */
pid_t programs_launch_demo(struct programs *p, const char *spec, char *err, size_t errlen);

/* The path of concmon-demo (static storage). */
const char *programs_demo_path(void);

/* Reads and validates every live program's segment; forgets programs that
 * ended more than PROGRAMS_LINGER seconds ago. */
void programs_read(struct programs *p, double now);

/* Records that the program pid ended (no-op for other PIDs). */
void programs_ended(struct programs *p, pid_t pid, double now);

/* The programs, in launch order; valid until the next call that changes p. */
const struct program *programs_list(const struct programs *p, size_t *n);

/* Sets knob name to value in program pid. 0, or ESRCH (no such program),
 * ENOENT (no such knob or out of its range), ENODATA (no telemetry). */
int programs_set_knob(struct programs *p, pid_t pid, const char *name, long value);

/* A sentence for an error of programs_set_knob (static storage). */
const char *programs_knob_error(int err);

#endif
