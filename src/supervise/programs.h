/* programs.h - the programs concmon launched: each one's telemetry segment,
 * its last validated snapshot, and the knobs concmon turns in it. */
#ifndef CONCMON_PROGRAMS_H
#define CONCMON_PROGRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <sys/types.h>

#include "supervise/output.h"
#include "supervise/restart.h"
#include "supervise/supervisor.h"
#include "telemetry/telemetry.h"

/* How long a program's last telemetry stays readable after it ended. */
#define PROGRAMS_LINGER 5.0

struct program {
	pid_t pid;
	char *name;                       /* the command line as launched */
	char *demo;                       /* demo name, or NULL */
	char **argv;                      /* as launched (NULL-terminated), or NULL: name is the line */
	bool trace;                       /* launched with libconcmon-trace preloaded */
	/* The knobs of the last good snapshot, kept after the program ended:
	 * a restart launches a demo with these values. */
	struct telemetry_knob *knobs;
	size_t n_knobs;
	struct telemetry *tel;            /* NULL when no segment could be made */
	struct telemetry_snapshot *snap;  /* last good snapshot, NULL before one */
	char error[160];                  /* why the segment was rejected, "" if it was not */
	/* How concmon knows the program's locks and queues: "probe", "traced",
	 * "inferred" or "none" (static string), and why not more (sight_why). */
	const char *sight;
	char sight_why[128];
	bool ended;
	double ended_at;                  /* monotonic seconds */
	double started_at;                /* monotonic seconds */
	unsigned long long start_ticks;   /* with pid, its identity (a PID comes back) */
	/* Its restart policy and what it used of it (carried over from the
	 * program it replaced); signaled: concmon sent it a signal meant to
	 * end it (TERM, KILL, INT, HUP, QUIT), or the one it died of, so its
	 * end is the user's doing and never restarted. sent: every signal
	 * concmon sent it (bit n: signal n). */
	struct restart_state restart;
	bool signaled;
	unsigned long long sent;
	double restart_at;                /* monotonic time of its restart; 0: none pending */
	double restart_delay;             /* the backoff of that restart */
	bool given_up;                    /* it used up its restarts and stays down */
	bool restart_decided;             /* its end was weighed (once: its PID may come back) */
	struct output *out;               /* what it wrote on stdout and stderr */
	int out_fd, err_fd;               /* pipe read ends, -1 after end of file */
	uint64_t out_reported;            /* batch JSON: last output line printed */
};

struct programs;

/* An empty list that launches through sup. Aborts on allocation failure. */
struct programs *programs_new(struct supervisor *sup);
void programs_free(struct programs *p);

/* Launches argv (or the command line line, when argv is NULL) with a fresh
 * telemetry segment handed over in CM_TELEMETRY_ENV. demo names the demo
 * it runs, or NULL. trace: with libconcmon-trace.so preloaded (LD_PRELOAD,
 * CONCMON_TRACE_LIB) and the Python layer on PYTHONPATH; an error when the
 * library is not found. Returns the PID, or -1 with the reason in err. */
pid_t programs_launch(struct programs *p, char *const argv[], const char *line, const char *demo,
		      bool trace, char *err, size_t errlen);

/* Launches "NAME[,key=value...]" through the concmon-demo program found
 * next to concmon's own executable (else on PATH). As programs_launch. */
pid_t programs_launch_demo(struct programs *p, const char *spec, char *err, size_t errlen);

/* libconcmon-trace.so beside concmon's executable, else installed; NULL
 * when neither exists (static storage). */
const char *programs_trace_lib(void);

/* The name the kernel would give the program of a launch (argv, command
 * line or demo spec, as programs_launch takes them): the base name of its
 * first word (the demos' runner for a demo), cut to 15 bytes as comm is. */
void programs_launch_name(char *const argv[], const char *line, const char *demo, char *buf,
			  size_t len);

/* A command line typed in the TUI's prompt or a batch "launch" that starts
 * with "--trace ": moves *line past it and returns true (launch it traced). */
bool programs_trace_prefix(const char **line);

/* The path of concmon-demo (static storage). */
const char *programs_demo_path(void);

/* Fills fds (room for max) with the output pipes still open; returns how many. */
size_t programs_pollfds(const struct programs *p, struct pollfd *fds, size_t max);

/* Reads what is waiting on output pipe fd (one programs_pollfds gave). */
void programs_read_output(struct programs *p, int fd);

/* Marks every output line of program pid as reported (batch JSON). */
void programs_output_reported(struct programs *p, pid_t pid);

/* Reads and validates every live program's segment; forgets programs that
 * ended more than PROGRAMS_LINGER seconds ago, whose output is closed and
 * whose restart (if any) is no longer pending. */
void programs_read(struct programs *p, double now);

/* Records that the program pid ended (no-op for other PIDs). */
void programs_ended(struct programs *p, pid_t pid, double now);

/* Concmon sent signal sig to pid: when it is a program and sig is meant
 * to end it (TERM, KILL, INT, HUP, QUIT), or it later dies of sig, its end
 * is the user's doing. */
void programs_signaled(struct programs *p, pid_t pid, int sig);

/* The programs, in launch order; valid until the next call that changes p. */
const struct program *programs_list(const struct programs *p, size_t *n);

/* Sets each program's sight from what its snapshot holds. inferred_ok(ctx,
 * pid) says whether concmon could read the threads of the program's process
 * (else *why says why not, e.g. "ptrace denied"). Call after the inferred
 * layers ran. */
typedef bool programs_inferred_fn(void *ctx, pid_t pid, const char **why);
void programs_sight(struct programs *p, programs_inferred_fn *inferred_ok, void *ctx);

/* The same list, writable: the inferred layers append what they found to
 * each program's snapshot (allocating one where the program has none). */
struct program *programs_list_mut(struct programs *p, size_t *n);

/* Sets knob name to value in program pid. 0, or ESRCH (no such program),
 * ENOENT (no such knob or out of its range), ENODATA (no telemetry),
 * ENOTSUP (the program reads that knob only at start: it needs a restart). */
int programs_set_knob(struct programs *p, pid_t pid, const char *name, long value);

/* The knob called name in pr's last snapshot (or the last one it had), or NULL. */
const struct telemetry_knob *programs_knob(const struct program *pr, const char *name);

/* A sentence for an error of programs_set_knob (static storage). */
const char *programs_knob_error(int err);

#endif
