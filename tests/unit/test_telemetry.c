/* test_telemetry.c - the reader of probe segments: creation and sealing,
 * exact snapshots, every kind of corruption, random bytes, knobs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xorshift.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "telemetry/telemetry.h"

static struct telemetry_snapshot snap;  /* 40 KiB: not on the stack */
static char err[256];

/* ---- building segments by hand, as a writer would ---- */

static void header(struct cm_segment *s)
{
	s->hdr.magic = CM_TELEMETRY_MAGIC;
	s->hdr.version = CM_TELEMETRY_VERSION;
	s->hdr.size = sizeof *s;
	s->hdr.cap_queues = CM_MAX_QUEUES;
	s->hdr.cap_locks = CM_MAX_LOCKS;
	s->hdr.cap_threads = CM_MAX_THREADS;
	s->hdr.cap_knobs = CM_MAX_KNOBS;
	s->hdr.cap_values = CM_MAX_VALUES;
	s->hdr.cap_holders = CM_MAX_HOLDERS;
	s->hdr.name_max = CM_NAME_MAX;
}

static void raise_count(_Atomic uint32_t *count, unsigned slot)
{
	if (*count < slot + 1)
		*count = slot + 1;
}

static void put_queue(struct cm_segment *s, unsigned i, const char *name, uint64_t cap,
		      uint64_t depth)
{
	struct cm_queue_rec *q = &s->queues[i];
	q->state = CM_REC_LIVE;
	q->pid = 4242;
	snprintf(q->name, sizeof q->name, "%s", name);
	q->capacity = cap;
	q->depth = depth;
	q->puts = 10;
	q->gets = 10 - depth;
	raise_count(&s->hdr.n_queues, i);
}

static struct cm_lock_rec *put_lock(struct cm_segment *s, unsigned i, const char *name,
				    enum cm_lock_kind kind)
{
	struct cm_lock_rec *l = &s->locks[i];
	l->state = CM_REC_LIVE;
	l->pid = 4242;
	l->kind = kind;
	snprintf(l->name, sizeof l->name, "%s", name);
	raise_count(&s->hdr.n_locks, i);
	return l;
}

static void put_thread(struct cm_segment *s, unsigned i, int32_t tid, const char *role,
		       enum cm_wait_kind kind, uint32_t index)
{
	struct cm_thread_rec *t = &s->threads[i];
	t->state = CM_REC_LIVE;
	t->pid = 4242;
	t->tid = tid;
	snprintf(t->role, sizeof t->role, "%s", role);
	t->wait_kind = kind;
	t->wait_index = index;
	t->wait_since_ns = kind ? 777 : 0;
	raise_count(&s->hdr.n_threads, i);
}

static struct cm_knob_rec *put_knob(struct cm_segment *s, unsigned i, const char *name, int64_t v,
				    int64_t lo, int64_t hi)
{
	struct cm_knob_rec *k = &s->knobs[i];
	k->state = CM_REC_LIVE;
	k->pid = 4242;
	snprintf(k->name, sizeof k->name, "%s", name);
	k->value = v;
	k->min = lo;
	k->max = hi;
	raise_count(&s->hdr.n_knobs, i);
	return k;
}

