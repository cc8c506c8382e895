/* Unit tests for the recording format: what is written reads back field
 * for field, a recording cut short still opens, and corrupt input is
 * refused with a reason, never read past. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "record/record.h"
#include "record/replay.h"

static char path[] = "/tmp/concmon-test-record-XXXXXX";

static const char *wait_of(const void *ctx, pid_t tid)
{
	(void)ctx;
	return tid == 11 ? "sleeps 0.5 s" : NULL;
}

/* Three snapshots: a process with a thread, then a zombie, then the
 * zombie reaped (exited), with events between them. */
static void make_tasks(struct task *t, int frame)
{
	memset(t, 0, 3 * sizeof *t);
	t[0] = (struct task){ .tid = 10, .pid = 10, .ppid = 1, .state = 'S', .cmdline = "demo zombies",
			      .start_ticks = 123456789ULL, .start_time = 1795712703.27, .cpu = 12.5,
			      .rss_kb = 4096, .threads = 2, .supervised = true, .launched = true };
	strcpy(t[0].comm, "demo\x01\xff");
	t[1] = t[0];
	t[1].tid = 11;
	t[1].cpu = 0;
	t[2] = (struct task){ .tid = 12, .pid = 12, .ppid = 10, .state = frame == 0 ? 'R' : 'Z',
			      .cmdline = "", .supervised = true, .threads = 1, .former_ppid = -7 };
	strcpy(t[2].comm, "child");
	if (frame == 2) {
		t[2].exited = t[2].exit_known = t[2].reaped = true;
		t[2].exit_code = 3;
		t[2].exit_signal = 9;
		t[2].exited_at = 42.25;
	}
}

/* A program whose two philosophers each hold one fork and wait for the
 * other's: a deadlock, found by deadlocks_update. bad_wait: a thread's
 * wait index past the locks (a writer does not check; a reader must). */
static void make_program(struct program *p, struct telemetry_snapshot *s, bool bad_wait)
{
	memset(s, 0, sizeof *s);
	s->attaches = 1;
	s->n_queues = 1;
	s->queues[0] = (struct telemetry_queue){ .slot = 3, .source = TEL_INFERRED,
		.kind = TEL_QUEUE_PIPE, .pid = 20, .reader = 21, .listener = true, .capacity = 65536,
		.depth = 12, .puts = 1ull << 40, .gets = 7, .blocked_put = 2 };
	strcpy(s->queues[0].name, "pipe:[77]");
	s->n_locks = 2;
	for (int l = 0; l < 2; l++) {
		s->locks[l] = (struct telemetry_lock){ .slot = (unsigned)l, .source = TEL_PROBE,
			.pid = 20, .kind = CM_LOCK_MUTEX, .holder_count = 1, .n_holders = 1,
			.holders = { 101 + l }, .depth = 1, .waiters = 1, .acquisitions = 9,
			.contended = 4, .wait_ns_total = 123456789, .wait_ns_max = 5, .hold_ns_total = 6 };
		snprintf(s->locks[l].name, CM_NAME_MAX, "fork-%c", 'A' + l);
		s->threads[l] = (struct telemetry_thread){ .source = TEL_TRACED, .tid = 101 + l,
			.pid = 20, .wait_kind = CM_WAIT_LOCK, .wait = bad_wait ? 5 : 1 - l,
			.wait_since_ns = 99 };
		snprintf(s->threads[l].role, CM_NAME_MAX, "philosopher-%d", l);
	}
	s->locks[1].addr = 0x7f0012345678ull;
	s->n_threads = 2;
	s->n_knobs = 1;
	s->knobs[0] = (struct telemetry_knob){ .slot = 1, .pid = 20, .value = -5, .min = -10,
		.max = 1L << 40, .at_start = true };
	strcpy(s->knobs[0].name, "think_ms");
	s->n_values = 1;
	s->values[0] = (struct telemetry_value){ .slot = 2, .pid = 20, .value = 42 };
	strcpy(s->values[0].name, "meals");
	*p = (struct program){ .pid = 20, .name = "concmon-demo deadlock", .demo = "deadlock",
			       .snap = s, .sight = "traced" };
	strcpy(p->sight_why, "why \"not\"");
	strcpy(p->error, "an error");
}

