/* replay.c - see replay.h. Opening scans every frame header, so that an
 * offset or a length that points outside the file is refused before any
 * snapshot is read; the index, when there is one, must agree with the
 * scan. A snapshot is decoded only when asked for, through a cursor that
 * refuses to read past its frame. */
#include "record/replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "util/util.h"

/* The fewest bytes a task and an event take: bounds the counts a frame
 * may claim before anything is allocated. */
#define TASK_MIN_BYTES 18
#define EVENT_MIN_BYTES 17
#define HEADER_MIN 11
#define FRAME_HEAD 6

struct entry {
	size_t offset;      /* of the payload */
	size_t len;
	double time;
	unsigned marks;
};

struct replay {
	uint8_t *data;
	size_t size;
	bool all, indexed;
	char containment[256];
	struct entry *frames;
	size_t n, cap;
	struct task *tasks;         /* the decoded snapshot */
	struct event *events;
	char *strings;              /* its command lines and waits */
	const char **waits;         /* per task, NULL when none */
	size_t *by_tid;             /* task indexes in tid order, for replay_wait */
	size_t ntasks;
	struct program *progs;      /* the decoded snapshot's programs */
	struct telemetry_snapshot **snaps; /* one per program slot, kept between frames */
	size_t nsnaps;
	struct deadlock_link *links;
	size_t *cycle_start;
};

/* Reads a frame's payload; bad is set, never cleared, on any overrun. */
struct cursor {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static bool take(struct cursor *c, size_t n)
{
	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return false;
	}
	c->pos += n;
	return true;
}

static unsigned get_u8(struct cursor *c)
{
	return take(c, 1) ? c->p[c->pos - 1] : 0;
}

