/* telemetry.c - the probe segment seen from concmon: created here, written
 * by a program concmon does not trust, so every byte is checked on a
 * private copy before anything is believed. */
#include "telemetry/telemetry.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/util.h"

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* A torn copy of a well-behaved writer can look inconsistent for an
 * instant (a slot reused between two bytes of the copy): copy again. */
#define READ_TRIES 3

struct telemetry {
	int fd;
	struct cm_segment *live;        /* shared with the program */
	struct cm_segment *copy;        /* private, what gets validated */
	struct telemetry_snapshot snap; /* scratch for telemetry_set_knob */
};

/* ---- creation ---- */

static void header_init(struct cm_header *h)
{
	h->magic = CM_TELEMETRY_MAGIC;
	h->version = CM_TELEMETRY_VERSION;
	h->size = sizeof(struct cm_segment);
	h->cap_queues = CM_MAX_QUEUES;
	h->cap_locks = CM_MAX_LOCKS;
	h->cap_threads = CM_MAX_THREADS;
	h->cap_knobs = CM_MAX_KNOBS;
	h->cap_values = CM_MAX_VALUES;
	h->cap_holders = CM_MAX_HOLDERS;
	h->name_max = CM_NAME_MAX;
}

struct telemetry *telemetry_create(char *err, size_t errlen)
{
	size_t size = sizeof(struct cm_segment);
	int fd = memfd_create("concmon-telemetry", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		util_fail(-1, err, errlen, "memfd_create: %s", strerror(errno));
		return NULL;
	}
	/* Sealed so the program can neither shrink it (SIGBUS in concmon) nor
	 * grow it, nor change the seals. */
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		util_fail(-1, err, errlen, "telemetry segment: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		util_fail(-1, err, errlen, "mmap telemetry: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	struct telemetry *t = xcalloc(1, sizeof *t);
	t->fd = fd;
	t->live = p;
	t->copy = xmalloc(size);
	header_init(&t->live->hdr);    /* no writer yet: the child is not started */
	return t;
}

int telemetry_fd(const struct telemetry *t)
{
	return t->fd;
}

void telemetry_free(struct telemetry *t)
{
	if (!t)
		return;
	munmap(t->live, sizeof(struct cm_segment));
	close(t->fd);
	free(t->copy);
	free(t);
}

/* ---- validation: everything below reads only private copies ---- */

/* Copies record i of the table at offset off of seg into rec. */
static void rec_copy(void *rec, size_t size, const void *seg, size_t off, unsigned i)
{
	memcpy(rec, (const unsigned char *)seg + off + (size_t)i * size, size);
}

/* Copies a fixed-size string: NULL, or why it is corrupt. */
static const char *name_copy(char dst[CM_NAME_MAX], const char src[CM_NAME_MAX])
{
	size_t n = 0;
	while (n < CM_NAME_MAX && src[n])
		n++;
	if (n == CM_NAME_MAX)
		return "not terminated";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f)
			return "has a control character";
	}
	memcpy(dst, src, n);
	memset(dst + n, 0, CM_NAME_MAX - n);
	return NULL;
}

/* 1: live record to check, 0: skip it, -1: corrupt (err filled). */
static int rec_live(uint32_t state, int32_t pid, const char *table, unsigned i,
		    char *err, size_t errlen)
{
	if (state == CM_REC_FREE || state == CM_REC_CLAIMED)
		return 0;
	if (state != CM_REC_LIVE)
		return util_fail(-1, err, errlen, "%s %u: bad state %" PRIu32, table, i, state);
	if (pid <= 0 || pid > CM_TID_MAX)
		return util_fail(-1, err, errlen, "%s %u: bad pid %" PRId32, table, i, pid);
	return 1;
}

static int check_name(char dst[CM_NAME_MAX], const char src[CM_NAME_MAX], const char *table,
		      unsigned i, const char *what, char *err, size_t errlen)
{
	const char *why = name_copy(dst, src);
	return why ? util_fail(-1, err, errlen, "%s %u: %s %s", table, i, what, why) : 0;
}