/* One record of every kind, some slots left free, waits of every kind. */
static void fill_good(struct cm_segment *s)
{
	memset(s, 0, sizeof *s);
	header(s);
	s->hdr.attaches = 2;
	put_queue(s, 0, "wash", 8, 3);
	put_queue(s, 2, "dry", 4, 4);
	s->queues[2].flags = CM_REC_SHARED;
	s->queues[2].blocked_put = 1;
	struct cm_lock_rec *l = put_lock(s, 0, "m", CM_LOCK_MUTEX);
	l->holders[0] = 100;
	l->acquisitions = 5;
	l->contended = 9;               /* torn: more than acquisitions, clamped */
	l->wait_ns_total = 10;
	l->wait_ns_max = 20;            /* torn: clamped to the total */
	l = put_lock(s, 1, "sem", CM_LOCK_SEMAPHORE);
	l->permits = 3;
	l->value = 1;
	l->holder_count = 2;
	l->holders[2] = 101;            /* listed out of order: compacted */
	l->holders[5] = 102;
	l->waiters = 1;
	l = put_lock(s, 2, "rec", CM_LOCK_RECURSIVE);
	l->holders[0] = 103;
	l->depth = 2;
	put_lock(s, 3, "cond", CM_LOCK_CONDITION)->waiters = 2;
	put_lock(s, 4, "gate", CM_LOCK_EVENT)->value = 1;
	put_lock(s, 6, "tickets", CM_LOCK_FILE)->holders[0] = 104;
	put_thread(s, 0, 100, "main", CM_WAIT_NONE, 99);  /* index ignored when not waiting */
	put_thread(s, 1, 101, "worker", CM_WAIT_LOCK, 1);
	put_thread(s, 3, 102, "washer", CM_WAIT_QUEUE_PUT, 2);
	put_thread(s, 4, 105, "lost", CM_WAIT_LOCK, 5);   /* slot 5 not live */
	put_thread(s, 5, 106, "eater", CM_WAIT_QUEUE_GET, 0);
	put_knob(s, 0, "dryers", 1, 1, 4);
	put_knob(s, 2, "capacity", 5, 1, 100)->flags = CM_KNOB_AT_START;
	s->values[1].state = CM_REC_LIVE;
	s->values[1].pid = 4243;
	snprintf(s->values[1].name, CM_NAME_MAX, "lost updates");
	s->values[1].value = -5;
	s->hdr.n_values = 2;
	s->threads[7].state = CM_REC_CLAIMED;   /* being filled: skipped, whatever it holds */
	memset(s->threads[7].role, 'x', CM_NAME_MAX);
	s->threads[7].tid = -1;
	raise_count(&s->hdr.n_threads, 7);
	memset(&s->locks[40], 0xff, sizeof s->locks[40]);  /* beyond the count: never read */
}

static struct cm_segment *good(void)
{
	struct cm_segment *s = malloc(sizeof *s);
	assert_non_null(s);
	fill_good(s);
	return s;
}

static int validate(const struct cm_segment *s)
{
	err[0] = 0;
	return telemetry_validate(s, sizeof *s, &snap, err, sizeof err);
}

static const struct telemetry_lock *lock_named(const char *name)
{
	for (size_t i = 0; i < snap.n_locks; i++)
		if (strcmp(snap.locks[i].name, name) == 0)
			return &snap.locks[i];
	fail_msg("no lock %s", name);
	return NULL;
}

/* ---- the good segment, field by field ---- */

static void test_good_segment(void **state)
{
	(void)state;
	struct cm_segment *s = good();
	assert_int_equal(validate(s), 0);
	assert_int_equal(snap.attaches, 2);
	assert_int_equal(snap.n_queues, 2);
	assert_string_equal(snap.queues[1].name, "dry");
	assert_int_equal(snap.queues[1].slot, 2);
	assert_true(snap.queues[1].shared);
	assert_int_equal(snap.queues[1].depth, 4);
	assert_int_equal(snap.queues[1].blocked_put, 1);
	assert_int_equal(snap.queues[0].pid, 4242);
	assert_int_equal(snap.n_locks, 6);

	const struct telemetry_lock *l = lock_named("m");
	assert_int_equal(l->n_holders, 1);
	assert_int_equal(l->holders[0], 100);
	assert_int_equal(l->holder_count, 1);
	assert_int_equal(l->depth, 1);
	assert_int_equal(l->contended, 5);
	assert_int_equal(l->wait_ns_max, 10);
	l = lock_named("sem");
	assert_int_equal(l->n_holders, 2);
	assert_int_equal(l->holders[0], 101);
	assert_int_equal(l->holders[1], 102);
	assert_int_equal(l->holder_count, 2);
	assert_int_equal(l->permits, 3);
	assert_int_equal(l->value, 1);
	assert_int_equal(lock_named("rec")->depth, 2);
	assert_int_equal(lock_named("cond")->waiters, 2);
	assert_int_equal(lock_named("gate")->value, 1);
	assert_int_equal(lock_named("tickets")->holders[0], 104);
	assert_int_equal(lock_named("tickets")->slot, 6);

	assert_int_equal(snap.n_threads, 5);   /* the claimed one is skipped */
	assert_int_equal(snap.threads[0].wait, -1);
	assert_int_equal(snap.threads[0].wait_since_ns, 0);
	assert_int_equal(snap.threads[1].wait_kind, CM_WAIT_LOCK);
	assert_string_equal(snap.locks[snap.threads[1].wait].name, "sem");
	assert_int_equal(snap.threads[1].wait_since_ns, 777);
	assert_int_equal(snap.threads[2].wait_kind, CM_WAIT_QUEUE_PUT);
	assert_string_equal(snap.queues[snap.threads[2].wait].name, "dry");
	assert_string_equal(snap.threads[3].role, "lost");
	assert_int_equal(snap.threads[3].wait, -1);
	assert_string_equal(snap.queues[snap.threads[4].wait].name, "wash");

	assert_int_equal(snap.n_knobs, 2);
	assert_int_equal(snap.knobs[0].value, 1);
	assert_int_equal(snap.knobs[0].max, 4);
	assert_false(snap.knobs[0].at_start);
	assert_string_equal(snap.knobs[1].name, "capacity");
	assert_true(snap.knobs[1].at_start);
	assert_int_equal(snap.n_values, 1);
	assert_string_equal(snap.values[0].name, "lost updates");
	assert_int_equal(snap.values[0].value, -5);
	assert_int_equal(snap.values[0].slot, 1);
	assert_int_equal(snap.values[0].pid, 4243);
	free(s);
}

