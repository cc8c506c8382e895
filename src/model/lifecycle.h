/* lifecycle.h - the task model kept between refreshes: CPU%, orphans, exits. */
#ifndef CONCMON_LIFECYCLE_H
#define CONCMON_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kernel/proctable.h"
#include "model/task.h"

/* How long an exited task stays visible by default, in seconds, and the
 * least time the model keeps it whatever is shown. */
#define LIFECYCLE_LINGER 5.0

struct lifecycle;

/* self is concmon's PID: a process re-parented to it that it did not
 * launch is an orphan. Aborts on allocation failure. */
struct lifecycle *lifecycle_new(pid_t self);
void lifecycle_free(struct lifecycle *lc);

/* Folds one refresh in. now is monotonic seconds, hz clock ticks per
 * second, threads whether the samples include threads (when not, known
 * threads are forgotten, not called exited). A task is supervised when its
 * ancestry reaches self (so --all samples are told apart). Tasks that
 * vanished are marked exited and dropped the larger of the linger and
 * LIFECYCLE_LINGER seconds later;
 * a sample of a task already known to have exited (same TID and start)
 * was read before it went and is ignored. */
void lifecycle_update(struct lifecycle *lc, const struct sample *s, size_t n,
		      double now, long hz, bool threads);

/* How long exited tasks are shown (--linger; 0: not at all, though the
 * model keeps them LIFECYCLE_LINGER seconds for its own bookkeeping and
 * events still report the exits). Negative is 0. */
void lifecycle_set_linger(struct lifecycle *lc, double seconds);
double lifecycle_linger(const struct lifecycle *lc);

/* Whether the exited process pid (one concmon launched) stays listed past
 * the linger: true while its restart is pending or after it gave up. */
typedef bool lifecycle_hold_fn(void *ctx, pid_t pid, unsigned long long start_ticks);

/* Each update asks hold (NULL: nothing is held) of every exited process
 * concmon launched: one it holds is kept and marked held whatever the
 * linger; one it no longer holds is released, and lingers as if it had
 * exited then (a relaunch's new row takes over, the old one fades). */
void lifecycle_set_hold(struct lifecycle *lc, lifecycle_hold_fn *hold, void *ctx);

/* The user dismissed the exited process pid: the next update drops it and
 * its threads, held or not (the array stays valid until then). False when
 * pid is not an exited task. */
bool lifecycle_dismiss(struct lifecycle *lc, pid_t pid);

/* Records that concmon launched pid (so it is never called an orphan). */
void lifecycle_note_launched(struct lifecycle *lc, pid_t pid);

/* Records how a process concmon reaped ended: code if it exited, sig if a
 * signal killed it. A process concmon did not start was adopted first, and
 * the row says so (parent concmon, former parent, orphan). A pid never
 * sampled is added as an exited row named name (NULL: "?"), so even a
 * process that lived 1 ms is seen ending. */
void lifecycle_note_exit(struct lifecycle *lc, pid_t pid, const char *name, int code, int sig,
			 double now);

/* Records that process pid was reaped by its own parent (which has exited
 * and /proc no longer shows pid): it and its threads are marked exited and
 * reaped, so a later snapshot does not report it again. */
void lifecycle_note_reaped(struct lifecycle *lc, pid_t pid, double now);

/* Names an exited row that was never sampled (lifecycle_note_exit) after
 * what the kernel said of it: comm and its start time in clock ticks. */
void lifecycle_note_identity(struct lifecycle *lc, pid_t pid, const char *comm,
			     unsigned long long start_ticks, long hz);

/* The current tasks, live and lingering, in no particular order. The array
 * and its strings belong to lc and stay valid until the next update/note. */
const struct task *lifecycle_tasks(const struct lifecycle *lc, size_t *n);

/* Looks a task up by TID; NULL if unknown. Same lifetime as above. */
const struct task *lifecycle_find(const struct lifecycle *lc, pid_t tid);

#endif