static void write_recording_with(bool bad_wait)
{
	char err[256];
	struct record *rec = record_open(path, true, "cgroup", err, sizeof err);
	assert_non_null(rec);
	struct events *ev = events_new(16);
	struct task t[3];
	struct program prog[2];
	static struct telemetry_snapshot snap;
	make_program(&prog[0], &snap, false);
	prog[1] = (struct program){ .pid = 30, .name = "sleep 9", .ended = true };
	struct deadlocks *d = deadlocks_new();
	deadlocks_update(d, prog, 2);
	assert_int_equal(deadlocks_count(d), 1);
	if (bad_wait)
		make_program(&prog[0], &snap, true);
	for (int f = 0; f < 3; f++) {
		struct record_programs pr = { prog, 2, d };
		make_tasks(t, f);
		if (f == 1)
			events_add(ev, (struct event){ .kind = EV_EXITED, .pid = 12, .tid = 12, .code = 3,
						       .time = 5.5, .comm = "child", .exact = true });
		if (f == 2)
			events_add(ev, (struct event){ .kind = EV_REAPED, .pid = 12, .other = 10,
						       .time = 6.5 });
		assert_int_equal(record_frame(rec, 1000.0 + f, t, 3, ev, f == 2 ? &pr : NULL, wait_of, NULL), 0);
	}
	deadlocks_free(d);
	assert_int_equal(record_frames(rec), 3);
	assert_true(record_bytes(rec) > 0);
	events_free(ev);
	assert_int_equal(record_close(rec), 0);
}

static void write_recording(void)
{
	write_recording_with(false);
}

/* The file's bytes; *n its size. */
static uint8_t *slurp(size_t *n)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	static uint8_t buf[1 << 16];
	*n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	uint8_t *copy = malloc(*n);
	memcpy(copy, buf, *n);
	return copy;
}

static void assert_same_task(const struct task *a, const struct task *b)
{
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->former_ppid, b->former_ppid);
	assert_int_equal(a->state, b->state);
	assert_string_equal(a->comm, b->comm);
	assert_string_equal(a->cmdline, b->cmdline);
	assert_true(a->start_ticks == b->start_ticks);
	assert_true(a->start_time == b->start_time && a->cpu == b->cpu);
	assert_int_equal(a->rss_kb, b->rss_kb);
	assert_int_equal(a->threads, b->threads);
	assert_int_equal(a->supervised, b->supervised);
	assert_int_equal(a->launched, b->launched);
	assert_int_equal(a->exited, b->exited);
	assert_int_equal(a->exit_known, b->exit_known);
	assert_int_equal(a->reaped, b->reaped);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_int_equal(a->exit_signal, b->exit_signal);
	assert_true(a->exited_at == b->exited_at);
}

