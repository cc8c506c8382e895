/* output.c - see output.h. Lines live in one array used as a ring; their
 * text is malloc'd, so the byte bound is enforced by counting. */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct stored {
	uint64_t seq;
	double time;
	bool err;
	char *text;
	size_t len;
};

struct partial {
	char buf[OUTPUT_LINE_MAX];
	size_t len;
};

struct output {
	size_t max_bytes, bytes;
	struct stored *ring;
	size_t cap, head, n;
	uint64_t seq, dropped;
	struct partial part[2];   /* [0] stdout, [1] stderr */
};

struct output *output_new(size_t max_bytes)
{
	struct output *o = xcalloc(1, sizeof *o);
	o->max_bytes = max_bytes;
	return o;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->ring[(o->head + i) % o->cap].text);
	free(o->ring);
	free(o);
}

static void drop_oldest(struct output *o)
{
	struct stored *s = &o->ring[o->head];
	o->bytes -= s->len + 1;
	free(s->text);
	o->head = (o->head + 1) % o->cap;
	o->n--;
	o->dropped++;
}

static void grow(struct output *o)
{
	size_t cap = o->cap ? o->cap * 2 : 64;
	struct stored *r = xmalloc(cap * sizeof *r);
	for (size_t i = 0; i < o->n; i++)
		r[i] = o->ring[(o->head + i) % o->cap];
	free(o->ring);
	o->ring = r;
	o->cap = cap;
	o->head = 0;
}

static void store(struct output *o, bool err, const char *text, size_t len, double now)
{
	while (o->n && o->bytes + len + 1 > o->max_bytes)
		drop_oldest(o);
	if (o->n == o->cap)
		grow(o);
	struct stored *s = &o->ring[(o->head + o->n++) % o->cap];
	s->seq = ++o->seq;
	s->time = now;
	s->err = err;
	s->len = len;
	s->text = xmalloc(len + 1);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	o->bytes += len + 1;
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
	const struct stored *s = &o->ring[(o->head + i) % o->cap];
	return (struct output_line){ s->seq, s->time, s->err, s->text };
}