static int check_table(const char *table, uint32_t cap, uint32_t count, uint32_t want,
		       unsigned *n, char *err, size_t errlen)
{
	if (cap != want)
		return util_fail(-1, err, errlen, "%s: capacity %" PRIu32 ", expected %" PRIu32,
			    table, cap, want);
	if (count > cap)
		return util_fail(-1, err, errlen, "%s: count %" PRIu32 " > capacity %" PRIu32,
			    table, count, cap);
	*n = count;
	return 0;
}

/* Record counts to scan, from a checked header. */
struct extent {
	unsigned queues, locks, threads, knobs, values;
};

static int check_header(const struct cm_header *h, struct extent *x, char *err, size_t errlen)
{
	if (h->magic != CM_TELEMETRY_MAGIC)
		return util_fail(-1, err, errlen, "bad magic");
	if (h->version != CM_TELEMETRY_VERSION)
		return util_fail(-1, err, errlen, "version %" PRIu32 ", expected %u", h->version,
			    CM_TELEMETRY_VERSION);
	if (h->size != sizeof(struct cm_segment))
		return util_fail(-1, err, errlen, "size %" PRIu32 ", expected %zu", h->size,
			    sizeof(struct cm_segment));
	if (h->cap_holders != CM_MAX_HOLDERS || h->name_max != CM_NAME_MAX)
		return util_fail(-1, err, errlen, "holder or name capacity differs");
	if (check_table("queues", h->cap_queues, LD(h->n_queues), CM_MAX_QUEUES, &x->queues,
			err, errlen) < 0 ||
	    check_table("locks", h->cap_locks, LD(h->n_locks), CM_MAX_LOCKS, &x->locks,
			err, errlen) < 0 ||
	    check_table("threads", h->cap_threads, LD(h->n_threads), CM_MAX_THREADS,
			&x->threads, err, errlen) < 0 ||
	    check_table("knobs", h->cap_knobs, LD(h->n_knobs), CM_MAX_KNOBS, &x->knobs,
			err, errlen) < 0 ||
	    check_table("values", h->cap_values, LD(h->n_values), CM_MAX_VALUES, &x->values,
			err, errlen) < 0)
		return -1;
	return 0;
}

static int check_queue(const struct cm_queue_rec *r, unsigned i, struct telemetry_queue *q,
		       char *err, size_t errlen)
{
	uint32_t flags = LD(r->flags), closed = LD(r->closed);
	if (flags & ~(uint32_t)CM_REC_FLAGS_ALL)
		return util_fail(-1, err, errlen, "queue %u: bad flags %#" PRIx32, i, flags);
	if (closed > 1)
		return util_fail(-1, err, errlen, "queue %u: bad closed flag %" PRIu32, i, closed);
	if (check_name(q->name, r->name, "queue", i, "name", err, errlen) < 0)
		return -1;
	q->slot = i;
	q->source = flags & CM_REC_TRACED ? TEL_TRACED : TEL_PROBE;
	q->kind = TEL_QUEUE_ITEMS;
	q->pid = LD(r->pid);
	q->reader = 0;
	q->listener = false;
	q->shared = flags & CM_REC_SHARED;
	q->closed = closed;
	q->capacity = LD(r->capacity);
	q->depth = LD(r->depth);
	q->puts = LD(r->puts);
	q->gets = LD(r->gets);
	q->blocked_put = LD(r->blocked_put);
	q->blocked_get = LD(r->blocked_get);
	if (q->capacity < 1 || q->capacity > CM_QUEUE_CAPACITY_MAX)
		return util_fail(-1, err, errlen, "queue %u: bad capacity %" PRIu64, i, q->capacity);
	if (q->depth > q->capacity)
		return util_fail(-1, err, errlen, "queue %u: depth %" PRIu64 " > capacity %" PRIu64,
			    i, q->depth, q->capacity);
	if (q->blocked_put > CM_TID_MAX || q->blocked_get > CM_TID_MAX)
		return util_fail(-1, err, errlen, "queue %u: blocked count out of range", i);
	return 0;
}

