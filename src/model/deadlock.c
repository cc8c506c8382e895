/* deadlock.c - see deadlock.h. Lock ids in the graph are numbered program
 * by program; each link is named from the snapshot it came from. */
#include "model/deadlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/waitgraph.h"
#include "util/util.h"

struct lock_ref {
	size_t program;               /* index into the programs of the update */
	size_t lock;                  /* index into that snapshot's locks */
};

struct deadlocks {
	struct waitgraph *g;
	struct lock_ref *refs;        /* graph lock id -> where it came from */
	size_t nrefs, caprefs;
	struct deadlock_link *links;
	size_t nlinks, caplinks;
	size_t *start;                /* first link of each deadlock, plus an end */
	size_t ncycles, capstart;
};

struct deadlocks *deadlocks_new(void)
{
	struct deadlocks *d = xcalloc(1, sizeof *d);
	d->g = waitgraph_new();
	return d;
}

void deadlocks_free(struct deadlocks *d)
{
	if (!d)
		return;
	waitgraph_free(d->g);
	free(d->refs);
	free(d->links);
	free(d->start);
	free(d);
}

/* Whether a waiter could take the lock right now. */
static bool available(const struct telemetry_lock *l)
{
	switch (l->kind) {
	case CM_LOCK_SEMAPHORE: return l->value > 0;
	case CM_LOCK_EVENT: return l->value == 1;
	case CM_LOCK_CONDITION: return true; /* a signal may come from anyone */
	default: return l->n_holders == 0;
	}
}

static void add_program(struct deadlocks *d, size_t pi, const struct telemetry_snapshot *s)
{
	int base = -1;
	for (size_t l = 0; l < s->n_locks; l++) {
		int id = waitgraph_add_lock(d->g, available(&s->locks[l]));
		if (base < 0)
			base = id;
		for (unsigned h = 0; h < s->locks[l].n_holders; h++)
			waitgraph_add_holder(d->g, id, s->locks[l].holders[h]);
		if (d->nrefs == d->caprefs) {
			d->caprefs = d->caprefs ? d->caprefs * 2 : 64;
			d->refs = xrealloc(d->refs, d->caprefs * sizeof *d->refs);
		}
		d->refs[d->nrefs++] = (struct lock_ref){ pi, l };
	}
	for (size_t t = 0; t < s->n_threads; t++) {
		const struct telemetry_thread *th = &s->threads[t];
		int waits = th->wait_kind == CM_WAIT_LOCK && th->wait >= 0 && base >= 0 ? base + th->wait : -1;
		waitgraph_add_thread(d->g, th->tid, waits);
	}
}

static const char *role_of(const struct telemetry_snapshot *s, pid_t tid)
{
	for (size_t t = 0; t < s->n_threads; t++)
		if (s->threads[t].tid == tid)
			return s->threads[t].role;
	return "";
}

static void name_cycle(struct deadlocks *d, const struct program *p, struct wg_cycle c)
{
	for (size_t i = 0; i < c.n; i++) {
		const struct lock_ref *r = &d->refs[c.links[i].lock];
		const struct telemetry_snapshot *s = p[r->program].snap;
		if (d->nlinks == d->caplinks) {
			d->caplinks = d->caplinks ? d->caplinks * 2 : 16;
			d->links = xrealloc(d->links, d->caplinks * sizeof *d->links);
		}
		struct deadlock_link *k = &d->links[d->nlinks++];
		k->program = p[r->program].pid;
		k->tid = c.links[i].tid;
		k->holder = c.links[i].holder;
		snprintf(k->role, sizeof k->role, "%s", role_of(s, k->tid));
		snprintf(k->lock, sizeof k->lock, "%s", s->locks[r->lock].name);
		snprintf(k->holder_role, sizeof k->holder_role, "%s", role_of(s, k->holder));
	}
}

/* The graph of the n programs, cycles found; returns how many, with room
 * for their starts. */
static size_t build(struct deadlocks *d, const struct program *p, size_t n, size_t cycles_room)
{
	waitgraph_reset(d->g);
	d->nrefs = d->nlinks = d->ncycles = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].snap && !p[i].ended)
			add_program(d, i, p[i].snap);
	size_t cycles = waitgraph_find(d->g);
	size_t room = cycles > cycles_room ? cycles : cycles_room;
	if (room + 1 > d->capstart) {
		d->capstart = room + 16;
		d->start = xrealloc(d->start, d->capstart * sizeof *d->start);
	}
	return cycles;
}

void deadlocks_update(struct deadlocks *d, const struct program *p, size_t n)
{
	size_t cycles = build(d, p, n, 0);
	for (size_t i = 0; i < cycles; i++) {
		d->start[i] = d->nlinks;
		name_cycle(d, p, waitgraph_cycle(d->g, i));
	}
	d->start[cycles] = d->nlinks;
	d->ncycles = cycles;
}

void deadlocks_load(struct deadlocks *d, const struct program *p, size_t n,
		    const struct deadlock_link *links, const size_t *start, size_t ncycles)
{
	build(d, p, n, ncycles);
	size_t nlinks = ncycles ? start[ncycles] : 0;
	if (nlinks > d->caplinks) {
		d->caplinks = nlinks;
		d->links = xrealloc(d->links, d->caplinks * sizeof *d->links);
	}
	if (nlinks)
		memcpy(d->links, links, nlinks * sizeof *links);
	d->nlinks = nlinks;
	for (size_t i = 0; i <= ncycles; i++)
		d->start[i] = ncycles ? start[i] : 0;
	d->ncycles = ncycles;
}

size_t deadlocks_count(const struct deadlocks *d)
{
	return d->ncycles;
}

struct deadlock deadlocks_get(const struct deadlocks *d, size_t i)
{
	if (i >= d->ncycles)
		return (struct deadlock){ 0, NULL };
	return (struct deadlock){ d->start[i + 1] - d->start[i], d->links + d->start[i] };
}

bool deadlocks_stuck(const struct deadlocks *d, pid_t tid)
{
	return waitgraph_deadlocked(d->g, tid);
}
