/* waitgraph.c - see waitgraph.h.
 *
 * Deadlock here is the OR model: a waiter on a lock is stuck only if every
 * holder of that lock is stuck. So instead of searching for cycles first,
 * liveness is propagated from the threads that can progress (not waiting,
 * or waiting for something available or held by someone unknown) through
 * "holder h is live => every waiter of h's locks is live". What is left is
 * deadlocked; following one stuck holder per lock from a stuck thread then
 * always ends in a cycle, which is what the user is shown. */
#include "model/waitgraph.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct wg_thread {
	pid_t tid;
	int waits_for;
	int next_holding;         /* singly linked list of this thread's holder entries */
	unsigned char live, mark; /* mark: 0 new, 1 on the walk, 2 done */
};

struct wg_lock {
	bool available;
	int first_waiter;         /* list through wg_thread index order, see waiters[] */
	int first_holder;
	int nholders, unknown_holders;
};

struct wg_holder {            /* one (lock, tid) holding */
	int lock;
	pid_t tid;
	int thread;               /* index in threads, -1 when the tid is unknown */
	int next_of_lock, next_of_thread;
};

struct waitgraph {
	struct wg_thread *threads;
	size_t nthreads, capthreads;
	struct wg_lock *locks;
	size_t nlocks, caplocks;
	struct wg_holder *holders;
	size_t nholders, capholders;
	int *next_waiter;         /* per thread: next waiter of the same lock */
	int *index;               /* open addressing: tid -> thread index + 1 */
	size_t capindex;
	int *queue;
	struct wg_link *links;    /* all cycles, back to back */
	size_t nlinks, caplinks;
	size_t *cycle_at;         /* start of each cycle in links, plus an end */
	size_t ncycles, capcycles;
};

/* Makes room for index n of arr. */
#define GROW(arr, n, cap) do { \
	if ((n) >= (cap)) { \
		(cap) = (cap) * 2 > (n) ? (cap) * 2 : (n) + 16; \
		(arr) = xrealloc((arr), (cap) * sizeof *(arr)); \
	} \
} while (0)

struct waitgraph *waitgraph_new(void)
{
	return xcalloc(1, sizeof(struct waitgraph));
}

void waitgraph_free(struct waitgraph *g)
{
	if (!g)
		return;
	free(g->threads);
	free(g->locks);
	free(g->holders);
	free(g->next_waiter);
	free(g->index);
	free(g->queue);
	free(g->links);
	free(g->cycle_at);
	free(g);
}

void waitgraph_reset(struct waitgraph *g)
{
	g->nthreads = g->nlocks = g->nholders = g->nlinks = g->ncycles = 0;
}

int waitgraph_add_lock(struct waitgraph *g, bool available)
{
	GROW(g->locks, g->nlocks, g->caplocks);
	g->locks[g->nlocks] = (struct wg_lock){ available, -1, -1, 0, 0 };
	return (int)g->nlocks++;
}

void waitgraph_add_holder(struct waitgraph *g, int lock, pid_t tid)
{
	if (lock < 0 || (size_t)lock >= g->nlocks)
		return;
	GROW(g->holders, g->nholders, g->capholders);
	g->holders[g->nholders++] = (struct wg_holder){ lock, tid, -1, -1, -1 };
}

void waitgraph_add_thread(struct waitgraph *g, pid_t tid, int waits_for)
{
	if (waits_for >= (int)g->nlocks)
		waits_for = -1;
	GROW(g->threads, g->nthreads, g->capthreads);
	g->threads[g->nthreads++] = (struct wg_thread){ tid, waits_for, -1, 0, 0 };
}

static size_t hash_slot(pid_t tid, size_t cap)
{
	return ((size_t)(unsigned)tid * 2654435761u) & (cap - 1);
}

/* tid -> thread index; a tid listed twice keeps its first entry. */
static void build_index(struct waitgraph *g)
{
	size_t cap = 16;
	while (cap < g->nthreads * 2)
		cap *= 2;
	if (cap > g->capindex) {
		free(g->index);
		g->index = xmalloc(cap * sizeof *g->index);
		g->capindex = cap;
	}
	memset(g->index, 0, g->capindex * sizeof *g->index);
	for (size_t i = 0; i < g->nthreads; i++) {
		size_t s = hash_slot(g->threads[i].tid, g->capindex);
		while (g->index[s] && g->threads[g->index[s] - 1].tid != g->threads[i].tid)
			s = (s + 1) & (g->capindex - 1);
		if (!g->index[s])
			g->index[s] = (int)i + 1;
	}
}

static int lookup(const struct waitgraph *g, pid_t tid)
{
	size_t s = hash_slot(tid, g->capindex);
	while (g->index[s]) {
		if (g->threads[g->index[s] - 1].tid == tid)
			return g->index[s] - 1;
		s = (s + 1) & (g->capindex - 1);
	}
	return -1;
}

