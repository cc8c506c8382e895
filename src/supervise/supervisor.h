/* supervisor.h - launches, signals, reaps and stops the supervised tree. */
#ifndef CONCMON_SUPERVISOR_H
#define CONCMON_SUPERVISOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct supervisor;

/* Called for each child concmon reaps: code when it exited, sig when a
 * signal killed it (then code is -1). name is argv[0] for a process concmon
 * launched, NULL for one it adopted. */
typedef void (*supervisor_reaped_fn)(void *arg, pid_t pid, const char *name, int code, int sig);

/* What concmon's own parent gave it, restored in every child it launches
 * (as tini does): the signals it ignored (nohup) and its signal mask. */
struct supervisor_inherit {
	sigset_t ignored;
	sigset_t mask;
};

/* Reads them; call first thing, before concmon changes any of them. */
void supervisor_inherited(struct supervisor_inherit *in);

/* Makes concmon a child subreaper and starts the guardian that kills the
 * supervised tree if concmon dies without stopping it. grace is seconds
 * between SIGTERM and SIGKILL; in what children get back. Returns NULL
 * with a message in err. */
struct supervisor *supervisor_new(double grace, const struct supervisor_inherit *in, char *err,
				  size_t errlen);

/* Frees the supervisor after supervisor_shutdown(); dismisses the guardian. */
void supervisor_free(struct supervisor *s);

/* What a launch hands the child besides argv; NULL means nothing. */
struct launch_extra {
	int keep_fd;          /* a descriptor the child inherits under the same number, -1: none */
	const char *const *env; /* "NAME=value"s added to (or replacing in) its environment,
				 * NULL-terminated; or NULL */
	int out_fd, err_fd;   /* its stdout and stderr; -1: /dev/null */
};

/* Starts argv[0] with argv (PATH search) in its own process group and
 * concmon's cgroup, stdin on /dev/null, output where x says (else
 * /dev/null), with PR_SET_PDEATHSIG and the signals concmon inherited.
 * Returns its PID; on failure (fork, the cgroup, or exec: "No such file or
 * directory") returns -1 with the reason in err and nothing left running. */
pid_t supervisor_launch(struct supervisor *s, char *const argv[], const struct launch_extra *x,
			char *err, size_t errlen);

/* Splits a command line with shell quoting rules (no substitution, no
 * expansion of commands) and launches it. Same results as above. */
pid_t supervisor_launch_line(struct supervisor *s, const char *line, const struct launch_extra *x,
			     char *err, size_t errlen);

/* Sends sig to the process pid through a pidfd, after checking that pid is
 * still the process that started at start_ticks; without pidfds (ENOSYS),
 * kill() right after that check. start_ticks 0 is no identity: ESRCH.
 * Returns 0 or an errno value (ESRCH when it is gone or was recycled). */
int supervisor_signal(struct supervisor *s, pid_t pid, unsigned long long start_ticks, int sig);

/* Called after every signal concmon sends (by supervisor_signal, the
 * escalation and the shutdown): pid, signal, 0 or the errno. */
typedef void (*supervisor_signaled_fn)(void *arg, pid_t pid, int sig, int result);
void supervisor_on_signal(struct supervisor *s, supervisor_signaled_fn fn, void *arg);

/* SIGTERM now, SIGKILL after the grace period if it is still alive.
 * Returns 0 or an errno value as supervisor_signal(). */
int supervisor_terminate(struct supervisor *s, pid_t pid, unsigned long long start_ticks, double now);

/* Sends the SIGKILLs that are due at monotonic time now. Returns seconds
 * until the next one is due, or -1 when none is pending. */
double supervisor_tick(struct supervisor *s, double now);

/* Reaps every child that has ended, calling fn for each (never the
 * guardian). Call after SIGCHLD. Returns how many were reaped. */
int supervisor_reap(struct supervisor *s, supervisor_reaped_fn fn, void *arg);

/* Tells the guardian about a process of the tree, so it is killed if
 * concmon dies abruptly. Cheap to call again for the same process. */
void supervisor_watch(struct supervisor *s, pid_t pid, unsigned long long start_ticks);

/* True when the guardian follows forks itself: a process the kernel
 * reports as new needs no supervisor_watch to be covered. */
bool supervisor_forks_followed(const struct supervisor *s);

/* Call after watching every process of a refresh: what was not watched
 * since the last call is forgotten (see guardian_sweep). */
void supervisor_watch_done(struct supervisor *s);

/* The guardian's PID: not part of the supervised tree, never shown. */
pid_t supervisor_guardian(const struct supervisor *s);

/* Stops the whole subtree: SIGTERM to every descendant, waits up to the
 * grace period while reaping, then SIGKILL to what is left, and reaps until
 * nothing is left. Blocks; SIGCHLD must be blocked. fn as for reap. */
void supervisor_shutdown(struct supervisor *s, supervisor_reaped_fn fn, void *arg);

/* How the tree is contained if concmon dies. With a cgroup every process
 * of the tree is killed, however it hid (setsid, double fork). Without
 * one, by process groups and tracking: the guardian kills what concmon or
 * the kernel's fork events told it about. */
enum containment { CONTAIN_CGROUP, CONTAIN_PROCESS_GROUPS };

/* The level, and in why (if not NULL) the cgroup's path or why none could
 * be made; why points into s. */
enum containment supervisor_containment(const struct supervisor *s, const char **why);

/* The level's name in JSON and the header: "cgroup", "process-groups". */
const char *supervisor_containment_name(enum containment c);

#endif
