/* trace_table.c - every lock the process has used, by address: an open
 * addressing table in one anonymous mapping (no malloc: the wrappers run
 * inside malloc's callers, before main and in forked children). Lookups
 * take no lock; inserting takes a spin lock (once per lock's life). A
 * forgotten entry becomes a tombstone that a later insert reuses. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TABLE_SIZE (1u << TRACE_TABLE_BITS)
#define MAX_PROBE 64                    /* a longer chain: the lock goes untraced */

_Atomic(struct trace_lock *) trace_table; /* TABLE_SIZE entries, NULL until mapped */
static atomic_flag insert_lock = ATOMIC_FLAG_INIT;

static struct trace_lock *table_get(void)
{
	struct trace_lock *t = atomic_load_explicit(&trace_table, memory_order_acquire);
	if (t)
		return t;
	void *p = mmap(NULL, TABLE_SIZE * sizeof *t, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct trace_lock *none = NULL;
	if (!atomic_compare_exchange_strong(&trace_table, &none, p)) {
		munmap(p, TABLE_SIZE * sizeof *t);
		return none;
	}
	return p;
}

static void entry_init(struct trace_lock *lk, uintptr_t site, enum cm_lock_kind kind)
{
	lk->site = site;
	lk->kind = kind;
	lk->permits = 0;
	lk->slot = PROBE_NO_SLOT;
	lk->noauto = !atomic_load_explicit(&trace_auto, memory_order_relaxed);
	atomic_store_explicit(&lk->publishing, false, memory_order_relaxed);
	lk->hold_start = 0;
	probe_lock_rec_init(&lk->local, NULL, kind, 0, CM_PRIVATE);
	atomic_store_explicit(&lk->rec, &lk->local, memory_order_relaxed);
}

static struct trace_lock *insert(struct trace_lock *t, uintptr_t key, uintptr_t site,
				 enum cm_lock_kind kind)
{
	while (atomic_flag_test_and_set_explicit(&insert_lock, memory_order_acquire))
		;
	struct trace_lock *found = NULL, *tomb = NULL;
	for (unsigned i = 0, h = trace_hash(key); i < MAX_PROBE; i++, h = (h + 1) & (TABLE_SIZE - 1)) {
		uintptr_t a = atomic_load_explicit(&t[h].addr, memory_order_relaxed);
		if (a == key) {
			found = &t[h];
			break;
		}
		if (a == TRACE_TOMB && !tomb)
			tomb = &t[h];
		if (a == 0) {
			found = tomb ? tomb : &t[h];
			entry_init(found, site, kind);
			atomic_store_explicit(&found->addr, key, memory_order_release);
			break;
		}
	}
	atomic_flag_clear_explicit(&insert_lock, memory_order_release);
	return found;
}

struct trace_lock *trace_lock_find_slow(const void *addr, uintptr_t site, enum cm_lock_kind kind)
{
	struct trace_lock *t = table_get();
	uintptr_t key = (uintptr_t)addr;
	if (!t || key <= TRACE_TOMB)
		return NULL;
	for (unsigned i = 0, h = trace_hash(key); i < MAX_PROBE; i++, h = (h + 1) & (TABLE_SIZE - 1)) {
		uintptr_t a = atomic_load_explicit(&t[h].addr, memory_order_acquire);
		if (a == key)
			return &t[h];
		if (a == 0)
			break;
	}
	return site ? insert(t, key, site, kind) : NULL;
}

void trace_lock_forget(const void *addr)
{
	struct trace_lock *lk = trace_lock_find(addr, 0, 0);
	if (!lk)
		return;
	struct cm_lock_rec *r = atomic_load_explicit(&lk->rec, memory_order_acquire);
	atomic_store_explicit(&lk->rec, &lk->local, memory_order_relaxed);
	if (r != &lk->local) {
		if (lk->slot < CM_MAX_LOCKS)
			trace_owners[lk->slot] = NULL;
		lk->slot = PROBE_NO_SLOT;
		probe_unpublish(r);
	}
	atomic_store_explicit(&lk->addr, TRACE_TOMB, memory_order_release);
}

void trace_table_forked(pid_t old_tid, pid_t new_tid)
{
	atomic_flag_clear(&insert_lock);
	for (unsigned slot = 0; slot < CM_MAX_LOCKS; slot++) {
		struct trace_lock *lk = trace_owners[slot];
		if (!lk)
			continue;
		trace_owners[slot] = NULL;
		struct cm_lock_rec *r = atomic_load_explicit(&lk->rec, memory_order_relaxed);
		if (r == &lk->local)
			continue;
		memcpy(&lk->local, r, sizeof lk->local);
		for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
			int32_t tid = RLD(lk->local.holders[h]);
			/* Other threads do not exist in the child. */
			RST(lk->local.holders[h], tid && tid == old_tid ? new_tid : 0);
		}
		RST(lk->local.waiters, 0u);
		atomic_store_explicit(&lk->rec, &lk->local, memory_order_relaxed);
		atomic_store_explicit(&lk->publishing, false, memory_order_relaxed);
		lk->slot = PROBE_NO_SLOT;
	}
}