static void assert_same_snapshot(const struct telemetry_snapshot *a,
				 const struct telemetry_snapshot *b)
{
	assert_int_equal(a->attaches, b->attaches);
	assert_int_equal(a->traced, b->traced);
	assert_int_equal(a->n_queues, b->n_queues);
	assert_int_equal(a->n_locks, b->n_locks);
	assert_int_equal(a->n_threads, b->n_threads);
	assert_int_equal(a->n_knobs, b->n_knobs);
	assert_int_equal(a->n_values, b->n_values);
	/* Field for field (padding may differ). */
	for (size_t i = 0; i < a->n_queues; i++) {
		const struct telemetry_queue *x = &a->queues[i], *y = &b->queues[i];
		assert_true(x->slot == y->slot && x->source == y->source && x->kind == y->kind &&
			    x->pid == y->pid && x->reader == y->reader && x->shared == y->shared &&
			    x->closed == y->closed && x->listener == y->listener &&
			    x->capacity == y->capacity && x->depth == y->depth && x->puts == y->puts &&
			    x->gets == y->gets && x->blocked_put == y->blocked_put &&
			    x->blocked_get == y->blocked_get);
		assert_string_equal(x->name, y->name);
	}
	for (size_t i = 0; i < a->n_locks; i++) {
		const struct telemetry_lock *x = &a->locks[i], *y = &b->locks[i];
		assert_true(x->slot == y->slot && x->source == y->source && x->addr == y->addr &&
			    x->pid == y->pid && x->shared == y->shared && x->kind == y->kind &&
			    x->permits == y->permits && x->value == y->value &&
			    x->holder_count == y->holder_count && x->n_holders == y->n_holders &&
			    x->depth == y->depth && x->waiters == y->waiters &&
			    x->acquisitions == y->acquisitions && x->contended == y->contended &&
			    x->wait_ns_total == y->wait_ns_total && x->wait_ns_max == y->wait_ns_max &&
			    x->hold_ns_total == y->hold_ns_total);
		assert_memory_equal(x->holders, y->holders, x->n_holders * sizeof *x->holders);
		assert_string_equal(x->name, y->name);
	}
	for (size_t i = 0; i < a->n_threads; i++) {
		const struct telemetry_thread *x = &a->threads[i], *y = &b->threads[i];
		assert_true(x->source == y->source && x->tid == y->tid && x->pid == y->pid &&
			    x->wait_kind == y->wait_kind && x->wait == y->wait &&
			    x->wait_since_ns == y->wait_since_ns);
		assert_string_equal(x->role, y->role);
	}
	for (size_t i = 0; i < a->n_knobs; i++) {
		const struct telemetry_knob *x = &a->knobs[i], *y = &b->knobs[i];
		assert_true(x->slot == y->slot && x->pid == y->pid && x->value == y->value &&
			    x->min == y->min && x->max == y->max && x->at_start == y->at_start);
		assert_string_equal(x->name, y->name);
	}
	for (size_t i = 0; i < a->n_values; i++) {
		const struct telemetry_value *x = &a->values[i], *y = &b->values[i];
		assert_true(x->slot == y->slot && x->pid == y->pid && x->value == y->value);
		assert_string_equal(x->name, y->name);
	}
}

static void assert_same_link(const struct deadlock_link *x, const struct deadlock_link *y)
{
	assert_true(x->program == y->program && x->tid == y->tid && x->holder == y->holder);
	assert_string_equal(x->role, y->role);
	assert_string_equal(x->lock, y->lock);
	assert_string_equal(x->holder_role, y->holder_role);
}

/* The last snapshot's programs and deadlock as written. */
static void assert_same_programs(const struct replay_frame *fr)
{
	struct program want[1];
	static struct telemetry_snapshot snap;
	make_program(&want[0], &snap, false);
	const struct program *p = fr->programs;
	assert_int_equal(p[0].pid, 20);
	assert_string_equal(p[0].name, want[0].name);
	assert_string_equal(p[0].demo, "deadlock");
	assert_string_equal(p[0].sight, "traced");
	assert_string_equal(p[0].sight_why, want[0].sight_why);
	assert_string_equal(p[0].error, "an error");
	assert_false(p[0].ended);
	assert_non_null(p[0].snap);
	assert_same_snapshot(p[0].snap, &snap);
	assert_int_equal(p[1].pid, 30);
	assert_string_equal(p[1].name, "sleep 9");
	assert_null(p[1].demo);
	assert_null(p[1].snap);
	assert_true(p[1].ended);
	assert_string_equal(p[1].sight, "none");
	/* The ring as deadlocks_update named it, loaded back. */
	assert_int_equal(fr->ncycles, 1);
	assert_int_equal(fr->cycle_start[0], 0);
	assert_int_equal(fr->cycle_start[1], 2);
	struct deadlocks *live = deadlocks_new(), *back = deadlocks_new();
	deadlocks_update(live, want, 1);
	deadlocks_load(back, fr->programs, fr->nprograms, fr->links, fr->cycle_start, fr->ncycles);
	assert_int_equal(deadlocks_count(back), 1);
	struct deadlock a = deadlocks_get(live, 0), b = deadlocks_get(back, 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 2);
	assert_same_link(&a.links[0], &b.links[0]);
	assert_same_link(&a.links[1], &b.links[1]);
	assert_true(deadlocks_stuck(back, 101) && deadlocks_stuck(back, 102));
	deadlocks_free(live);
	deadlocks_free(back);
}

