/* probe_thread.c - threads as the probe publishes them: TIDs, roles, what
 * each one is blocked on, and what a forked child must forget. */
#include "probe.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "concmon/cmprobe.h"

_Thread_local pid_t probe_tls_tid;
static _Thread_local struct cm_thread_rec *tls_rec;

static pthread_key_t thread_key;        /* its destructor frees the record */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct probe_obj registry = { &registry, &registry, NULL };

pid_t probe_tid_slow(void)
{
	probe_tls_tid = gettid();
	return probe_tls_tid;
}

static void thread_exit(void *p)
{
	if (p == tls_rec)
		tls_rec = NULL;
	probe_unpublish(p);
}

/* Publishes the calling thread; role NULL means its current name. */
static struct cm_thread_rec *thread_register(const char *role)
{
	unsigned slot;
	struct cm_thread_rec *r = probe_claim(PROBE_THREADS, &slot);
	if (!r)
		return NULL;
	char comm[16] = "";
	if (!role) {
		pthread_getname_np(pthread_self(), comm, sizeof comm);
		role = comm;
	}
	RST(r->tid, (int32_t)probe_tid());
	RST(r->wait_kind, (uint32_t)CM_WAIT_NONE);
	RST(r->wait_index, 0u);
	RST(r->flags, 0u);
	RST(r->wait_since_ns, 0u);
	probe_name(r->role, role);
	probe_publish(r);
	tls_rec = r;
	pthread_setspecific(thread_key, r);
	return r;
}

void cm_thread_role(const char *role)
{
	cm_init();
	char comm[16];  /* the kernel keeps 15 bytes */
	snprintf(comm, sizeof comm, "%s", role ? role : "");
	pthread_setname_np(pthread_self(), comm);
	if (tls_rec)
		probe_name(tls_rec->role, role);
	else if (probe_segment())
		thread_register(role);
}

/* Waits nest: the Python layer publishes "waits for lock2" and then, inside
 * that wait, CPython may wait for its own mutex, which the tracer publishes
 * too; when the inner wait ends, the outer one is shown again. A frame of
 * an unpublished lock (no slot) is transparent: it shows nothing new. */
struct wait_frame {
	uint32_t kind, index, flags;
	uint64_t since;
	bool shown;
};
#define WAIT_NEST 4
static _Thread_local struct wait_frame tls_frames[WAIT_NEST];
static _Thread_local unsigned tls_nest;

static void wait_show(struct cm_thread_rec *r, const struct wait_frame *f)
{
	RST(r->flags, f->flags);
	RST(r->wait_since_ns, f->since);
	RST(r->wait_index, f->index);
	atomic_store_explicit(&r->wait_kind, f->kind, memory_order_release);
}

void probe_wait_begin_as(enum cm_wait_kind kind, unsigned slot, uint32_t flags)
{
	struct wait_frame f = { (uint32_t)kind, slot, flags, 0, slot != PROBE_NO_SLOT };
	unsigned depth = tls_nest++;
	if (depth < WAIT_NEST)
		tls_frames[depth] = f;
	if (!f.shown)
		return;
	struct cm_thread_rec *r = tls_rec;
	if (!r && !(r = thread_register(NULL)))
		return;
	f.since = probe_now_ns();
	if (depth < WAIT_NEST)
		tls_frames[depth].since = f.since;
	wait_show(r, &f);
}

void probe_wait_begin(enum cm_wait_kind kind, unsigned slot)
{
	probe_wait_begin_as(kind, slot, 0);
}

void probe_wait_end(void)
{
	struct cm_thread_rec *r = tls_rec;
	unsigned depth = tls_nest ? --tls_nest : 0;
	if (!r)
		return;
	/* The nearest outer wait that was shown, if any. */
	for (unsigned i = depth < WAIT_NEST ? depth : WAIT_NEST; i-- > 0;) {
		if (tls_frames[i].shown) {
			wait_show(r, &tls_frames[i]);
			return;
		}
	}
	atomic_store_explicit(&r->wait_kind, (uint32_t)CM_WAIT_NONE, memory_order_release);
}

/* ---- fork ---- */

static void fork_prepare(void)
{
	pthread_mutex_lock(&registry_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&registry_lock);
}

/* The child's only thread is a new TID with no record; registered objects
 * are copies to fix up. */
static void fork_child(void)
{
	pid_t old_tid = probe_tls_tid;
	probe_tls_tid = 0;
	pid_t new_tid = probe_tid();
	tls_rec = NULL;
	tls_nest = 0;
	pthread_setspecific(thread_key, NULL);
	for (struct probe_obj *o = registry.next; o != &registry; o = o->next)
		o->forked(o, old_tid, new_tid);
	pthread_mutex_unlock(&registry_lock);
}

void probe_thread_init(void)
{
	if (pthread_key_create(&thread_key, thread_exit) != 0 ||
	    pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
		probe_fatal("cannot set up thread tracking");
}

void probe_obj_add(struct probe_obj *o, probe_forked_fn *forked)
{
	o->forked = forked;
	pthread_mutex_lock(&registry_lock);
	o->prev = &registry;
	o->next = registry.next;
	registry.next->prev = o;
	registry.next = o;
	pthread_mutex_unlock(&registry_lock);
}

void probe_obj_del(struct probe_obj *o)
{
	pthread_mutex_lock(&registry_lock);
	o->prev->next = o->next;
	o->next->prev = o->prev;
	pthread_mutex_unlock(&registry_lock);
}
