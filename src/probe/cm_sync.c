/* cm_sync.c - instrumented semaphores, events and file locks. None of these
 * is on a hot path, so they use atomic read-modify-writes and the precise
 * clock throughout. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "concmon/cmprobe.h"

struct cm_sem {
	struct probe_lock lk;           /* first: record, slot, allocation */
	sem_t sem;
	_Atomic uint64_t held_since[CM_MAX_HOLDERS];   /* per listed holder, ns */
};

struct cm_event {
	struct probe_lock lk;           /* first */
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	_Atomic bool set;
};

struct cm_flock {
	struct probe_lock lk;           /* first */
	int fd;
	pthread_mutex_t mtx;            /* fcntl locks belong to the process: this
					 * orders its threads */
	uint64_t hold_start;            /* with both locks held */
};

#define ADD(x, n) atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define SUB(x, n) atomic_fetch_sub_explicit(&(x), (n), memory_order_relaxed)

/* Publishes that the caller is about to block on r; returns the start time. */
static uint64_t wait_start(struct cm_lock_rec *r, unsigned slot)
{
	ADD(r->waiters, 1u);
	probe_wait_begin(CM_WAIT_LOCK, slot);
	return probe_now_ns();
}

/* The wait that began at t0 is over (and was contended). */
static void wait_done(struct cm_lock_rec *r, uint64_t t0)
{
	uint64_t waited = probe_now_ns() - t0;
	probe_wait_end();
	SUB(r->waiters, 1u);
	ADD(r->contended, 1u);
	ADD(r->wait_ns_total, waited);
	probe_max(&r->wait_ns_max, waited);
}

static void check(int rc, const char *what, const char *name)
{
	if (rc)
		probe_fatal("%s(\"%s\"): %s", what, name, strerror(rc));
}

/* ---- semaphores ---- */

static void sem_publish_value(struct cm_sem *s, struct cm_lock_rec *r)
{
	int v;
	if (sem_getvalue(&s->sem, &v) == 0 && v >= 0)
		RST(r->value, (uint32_t)v);
}

static void sem_list_holder(struct cm_sem *s, struct cm_lock_rec *r, pid_t me)
{
	int h = probe_holder_add(r, me);
	if (h >= 0)
		RST(s->held_since[h], probe_now_ns());
}

void cm_sem_wait(struct cm_sem *s)
{
	struct cm_lock_rec *r = s->lk.rec;
	if (sem_trywait(&s->sem) != 0) {
		if (errno != EAGAIN)
			check(errno, "cm_sem_wait", s->lk.local->name);
		uint64_t t0 = wait_start(r, s->lk.slot);
		while (sem_wait(&s->sem) != 0)
			if (errno != EINTR)
				check(errno, "cm_sem_wait", s->lk.local->name);
		wait_done(r, t0);
	}
	sem_list_holder(s, r, probe_tid());
	ADD(r->holder_count, 1u);
	ADD(r->acquisitions, 1u);
	sem_publish_value(s, r);
}

void cm_sem_post(struct cm_sem *s)
{
	struct cm_lock_rec *r = s->lk.rec;
	int h = probe_holder_remove(r, probe_tid());
	if (h >= 0) {
		uint64_t since = RLD(s->held_since[h]), now = probe_now_ns();
		if (since && now > since)
			ADD(r->hold_ns_total, now - since);
	}
	uint32_t n = RLD(r->holder_count);
	while (n > 0 && !atomic_compare_exchange_weak_explicit(&r->holder_count, &n, n - 1,
							       memory_order_relaxed,
							       memory_order_relaxed))
		;
	if (sem_post(&s->sem) != 0)
		check(errno, "cm_sem_post", s->lk.local->name);
	sem_publish_value(s, r);
}

struct cm_sem *cm_sem_new(const char *name, unsigned permits, int flags)
{
	if (permits > CM_PERMITS_MAX)
		probe_fatal("cm_sem_new(\"%s\"): %u permits is too many", name ? name : "", permits);
	struct cm_sem *s = probe_lock_new(sizeof *s, name, CM_LOCK_SEMAPHORE, permits, flags);
	if (sem_init(&s->sem, (flags & CM_SHARED) != 0, permits) != 0)
		check(errno, "cm_sem_new", name ? name : "");
	probe_object_ready(s, NULL);
	return s;
}

void cm_sem_free(struct cm_sem *s)
{
	if (!s)
		return;
	sem_destroy(&s->sem);
	probe_lock_free(s);
}

/* ---- events ---- */

/* The flag is atomic and written last, so a holder that died left nothing
 * to repair. */
static void event_lock(struct cm_event *e, const char *what)
{
	probe_pthread_locked(pthread_mutex_lock(&e->mtx), &e->mtx, what, e->lk.local->name);
}