static void test_empty_segment(void **state)
{
	(void)state;
	struct cm_segment *s = calloc(1, sizeof *s);
	assert_non_null(s);
	header(s);
	assert_int_equal(validate(s), 0);
	assert_int_equal(snap.n_queues + snap.n_locks + snap.n_threads + snap.n_knobs +
			 snap.n_values, 0);
	assert_int_equal(snap.attaches, 0);
	free(s);
}

/* Any alignment: the reader copies records out before looking at them. */
static void test_unaligned_input(void **state)
{
	(void)state;
	unsigned char *buf = malloc(sizeof(struct cm_segment) + 1);
	assert_non_null(buf);
	struct cm_segment *s = good();
	memcpy(buf + 1, s, sizeof *s);
	assert_int_equal(telemetry_validate(buf + 1, sizeof *s, &snap, err, sizeof err), 0);
	assert_int_equal(snap.n_locks, 6);
	free(s);
	free(buf);
}

/* ---- corruptions: one table, one line each ---- */

#define MUT(fn, body) static void fn(struct cm_segment *s) { body; }
MUT(m_magic, s->hdr.magic ^= 1)
MUT(m_version, s->hdr.version = CM_TELEMETRY_VERSION + 1)
MUT(m_size, s->hdr.size = 1000)
MUT(m_cap, s->hdr.cap_queues = 33)
MUT(m_cap_holders, s->hdr.cap_holders = 9)
MUT(m_name_max, s->hdr.name_max = 64)
MUT(m_count_locks, s->hdr.n_locks = CM_MAX_LOCKS + 1)
MUT(m_count_threads, s->hdr.n_threads = 0xffffffffu)
MUT(m_count_values, s->hdr.n_values = CM_MAX_VALUES + 1)
MUT(m_state, s->queues[0].state = 7)
MUT(m_pid_zero, s->locks[1].pid = 0)
MUT(m_pid_neg, s->knobs[0].pid = -3)
MUT(m_pid_big, s->threads[1].pid = CM_TID_MAX + 1)
MUT(m_qname, memset(s->queues[2].name, 'a', CM_NAME_MAX))
MUT(m_qname_ctl, s->queues[0].name[1] = '\n')
MUT(m_qname_del, s->queues[0].name[0] = 0x7f)
MUT(m_lname, memset(s->locks[4].name, 'b', CM_NAME_MAX))
MUT(m_role, memset(s->threads[3].role, 'c', CM_NAME_MAX))
MUT(m_kname, memset(s->knobs[0].name, 'd', CM_NAME_MAX))
MUT(m_vname, memset(s->values[1].name, 'e', CM_NAME_MAX))
MUT(m_qcap0, s->queues[0].capacity = 0)
MUT(m_qcap_big, s->queues[0].capacity = (uint64_t)CM_QUEUE_CAPACITY_MAX + 1)
MUT(m_qdepth, s->queues[0].depth = 9)
MUT(m_qclosed, s->queues[0].closed = 2)
MUT(m_qflags, s->queues[0].flags = 6)
MUT(m_qblocked, s->queues[0].blocked_get = CM_TID_MAX + 1)
MUT(m_kind0, s->locks[0].kind = 0)
MUT(m_kind7, s->locks[0].kind = CM_LOCK_KIND_MAX + 1)
MUT(m_kind_huge, s->locks[6].kind = 0xffffffffu)
MUT(m_lflags, s->locks[0].flags = 0x80)
MUT(m_mutex_count, s->locks[0].holder_count = 1)
MUT(m_sem_count, s->locks[1].holder_count = CM_PERMITS_MAX + 1)
MUT(m_sem_permits, s->locks[1].permits = 0xffffffffu)
MUT(m_mutex_permits, s->locks[0].permits = 1)
MUT(m_holder1_mutex, s->locks[0].holders[1] = 5)
MUT(m_holder_neg, s->locks[0].holders[0] = -1)
MUT(m_holder_big, s->locks[1].holders[7] = CM_TID_MAX + 1)
MUT(m_holder_cond, s->locks[3].holders[0] = 7)
MUT(m_depth_plain, s->locks[0].depth = 1)
MUT(m_event_value, s->locks[4].value = 2)
MUT(m_cond_value, s->locks[3].value = 1)
MUT(m_waiters, s->locks[3].waiters = 0xfffffff0u)
MUT(m_tid0, s->threads[0].tid = 0)
MUT(m_tid_neg, s->threads[0].tid = -100)
MUT(m_wait_kind, s->threads[0].wait_kind = CM_WAIT_KIND_MAX + 1)
MUT(m_wait_lock, s->threads[1].wait_index = CM_MAX_LOCKS)
MUT(m_wait_queue, s->threads[3].wait_index = CM_MAX_QUEUES)
MUT(m_wait_huge, s->threads[5].wait_index = 0xffffffffu)
MUT(m_knob_range, s->knobs[0].min = 5)
MUT(m_knob_value, s->knobs[0].value = 5)
MUT(m_knob_low, s->knobs[0].value = INT64_MIN)
MUT(m_knob_flags, s->knobs[0].flags = CM_KNOB_AT_START | 4u)