/* Kind-specific ranges of a lock record; what the writer never sets must be 0. */
static int check_lock_fields(const struct cm_lock_rec *r, unsigned i, enum cm_lock_kind kind,
			     char *err, size_t errlen)
{
	bool sem = kind == CM_LOCK_SEMAPHORE;
	uint32_t permits = LD(r->permits), value = LD(r->value), count = LD(r->holder_count);
	if (permits > (sem ? CM_PERMITS_MAX : 0))
		return util_fail(-1, err, errlen, "lock %u: bad permits %" PRIu32, i, permits);
	if (value > (sem ? CM_PERMITS_MAX : kind == CM_LOCK_EVENT ? 1 : 0))
		return util_fail(-1, err, errlen, "lock %u: bad value %" PRIu32, i, value);
	if (count > (sem ? CM_PERMITS_MAX : 0))
		return util_fail(-1, err, errlen, "lock %u: holder count %" PRIu32 " out of range", i, count);
	if (LD(r->depth) != 0 && kind != CM_LOCK_RECURSIVE)
		return util_fail(-1, err, errlen, "lock %u: recursion depth on a non-recursive lock", i);
	if (LD(r->waiters) > CM_TID_MAX)
		return util_fail(-1, err, errlen, "lock %u: waiters out of range", i);
	/* Semaphores list up to CM_MAX_HOLDERS holders, mutexes one, the rest none. */
	unsigned listable = sem ? CM_MAX_HOLDERS
		: kind == CM_LOCK_CONDITION || kind == CM_LOCK_EVENT ? 0 : 1;
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t tid = LD(r->holders[h]);
		if (tid < 0 || tid > CM_TID_MAX || (tid != 0 && h >= listable))
			return util_fail(-1, err, errlen, "lock %u: holder %u out of range", i, h);
	}
	return 0;
}

static int check_lock(const struct cm_lock_rec *r, unsigned i, struct telemetry_lock *l,
		      char *err, size_t errlen)
{
	uint32_t flags = LD(r->flags), kind = LD(r->kind);
	if (flags & ~(uint32_t)CM_REC_FLAGS_ALL)
		return util_fail(-1, err, errlen, "lock %u: bad flags %#" PRIx32, i, flags);
	if (kind < CM_LOCK_MUTEX || kind > CM_LOCK_KIND_MAX)
		return util_fail(-1, err, errlen, "lock %u: bad kind %" PRIu32, i, kind);
	if (check_lock_fields(r, i, (enum cm_lock_kind)kind, err, errlen) < 0 ||
	    check_name(l->name, r->name, "lock", i, "name", err, errlen) < 0)
		return -1;
	l->slot = i;
	l->source = flags & CM_REC_TRACED ? TEL_TRACED : TEL_PROBE;
	l->addr = 0;
	l->pid = LD(r->pid);
	l->shared = flags & CM_REC_SHARED;
	l->kind = (enum cm_lock_kind)kind;
	l->permits = LD(r->permits);
	l->value = LD(r->value);
	l->n_holders = 0;
	memset(l->holders, 0, sizeof l->holders);
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t tid = LD(r->holders[h]);
		if (tid)
			l->holders[l->n_holders++] = tid;
	}
	l->holder_count = LD(r->holder_count);
	if (l->holder_count < l->n_holders)
		l->holder_count = l->n_holders;
	l->depth = kind == CM_LOCK_RECURSIVE ? LD(r->depth)
		: (kind == CM_LOCK_MUTEX || kind == CM_LOCK_FILE) ? l->n_holders : 0;
	l->waiters = LD(r->waiters);
	l->acquisitions = LD(r->acquisitions);
	l->contended = LD(r->contended);
	if (l->contended > l->acquisitions)
		l->contended = l->acquisitions;
	l->wait_ns_total = LD(r->wait_ns_total);
	l->wait_ns_max = LD(r->wait_ns_max);
	if (l->wait_ns_max > l->wait_ns_total)
		l->wait_ns_max = l->wait_ns_total;
	l->hold_ns_total = LD(r->hold_ns_total);
	return 0;
}

/* Slot -> index in the snapshot, -1 when the slot is not live. */
struct slot_maps {
	int queue[CM_MAX_QUEUES];
	int lock[CM_MAX_LOCKS];
};

