/* kevents.h - exact fork/exec/exit events of the supervised tree, read
 * from the kernel's proc connector (kernel/connector.h; 6.x kernels allow
 * it without root, older ones may need CAP_NET_ADMIN). Short
 * processes that live between two snapshots are still seen. Without it,
 * concmon derives events from snapshots (taskdiff). A process is known by
 * PID and start time: a recycled PID never inherits a watched one's place. */
#ifndef CONCMON_KEVENTS_H
#define CONCMON_KEVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/events.h"

struct kevents;

/* Subscribes to the proc connector. Events about descendants of self are
 * added to ev. NULL with a reason in err when not permitted or supported. */
struct kevents *kevents_open(pid_t self, struct events *ev, char *err, size_t errlen);
void kevents_close(struct kevents *k);

/* The socket to poll for input. */
int kevents_fd(const struct kevents *k);

/* Handles every pending message. Returns how many events were lost to a
 * full socket buffer since the last call (0 normally). */
unsigned kevents_read(struct kevents *k);

/* What the kernel reported of the tree in a period: what a refresh
 * alone would miss. */
struct kevents_peaks {
	unsigned forks, exits;  /* processes started, processes ended */
	int thread_rise;        /* most threads started minus ended at any moment, >= 0 */
	int zombies;            /* most unreaped zombies at once (exits seen, /proc checked) */
};

/* The period since the previous call into out, and starts the next one. */
void kevents_peaks(struct kevents *k, struct kevents_peaks *out);

/* Called when a process of the tree exited, before its exit event is
 * added: time is the kernel's, in unix seconds. */
typedef void (*kevents_exit_fn)(void *arg, pid_t pid, double time);
void kevents_on_exit(struct kevents *k, kevents_exit_fn fn, void *arg);

/* Marks process (pid, start_ticks) as part of the tree (from a snapshot),
 * so what it forks is followed even if its own fork was missed. An entry
 * for an older process with that PID is replaced; one whose exit was
 * reported stays exited. hide is never followed. */
void kevents_track(struct kevents *k, pid_t pid, unsigned long long start_ticks);
void kevents_ignore(struct kevents *k, pid_t hide);

/* Call after tracking a snapshot's processes: forgets every process
 * neither tracked nor forked since the previous sweep whose /proc/PID is
 * gone or shows another start time. */
void kevents_sweep(struct kevents *k);

/* Forgets pid once concmon has reaped it. */
void kevents_forget(struct kevents *k, pid_t pid);

/* What the kernel said of pid (exited or not, until it is forgotten): its
 * name (the last one it gave itself) into comm and its start time in clock
 * ticks (0 if unknown). False when pid is not known. */
bool kevents_lookup(const struct kevents *k, pid_t pid, char *comm, size_t len,
		    unsigned long long *start_ticks);

/* Whether the kernel's exit message for pid was read (and pid not yet
 * forgotten). False also when the message was lost: the connector drops
 * messages when its buffer overflows (a fork storm elsewhere). */
bool kevents_exit_seen(const struct kevents *k, pid_t pid);

/* Until the next call (NULL ends it), a child of self that is gone before
 * its fork is read (a launch whose exec failed) is called name. */
void kevents_name_launch(struct kevents *k, const char *name);

#endif