static const struct corruption {
	const char *what;
	void (*mutate)(struct cm_segment *);
	const char *reason;             /* expected in the message */
} corruptions[] = {
	{ "wrong magic", m_magic, "bad magic" },
	{ "wrong version", m_version, "version 3, expected 2" },
	{ "wrong size field", m_size, "size 1000" },
	{ "wrong capacity", m_cap, "queues: capacity 33" },
	{ "wrong holder capacity", m_cap_holders, "holder or name capacity" },
	{ "wrong name size", m_name_max, "holder or name capacity" },
	{ "locks count > capacity", m_count_locks, "locks: count 65 > capacity 64" },
	{ "huge thread count", m_count_threads, "threads: count 4294967295" },
	{ "values count > capacity", m_count_values, "values: count 33" },
	{ "bad state", m_state, "queue 0: bad state 7" },
	{ "pid 0", m_pid_zero, "lock 1: bad pid 0" },
	{ "negative pid", m_pid_neg, "knob 0: bad pid -3" },
	{ "pid too big", m_pid_big, "thread 1: bad pid" },
	{ "queue name unterminated", m_qname, "queue 2: name not terminated" },
	{ "queue name newline", m_qname_ctl, "queue 0: name has a control character" },
	{ "queue name DEL", m_qname_del, "queue 0: name has a control character" },
	{ "lock name unterminated", m_lname, "lock 4: name not terminated" },
	{ "role unterminated", m_role, "thread 3: role not terminated" },
	{ "knob name unterminated", m_kname, "knob 0: name not terminated" },
	{ "value name unterminated", m_vname, "value 1: name not terminated" },
	{ "queue capacity 0", m_qcap0, "queue 0: bad capacity 0" },
	{ "queue capacity huge", m_qcap_big, "queue 0: bad capacity" },
	{ "depth > capacity", m_qdepth, "queue 0: depth 9 > capacity 8" },
	{ "closed not boolean", m_qclosed, "queue 0: bad closed flag 2" },
	{ "queue flags", m_qflags, "queue 0: bad flags" },
	{ "blocked count huge", m_qblocked, "queue 0: blocked count" },
	{ "lock kind 0", m_kind0, "lock 0: bad kind 0" },
	{ "lock kind past the last", m_kind7, "lock 0: bad kind 7" },
	{ "lock kind huge", m_kind_huge, "lock 6: bad kind 4294967295" },
	{ "lock flags", m_lflags, "lock 0: bad flags" },
	{ "holder count on a mutex", m_mutex_count, "lock 0: holder count 1 out of range" },
	{ "semaphore holder count huge", m_sem_count, "lock 1: holder count" },
	{ "semaphore permits huge", m_sem_permits, "lock 1: bad permits" },
	{ "permits on a mutex", m_mutex_permits, "lock 0: bad permits 1" },
	{ "second holder of a mutex", m_holder1_mutex, "lock 0: holder 1 out of range" },
	{ "negative holder", m_holder_neg, "lock 0: holder 0 out of range" },
	{ "holder TID too big", m_holder_big, "lock 1: holder 7 out of range" },
	{ "holder of a condition", m_holder_cond, "lock 3: holder 0 out of range" },
	{ "depth of a plain mutex", m_depth_plain, "lock 0: recursion depth" },
	{ "event value 2", m_event_value, "lock 4: bad value 2" },
	{ "value of a condition", m_cond_value, "lock 3: bad value 1" },
	{ "waiters huge", m_waiters, "lock 3: waiters out of range" },
	{ "tid 0", m_tid0, "thread 0: bad tid 0" },
	{ "negative tid", m_tid_neg, "thread 0: bad tid -100" },
	{ "wait kind", m_wait_kind, "thread 0: bad wait kind 4" },
	{ "wait on lock 64", m_wait_lock, "thread 1: waits on lock 64 (capacity 64)" },
	{ "wait on queue 32", m_wait_queue, "thread 3: waits on queue 32 (capacity 32)" },
	{ "wait index huge", m_wait_huge, "thread 5: waits on queue 4294967295" },
	{ "knob min > max", m_knob_range, "knob 0: min 5 > max 4" },
	{ "knob value above max", m_knob_value, "knob 0: value 5 outside [1, 4]" },
	{ "knob value INT64_MIN", m_knob_low, "knob 0: value -9223372036854775808" },
	{ "knob flags unknown", m_knob_flags, "knob 0: bad flags 0x5" },
};

