/* probe_lock.c - what every lock-like object (mutex, condition, semaphore,
 * event, file lock) shares: its record, published in the segment or kept
 * locally, created and freed in one place. */
#include "probe.h"

#include "concmon/cmprobe.h"

void probe_lock_rec_init(struct cm_lock_rec *r, const char *name, enum cm_lock_kind kind,
			  unsigned permits, int flags)
{
	bool sem = kind == CM_LOCK_SEMAPHORE;
	RST(r->flags, (flags & CM_SHARED) || kind == CM_LOCK_FILE ? CM_REC_SHARED : 0u);
	RST(r->kind, (uint32_t)kind);
	probe_name(r->name, name);
	RST(r->permits, sem ? permits : 0u);
	RST(r->value, sem ? permits : 0u);
	RST(r->holder_count, 0u);
	RST(r->depth, 0u);
	RST(r->waiters, 0u);
	RST(r->reserved, 0u);
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++)
		RST(r->holders[h], 0);
	RST(r->acquisitions, 0u);
	RST(r->contended, 0u);
	RST(r->wait_ns_total, 0u);
	RST(r->wait_ns_max, 0u);
	RST(r->hold_ns_total, 0u);
}

static struct cm_lock_rec *lock_publish(struct cm_lock_rec *local, unsigned *slot,
					const char *name, enum cm_lock_kind kind,
					unsigned permits, int flags)
{
	probe_lock_rec_init(local, name, kind, permits, flags);
	struct cm_lock_rec *r = probe_claim(PROBE_LOCKS, slot);
	if (!r) {
		*slot = PROBE_NO_SLOT;
		return local;
	}
	probe_lock_rec_init(r, name, kind, permits, flags);
	probe_publish(r);
	return r;
}

void *probe_lock_new(size_t size, const char *name, enum cm_lock_kind kind, unsigned permits,
		     int flags)
{
	size_t at = (size + _Alignof(struct cm_lock_rec) - 1) & ~(_Alignof(struct cm_lock_rec) - 1);
	struct probe_lock *l = probe_object_new(at + sizeof *l->local, flags);
	l->local = (struct cm_lock_rec *)((char *)l + at);
	l->rec = lock_publish(l->local, &l->slot, name, kind, permits, flags);
	return l;
}

void probe_lock_free(void *obj)
{
	struct probe_lock *l = obj;
	if (!l)
		return;
	if (l->rec != l->local)
		probe_unpublish(l->rec);
	probe_object_free(l);
}

void probe_lock_forked(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	struct probe_lock *l = (struct probe_lock *)o;
	struct cm_lock_rec *r = l->rec;
	if (r == l->local)
		return;
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t tid = RLD(r->holders[h]);
		RST(l->local->holders[h], old_tid && tid == old_tid ? new_tid : tid);
	}
	RST(l->local->depth, RLD(r->depth));
	RST(l->local->holder_count, RLD(r->holder_count));
	RST(l->local->value, RLD(r->value));
	l->rec = l->local;
	l->slot = PROBE_NO_SLOT;
}

int probe_holder_add(struct cm_lock_rec *r, pid_t tid)
{
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t none = 0;
		if (atomic_compare_exchange_strong_explicit(&r->holders[h], &none, tid,
							    memory_order_relaxed, memory_order_relaxed))
			return (int)h;
	}
	return -1;
}

/* When every holder is listed and tid is not one of them (a semaphore used
 * as a signal, a lock released by another thread), some holder goes. */
int probe_holder_remove(struct cm_lock_rec *r, pid_t tid)
{
	unsigned listed = 0;
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t t = tid;
		if (atomic_compare_exchange_strong_explicit(&r->holders[h], &t, 0,
							    memory_order_relaxed, memory_order_relaxed))
			return (int)h;
		listed += t != 0;
	}
	if (RLD(r->holder_count) > listed)
		return -1;
	for (unsigned h = 0; h < CM_MAX_HOLDERS; h++) {
		int32_t t = RLD(r->holders[h]);
		if (t && atomic_compare_exchange_strong_explicit(&r->holders[h], &t, 0,
								 memory_order_relaxed,
								 memory_order_relaxed))
			return (int)h;
	}
	return -1;
}
