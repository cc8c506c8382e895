/* record.c - see record.h. A snapshot is encoded in memory, then written
 * with one fwrite: the file never holds half a task, only (after a crash)
 * half a frame, which a reader drops.
 *
 * A task: varint tid, zigzag pid - tid, ppid, former_ppid; u8 state;
 * varint flags (record_task_flag); varint start_ticks; f64 start_time;
 * with RT_CPU f64 cpu; varint rss_kb, threads; with RT_EXITED zigzag
 * exit_code, exit_signal and f64 exited_at; varint comm length and bytes;
 * without RT_SAME_CMDLINE (the previous task's, as a thread has its
 * process's) varint cmdline length and bytes; with RT_WAIT varint length
 * and bytes of what it waits for ("sleeps 0.5 s").
 * An event: varint seq; f64 time; u8 kind; zigzag pid, tid, other, code,
 * result; u8 exact; varint comm length and bytes.
 * Then the deadlocks: per cycle varint links, per link zigzag program,
 * tid, holder and strings role, lock, holder_role. Then varint programs,
 * each: zigzag pid; varint flags (record_program_flag); u8 sight (an
 * index into record_sights); strings name, [demo], sight_why, error; with
 * RP_SNAP its telemetry: varint attaches, traced, the five counts, then
 * the queues, locks, threads, knobs and values, field by field (see
 * put_snapshot). A string is a varint length and its bytes. */
#include "record/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Grown by put_*; reused from one snapshot to the next. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct mark {
	uint64_t offset;
	double time;
	unsigned marks;
};

struct record {
	FILE *fp;
	char *path;
	struct buf b;
	uint64_t offset;            /* bytes written */
	uint64_t events_recorded;   /* seq of the last event written */
	struct mark *index;
	size_t nindex, index_cap;
	int error;                  /* the first write error, sticky */
};

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_u8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	put_bytes(b, &c, 1);
}

static void put_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	put_bytes(b, tmp, n);
}

