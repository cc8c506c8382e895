/* test_probe_reader.h - the probe tests' concmon: a segment made by
 * telemetry_create(), handed to the probe through the environment, and read
 * by a separate process (as concmon reads it; an in-process memcpy of
 * memory other threads write atomically would be a data race to TSan).
 * Include after cmocka.h. */
#ifndef CONCMON_TEST_PROBE_READER_H
#define CONCMON_TEST_PROBE_READER_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concmon/cmprobe.h"
#include "telemetry/telemetry.h"

static struct telemetry *reader_tel;
static int reader_req = -1, reader_resp = -1;
static pid_t reader_pid;
static struct telemetry_snapshot snap;  /* the last one read */

struct reader_request {
	char op;                        /* 'r': read, 'k': set a knob */
	char name[CM_NAME_MAX];
	long value;
};

struct reader_reply {
	int rc;
	char err[200];
};

static inline bool io_full(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;
	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static inline void reader_serve(int in, int out)
{
	static struct telemetry_snapshot s;
	struct reader_request q;
	while (io_full(in, &q, sizeof q, false)) {
		struct reader_reply r = { 0 };
		if (q.op == 'r') {
			r.rc = telemetry_read(reader_tel, &s, r.err, sizeof r.err);
			io_full(out, &r, sizeof r, true);
			io_full(out, &s, sizeof s, true);
		} else {
			r.rc = telemetry_set_knob(reader_tel, q.name, q.value);
			io_full(out, &r, sizeof r, true);
		}
	}
	_exit(0);
}

/* Creates the segment, starts the reader, points the probe at the segment.
 * Call first thing in main, before any thread exists. */
static inline void reader_start(void)
{
	char err[256], fd[32];
	reader_tel = telemetry_create(err, sizeof err);
	if (!reader_tel) {
		fprintf(stderr, "telemetry_create: %s\n", err);
		exit(1);
	}
	int req[2], resp[2];
	if (pipe(req) < 0 || pipe(resp) < 0)
		exit(1);
	reader_pid = fork();
	if (reader_pid == 0) {
		close(req[1]);
		close(resp[0]);
		reader_serve(req[0], resp[1]);
	}
	close(req[0]);
	close(resp[1]);
	reader_req = req[1];
	reader_resp = resp[0];
	snprintf(fd, sizeof fd, "%d", telemetry_fd(reader_tel));
	setenv(CM_TELEMETRY_ENV, fd, 1);
}

static inline void reader_stop(void)
{
	close(reader_req);
	close(reader_resp);
	waitpid(reader_pid, NULL, 0);
	telemetry_free(reader_tel);
}

/* Reads a snapshot into snap; a corrupt segment fails the test. */
static inline void snap_read(void)
{
	struct reader_request q = { .op = 'r' };
	struct reader_reply r;
	if (!io_full(reader_req, &q, sizeof q, true) || !io_full(reader_resp, &r, sizeof r, false) ||
	    !io_full(reader_resp, &snap, sizeof snap, false))
		fail_msg("the reader process is gone");
	if (r.rc < 0)
		fail_msg("segment reported corrupt: %s", r.err);
}

static inline bool knob_set(const char *name, long value)
{
	struct reader_request q = { .op = 'k', .value = value };
	struct reader_reply r;
	snprintf(q.name, sizeof q.name, "%s", name);
	if (!io_full(reader_req, &q, sizeof q, true) || !io_full(reader_resp, &r, sizeof r, false))
		fail_msg("the reader process is gone");
	return r.rc;
}

/* Reads snapshots until cond holds (10 s at most). */
#define POLL(cond)                                                              \
	do {                                                                    \
		bool ok_ = false;                                               \
		for (int i_ = 0; i_ < 10000 && !ok_; i_++) {                    \
			snap_read();                                            \
			ok_ = (cond);                                           \
			if (!ok_)                                               \
				usleep(1000);                                   \
		}                                                               \
		if (!ok_)                                                       \
			fail_msg("timed out waiting for %s", #cond);            \
	} while (0)

/* Lookups in snap; NULL when absent. */
static inline const struct telemetry_lock *lock_named(const char *name)
{
	for (size_t i = 0; i < snap.n_locks; i++)
		if (strcmp(snap.locks[i].name, name) == 0)
			return &snap.locks[i];
	return NULL;
}

static inline const struct telemetry_queue *queue_named(const char *name)
{
	for (size_t i = 0; i < snap.n_queues; i++)
		if (strcmp(snap.queues[i].name, name) == 0)
			return &snap.queues[i];
	return NULL;
}

static inline const struct telemetry_thread *thread_tid(pid_t tid)
{
	for (size_t i = 0; i < snap.n_threads; i++)
		if (snap.threads[i].tid == tid)
			return &snap.threads[i];
	return NULL;
}

static inline const struct telemetry_thread *thread_role(const char *role)
{
	for (size_t i = 0; i < snap.n_threads; i++)
		if (strcmp(snap.threads[i].role, role) == 0)
			return &snap.threads[i];
	return NULL;
}

/* The thread called role waits (kind) on the lock or queue called name. */
static inline bool waits_on(const char *role, enum cm_wait_kind kind, const char *name)
{
	const struct telemetry_thread *t = thread_role(role);
	if (!t || t->wait_kind != kind || t->wait < 0)
		return false;
	const char *target = kind == CM_WAIT_LOCK ? snap.locks[t->wait].name
		: snap.queues[t->wait].name;
	return strcmp(target, name) == 0 && t->wait_since_ns > 0;
}

static inline size_t count_locks_named(const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < snap.n_locks; i++)
		n += strcmp(snap.locks[i].name, name) == 0;
	return n;
}

/* Runs fn in a child process; child_status gives its exit status (fn's
 * return value, or 128 + the signal that killed it). */
static pid_t child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

static int child_status(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
