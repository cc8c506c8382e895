/* probe_pthread.c - the pthread objects inside probe objects: made
 * process-shared and robust for CM_SHARED ones, and recovered when a
 * process dies holding one. */
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "concmon/cmprobe.h"

static void check(int rc, const char *what, const char *name)
{
	if (rc)
		probe_fatal("%s(\"%s\"): %s", what, name ? name : "", strerror(rc));
}

void probe_pthread_mutex_init(pthread_mutex_t *m, int type, int flags, const char *name)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	/* Only when asked: glibc takes a slower path for an explicit type. */
	if (type != PTHREAD_MUTEX_DEFAULT)
		pthread_mutexattr_settype(&a, type);
	if (flags & CM_SHARED) {
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		/* Only shared ones: robust mutexes cost a list update per lock,
		 * and only another process can die holding one. */
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	}
	check(pthread_mutex_init(m, &a), "pthread_mutex_init", name);
	pthread_mutexattr_destroy(&a);
}

void probe_pthread_cond_init(pthread_cond_t *c, int flags, const char *name)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	if (flags & CM_SHARED)
		pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	check(pthread_cond_init(c, &a), "pthread_cond_init", name);
	pthread_condattr_destroy(&a);
}

void probe_pthread_cond_destroy(pthread_cond_t *c, int flags)
{
	if (!(flags & CM_SHARED))
		pthread_cond_destroy(c);
}

bool probe_pthread_locked(int rc, pthread_mutex_t *m, const char *what, const char *name)
{
	if (rc != EOWNERDEAD) {
		check(rc, what, name);
		return false;
	}
	check(pthread_mutex_consistent(m), what, name);
	fprintf(stderr, "concmon-probe: %s(\"%s\"): a process died holding the lock; "
		"recovered, but what it protects may be half-updated\n", what, name ? name : "");
	return true;
}