static int check_thread(const struct cm_thread_rec *r, unsigned i, const struct slot_maps *m,
			struct telemetry_thread *t, char *err, size_t errlen)
{
	int32_t tid = LD(r->tid);
	uint32_t kind = LD(r->wait_kind), index = LD(r->wait_index), flags = LD(r->flags);
	if (flags & ~(uint32_t)CM_REC_TRACED)
		return util_fail(-1, err, errlen, "thread %u: bad flags %#" PRIx32, i, flags);
	if (tid <= 0 || tid > CM_TID_MAX)
		return util_fail(-1, err, errlen, "thread %u: bad tid %" PRId32, i, tid);
	if (kind > CM_WAIT_KIND_MAX)
		return util_fail(-1, err, errlen, "thread %u: bad wait kind %" PRIu32, i, kind);
	uint32_t cap = kind == CM_WAIT_LOCK ? CM_MAX_LOCKS : CM_MAX_QUEUES;
	if (kind != CM_WAIT_NONE && index >= cap)
		return util_fail(-1, err, errlen, "thread %u: waits on %s %" PRIu32 " (capacity %" PRIu32 ")",
			    i, kind == CM_WAIT_LOCK ? "lock" : "queue", index, cap);
	if (check_name(t->role, r->role, "thread", i, "role", err, errlen) < 0)
		return -1;
	t->source = LD(r->flags) & CM_REC_TRACED ? TEL_TRACED : TEL_PROBE;
	t->tid = tid;
	t->pid = LD(r->pid);
	t->wait_kind = (enum cm_wait_kind)kind;
	t->wait = kind == CM_WAIT_NONE ? -1 : kind == CM_WAIT_LOCK ? m->lock[index] : m->queue[index];
	t->wait_since_ns = kind == CM_WAIT_NONE ? 0 : LD(r->wait_since_ns);
	return 0;
}

static int check_knob(const struct cm_knob_rec *r, unsigned i, struct telemetry_knob *k,
		      char *err, size_t errlen)
{
	int64_t v = LD(r->value), lo = LD(r->min), hi = LD(r->max);
	if (lo > hi)
		return util_fail(-1, err, errlen, "knob %u: min %" PRId64 " > max %" PRId64, i, lo, hi);
	if (v < lo || v > hi)
		return util_fail(-1, err, errlen, "knob %u: value %" PRId64 " outside [%" PRId64 ", %" PRId64 "]",
			    i, v, lo, hi);
	uint32_t flags = LD(r->flags);
	if (flags & ~(uint32_t)CM_KNOB_FLAGS_ALL)
		return util_fail(-1, err, errlen, "knob %u: bad flags %#x", i, (unsigned)flags);
	if (check_name(k->name, r->name, "knob", i, "name", err, errlen) < 0)
		return -1;
	k->at_start = flags & CM_KNOB_AT_START;
	k->slot = i;
	k->pid = LD(r->pid);
	k->value = (long)v;
	k->min = (long)lo;
	k->max = (long)hi;
	return 0;
}

static int check_value(const struct cm_value_rec *r, unsigned i, struct telemetry_value *v,
		       char *err, size_t errlen)
{
	if (check_name(v->name, r->name, "value", i, "name", err, errlen) < 0)
		return -1;
	v->slot = i;
	v->pid = LD(r->pid);
	v->value = (long)LD(r->value);
	return 0;
}

_Static_assert(sizeof(long) == sizeof(int64_t), "knob values are longs in the API");

static int validate_queues_locks(const void *seg, const struct extent *x, struct slot_maps *m,
				 struct telemetry_snapshot *out, char *err, size_t errlen)
{
	for (unsigned i = 0; i < CM_MAX_QUEUES; i++)
		m->queue[i] = -1;
	for (unsigned i = 0; i < CM_MAX_LOCKS; i++)
		m->lock[i] = -1;
	for (unsigned i = 0; i < x->queues; i++) {
		struct cm_queue_rec r;
		rec_copy(&r, sizeof r, seg, offsetof(struct cm_segment, queues), i);
		int live = rec_live(LD(r.state), LD(r.pid), "queue", i, err, errlen);
		if (live < 0 || (live && check_queue(&r, i, &out->queues[out->n_queues], err, errlen) < 0))
			return -1;
		if (live)
			m->queue[i] = (int)out->n_queues++;
	}
	for (unsigned i = 0; i < x->locks; i++) {
		struct cm_lock_rec r;
		rec_copy(&r, sizeof r, seg, offsetof(struct cm_segment, locks), i);
		int live = rec_live(LD(r.state), LD(r.pid), "lock", i, err, errlen);
		if (live < 0 || (live && check_lock(&r, i, &out->locks[out->n_locks], err, errlen) < 0))
			return -1;
		if (live)
			m->lock[i] = (int)out->n_locks++;
	}
	return 0;
}