static uint64_t get_varint(struct cursor *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned b = get_u8(c);
		if (c->bad)
			return 0;
		if (shift == 63 && b > 1)
			break;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

/* A varint no greater than max. */
static uint64_t get_bounded(struct cursor *c, uint64_t max)
{
	uint64_t v = get_varint(c);
	if (v > max)
		c->bad = true;
	return c->bad ? 0 : v;
}

/* A zigzag varint within [-2^31, 2^31 - 1]. */
static int get_int(struct cursor *c)
{
	uint64_t u = get_bounded(c, UINT32_MAX);
	int64_t v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return (int)v;
}

static uint64_t get_le(struct cursor *c, size_t n)
{
	uint64_t v = 0;
	if (!take(c, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->p[c->pos - n + i] << (8 * i);
	return v;
}

static double get_double(struct cursor *c)
{
	uint64_t v = get_le(c, 8);
	double d;
	memcpy(&d, &v, sizeof d);
	return d;
}

/* A string of at most max bytes, no NUL inside, copied NUL-terminated to
 * out (room for max + 1). */
static void get_string(struct cursor *c, char *out, size_t max)
{
	size_t n = (size_t)get_bounded(c, max);
	if (!take(c, n)) {
		out[0] = '\0';
		return;
	}
	const uint8_t *s = c->p + c->pos - n;
	if (memchr(s, '\0', n))
		c->bad = true;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int fail(char *err, size_t errlen, const char *what)
{
	return util_fail(-1, err, errlen, "not a usable concmon recording: %s", what);
}

static int read_header(struct replay *r, char *err, size_t errlen)
{
	if (r->size < HEADER_MIN || memcmp(r->data, RECORD_MAGIC, 8) != 0)
		return fail(err, errlen, "no CONCMREC header");
	if (r->data[8] != RECORD_VERSION)
		return util_fail(-1, err, errlen, "recording format version %u, this concmon reads %u",
				 r->data[8], RECORD_VERSION);
	if (r->data[9] & ~RECORD_FLAG_ALL)
		return fail(err, errlen, "unknown header flags");
	r->all = r->data[9] & RECORD_FLAG_ALL;
	size_t n = r->data[10];
	if (n > r->size - HEADER_MIN)
		return fail(err, errlen, "header cut short");
	memcpy(r->containment, r->data + HEADER_MIN, n);
	r->containment[n] = '\0';
	if (strlen(r->containment) != n)
		return fail(err, errlen, "NUL inside the containment name");
	return (int)(HEADER_MIN + n);
}

/* The frame at off: its kind and payload length; -1 when its head or
 * payload does not fit in the file. */
static int frame_at(const struct replay *r, size_t off, unsigned *kind, size_t *len)
{
	if (off > r->size || r->size - off < FRAME_HEAD || r->data[off] != RECORD_FRAME_TAG)
		return -1;
	*kind = r->data[off + 1];
	*len = 0;
	for (int i = 0; i < 4; i++)
		*len |= (size_t)r->data[off + 2 + i] << (8 * i);
	if (*len > RECORD_FRAME_MAX || *len > r->size - off - FRAME_HEAD)
		return -1;
	return 0;
}

static void add_entry(struct replay *r, size_t payload, size_t len)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->frames = xrealloc(r->frames, r->cap * sizeof *r->frames);
	}
	r->frames[r->n++] = (struct entry){ payload, len, 0, 0 };
}

/* The index frame at off (payload len) against the scanned frames, then
 * the trailer that must end the file. */
static int read_index(struct replay *r, size_t off, size_t len, char *err, size_t errlen)
{
	struct cursor c = { r->data + off + FRAME_HEAD, len, 0, false };
	if (get_varint(&c) != r->n)
		return fail(err, errlen, "the index counts other frames than the file holds");
	for (size_t i = 0; i < r->n && !c.bad; i++) {
		if (get_varint(&c) != r->frames[i].offset - FRAME_HEAD)
			return fail(err, errlen, "an index offset is not a frame's");
		r->frames[i].time = get_double(&c);
		r->frames[i].marks = (unsigned)get_bounded(&c, 7);
	}
	if (c.bad || c.pos != c.len)
		return fail(err, errlen, "bad index frame");
	size_t end = off + FRAME_HEAD + len;
	if (r->size - end < 16)
		return 0; /* cut short before the trailer: the index is not trusted */
	if (r->size - end != 16 || memcmp(r->data + end + 8, RECORD_TRAILER, 8) != 0)
		return fail(err, errlen, "no trailer after the index");
	struct cursor t = { r->data + end, 8, 0, false };
	if (get_le(&t, 8) != off)
		return fail(err, errlen, "the trailer does not point at the index");
	r->indexed = true;
	return 0;
}

/* Every frame from off on. A last snapshot cut short (a crash while
 * writing) is dropped; anything else out of place is refused. */
static int scan(struct replay *r, size_t off, char *err, size_t errlen)
{
	while (off < r->size) {
		unsigned kind;
		size_t len;
		if (frame_at(r, off, &kind, &len) < 0)
			return r->data[off] == RECORD_FRAME_TAG ? 0 : fail(err, errlen, "garbage between frames");
		if (kind == RECORD_INDEX)
			return read_index(r, off, len, err, errlen);
		if (kind != RECORD_SNAPSHOT)
			return fail(err, errlen, "unknown frame kind");
		add_entry(r, off + FRAME_HEAD, len);
		off += FRAME_HEAD + len;
	}
	return 0;
}

static int decode(struct replay *r, size_t i, struct replay_frame *f, char *err, size_t errlen);

/* Without an index: each snapshot's time and marks from the snapshot. */
static int mark_scanned(struct replay *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n; i++) {
		struct replay_frame f;
		if (decode(r, i, &f, err, errlen) < 0)
			return -1;
		unsigned m = f.deadlocks ? RECORD_MARK_DEADLOCK : 0;
		for (size_t k = 0; k < f.ntasks; k++)
			if (!f.tasks[k].exited && f.tasks[k].state == 'Z')
				m |= RECORD_MARK_ZOMBIE;
		for (size_t k = 0; k < f.nevents; k++)
			if (f.events[k].kind == EV_EXITED || f.events[k].kind == EV_KILLED)
				m |= RECORD_MARK_EXIT;
		r->frames[i].marks = m;
	}
	return 0;
}

struct replay *replay_open_mem(const void *data, size_t size, char *err, size_t errlen)
{
	struct replay *r = xcalloc(1, sizeof *r);
	r->data = xmalloc(size ? size : 1);
	memcpy(r->data, data, size);
	r->size = size;
	int off = read_header(r, err, errlen);
	if (off < 0 || scan(r, (size_t)off, err, errlen) < 0 ||
	    (!r->indexed && mark_scanned(r, err, errlen) < 0)) {
		replay_free(r);
		return NULL;
	}
	return r;
}

struct replay *replay_open(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rbe");
	if (!fp) {
		util_fail(0, err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap && cap < REPLAY_FILE_MAX)
			buf = xrealloc(buf, cap *= 2);
		else if (n == cap)
			break;
	}
	bool bad = ferror(fp) || (n == cap && fgetc(fp) != EOF);
	fclose(fp);
	struct replay *r = NULL;
	if (bad)
		util_fail(0, err, errlen, "%s: unreadable or larger than %llu bytes", path,
			  (unsigned long long)REPLAY_FILE_MAX);
	else
		r = replay_open_mem(buf, n, err, errlen);
	free(buf);
	return r;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	free(r->data);
	free(r->frames);
	free(r->tasks);
	free(r->events);
	free(r->strings);
	free(r->waits);
	free(r->by_tid);
	free(r->progs);
	for (size_t i = 0; i < r->nsnaps; i++)
		free(r->snaps[i]);
	free(r->snaps);
	free(r->links);
	free(r->cycle_start);
	free(r);
}

size_t replay_count(const struct replay *r)
{
	return r->n;
}

bool replay_all(const struct replay *r)
{
	return r->all;
}

const char *replay_containment(const struct replay *r)
{
	return r->containment;
}

bool replay_indexed(const struct replay *r)
{
	return r->indexed;
}

double replay_time(const struct replay *r, size_t i)
{
	return i < r->n ? r->frames[i].time : 0;
}

unsigned replay_marks(const struct replay *r, size_t i)
{
	return i < r->n ? r->frames[i].marks : 0;
}

size_t replay_seek_mark(const struct replay *r, size_t i, int dir, unsigned mark)
{
	for (size_t k = i; dir > 0 ? k + 1 < r->n : k > 0;) {
		k = dir > 0 ? k + 1 : k - 1;
		if (r->frames[k].marks & mark)
			return k;
	}
	return i;
}

/* A string into the frame's arena at *strings; returns it. The arena
 * holds the payload's bytes plus a NUL per string, two per task: room
 * for every string the frame can carry. */
static const char *get_arena_string(struct cursor *c, char **strings, size_t max)
{
	char *s = *strings;
	get_string(c, s, max);
	*strings += strlen(s) + 1;
	return s;
}

/* One task and its wait; *strings is where their strings go, prev the
 * task before. */
static void get_task(struct cursor *c, struct task *t, const struct task *prev, char **strings,
		     const char **wait)
{
	memset(t, 0, sizeof *t);
	t->tid = (pid_t)get_bounded(c, INT32_MAX);
	int64_t pid = (int64_t)t->tid + get_int(c);
	if (pid < 0 || pid > INT32_MAX)
		c->bad = true;
	t->pid = (pid_t)(c->bad ? 0 : pid);
	t->ppid = get_int(c);
	t->former_ppid = get_int(c);
	t->state = (char)get_u8(c);
	unsigned f = (unsigned)get_bounded(c, RT_ALL_FLAGS);
	t->supervised = f & RT_SUPERVISED;
	t->launched = f & RT_LAUNCHED;
	t->orphan = f & RT_ORPHAN;
	t->exited = f & RT_EXITED;
	t->exit_known = f & RT_EXIT_KNOWN;
	t->reaped = f & RT_REAPED;
	t->start_ticks = get_varint(c);
	t->start_time = get_double(c);
	t->cpu = f & RT_CPU ? get_double(c) : 0;
	t->rss_kb = (unsigned long)get_varint(c);
	t->threads = get_int(c);
	if (t->exited) {
		t->exit_code = get_int(c);
		t->exit_signal = get_int(c);
		t->exited_at = get_double(c);
	}
	get_string(c, t->comm, TASK_COMM_MAX - 1);
	if (f & RT_SAME_CMDLINE) {
		if (!prev)
			c->bad = true;
		t->cmdline = prev ? prev->cmdline : "";
	} else {
		t->cmdline = (char *)get_arena_string(c, strings, RECORD_CMDLINE_MAX);
	}
	*wait = f & RT_WAIT ? get_arena_string(c, strings, RECORD_WAIT_MAX) : NULL;
}

static void get_event(struct cursor *c, struct event *e)
{
	memset(e, 0, sizeof *e);
	e->seq = get_varint(c);
	e->time = get_double(c);
	unsigned kind = get_u8(c);
	if (kind >= EV_KIND_COUNT)
		c->bad = true;
	e->kind = (enum event_kind)(kind < EV_KIND_COUNT ? kind : 0);
	e->pid = get_int(c);
	e->tid = get_int(c);
	e->other = get_int(c);
	e->code = get_int(c);
	e->result = get_int(c);
	unsigned exact = get_u8(c);
	if (exact > 1)
		c->bad = true;
	e->exact = exact;
	get_string(c, e->comm, sizeof e->comm - 1);
}

/* qsort has no context argument: the tasks being sorted. */
static const struct task *sorting;

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = sorting[*(const size_t *)a].tid, y = sorting[*(const size_t *)b].tid;
	return (x > y) - (x < y);
}