static void test_each_corruption(void **state)
{
	(void)state;
	struct cm_segment *s = good();
	for (size_t i = 0; i < sizeof corruptions / sizeof *corruptions; i++) {
		const struct corruption *c = &corruptions[i];
		fill_good(s);
		assert_int_equal(validate(s), 0);
		c->mutate(s);
		if (validate(s) != -1)
			fail_msg("%s: accepted", c->what);
		if (!strstr(err, c->reason))
			fail_msg("%s: reason \"%s\", expected \"%s\"", c->what, err, c->reason);
		assert_null(strchr(err, '\n'));
	}
	free(s);
}

static void test_wrong_length(void **state)
{
	(void)state;
	struct cm_segment *s = good();
	assert_int_equal(telemetry_validate(s, sizeof *s - 1, &snap, err, sizeof err), -1);
	assert_non_null(strstr(err, "size"));
	assert_int_equal(telemetry_validate(s, 0, &snap, err, sizeof err), -1);
	assert_int_equal(telemetry_validate(NULL, sizeof *s, &snap, err, sizeof err), -1);
	/* No room for a reason is fine too. */
	assert_int_equal(telemetry_validate(s, 3, &snap, NULL, 0), -1);
	free(s);
}

/* ---- random input: never UB (the sanitizer builds watch), and what is
 * accepted keeps every promise of the snapshot ---- */

