/* trace.c - libconcmon-trace.so's life: attaching to the segment at load,
 * publishing a lock once it matters (see trace.h), the waits threads
 * publish, and fork. The wrappers are in trace_mutex.c and trace_sem.c. */
#include "trace.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "trace_site.h"

_Atomic bool trace_auto = true;
struct trace_lock *trace_owners[CM_MAX_LOCKS];

TRACE_EXPORT void cmtrace_auto(int on);
void cmtrace_auto(int on)
{
	atomic_store_explicit(&trace_auto, on != 0, memory_order_relaxed);
}

static void forked_child(void)
{
	/* The probe's own child handler ran first (registered first, by
	 * cm_init): the cached TID is the child's already. */
	trace_table_forked(0, probe_tid());
}

/* Runs before the program's own constructors (its libraries' run first:
 * a wrapper called before this attaches lazily through trace_ready). */
__attribute__((constructor)) static void trace_attach(void)
{
	trace_ready();
	if (!cm_init())
		return;
	struct cm_segment *s = probe_segment();
	atomic_fetch_add_explicit(&s->hdr.traced, 1, memory_order_relaxed);
	pthread_atfork(NULL, NULL, forked_child);
}

struct cm_lock_rec *trace_publish(struct trace_lock *lk)
{
	struct cm_lock_rec *r = atomic_load_explicit(&lk->rec, memory_order_acquire);
	if (r != &lk->local || lk->noauto || !probe_segment())
		return r;
	/* One publisher; a thread that loses the race waits the few stores it
	 * takes, so that its own wait is published too (else a semaphore's
	 * record counts a waiter no thread record names). */
	if (atomic_exchange_explicit(&lk->publishing, true, memory_order_acquire)) {
		while (atomic_load_explicit(&lk->publishing, memory_order_acquire) &&
		       atomic_load_explicit(&lk->rec, memory_order_acquire) == &lk->local)
			sched_yield();
		return atomic_load_explicit(&lk->rec, memory_order_acquire);
	}
	unsigned slot;
	struct cm_lock_rec *seg = probe_claim(PROBE_LOCKS, &slot);
	if (!seg) {
		atomic_store_explicit(&lk->publishing, false, memory_order_relaxed);
		return r;
	}
	char name[CM_NAME_MAX];
	trace_site_name(name, sizeof name, lk->site);
	probe_lock_rec_init(seg, name, lk->kind, lk->permits, CM_PRIVATE);
	RST(seg->flags, (uint32_t)CM_REC_TRACED);
	RST(seg->value, RLD(r->value));
	RST(seg->holder_count, RLD(r->holder_count));
	RST(seg->depth, RLD(r->depth));
	RST(seg->waiters, RLD(r->waiters));
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++)
		RST(seg->holders[h], RLD(r->holders[h]));
	RST(seg->acquisitions, RLD(r->acquisitions));
	RST(seg->contended, RLD(r->contended));
	RST(seg->wait_ns_total, RLD(r->wait_ns_total));
	RST(seg->wait_ns_max, RLD(r->wait_ns_max));
	RST(seg->hold_ns_total, RLD(r->hold_ns_total));
	lk->slot = slot;
	trace_owners[slot] = lk;
	probe_publish(seg);
	atomic_store_explicit(&lk->rec, seg, memory_order_release);
	return seg;
}

uint64_t trace_wait_begin(struct trace_lock *lk, struct cm_lock_rec *r)
{
	atomic_fetch_add_explicit(&r->waiters, 1, memory_order_relaxed);
	/* Always a frame, so trace_wait_end's probe_wait_end pops this one and
	 * not a wait the Python layer published around it. */
	probe_wait_begin_as(CM_WAIT_LOCK, r != &lk->local ? lk->slot : PROBE_NO_SLOT, CM_REC_TRACED);
	return probe_now_ns();
}

void trace_wait_end(struct cm_lock_rec *r, uint64_t t0, bool acquired)
{
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	atomic_fetch_sub_explicit(&r->waiters, 1, memory_order_relaxed);
	if (!acquired)
		return;
	atomic_fetch_add_explicit(&r->contended, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->wait_ns_total, waited, memory_order_relaxed);
	probe_max(&r->wait_ns_max, waited);
}