/* Threads a lock's waiters and holders into lists. */
static void link_edges(struct waitgraph *g)
{
	g->next_waiter = xrealloc(g->next_waiter, (g->nthreads + 1) * sizeof *g->next_waiter);
	g->queue = xrealloc(g->queue, (g->nthreads + 1) * sizeof *g->queue);
	for (size_t i = g->nthreads; i-- > 0;) {
		int l = g->threads[i].waits_for;
		if (l >= 0) {
			g->next_waiter[i] = g->locks[l].first_waiter;
			g->locks[l].first_waiter = (int)i;
		}
	}
	for (size_t h = 0; h < g->nholders; h++) {
		struct wg_holder *e = &g->holders[h];
		struct wg_lock *l = &g->locks[e->lock];
		e->thread = lookup(g, e->tid);
		e->next_of_lock = l->first_holder;
		l->first_holder = (int)h;
		l->nholders++;
		if (e->thread < 0) {
			l->unknown_holders++;
		} else {
			e->next_of_thread = g->threads[e->thread].next_holding;
			g->threads[e->thread].next_holding = (int)h;
		}
	}
}

static bool lock_frees_waiters(const struct wg_lock *l)
{
	return l->available || l->nholders == 0 || l->unknown_holders > 0;
}

/* Marks live everything that can progress; the rest is deadlocked. */
static void propagate_liveness(struct waitgraph *g)
{
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < g->nthreads; i++) {
		struct wg_thread *t = &g->threads[i];
		if (t->waits_for < 0 || lock_frees_waiters(&g->locks[t->waits_for])) {
			t->live = 1;
			g->queue[tail++] = (int)i;
		}
	}
	while (head < tail) {
		int h = g->queue[head++];
		for (int e = g->threads[h].next_holding; e >= 0; e = g->holders[e].next_of_thread) {
			int l = g->holders[e].lock;
			for (int w = g->locks[l].first_waiter; w >= 0; w = g->next_waiter[w]) {
				if (!g->threads[w].live) {
					g->threads[w].live = 1;
					g->queue[tail++] = w;
				}
			}
			g->locks[l].first_waiter = -1; /* its waiters are done: keep it linear */
		}
	}
}

/* The first stuck holder of the lock t waits for (there is one, or t would be live). */
static int stuck_holder(const struct waitgraph *g, int t)
{
	int l = g->threads[t].waits_for;
	for (int e = g->locks[l].first_holder; e >= 0; e = g->holders[e].next_of_lock)
		if (g->holders[e].thread >= 0 && !g->threads[g->holders[e].thread].live)
			return g->holders[e].thread;
	return -1;
}

static void record_cycle(struct waitgraph *g, int start)
{
	GROW(g->cycle_at, g->ncycles + 1, g->capcycles);
	g->cycle_at[g->ncycles] = g->nlinks;
	int t = start;
	do {
		int h = stuck_holder(g, t);
		GROW(g->links, g->nlinks, g->caplinks);
		g->links[g->nlinks++] = (struct wg_link){ g->threads[t].tid, g->threads[t].waits_for,
							  g->threads[h].tid };
		t = h;
	} while (t != start);
	g->ncycles++;
	GROW(g->cycle_at, g->ncycles, g->capcycles);
	g->cycle_at[g->ncycles] = g->nlinks;
}

/* Each stuck thread has one chosen successor, so every walk ends on its
 * own path (a new cycle) or on a walked node (known already). */
static void collect_cycles(struct waitgraph *g)
{
	for (size_t i = 0; i < g->nthreads; i++) {
		int t = (int)i;
		if (g->threads[t].live || g->threads[t].mark)
			continue;
		while (t >= 0 && !g->threads[t].mark) {
			g->threads[t].mark = 1;
			t = stuck_holder(g, t);
		}
		if (t >= 0 && g->threads[t].mark == 1)
			record_cycle(g, t);
		for (t = (int)i; t >= 0 && g->threads[t].mark == 1; t = stuck_holder(g, t))
			g->threads[t].mark = 2;
	}
}

size_t waitgraph_find(struct waitgraph *g)
{
	g->nlinks = g->ncycles = 0;
	for (size_t i = 0; i < g->nthreads; i++) {
		g->threads[i].live = g->threads[i].mark = 0;
		g->threads[i].next_holding = -1;
	}
	for (size_t l = 0; l < g->nlocks; l++) {
		g->locks[l].first_waiter = g->locks[l].first_holder = -1;
		g->locks[l].nholders = g->locks[l].unknown_holders = 0;
	}
	build_index(g);
	link_edges(g);
	propagate_liveness(g);
	collect_cycles(g);
	return g->ncycles;
}

struct wg_cycle waitgraph_cycle(const struct waitgraph *g, size_t i)
{
	if (i >= g->ncycles)
		return (struct wg_cycle){ 0, NULL };
	return (struct wg_cycle){ g->cycle_at[i + 1] - g->cycle_at[i], g->links + g->cycle_at[i] };
}

bool waitgraph_deadlocked(const struct waitgraph *g, pid_t tid)
{
	if (!g->capindex)
		return false;
	int t = lookup(g, tid);
	return t >= 0 && !g->threads[t].live && g->threads[t].waits_for >= 0;
}