static void check_snapshot_promises(void)
{
	assert_true(snap.n_queues <= CM_MAX_QUEUES && snap.n_locks <= CM_MAX_LOCKS &&
		    snap.n_threads <= CM_MAX_THREADS && snap.n_knobs <= CM_MAX_KNOBS &&
		    snap.n_values <= CM_MAX_VALUES);
	for (size_t i = 0; i < snap.n_queues; i++) {
		assert_non_null(memchr(snap.queues[i].name, 0, CM_NAME_MAX));
		assert_true(snap.queues[i].depth <= snap.queues[i].capacity);
	}
	for (size_t i = 0; i < snap.n_locks; i++) {
		const struct telemetry_lock *l = &snap.locks[i];
		assert_non_null(memchr(l->name, 0, CM_NAME_MAX));
		assert_true(l->n_holders <= CM_MAX_HOLDERS && l->n_holders <= l->holder_count);
		assert_true(l->contended <= l->acquisitions && l->wait_ns_max <= l->wait_ns_total);
		assert_true(l->kind >= CM_LOCK_MUTEX && l->kind <= CM_LOCK_KIND_MAX);
	}
	for (size_t i = 0; i < snap.n_threads; i++) {
		const struct telemetry_thread *t = &snap.threads[i];
		assert_non_null(memchr(t->role, 0, CM_NAME_MAX));
		size_t n = t->wait_kind == CM_WAIT_LOCK ? snap.n_locks : snap.n_queues;
		assert_true(t->wait == -1 || (t->wait >= 0 && (size_t)t->wait < n));
		assert_true(t->tid > 0);
	}
	for (size_t i = 0; i < snap.n_knobs; i++)
		assert_true(snap.knobs[i].min <= snap.knobs[i].value &&
			    snap.knobs[i].value <= snap.knobs[i].max);
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 6, 7, 8, 31, 32, 33, 63, 64, 65, 255, 256, 257, 0x7fffffff,
	0x80000000u, 0xffffffffu, CM_TID_MAX, CM_TID_MAX + 1, CM_REC_LIVE, CM_REC_CLAIMED,
};

/* Where the good segment has something to break: its header and records. */
#define REC(table, i) { offsetof(struct cm_segment, table) + (i) * sizeof(((struct cm_segment *)0)->table[0]), \
			sizeof(((struct cm_segment *)0)->table[0]) }
static const struct region {
	size_t off, len;
} regions[] = {
	{ 0, sizeof(struct cm_header) }, REC(queues, 0), REC(queues, 2), REC(locks, 0),
	REC(locks, 1), REC(locks, 2), REC(locks, 3), REC(locks, 4), REC(locks, 6), REC(threads, 1),
	REC(threads, 3), REC(threads, 5), REC(threads, 7), REC(knobs, 0), REC(values, 1),
};

/* Writes a random byte or an interesting 32-bit word, mostly into a record. */
static void mutate(unsigned char *b, unsigned long long *rng)
{
	size_t at = xorshift_next(rng) % sizeof(struct cm_segment);
	if (xorshift_next(rng) % 4) {
		const struct region *r = &regions[xorshift_next(rng) % (sizeof regions / sizeof *regions)];
		at = r->off + xorshift_next(rng) % r->len;
	}
	if (xorshift_next(rng) % 2) {
		b[at] = (unsigned char)xorshift_next(rng);
		return;
	}
	uint32_t w = interesting[xorshift_next(rng) % (sizeof interesting / sizeof *interesting)];
	at &= ~(size_t)3;
	memcpy(b + at, &w, sizeof w);
}

static void random_round(unsigned char *b, unsigned long long *rng, long i)
{
	if (i % 997 == 0) {             /* now and then, all bytes random */
		for (size_t k = 0; k < sizeof(struct cm_segment); k++)
			b[k] = (unsigned char)xorshift_next(rng);
		if (i % 2)              /* with a valid header, to reach the records */
			header((struct cm_segment *)b);
	} else {
		fill_good((struct cm_segment *)b);
		for (unsigned n = 1 + xorshift_next(rng) % 8; n; n--)
			mutate(b, rng);
	}
}

