/* common.h - what every demo shares: stopping on a signal, sleeps that wake
 * on a stop, fork with hygiene, reaping, pidfds and small utilities.
 *
 * Signals are turned into state by handlers that only set atomics and write
 * one byte to a self-pipe: TERM, INT and HUP request a stop, USR1 is
 * counted (USR2 is ignored). Everything else happens in the demos' loops. */
#ifndef CONCMON_DEMO_COMMON_H
#define CONCMON_DEMO_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct cm_knob;

/* Installs the handlers and the self-pipe. Call once, before any thread. */
void demo_signals_init(void);

/* True once TERM, INT or HUP arrived. */
bool demo_should_stop(void);

/* How many SIGUSR1 this process has received so far (the demos' "key"). */
unsigned demo_usr1_count(void);

/* A descriptor that becomes readable (and stays so) once a stop is
 * requested: add it to poll() sets. */
int demo_stop_fd(void);

/* Sleeps ms milliseconds, less when a stop is requested. Returns false
 * when the program should stop. */
bool demo_sleep_ms(long ms);

/* Sleeps ms milliseconds whatever happens (work done after a stop). */
void sleep_ms(long ms);

/* Monotonic clock in milliseconds. */
long demo_now_ms(void);

/* fork() with hygiene: stdout flushed, signals blocked around the fork; the
 * child gets a fresh stop state (a stop sent to the parent is not one sent
 * to the child) and the default SIGPIPE/SIGCHLD. Returns like fork(); -1
 * after printing why. */
pid_t demo_fork(void);

/* Ends a forked child: flushes stdout and _exit(code) (no atexit handlers
 * of the parent run twice). */
_Noreturn void demo_child_exit(int code);

/* Kills a forked child when its parent dies (PR_SET_PDEATHSIG, like
 * Python's daemon=True). Call first thing in the child; parent is the
 * parent's PID before the fork. Exits at once if the parent is already gone. */
void demo_die_with_parent(pid_t parent, int sig);

/* pthread_create/join that abort with a message on failure. */
void demo_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void demo_thread_join(pthread_t t);

/* calloc that aborts with a message on failure. */
void *demo_xcalloc(size_t n, size_t size);

/* waitpid() retried on EINTR. */
pid_t demo_waitpid(pid_t pid, int *status, int flags);

/* "exited with code 3" or "killed by signal 15 (SIGTERM)" into buf. */
const char *demo_status_str(int status, char *buf, size_t len);

/* A pidfd for pid (-1 and errno on failure), and a signal sent through it. */
int demo_pidfd_open(pid_t pid);
int demo_pidfd_signal(int pidfd, int sig);

/* Stops processes through their pidfds (entries < 0 are skipped): SIGTERM,
 * up to grace_ms for them to exit, then SIGKILL for the rest. killed[i]
 * (killed may be NULL) tells which needed the KILL. Does not reap. */
void demo_terminate_pidfds(const int *pidfds, int n, long grace_ms, bool *killed);

/* How many of the n processes behind pidfds have not exited yet. */
int demo_pidfds_running(const int *pidfds, int n);

/* True, with *last updated, when the knob's value is not *last. */
bool demo_knob_changed(const struct cm_knob *k, long *last);

/* A blocking TCP socket connected to 127.0.0.1:port, or -1. */
int demo_connect_loopback(int port);

/* A number in [lo, hi] from a small xorshift PRNG; each caller owns its
 * state (so it is thread-safe). */
long demo_rand_range(unsigned *state, long lo, long hi);

/* A condition variable whose timed waits count on CLOCK_MONOTONIC (a
 * change of the wall clock does not move their deadlines). */
void demo_cond_init_monotonic(pthread_cond_t *c);

/* The CLOCK_MONOTONIC time ms milliseconds from now, for those waits. */
struct timespec demo_deadline_ms(long ms);

#endif