void cm_event_set(struct cm_event *e)
{
	event_lock(e, "cm_event_set");
	atomic_store_explicit(&e->set, true, memory_order_release);
	RST(e->lk.rec->value, 1u);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->mtx);
}

void cm_event_clear(struct cm_event *e)
{
	event_lock(e, "cm_event_clear");
	atomic_store_explicit(&e->set, false, memory_order_release);
	RST(e->lk.rec->value, 0u);
	pthread_mutex_unlock(&e->mtx);
}

bool cm_event_is_set(struct cm_event *e)
{
	return atomic_load_explicit(&e->set, memory_order_acquire);
}

void cm_event_wait(struct cm_event *e)
{
	struct cm_lock_rec *r = e->lk.rec;
	if (!atomic_load_explicit(&e->set, memory_order_acquire)) {
		event_lock(e, "cm_event_wait");
		if (!atomic_load_explicit(&e->set, memory_order_relaxed)) {
			uint64_t t0 = wait_start(r, e->lk.slot);
			do
				probe_pthread_locked(pthread_cond_wait(&e->cond, &e->mtx), &e->mtx,
						     "cm_event_wait", e->lk.local->name);
			while (!atomic_load_explicit(&e->set, memory_order_relaxed));
			wait_done(r, t0);
		}
		pthread_mutex_unlock(&e->mtx);
	}
	ADD(r->acquisitions, 1u);
}

struct cm_event *cm_event_new(const char *name, int flags)
{
	struct cm_event *e = probe_lock_new(sizeof *e, name, CM_LOCK_EVENT, 0, flags);
	probe_pthread_mutex_init(&e->mtx, PTHREAD_MUTEX_DEFAULT, flags, name);
	probe_pthread_cond_init(&e->cond, flags, name);
	probe_object_ready(e, NULL);
	return e;
}

void cm_event_free(struct cm_event *e)
{
	if (!e)
		return;
	probe_pthread_cond_destroy(&e->cond, e->lk.head.flags);
	pthread_mutex_destroy(&e->mtx);
	probe_lock_free(e);
}

/* ---- file locks ---- */

static int whole_file(int fd, short type, int cmd)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	return fcntl(fd, cmd, &fl);
}

void cm_flock_lock(struct cm_flock *l)
{
	struct cm_lock_rec *r = l->lk.rec;
	uint64_t t0 = 0;
	bool waiting = pthread_mutex_trylock(&l->mtx) != 0;
	if (waiting) {
		t0 = wait_start(r, l->lk.slot);
		check(pthread_mutex_lock(&l->mtx), "cm_flock_lock", l->lk.local->name);
	}
	if (whole_file(l->fd, F_WRLCK, F_SETLK) < 0) {
		if (errno != EACCES && errno != EAGAIN)
			check(errno, "cm_flock_lock", l->lk.local->name);
		if (!waiting) {
			waiting = true;
			t0 = wait_start(r, l->lk.slot);
		}
		while (whole_file(l->fd, F_WRLCK, F_SETLKW) < 0)
			if (errno != EINTR)
				check(errno, "cm_flock_lock", l->lk.local->name);
	}
	if (waiting)
		wait_done(r, t0);
	RST(r->holders[0], probe_tid());
	ADD(r->acquisitions, 1u);
	l->hold_start = probe_now_ns();
}

void cm_flock_unlock(struct cm_flock *l)
{
	struct cm_lock_rec *r = l->lk.rec;
	if (RLD(r->holders[0]) != probe_tid())
		probe_fatal("cm_flock_unlock(\"%s\"): not held by this thread", l->lk.local->name);
	ADD(r->hold_ns_total, probe_now_ns() - l->hold_start);
	RST(r->holders[0], 0);
	if (whole_file(l->fd, F_UNLCK, F_SETLK) < 0)
		check(errno, "cm_flock_unlock", l->lk.local->name);
	pthread_mutex_unlock(&l->mtx);
}

/* The record stays shared (a file lock is for several processes, which all
 * publish through it), but the child holds neither the parent's fcntl lock
 * nor its thread mutex, whose copy may be locked: make it anew. */
static void flock_forked(struct probe_obj *o, pid_t old_tid, pid_t new_tid)
{
	(void)old_tid;
	(void)new_tid;
	struct cm_flock *l = (struct cm_flock *)o;
	pthread_mutex_init(&l->mtx, NULL);
}

struct cm_flock *cm_flock_new(const char *name, int fd)
{
	struct cm_flock *l = probe_lock_new(sizeof *l, name, CM_LOCK_FILE, 0, CM_PRIVATE);
	l->fd = fd;
	probe_pthread_mutex_init(&l->mtx, PTHREAD_MUTEX_DEFAULT, CM_PRIVATE, name);
	probe_object_ready(l, flock_forked);
	return l;
}

void cm_flock_free(struct cm_flock *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mtx);
	probe_lock_free(l);
}