static void put_signed(struct buf *b, int64_t v)
{
	put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_le(struct buf *b, uint64_t v, size_t n)
{
	uint8_t tmp[8];
	for (size_t i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	put_bytes(b, tmp, n);
}

static void put_double(struct buf *b, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof v);
	put_le(b, v, 8);
}

static void put_string(struct buf *b, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	put_varint(b, n);
	put_bytes(b, s, n);
}

static unsigned task_flags(const struct task *t, const struct task *prev)
{
	unsigned f = (t->supervised ? RT_SUPERVISED : 0) | (t->launched ? RT_LAUNCHED : 0) |
		     (t->orphan ? RT_ORPHAN : 0) | (t->exited ? RT_EXITED : 0) |
		     (t->exit_known ? RT_EXIT_KNOWN : 0) | (t->reaped ? RT_REAPED : 0) |
		     (t->cpu != 0 ? RT_CPU : 0);
	if (prev && strcmp(prev->cmdline, t->cmdline) == 0)
		f |= RT_SAME_CMDLINE;
	return f;
}

static void put_task(struct buf *b, const struct task *t, const struct task *prev, const char *w)
{
	unsigned f = task_flags(t, prev) | (w ? RT_WAIT : 0);
	put_varint(b, (uint64_t)t->tid);
	put_signed(b, (int64_t)t->pid - t->tid);
	put_signed(b, t->ppid);
	put_signed(b, t->former_ppid);
	put_u8(b, (unsigned char)t->state);
	put_varint(b, f);
	put_varint(b, t->start_ticks);
	put_double(b, t->start_time);
	if (f & RT_CPU)
		put_double(b, t->cpu);
	put_varint(b, t->rss_kb);
	put_signed(b, t->threads);
	if (f & RT_EXITED) {
		put_signed(b, t->exit_code);
		put_signed(b, t->exit_signal);
		put_double(b, t->exited_at);
	}
	put_string(b, t->comm, TASK_COMM_MAX - 1);
	if (!(f & RT_SAME_CMDLINE))
		put_string(b, t->cmdline, RECORD_CMDLINE_MAX);
	if (w)
		put_string(b, w, RECORD_WAIT_MAX);
}

static void put_event(struct buf *b, const struct event *e)
{
	put_varint(b, e->seq);
	put_double(b, e->time);
	put_u8(b, (unsigned)e->kind);
	put_signed(b, e->pid);
	put_signed(b, e->tid);
	put_signed(b, e->other);
	put_signed(b, e->code);
	put_signed(b, e->result);
	put_u8(b, e->exact);
	put_string(b, e->comm, sizeof e->comm - 1);
}

/* What a program's sight is written as: its index here. */
const char *const record_sights[RECORD_SIGHTS] = { "none", "probe", "traced", "inferred" };

static void put_queue(struct buf *b, const struct telemetry_queue *q)
{
	put_varint(b, q->slot);
	put_u8(b, q->source);
	put_u8(b, q->kind);
	put_signed(b, q->pid);
	put_signed(b, q->reader);
	put_u8(b, (q->shared ? 1u : 0) | (q->closed ? 2u : 0) | (q->listener ? 4u : 0));
	put_string(b, q->name, CM_NAME_MAX - 1);
	put_varint(b, q->capacity);
	put_varint(b, q->depth);
	put_varint(b, q->puts);
	put_varint(b, q->gets);
	put_varint(b, q->blocked_put);
	put_varint(b, q->blocked_get);
}

static void put_lock(struct buf *b, const struct telemetry_lock *l)
{
	put_varint(b, l->slot);
	put_u8(b, l->source);
	put_varint(b, l->addr);
	put_signed(b, l->pid);
	put_u8(b, l->shared);
	put_u8(b, l->kind);
	put_string(b, l->name, CM_NAME_MAX - 1);
	put_varint(b, l->permits);
	put_varint(b, l->value);
	put_varint(b, l->holder_count);
	unsigned nh = l->n_holders < CM_MAX_HOLDERS ? l->n_holders : CM_MAX_HOLDERS;
	put_varint(b, nh);
	for (unsigned h = 0; h < nh; h++)
		put_signed(b, l->holders[h]);
	put_varint(b, l->depth);
	put_varint(b, l->waiters);
	put_varint(b, l->acquisitions);
	put_varint(b, l->contended);
	put_varint(b, l->wait_ns_total);
	put_varint(b, l->wait_ns_max);
	put_varint(b, l->hold_ns_total);
}

static void put_thread(struct buf *b, const struct telemetry_thread *t)
{
	put_u8(b, t->source);
	put_signed(b, t->tid);
	put_signed(b, t->pid - t->tid);
	put_string(b, t->role, CM_NAME_MAX - 1);
	put_u8(b, t->wait_kind);
	put_signed(b, t->wait);
	put_varint(b, t->wait_since_ns);
}

static void put_snapshot(struct buf *b, const struct telemetry_snapshot *s)
{
	put_varint(b, s->attaches);
	put_varint(b, s->traced);
	put_varint(b, s->n_queues);
	put_varint(b, s->n_locks);
	put_varint(b, s->n_threads);
	put_varint(b, s->n_knobs);
	put_varint(b, s->n_values);
	for (size_t i = 0; i < s->n_queues; i++)
		put_queue(b, &s->queues[i]);
	for (size_t i = 0; i < s->n_locks; i++)
		put_lock(b, &s->locks[i]);
	for (size_t i = 0; i < s->n_threads; i++)
		put_thread(b, &s->threads[i]);
	for (size_t i = 0; i < s->n_knobs; i++) {
		const struct telemetry_knob *k = &s->knobs[i];
		put_varint(b, k->slot);
		put_signed(b, k->pid);
		put_string(b, k->name, CM_NAME_MAX - 1);
		put_signed(b, k->value);
		put_signed(b, k->min);
		put_signed(b, k->max);
		put_u8(b, k->at_start);
	}
	for (size_t i = 0; i < s->n_values; i++) {
		const struct telemetry_value *v = &s->values[i];
		put_varint(b, v->slot);
		put_signed(b, v->pid);
		put_string(b, v->name, CM_NAME_MAX - 1);
		put_signed(b, v->value);
	}
}

static unsigned sight_index(const char *sight)
{
	for (unsigned i = 0; sight && i < RECORD_SIGHTS; i++)
		if (strcmp(sight, record_sights[i]) == 0)
			return i;
	return 0;
}

static void put_program(struct buf *b, const struct program *p)
{
	unsigned f = (p->ended ? RP_ENDED : 0) | (p->demo ? RP_DEMO : 0) | (p->snap ? RP_SNAP : 0);
	put_signed(b, p->pid);
	put_varint(b, f);
	put_u8(b, sight_index(p->sight));
	put_string(b, p->name ? p->name : "", RECORD_CMDLINE_MAX);
	if (p->demo)
		put_string(b, p->demo, RECORD_CMDLINE_MAX);
	put_string(b, p->sight_why, RECORD_WHY_MAX);
	put_string(b, p->error, RECORD_ERROR_MAX);
	if (p->snap)
		put_snapshot(b, p->snap);
}

/* The deadlock cycles and the programs, after the events. */
static void put_programs(struct buf *b, const struct record_programs *pr, size_t ncycles)
{
	size_t links = 0;
	for (size_t i = 0; i < ncycles; i++) {
		struct deadlock c = deadlocks_get(pr->d, i);
		size_t n = links + c.n > RECORD_LINKS_MAX ? 0 : c.n; /* past the cap: empty */
		links += n;
		put_varint(b, n);
		for (size_t k = 0; k < n; k++) {
			const struct deadlock_link *l = &c.links[k];
			put_signed(b, l->program);
			put_signed(b, l->tid);
			put_signed(b, l->holder);
			put_string(b, l->role, CM_NAME_MAX - 1);
			put_string(b, l->lock, CM_NAME_MAX - 1);
			put_string(b, l->holder_role, CM_NAME_MAX - 1);
		}
	}
	size_t np = pr ? (pr->np < RECORD_PROGRAMS_MAX ? pr->np : RECORD_PROGRAMS_MAX) : 0;
	put_varint(b, np);
	for (size_t i = 0; i < np; i++)
		put_program(b, &pr->p[i]);
}

/* Writes head (the payload's first bytes) and the buffer as one frame of
 * kind; records the first error. */
static void write_frame(struct record *rec, enum record_kind kind, const struct buf *head)
{
	size_t hlen = head ? head->len : 0, len = hlen + rec->b.len;
	uint8_t hdr[6] = { RECORD_FRAME_TAG, (uint8_t)kind };
	for (int i = 0; i < 4; i++)
		hdr[2 + i] = (uint8_t)(len >> (8 * i));
	if (fwrite(hdr, 1, sizeof hdr, rec->fp) != sizeof hdr ||
	    (hlen && fwrite(head->p, 1, hlen, rec->fp) != hlen) ||
	    fwrite(rec->b.p, 1, rec->b.len, rec->fp) != rec->b.len || fflush(rec->fp) != 0) {
		if (!rec->error)
			rec->error = errno ? errno : EIO;
		return;
	}
	rec->offset += sizeof hdr + len;
}

struct record *record_open(const char *path, bool all, const char *containment, char *err,
			   size_t errlen)
{
	FILE *fp = fopen(path, "wbe");
	if (!fp) {
		util_fail(0, err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return record_open_stream(fp, path, all, containment, err, errlen);
}

struct record *record_open_stream(FILE *fp, const char *name, bool all, const char *containment,
				  char *err, size_t errlen)
{
	struct record *rec = xcalloc(1, sizeof *rec);
	rec->fp = fp;
	rec->path = xstrdup(name);
	struct buf *b = &rec->b;
	put_bytes(b, RECORD_MAGIC, 8);
	put_u8(b, RECORD_VERSION);
	put_u8(b, all ? RECORD_FLAG_ALL : 0);
	size_t n = containment ? strnlen(containment, 255) : 0;
	put_u8(b, (unsigned)n);
	put_bytes(b, containment ? containment : "", n);
	if (fwrite(b->p, 1, b->len, fp) != b->len || fflush(fp) != 0) {
		util_fail(0, err, errlen, "%s: %s", name, strerror(errno));
		rec->error = EIO;
		fclose(rec->fp);
		rec->fp = NULL;
		record_close(rec);
		return NULL;
	}
	rec->offset = b->len;
	return rec;
}

/* What a seek can find in this snapshot. */
static unsigned frame_marks(const struct task *t, size_t n, size_t deadlocks, bool exits)
{
	unsigned m = (deadlocks ? RECORD_MARK_DEADLOCK : 0) | (exits ? RECORD_MARK_EXIT : 0);
	for (size_t i = 0; i < n; i++)
		if (!t[i].exited && t[i].state == 'Z')
			m |= RECORD_MARK_ZOMBIE;
	return m;
}

/* The events since the last snapshot, into the buffer; true when one is
 * an exit; *count says how many. */
static bool put_events(struct record *rec, const struct events *ev, size_t *count)
{
	struct event e[128];
	size_t n;
	bool exits = false;
	*count = 0;
	while (ev && (n = events_since(ev, rec->events_recorded, e, 128)) > 0) {
		for (size_t i = 0; i < n; i++) {
			put_event(&rec->b, &e[i]);
			exits |= e[i].kind == EV_EXITED || e[i].kind == EV_KILLED;
		}
		*count += n;
		rec->events_recorded = e[n - 1].seq;
	}
	return exits;
}

int record_frame(struct record *rec, double wall, const struct task *t, size_t n,
		 const struct events *ev, const struct record_programs *pr, record_wait_fn *wait,
		 const void *wait_ctx)
{
	size_t deadlocks = pr && pr->d ? deadlocks_count(pr->d) : 0;
	if (deadlocks > RECORD_LINKS_MAX)
		deadlocks = RECORD_LINKS_MAX;
	if (rec->error)
		return rec->error;
	rec->b.len = 0;
	for (size_t i = 0; i < n; i++)
		put_task(&rec->b, &t[i], i ? &t[i - 1] : NULL,
			 wait && !t[i].exited ? wait(wait_ctx, t[i].tid) : NULL);
	size_t nevents;
	bool exits = put_events(rec, ev, &nevents);
	put_programs(&rec->b, pr, deadlocks);
	uint8_t hp[48];
	struct buf head = { hp, 0, sizeof hp }; /* 38 bytes at most: never grown */
	put_double(&head, wall);
	put_varint(&head, deadlocks);
	put_varint(&head, n);
	put_varint(&head, nevents);
	if (rec->nindex == rec->index_cap) {
		rec->index_cap = rec->index_cap ? 2 * rec->index_cap : 256;
		rec->index = xrealloc(rec->index, rec->index_cap * sizeof *rec->index);
	}
	rec->index[rec->nindex] = (struct mark){ rec->offset, wall, frame_marks(t, n, deadlocks, exits) };
	write_frame(rec, RECORD_SNAPSHOT, &head);
	if (!rec->error)
		rec->nindex++;
	return rec->error;
}

uint64_t record_bytes(const struct record *rec)
{
	return rec->offset;
}

size_t record_frames(const struct record *rec)
{
	return rec->nindex;
}

const char *record_path(const struct record *rec)
{
	return rec->path;
}

int record_close(struct record *rec)
{
	if (!rec)
		return 0;
	if (rec->fp && !rec->error) {
		uint64_t at = rec->offset;
		rec->b.len = 0;
		put_varint(&rec->b, rec->nindex);
		for (size_t i = 0; i < rec->nindex; i++) {
			put_varint(&rec->b, rec->index[i].offset);
			put_double(&rec->b, rec->index[i].time);
			put_varint(&rec->b, rec->index[i].marks);
		}
		write_frame(rec, RECORD_INDEX, NULL);
		rec->b.len = 0;
		put_le(&rec->b, at, 8);
		put_bytes(&rec->b, RECORD_TRAILER, 8);
		if (!rec->error && (fwrite(rec->b.p, 1, rec->b.len, rec->fp) != rec->b.len))
			rec->error = errno ? errno : EIO;
	}
	if (rec->fp && fclose(rec->fp) != 0 && !rec->error)
		rec->error = errno ? errno : EIO;
	int e = rec->error;
	free(rec->b.p);
	free(rec->index);
	free(rec->path);
	free(rec);
	return e;
}