static void test_round_trip(void **state)
{
	(void)state;
	write_recording();
	char err[256];
	struct replay *r = replay_open(path, err, sizeof err);
	assert_non_null(r);
	assert_true(replay_indexed(r));
	assert_true(replay_all(r));
	assert_string_equal(replay_containment(r), "cgroup");
	assert_int_equal(replay_count(r), 3);
	struct task want[3];
	for (size_t f = 0; f < 3; f++) {
		struct replay_frame fr;
		assert_int_equal(replay_frame(r, f, &fr, err, sizeof err), 0);
		assert_true(fr.time == 1000.0 + (double)f && replay_time(r, f) == fr.time);
		assert_int_equal(fr.ntasks, 3);
		make_tasks(want, (int)f);
		for (size_t k = 0; k < 3; k++)
			assert_same_task(&fr.tasks[k], &want[k]);
		assert_int_equal(fr.nevents, f == 0 ? 0 : 1);
		assert_string_equal(replay_wait(r, 11), "sleeps 0.5 s");
		assert_null(replay_wait(r, 10));
		assert_null(replay_wait(r, 99));
		if (f == 1) {
			assert_int_equal(fr.events[0].kind, EV_EXITED);
			assert_int_equal(fr.events[0].seq, 1);
			assert_int_equal(fr.events[0].code, 3);
			assert_true(fr.events[0].exact && fr.events[0].time == 5.5);
			assert_string_equal(fr.events[0].comm, "child");
		}
		assert_int_equal(fr.deadlocks, f == 2 ? 1 : 0);
		assert_int_equal(fr.nprograms, f == 2 ? 2 : 0);
		if (f == 2)
			assert_same_programs(&fr);
	}
	assert_int_equal(replay_marks(r, 0), 0);
	assert_int_equal(replay_marks(r, 1), RECORD_MARK_ZOMBIE | RECORD_MARK_EXIT);
	assert_int_equal(replay_marks(r, 2), RECORD_MARK_DEADLOCK);
	assert_int_equal(replay_seek_mark(r, 0, 1, RECORD_MARK_ZOMBIE), 1);
	assert_int_equal(replay_seek_mark(r, 1, 1, RECORD_MARK_ZOMBIE), 1);
	assert_int_equal(replay_seek_mark(r, 2, -1, RECORD_MARK_ZOMBIE), 1);
	assert_int_equal(replay_seek_mark(r, 0, 1, RECORD_MARK_DEADLOCK), 2);
	replay_free(r);
	unlink(path);
}

/* Without its index (concmon killed), every whole snapshot is read, at
 * every cut: the marks come from the snapshots then. */
static void test_cut_short_still_opens(void **state)
{
	(void)state;
	write_recording();
	size_t n;
	uint8_t *data = slurp(&n);
	char err[256];
	size_t full = 0;
	for (size_t cut = 0; cut < n; cut++) {
		struct replay *r = replay_open_mem(data, cut, err, sizeof err);
		if (!r) {
			assert_true(strlen(err) > 0);
			assert_true(cut < 11 + 6); /* only a header cut short is refused */
			continue;
		}
		assert_false(replay_indexed(r));
		assert_true(replay_count(r) <= 3);
		if (replay_count(r) == 3) {
			full++;
			assert_int_equal(replay_marks(r, 1), RECORD_MARK_ZOMBIE | RECORD_MARK_EXIT);
			assert_true(replay_time(r, 2) == 1002.0);
		}
		replay_free(r);
	}
	assert_true(full > 0);
	free(data);
	unlink(path);
}

/* Opens data with byte at set to v; returns the reason, or "" when it opened
 * and every snapshot decoded. */
static const char *open_patched(const uint8_t *data, size_t n, size_t at, uint8_t v)
{
	static char err[256];
	uint8_t *copy = malloc(n);
	memcpy(copy, data, n);
	copy[at] = v;
	err[0] = '\0';
	struct replay *r = replay_open_mem(copy, n, err, sizeof err);
	free(copy);
	for (size_t i = 0; r && i < replay_count(r); i++) {
		struct replay_frame f;
		if (replay_frame(r, i, &f, err, sizeof err) < 0)
			break;
	}
	replay_free(r);
	return err;
}

