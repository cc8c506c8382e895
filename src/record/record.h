/* record.h - --record FILE: every snapshot and every event, written as
 * they happen, with an index of the frames at the end.
 *
 * The format (version 2, all integers little-endian):
 *   header:  "CONCMREC", u8 version, u8 flags (1: --all),
 *            u8 n, n bytes: the containment name ("cgroup"...)
 *   frames:  u8 0xF5, u8 kind (1 snapshot, 2 index), u32 payload length,
 *            the payload
 *   trailer: u64 offset of the index frame, "CMRECEND" (absent when
 *            concmon did not end cleanly: a reader then scans the frames)
 * A snapshot: f64 unix time, varint deadlocks, varint tasks, varint
 * events, the tasks, the events, the deadlock cycles, the launched
 * programs with their telemetry (see record.c). Numbers are LEB128
 * varints (signed ones zigzag), doubles their 8 IEEE bytes. An index:
 * varint count, then per snapshot varint offset, f64 time, varint marks. */
#ifndef CONCMON_RECORD_H
#define CONCMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "model/task.h"

#define RECORD_MAGIC "CONCMREC"
#define RECORD_TRAILER "CMRECEND"
#define RECORD_VERSION 2
#define RECORD_FRAME_TAG 0xF5
#define RECORD_FLAG_ALL 1u
enum record_kind { RECORD_SNAPSHOT = 1, RECORD_INDEX = 2 };
/* A snapshot's marks in the index: what a seek can jump to. */
enum record_mark { RECORD_MARK_ZOMBIE = 1u, RECORD_MARK_DEADLOCK = 2u, RECORD_MARK_EXIT = 4u };
/* Task flags as written. */
enum record_task_flag {
	RT_SUPERVISED = 1u, RT_LAUNCHED = 2u, RT_ORPHAN = 4u, RT_EXITED = 8u,
	RT_EXIT_KNOWN = 16u, RT_REAPED = 32u, RT_SAME_CMDLINE = 64u, RT_CPU = 128u,
	RT_WAIT = 256u, RT_ALL_FLAGS = 511u,
};
/* Bounds a reader enforces (a writer never goes past them). */
#define RECORD_FRAME_MAX (64u << 20)     /* payload bytes */
#define RECORD_CMDLINE_MAX (1u << 20)
#define RECORD_WAIT_MAX 1024u
#define RECORD_PROGRAMS_MAX 256u         /* programs per snapshot (more are not written) */
#define RECORD_LINKS_MAX 4096u           /* deadlock cycles, and links, per snapshot */
#define RECORD_WHY_MAX 127u              /* a program's sight_why */
#define RECORD_ERROR_MAX 159u            /* a program's error */
/* A program's flags as written. */
enum record_program_flag { RP_ENDED = 1u, RP_DEMO = 2u, RP_SNAP = 4u, RP_ALL_FLAGS = 7u };

/* A program's sight as written: its index in record_sights. */
#define RECORD_SIGHTS 4
extern const char *const record_sights[RECORD_SIGHTS];

struct record;

/* Creates (truncates) path and writes the header. Returns NULL with a
 * reason in err. */
struct record *record_open(const char *path, bool all, const char *containment, char *err,
			   size_t errlen);

/* The same on an open stream (an open_memstream: a snapshot held in
 * memory), named name in messages; record_close closes fp, also on
 * failure here (NULL is then returned). */
struct record *record_open_stream(FILE *fp, const char *name, bool all, const char *containment,
				  char *err, size_t errlen);

/* What a thread waits for in words, NULL when nothing is known. */
typedef const char *record_wait_fn(const void *ctx, pid_t tid);

/* What a snapshot records of the launched programs: the programs with
 * their telemetry (np of them) and the deadlock cycles (d may be NULL). */
struct record_programs {
	const struct program *p;
	size_t np;
	const struct deadlocks *d;
};

/* Appends one snapshot: the tasks with what each waits for (wait may be
 * NULL), the events logged since the previous one (ev may be NULL), the
 * programs and deadlocks (pr may be NULL: none). Returns 0 or an errno. */
int record_frame(struct record *rec, double wall, const struct task *t, size_t n,
		 const struct events *ev, const struct record_programs *pr, record_wait_fn *wait,
		 const void *wait_ctx);

/* Bytes written so far, and snapshots. */
uint64_t record_bytes(const struct record *rec);
size_t record_frames(const struct record *rec);

/* The file's name as given to record_open. */
const char *record_path(const struct record *rec);

/* Writes the index and the trailer, closes and frees. Returns 0 or an
 * errno (the recording is then readable without its index). NULL is fine. */
int record_close(struct record *rec);

#endif
