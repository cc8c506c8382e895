/* trace_real.c - the real libc functions behind the tracer's wrappers, and
 * the cmtrace_real_* names the probe's own code calls in this library
 * (see trace_real.h). */
#include "trace.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

_Atomic bool trace_resolved;

#define LAZY(field) \
	static int lazy_##field(pthread_mutex_t *m) \
	{ \
		trace_real_resolve(); \
		return trace_real.field(m); \
	}
LAZY(mutex_lock)
LAZY(mutex_trylock)
LAZY(mutex_unlock)

struct trace_real trace_real = {
	.mutex_lock = lazy_mutex_lock,
	.mutex_trylock = lazy_mutex_trylock,
	.mutex_unlock = lazy_mutex_unlock,
};

/* The condition variable functions exist in two versions (the 2.2.5 ones
 * are the old ABI): dlsym alone may give the old one. */
static void *sym(const char *name, const char *version)
{
	void *p = version ? dlvsym(RTLD_NEXT, name, version) : NULL;
	if (!p)
		p = dlsym(RTLD_NEXT, name);
	if (!p) {
		static const char msg[] = "libconcmon-trace: a pthread function is missing from libc\n";
		(void)!write(2, msg, sizeof msg - 1);
		abort();
	}
	return p;
}

#define R(field, name) (*(void **)&trace_real.field = sym(name, NULL))
#define RA(field, name) atomic_store(&trace_real.field, (trace_mutex_fn *)sym(name, NULL))
#define RV(field, name) (*(void **)&trace_real.field = sym(name, "GLIBC_2.3.2"))

void trace_real_resolve(void)
{
	R(mutex_init, "pthread_mutex_init");
	R(mutex_destroy, "pthread_mutex_destroy");
	RA(mutex_lock, "pthread_mutex_lock");
	RA(mutex_trylock, "pthread_mutex_trylock");
	R(mutex_timedlock, "pthread_mutex_timedlock");
	R(mutex_clocklock, "pthread_mutex_clocklock");
	RA(mutex_unlock, "pthread_mutex_unlock");
	R(rw_destroy, "pthread_rwlock_destroy");
	R(rw_rdlock, "pthread_rwlock_rdlock");
	R(rw_wrlock, "pthread_rwlock_wrlock");
	R(rw_tryrdlock, "pthread_rwlock_tryrdlock");
	R(rw_trywrlock, "pthread_rwlock_trywrlock");
	R(rw_timedrdlock, "pthread_rwlock_timedrdlock");
	R(rw_timedwrlock, "pthread_rwlock_timedwrlock");
	R(rw_clockrdlock, "pthread_rwlock_clockrdlock");
	R(rw_clockwrlock, "pthread_rwlock_clockwrlock");
	R(rw_unlock, "pthread_rwlock_unlock");
	R(sem_init, "sem_init");
	R(sem_destroy, "sem_destroy");
	R(sem_wait, "sem_wait");
	R(sem_timedwait, "sem_timedwait");
	R(sem_clockwait, "sem_clockwait");
	R(sem_trywait, "sem_trywait");
	R(sem_post, "sem_post");
	RV(cond_init, "pthread_cond_init");
	RV(cond_destroy, "pthread_cond_destroy");
	RV(cond_wait, "pthread_cond_wait");
	RV(cond_timedwait, "pthread_cond_timedwait");
	R(cond_clockwait, "pthread_cond_clockwait");
	RV(cond_signal, "pthread_cond_signal");
	RV(cond_broadcast, "pthread_cond_broadcast");
	atomic_store_explicit(&trace_resolved, true, memory_order_release);
}

/* ---- what the probe's sources call instead (declared by trace_real.h's
 * renaming of the <pthread.h> and <semaphore.h> prototypes) ---- */

#define FWD(ret, name, field, params, args) \
	ret name params; \
	ret name params { trace_ready(); return trace_real.field args; }

FWD(int, cmtrace_real_mutex_init, mutex_init,
    (pthread_mutex_t *m, const pthread_mutexattr_t *a), (m, a))
FWD(int, cmtrace_real_mutex_destroy, mutex_destroy, (pthread_mutex_t *m), (m))
FWD(int, cmtrace_real_mutex_lock, mutex_lock, (pthread_mutex_t *m), (m))
FWD(int, cmtrace_real_mutex_trylock, mutex_trylock, (pthread_mutex_t *m), (m))
FWD(int, cmtrace_real_mutex_unlock, mutex_unlock, (pthread_mutex_t *m), (m))
FWD(int, cmtrace_real_cond_init, cond_init, (pthread_cond_t *c, const pthread_condattr_t *a),
    (c, a))
FWD(int, cmtrace_real_cond_destroy, cond_destroy, (pthread_cond_t *c), (c))
FWD(int, cmtrace_real_cond_wait, cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m))
FWD(int, cmtrace_real_cond_signal, cond_signal, (pthread_cond_t *c), (c))
FWD(int, cmtrace_real_cond_broadcast, cond_broadcast, (pthread_cond_t *c), (c))
FWD(int, cmtrace_real_sem_init, sem_init, (sem_t *s, int pshared, unsigned v), (s, pshared, v))
FWD(int, cmtrace_real_sem_destroy, sem_destroy, (sem_t *s), (s))
FWD(int, cmtrace_real_sem_wait, sem_wait, (sem_t *s), (s))
FWD(int, cmtrace_real_sem_trywait, sem_trywait, (sem_t *s), (s))
FWD(int, cmtrace_real_sem_post, sem_post, (sem_t *s), (s))