static int validate_rest(const void *seg, const struct extent *x, const struct slot_maps *m,
			 struct telemetry_snapshot *out, char *err, size_t errlen)
{
	for (unsigned i = 0; i < x->threads; i++) {
		struct cm_thread_rec r;
		rec_copy(&r, sizeof r, seg, offsetof(struct cm_segment, threads), i);
		int live = rec_live(LD(r.state), LD(r.pid), "thread", i, err, errlen);
		if (live < 0 ||
		    (live && check_thread(&r, i, m, &out->threads[out->n_threads], err, errlen) < 0))
			return -1;
		out->n_threads += live;
	}
	for (unsigned i = 0; i < x->knobs; i++) {
		struct cm_knob_rec r;
		rec_copy(&r, sizeof r, seg, offsetof(struct cm_segment, knobs), i);
		int live = rec_live(LD(r.state), LD(r.pid), "knob", i, err, errlen);
		if (live < 0 || (live && check_knob(&r, i, &out->knobs[out->n_knobs], err, errlen) < 0))
			return -1;
		out->n_knobs += live;
	}
	for (unsigned i = 0; i < x->values; i++) {
		struct cm_value_rec r;
		rec_copy(&r, sizeof r, seg, offsetof(struct cm_segment, values), i);
		int live = rec_live(LD(r.state), LD(r.pid), "value", i, err, errlen);
		if (live < 0 ||
		    (live && check_value(&r, i, &out->values[out->n_values], err, errlen) < 0))
			return -1;
		out->n_values += live;
	}
	return 0;
}

int telemetry_validate(const void *seg, size_t len, struct telemetry_snapshot *out,
		       char *err, size_t errlen)
{
	if (!seg || len != sizeof(struct cm_segment))
		return util_fail(-1, err, errlen, "size %zu, expected %zu", seg ? len : 0,
			    sizeof(struct cm_segment));
	struct cm_header h;
	struct extent x = { 0 };
	memcpy(&h, seg, sizeof h);
	if (check_header(&h, &x, err, errlen) < 0)
		return -1;
	out->attaches = LD(h.attaches);
	out->traced = LD(h.traced);
	if (out->traced > out->attaches)
		out->traced = out->attaches;
	out->n_queues = out->n_locks = out->n_threads = out->n_knobs = out->n_values = 0;
	struct slot_maps m;
	if (validate_queues_locks(seg, &x, &m, out, err, errlen) < 0 ||
	    validate_rest(seg, &x, &m, out, err, errlen) < 0)
		return -1;
	return 0;
}

const char *telemetry_source_name(enum tel_source s)
{
	switch (s) {
	case TEL_TRACED: return "traced";
	case TEL_INFERRED: return "inferred";
	default: return "probe";
	}
}

/* ---- reading the live segment ---- */

int telemetry_read(struct telemetry *t, struct telemetry_snapshot *out, char *err, size_t errlen)
{
	int rc = -1;
	for (int try = 0; try < READ_TRIES && rc < 0; try++) {
		/* Copy first: the writer keeps writing, the checks must see
		 * exactly the bytes that are then used. */
		memcpy(t->copy, t->live, sizeof *t->copy);
		rc = telemetry_validate(t->copy, sizeof *t->copy, out, err, errlen);
	}
	return rc;
}

bool telemetry_set_knob(struct telemetry *t, const char *name, long value)
{
	if (telemetry_read(t, &t->snap, NULL, 0) < 0)
		return false;
	bool set = false;
	for (size_t i = 0; i < t->snap.n_knobs; i++) {
		const struct telemetry_knob *k = &t->snap.knobs[i];
		if (strcmp(k->name, name) != 0 || value < k->min || value > k->max)
			continue;
		atomic_store_explicit(&t->live->knobs[k->slot].value, value, memory_order_relaxed);
		set = true;
	}
	return set;
}
