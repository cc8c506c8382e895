/* output.c - see output.h. The text of the lines lives in one byte buffer
 * used as a ring (a line never wraps: one that does not fit at the end goes
 * to the start); an index ring says where each line is. Two allocations a
 * program whatever it writes, not one a line: a burst of programs leaves
 * no trail of small freed blocks in the heap. */
#include "supervise/output.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct stored {
	uint64_t seq;
	double time;
	size_t off, len;          /* where the text is in buf; it ends with a NUL */
	bool err;
};

struct partial {
	char buf[OUTPUT_LINE_MAX];
	size_t len;
};

struct output {
	size_t max_bytes;
	char *buf;                /* the text ring, grown up to max_bytes */
	size_t bcap, wr;          /* its size; where the next line goes */
	struct stored *ring;      /* the lines, oldest at head */
	size_t cap, head, n;
	uint64_t seq, dropped;
	struct partial part[2];   /* [0] stdout, [1] stderr */
};

struct output *output_new(size_t max_bytes)
{
	struct output *o = xcalloc(1, sizeof *o);
	o->max_bytes = max_bytes > 1 ? max_bytes : 2;
	return o;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o->ring);
	free(o);
}

static struct stored *line_at(const struct output *o, size_t i)
{
	return &o->ring[(o->head + i) % o->cap];
}

static void drop_oldest(struct output *o)
{
	o->head = (o->head + 1) % o->cap;
	o->n--;
	o->dropped++;
}

static void grow_index(struct output *o)
{
	size_t cap = o->cap ? o->cap * 2 : 64;
	struct stored *r = xmalloc(cap * sizeof *r);
	for (size_t i = 0; i < o->n; i++)
		r[i] = *line_at(o, i);
	free(o->ring);
	o->ring = r;
	o->cap = cap;
	o->head = 0;
}

/* Until the buffer is max_bytes, lines are never dropped: it doubles (the
 * lines, all at its start so far, copied over) when the next one does not
 * fit. From then on it is a ring. */
static void grow_text(struct output *o, size_t need)
{
	if (o->buf && (o->bcap == o->max_bytes || o->wr + need <= o->bcap))
		return;
	size_t cap = o->bcap ? o->bcap : 4096;
	while (cap < o->wr + need && cap < o->max_bytes)
		cap *= 2;
	if (cap > o->max_bytes)
		cap = o->max_bytes;
	o->buf = xrealloc(o->buf, cap);
	o->bcap = cap;
}

static bool overlaps(const struct stored *s, size_t from, size_t to)
{
	return s->off < to && from < s->off + s->len + 1;
}

static void store(struct output *o, bool err, const char *text, size_t len, double now)
{
	if (len + 1 > o->max_bytes)
		len = o->max_bytes - 1;
	grow_text(o, len + 1);
	if (o->wr + len + 1 > o->bcap) {
		/* To the start: what lies past wr is the oldest text, gone now. */
		while (o->n && line_at(o, 0)->off >= o->wr)
			drop_oldest(o);
		o->wr = 0;
	}
	while (o->n && overlaps(line_at(o, 0), o->wr, o->wr + len + 1))
		drop_oldest(o);
	if (o->n == o->cap)
		grow_index(o);
	struct stored *s = line_at(o, o->n++);
	*s = (struct stored){ ++o->seq, now, o->wr, len, err };
	memcpy(o->buf + o->wr, text, len);
	o->buf[o->wr + len] = '\0';
	o->wr += len + 1;
}

void output_feed(struct output *o, bool err, const char *buf, size_t len, double now)
{
	struct partial *p = &o->part[err];
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			store(o, err, p->buf, p->len, now);
			p->len = 0;
			continue;
		}
		if (p->len == sizeof p->buf) {
			store(o, err, p->buf, p->len, now);
			p->len = 0;
		}
		/* A NUL would end the text early: show it as something. */
		p->buf[p->len++] = buf[i] ? buf[i] : '?';
	}
}

void output_flush(struct output *o, bool err, double now)
{
	struct partial *p = &o->part[err];
	if (p->len)
		store(o, err, p->buf, p->len, now);
	p->len = 0;
}

size_t output_count(const struct output *o) { return o->n; }
uint64_t output_dropped(const struct output *o) { return o->dropped; }

struct output_line output_get(const struct output *o, size_t i)
{
	if (i >= o->n)
		return (struct output_line){ 0, 0, false, "" };
	const struct stored *s = line_at(o, i);
	return (struct output_line){ s->seq, s->time, s->err, o->buf + s->off };
}
