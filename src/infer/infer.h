/* infer.h - why each supervised thread waits, read from outside: its
 * system call (/proc/PID/task/TID/syscall), the fds and memory involved
 * (process_vm_readv). glibc mutexes it can decode become inferred locks
 * with their owner, so the wait-for graph sees deadlocks in programs that
 * never linked the probe. Needs ptrace access to the program. */
#ifndef CONCMON_INFER_H
#define CONCMON_INFER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/task.h"
#include "supervise/programs.h"

struct infer;

/* An empty layer. Aborts on allocation failure. */
struct infer *infer_new(void);
void infer_free(struct infer *in);

/* Names an fd for a wait line ("pipe from PID 311 (producer)",
 * "127.0.0.1:8080"); returns the length written, 0 if it knows nothing
 * (the line then says "fd 3"). */
typedef size_t (*infer_fd_namer)(void *ctx, pid_t pid, int fd, bool reading, char *buf, size_t len);
void infer_set_fd_namer(struct infer *in, infer_fd_namer fn, void *ctx);

/* Each refresh, after programs_read: reads why each live supervised thread
 * waits and appends inferred locks and waiting threads (source
 * TEL_INFERRED) to the snapshot of the program each belongs to
 * (owners_of), allocating a zeroed snapshot (attaches 0) for a program
 * without one. First strips from each snapshot's tail what it appended
 * last time: TEL_INFERRED locks, and TEL_INFERRED threads that wait for a
 * lock or nothing (threads waiting on queues belong to the queue layer). */
void infer_update(struct infer *in, const struct task *tasks, size_t n, struct program *progs,
		  size_t np);

/* tid's wait in words ("sleeps 0.5 s"), NULL when it is running or not
 * known. Valid until the next infer_update. */
const char *infer_wait(const struct infer *in, pid_t tid);

enum infer_sight { INFER_UNKNOWN = 0, INFER_SEEN, INFER_DENIED };

/* Whether the threads of process pid could be read at the last update;
 * *why (static storage) says why not, e.g. "ptrace denied". */
enum infer_sight infer_sight(const struct infer *in, pid_t pid, const char **why);

#endif
