/* fdscan.h - kernel queues between supervised processes, without any
 * instrumentation: pipes (FIONREAD through /proc/PID/fd), UNIX and TCP
 * sockets (sock_diag), POSIX message queues (mq_getattr), appended to the
 * owning program's telemetry snapshot as inferred queue records; and names
 * for the fds a thread waits on. */
#ifndef CONCMON_FDSCAN_H
#define CONCMON_FDSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/task.h"
#include "supervise/programs.h"

/* Processes with more open fds than this are read up to it only. */
#define FDSCAN_MAX_FDS 1024

struct fdscan;

/* An empty scanner. Aborts on allocation failure. */
struct fdscan *fdscan_new(void);
void fdscan_free(struct fdscan *f);

/* Reads the fds of every live supervised process and appends the kernel
 * queues found (source TEL_INFERRED) to the snapshot of the program each
 * belongs to, allocating a zeroed snapshot (attaches 0) where a program has
 * none; first strips the inferred queues it appended last time. */
void fdscan_update(struct fdscan *f, const struct task *tasks, size_t n, struct program *progs,
		   size_t np);

/* Names fd of pid, as of the last update, for a wait line: "pipe from PID
 * 311 (yes)" (reading) / "pipe to PID 312 (sleep)", "127.0.0.1:8080" (a
 * listener), "socket to PID 12 (server)", "mqueue /q", "/path". Returns the
 * length written (NUL-terminated in buf), 0 if unknown. ctx is the fdscan. */
size_t fdscan_describe(void *ctx, pid_t pid, int fd, bool reading, char *buf, size_t len);

/* What a /proc/PID/fd link names. */
enum fdscan_type {
	FDSCAN_OTHER = 0,   /* anon_inode:..., and anything unrecognised */
	FDSCAN_PIPE,
	FDSCAN_SOCKET,
	FDSCAN_MQUEUE,      /* never from a link alone: a "/name" checked with statfs */
	FDSCAN_FILE,
};

/* Classifies a link's text: "pipe:[123]" and "socket:[123]" set *ino; a
 * path is a file. Pure. */
enum fdscan_type fdscan_parse_link(const char *link, unsigned long *ino);

/* The flags: and ino: fields of /proc/PID/fdinfo/N text. False without a
 * flags line; *ino is 0 when the kernel prints none. Pure. */
bool fdscan_parse_fdinfo(const char *text, int *flags, unsigned long *ino);

#endif