/* CONCMON_FUZZ_ITERATIONS=1000000 for the long run. */
static void test_random_bytes(void **state)
{
	(void)state;
	const char *env = getenv("CONCMON_FUZZ_ITERATIONS");
	long iterations = env ? atol(env) : 4000, accepted = 0;
	unsigned long long rng = 0x5eed7e1e;
	unsigned char *b = malloc(sizeof(struct cm_segment));
	assert_non_null(b);
	for (long i = 0; i < iterations; i++) {
		random_round(b, &rng, i);
		err[0] = 0;
		if (telemetry_validate(b, sizeof(struct cm_segment), &snap, err, sizeof err) == 0) {
			accepted++;
			check_snapshot_promises();
		} else {
			assert_true(err[0] != 0 && strlen(err) < sizeof err);
		}
	}
	print_message("random segments: %ld of %ld accepted\n", accepted, iterations);
	/* Both outcomes must be reached, or the test proves nothing. */
	assert_true(accepted > 0 && accepted < iterations);
	free(b);
}

/* ---- the live segment ---- */

static void test_create_sealed(void **state)
{
	(void)state;
	struct telemetry *t = telemetry_create(err, sizeof err);
	assert_non_null(t);
	int fd = telemetry_fd(t);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	int seals = fcntl(fd, F_GET_SEALS);
	assert_true((seals & F_SEAL_SHRINK) && (seals & F_SEAL_GROW) && (seals & F_SEAL_SEAL));
	assert_int_equal(ftruncate(fd, 10), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)sizeof(struct cm_segment));
	assert_int_equal(telemetry_read(t, &snap, err, sizeof err), 0);
	assert_int_equal(snap.n_locks + snap.n_threads, 0);
	telemetry_free(t);
	telemetry_free(NULL);
}

/* The program's view: the same memfd mapped again. */
static struct cm_segment *map_as_program(struct telemetry *t)
{
	void *p = mmap(NULL, sizeof(struct cm_segment), PROT_READ | PROT_WRITE, MAP_SHARED,
		       telemetry_fd(t), 0);
	assert_true(p != MAP_FAILED);
	return p;
}

static void test_read_and_knobs(void **state)
{
	(void)state;
	struct telemetry *t = telemetry_create(err, sizeof err);
	assert_non_null(t);
	struct cm_segment *prog = map_as_program(t);
	assert_int_equal(prog->hdr.magic, CM_TELEMETRY_MAGIC);
	put_knob(prog, 0, "dryers", 1, 1, 4);
	put_knob(prog, 3, "dryers", 2, 0, 2);   /* same name, another range */
	put_knob(prog, 1, "speed", 5, 0, 10);

	assert_true(telemetry_set_knob(t, "dryers", 2));        /* both take 2 */
	assert_int_equal(prog->knobs[0].value, 2);
	assert_int_equal(prog->knobs[3].value, 2);
	assert_true(telemetry_set_knob(t, "dryers", 4));        /* only the first */
	assert_int_equal(prog->knobs[0].value, 4);
	assert_int_equal(prog->knobs[3].value, 2);
	assert_false(telemetry_set_knob(t, "dryers", 5));
	assert_false(telemetry_set_knob(t, "dryers", -1));
	assert_int_equal(prog->knobs[0].value, 4);
	assert_false(telemetry_set_knob(t, "nope", 1));
	assert_true(telemetry_set_knob(t, "speed", 0));
	assert_int_equal(prog->knobs[1].value, 0);
	assert_int_equal(telemetry_read(t, &snap, err, sizeof err), 0);
	assert_int_equal(snap.n_knobs, 3);

	memset(prog->knobs[1].name, 'z', CM_NAME_MAX);  /* the program goes bad */
	assert_int_equal(telemetry_read(t, &snap, err, sizeof err), -1);
	assert_string_equal(err, "knob 1: name not terminated");
	assert_false(telemetry_set_knob(t, "dryers", 3));
	assert_int_equal(prog->knobs[0].value, 4);
	munmap(prog, sizeof *prog);
	telemetry_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_segment),
		cmocka_unit_test(test_empty_segment),
		cmocka_unit_test(test_unaligned_input),
		cmocka_unit_test(test_each_corruption),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_create_sealed),
		cmocka_unit_test(test_read_and_knobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