static void sort_by_tid(struct replay *r, size_t n)
{
	for (size_t k = 0; k < n; k++)
		r->by_tid[k] = k;
	sorting = r->tasks;
	qsort(r->by_tid, n, sizeof *r->by_tid, cmp_tid);
	sorting = NULL;
	r->ntasks = n;
}

const char *replay_wait(const void *ctx, pid_t tid)
{
	const struct replay *r = ctx;
	size_t lo = 0, hi = r->ntasks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t m = r->tasks[r->by_tid[mid]].tid;
		if (m == tid)
			return r->waits[r->by_tid[mid]];
		if (m < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A signed varint within [-2^63, 2^63 - 1] (a knob's long). */
static int64_t get_long(struct cursor *c)
{
	uint64_t u = get_varint(c);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A u8 no greater than max. */
static unsigned get_u8_max(struct cursor *c, unsigned max)
{
	unsigned v = get_u8(c);
	if (v > max)
		c->bad = true;
	return c->bad ? 0 : v;
}

/* A PID or TID: 0 up to INT32_MAX. */
static pid_t get_pid(struct cursor *c)
{
	int v = get_int(c);
	if (v < 0)
		c->bad = true;
	return c->bad ? 0 : v;
}

static void get_queue(struct cursor *c, struct telemetry_queue *q)
{
	q->slot = (unsigned)get_bounded(c, UINT32_MAX);
	q->source = (enum tel_source)get_u8_max(c, TEL_INFERRED);
	q->kind = (enum tel_queue_kind)get_u8_max(c, TEL_QUEUE_MQUEUE);
	q->pid = get_pid(c);
	q->reader = get_pid(c);
	unsigned f = get_u8_max(c, 7);
	q->shared = f & 1;
	q->closed = f & 2;
	q->listener = f & 4;
	get_string(c, q->name, CM_NAME_MAX - 1);
	q->capacity = get_varint(c);
	q->depth = get_varint(c);
	q->puts = get_varint(c);
	q->gets = get_varint(c);
	q->blocked_put = (unsigned)get_bounded(c, UINT32_MAX);
	q->blocked_get = (unsigned)get_bounded(c, UINT32_MAX);
}

static void get_lock(struct cursor *c, struct telemetry_lock *l)
{
	l->slot = (unsigned)get_bounded(c, UINT32_MAX);
	l->source = (enum tel_source)get_u8_max(c, TEL_INFERRED);
	l->addr = get_varint(c);
	l->pid = get_pid(c);
	l->shared = get_u8_max(c, 1);
	l->kind = (enum cm_lock_kind)get_u8_max(c, CM_LOCK_KIND_MAX);
	get_string(c, l->name, CM_NAME_MAX - 1);
	l->permits = (unsigned)get_bounded(c, UINT32_MAX);
	l->value = (unsigned)get_bounded(c, UINT32_MAX);
	l->holder_count = (unsigned)get_bounded(c, UINT32_MAX);
	l->n_holders = (unsigned)get_bounded(c, CM_MAX_HOLDERS);
	for (unsigned h = 0; h < l->n_holders; h++)
		l->holders[h] = get_pid(c);
	l->depth = (unsigned)get_bounded(c, UINT32_MAX);
	l->waiters = (unsigned)get_bounded(c, UINT32_MAX);
	l->acquisitions = get_varint(c);
	l->contended = get_varint(c);
	l->wait_ns_total = get_varint(c);
	l->wait_ns_max = get_varint(c);
	l->hold_ns_total = get_varint(c);
}

/* A thread; its wait must index the snapshot's locks or queues (s's
 * counts, read before the threads). */
static void get_thread(struct cursor *c, struct telemetry_thread *t,
		       const struct telemetry_snapshot *s)
{
	t->source = (enum tel_source)get_u8_max(c, TEL_INFERRED);
	t->tid = get_pid(c);
	int64_t pid = (int64_t)t->tid + get_int(c);
	if (pid < 0 || pid > INT32_MAX)
		c->bad = true;
	t->pid = (pid_t)(c->bad ? 0 : pid);
	get_string(c, t->role, CM_NAME_MAX - 1);
	t->wait_kind = (enum cm_wait_kind)get_u8_max(c, CM_WAIT_KIND_MAX);
	t->wait = get_int(c);
	size_t room = t->wait_kind == CM_WAIT_NONE ? 0
		      : t->wait_kind == CM_WAIT_LOCK ? s->n_locks : s->n_queues;
	if (t->wait < -1 || (t->wait >= 0 && (size_t)t->wait >= room))
		c->bad = true;
	t->wait_since_ns = get_varint(c);
}

static void get_knobs_values(struct cursor *c, struct telemetry_snapshot *s)
{
	for (size_t i = 0; i < s->n_knobs && !c->bad; i++) {
		struct telemetry_knob *k = &s->knobs[i];
		k->slot = (unsigned)get_bounded(c, UINT32_MAX);
		k->pid = get_pid(c);
		get_string(c, k->name, CM_NAME_MAX - 1);
		k->value = (long)get_long(c);
		k->min = (long)get_long(c);
		k->max = (long)get_long(c);
		k->at_start = get_u8_max(c, 1);
	}
	for (size_t i = 0; i < s->n_values && !c->bad; i++) {
		struct telemetry_value *v = &s->values[i];
		v->slot = (unsigned)get_bounded(c, UINT32_MAX);
		v->pid = get_pid(c);
		get_string(c, v->name, CM_NAME_MAX - 1);
		v->value = (long)get_long(c);
	}
}

static void get_snapshot(struct cursor *c, struct telemetry_snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->attaches = (unsigned)get_bounded(c, UINT32_MAX);
	s->traced = (unsigned)get_bounded(c, UINT32_MAX);
	s->n_queues = (size_t)get_bounded(c, TEL_MAX_QUEUES);
	s->n_locks = (size_t)get_bounded(c, TEL_MAX_LOCKS);
	s->n_threads = (size_t)get_bounded(c, TEL_MAX_THREADS);
	s->n_knobs = (size_t)get_bounded(c, CM_MAX_KNOBS);
	s->n_values = (size_t)get_bounded(c, CM_MAX_VALUES);
	for (size_t i = 0; i < s->n_queues && !c->bad; i++)
		get_queue(c, &s->queues[i]);
	for (size_t i = 0; i < s->n_locks && !c->bad; i++)
		get_lock(c, &s->locks[i]);
	for (size_t i = 0; i < s->n_threads && !c->bad; i++)
		get_thread(c, &s->threads[i], s);
	get_knobs_values(c, s);
}

/* Program i: its strings into the arena, its telemetry into r->snaps[i]. */
static void get_program(struct replay *r, struct cursor *c, size_t i, char **strings)
{
	struct program *p = &r->progs[i];
	memset(p, 0, sizeof *p);
	p->pid = get_pid(c);
	unsigned f = (unsigned)get_bounded(c, RP_ALL_FLAGS);
	p->sight = record_sights[get_u8_max(c, RECORD_SIGHTS - 1)];
	p->ended = f & RP_ENDED;
	p->name = (char *)get_arena_string(c, strings, RECORD_CMDLINE_MAX);
	p->demo = f & RP_DEMO ? (char *)get_arena_string(c, strings, RECORD_CMDLINE_MAX) : NULL;
	get_string(c, p->sight_why, RECORD_WHY_MAX);
	get_string(c, p->error, RECORD_ERROR_MAX);
	p->out_fd = p->err_fd = -1;
	if (!(f & RP_SNAP) || c->bad)
		return;
	if (i >= r->nsnaps) {
		r->snaps = xrealloc(r->snaps, (i + 1) * sizeof *r->snaps);
		for (; r->nsnaps <= i; r->nsnaps++)
			r->snaps[r->nsnaps] = xmalloc(sizeof **r->snaps);
	}
	get_snapshot(c, r->snaps[i]);
	p->snap = r->snaps[i];
}

/* The deadlock cycles (ncycles, from the head) and the programs. */
static void get_programs(struct replay *r, struct cursor *c, struct replay_frame *f,
			 char **strings)
{
	r->cycle_start = xcalloc(f->deadlocks + 1, sizeof *r->cycle_start);
	size_t nlinks = 0, cap = 0;
	for (size_t i = 0; i < f->deadlocks && !c->bad; i++) {
		size_t n = (size_t)get_bounded(c, RECORD_LINKS_MAX - nlinks);
		if (nlinks + n > cap) {
			cap = nlinks + n;
			r->links = xrealloc(r->links, (cap ? cap : 1) * sizeof *r->links);
		}
		for (size_t k = 0; k < n && !c->bad; k++) {
			struct deadlock_link *l = &r->links[nlinks + k];
			l->program = get_pid(c);
			l->tid = get_pid(c);
			l->holder = get_pid(c);
			get_string(c, l->role, CM_NAME_MAX - 1);
			get_string(c, l->lock, CM_NAME_MAX - 1);
			get_string(c, l->holder_role, CM_NAME_MAX - 1);
		}
		nlinks += n;
		r->cycle_start[i + 1] = nlinks;
	}
	f->ncycles = f->deadlocks;
	f->nprograms = (size_t)get_bounded(c, RECORD_PROGRAMS_MAX);
	r->progs = xcalloc(f->nprograms ? f->nprograms : 1, sizeof *r->progs);
	for (size_t i = 0; i < f->nprograms && !c->bad; i++)
		get_program(r, c, i, strings);
	f->links = r->links;
	f->cycle_start = r->cycle_start;
	f->programs = r->progs;
}

static int decode(struct replay *r, size_t i, struct replay_frame *f, char *err, size_t errlen)
{
	if (i >= r->n)
		return fail(err, errlen, "no such snapshot");
	struct cursor c = { r->data + r->frames[i].offset, r->frames[i].len, 0, false };
	memset(f, 0, sizeof *f);
	f->time = get_double(&c);
	f->deadlocks = (size_t)get_bounded(&c, RECORD_LINKS_MAX);
	f->ntasks = (size_t)get_bounded(&c, c.len / TASK_MIN_BYTES);
	f->nevents = (size_t)get_bounded(&c, c.len / EVENT_MIN_BYTES);
	if (c.bad || !isfinite(f->time) ||
	    f->ntasks * TASK_MIN_BYTES + f->nevents * EVENT_MIN_BYTES > c.len - c.pos)
		return fail(err, errlen, "a snapshot's head or counts are out of bounds");
	free(r->tasks);
	free(r->events);
	free(r->strings);
	free(r->waits);
	free(r->by_tid);
	free(r->progs);
	free(r->links);
	free(r->cycle_start);
	r->progs = NULL;
	r->links = NULL;
	r->cycle_start = NULL;
	r->ntasks = 0;
	size_t nt = f->ntasks ? f->ntasks : 1;
	r->tasks = xcalloc(nt, sizeof *r->tasks);
	r->waits = xcalloc(nt, sizeof *r->waits);
	r->by_tid = xcalloc(nt, sizeof *r->by_tid);
	r->events = xcalloc(f->nevents ? f->nevents : 1, sizeof *r->events);
	r->strings = xmalloc(c.len + 2 * f->ntasks + 1);
	char *s = r->strings;
	for (size_t k = 0; k < f->ntasks && !c.bad; k++)
		get_task(&c, &r->tasks[k], k ? &r->tasks[k - 1] : NULL, &s, &r->waits[k]);
	for (size_t k = 0; k < f->nevents && !c.bad; k++)
		get_event(&c, &r->events[k]);
	if (c.bad)
		return fail(err, errlen, "a snapshot's tasks or events are malformed");
	get_programs(r, &c, f, &s);
	if (c.bad || c.pos != c.len)
		return fail(err, errlen, "a snapshot's deadlocks or programs are malformed");
	f->tasks = r->tasks;
	f->events = r->events;
	sort_by_tid(r, f->ntasks);
	if (!r->indexed)
		r->frames[i].time = f->time;
	return 0;
}

int replay_frame(struct replay *r, size_t i, struct replay_frame *f, char *err, size_t errlen)
{
	return decode(r, i, f, err, errlen);
}