static void test_corrupt_input_is_refused_with_a_reason(void **state)
{
	(void)state;
	write_recording();
	size_t n;
	uint8_t *data = slurp(&n);
	assert_string_equal(open_patched(data, n, 0, 'X'), "not a usable concmon recording: no CONCMREC header");
	assert_string_equal(open_patched(data, n, 8, 1), "recording format version 1, this concmon reads 2");
	assert_non_null(strstr(open_patched(data, n, 9, 0x80), "unknown header flags"));
	char err[256];
	assert_null(replay_open_mem(data, 14, err, sizeof err));
	assert_non_null(strstr(err, "header cut short"));
	assert_non_null(strstr(open_patched(data, n, 11, 0), "NUL inside the containment"));
	size_t first = 11 + strlen("cgroup");
	assert_non_null(strstr(open_patched(data, n, first, 0x00), "garbage between frames"));
	assert_non_null(strstr(open_patched(data, n, first + 1, 9), "unknown frame kind"));
	/* The first snapshot's length, one more: the next frame's tag is
	 * then out of place. */
	assert_true(strlen(open_patched(data, n, first + 2, (uint8_t)(data[first + 2] + 1))) > 0);
	assert_non_null(strstr(open_patched(data, n, n - 1, 'X'), "no trailer"));
	assert_non_null(strstr(open_patched(data, n, n - 16, 0x55), "does not point at the index"));
	assert_non_null(strstr(open_patched(data, n, n - 17, 0x55), "bad index frame"));
	/* Every single byte changed to each of a few values: refused or read,
	 * never read past (ASan watches). */
	static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	for (size_t at = 0; at < n; at++)
		for (size_t k = 0; k < sizeof vals; k++)
			open_patched(data, n, at, vals[k]);
	free(data);
	unlink(path);
}

/* A NUL inside a string is refused where it is decoded. */
static void test_nul_inside_a_string(void **state)
{
	(void)state;
	write_recording();
	size_t n;
	uint8_t *data = slurp(&n);
	uint8_t *comm = memmem(data, n, "child", 5);
	assert_non_null(comm);
	assert_non_null(strstr(open_patched(data, n, (size_t)(comm - data) + 2, 0), "malformed"));
	free(data);
	unlink(path);
}

/* The programs' part: a NUL in a lock name, more holders than a lock
 * lists, a thread waiting on a lock the snapshot does not hold, an
 * unknown sight or source: each refused. */
static void test_corrupt_programs_refused(void **state)
{
	(void)state;
	write_recording();
	size_t n;
	uint8_t *data = slurp(&n);
	uint8_t *name = memmem(data, n, "concmon-demo deadlock", 21);
	assert_non_null(name);
	/* The lock's own name, not a deadlock link's before the programs. */
	uint8_t *at = memmem(name, n - (size_t)(name - data), "fork-A", 6);
	assert_non_null(at);
	size_t lock = (size_t)(at - data);
	const char *why = "a snapshot's deadlocks or programs are malformed";
	assert_string_equal(open_patched(data, n, n - 1, data[n - 1]), ""); /* unchanged: reads */
	assert_non_null(strstr(open_patched(data, n, lock + 2, 0), why));
	/* After the name: permits, value, holder_count, then n_holders (1 byte each). */
	assert_int_equal(data[lock + 6 + 3], 1);
	assert_non_null(strstr(open_patched(data, n, lock + 6 + 3, CM_MAX_HOLDERS + 1), why));
	/* The lock's source byte, then addr, pid, shared, kind, name length. */
	assert_int_equal(data[lock - 6], TEL_PROBE);
	assert_non_null(strstr(open_patched(data, n, lock - 6, TEL_INFERRED + 1), why));
	assert_non_null(strstr(open_patched(data, n, lock - 2, CM_LOCK_KIND_MAX + 1), why));
	size_t sight = (size_t)(name - data) - 2; /* sight, then the name's length */
	assert_int_equal(data[sight], 2);
	assert_non_null(strstr(open_patched(data, n, sight, RECORD_SIGHTS), why));
	free(data);
	write_recording_with(true);
	char err[256];
	struct replay *r = replay_open(path, err, sizeof err);
	assert_non_null(r);
	struct replay_frame f;
	assert_int_equal(replay_frame(r, 1, &f, err, sizeof err), 0);
	assert_int_equal(replay_frame(r, 2, &f, err, sizeof err), -1);
	assert_non_null(strstr(err, why));
	replay_free(r);
	unlink(path);
}

static int setup(void **state)
{
	(void)state;
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cut_short_still_opens),
		cmocka_unit_test(test_corrupt_input_is_refused_with_a_reason),
		cmocka_unit_test(test_nul_inside_a_string),
		cmocka_unit_test(test_corrupt_programs_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
