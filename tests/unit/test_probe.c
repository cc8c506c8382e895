/* test_probe.c - the probe's locks as concmon sees them: mutexes (plain,
 * recursive, shared across fork), conditions, semaphores, events, file
 * locks; holders, waiters, contention, what each thread waits on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_probe_reader.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

struct worker {
	pthread_t th;
	const char *role;
	void *obj, *obj2;
	atomic_int done;
	_Atomic pid_t tid;
	long result;
};

static void start(struct worker *w, void *(*fn)(void *))
{
	atomic_store(&w->done, 0);
	assert_int_equal(pthread_create(&w->th, NULL, fn, w), 0);
}

static void join(struct worker *w)
{
	assert_int_equal(pthread_join(w->th, NULL), 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void test_init_active(void **state)
{
	(void)state;
	assert_true(cm_init());
	assert_true(cm_init());         /* idempotent */
	snap_read();
	assert_true(snap.attaches >= 1);
}

/* ---- mutexes ---- */

static void test_mutex_single(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-single", false, CM_PRIVATE);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-single");
	assert_non_null(l);
	assert_int_equal(l->kind, CM_LOCK_MUTEX);
	assert_int_equal(l->pid, getpid());
	assert_false(l->shared);
	assert_int_equal(l->n_holders + l->acquisitions, 0);

	cm_mutex_lock(m);
	snap_read();
	l = lock_named("t-single");
	assert_int_equal(l->n_holders, 1);
	assert_int_equal(l->holders[0], gettid());
	assert_int_equal(l->depth, 1);
	assert_int_equal(l->acquisitions, 1);
	assert_false(cm_mutex_trylock(m));      /* plain: mine already */
	cm_mutex_unlock(m);
	snap_read();
	assert_int_equal(lock_named("t-single")->n_holders, 0);

	assert_true(cm_mutex_trylock(m));
	cm_mutex_unlock(m);
	snap_read();
	l = lock_named("t-single");
	assert_int_equal(l->acquisitions, 2);
	assert_int_equal(l->contended + l->waiters + l->wait_ns_total, 0);
	cm_mutex_free(m);
	snap_read();
	assert_null(lock_named("t-single"));
	cm_mutex_free(NULL);
}

static void test_mutex_recursive(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-rec", true, CM_PRIVATE);
	cm_mutex_lock(m);
	cm_mutex_lock(m);
	cm_mutex_lock(m);
	assert_true(cm_mutex_trylock(m));
	snap_read();
	const struct telemetry_lock *l = lock_named("t-rec");
	assert_int_equal(l->kind, CM_LOCK_RECURSIVE);
	assert_int_equal(l->depth, 4);
	assert_int_equal(l->holders[0], gettid());
	assert_int_equal(l->acquisitions, 1);   /* re-entries are not acquisitions */
	for (int i = 0; i < 3; i++)
		cm_mutex_unlock(m);
	snap_read();
	assert_int_equal(lock_named("t-rec")->depth, 1);
	cm_mutex_unlock(m);
	snap_read();
	l = lock_named("t-rec");
	assert_int_equal(l->depth, 0);
	assert_int_equal(l->n_holders, 0);
	cm_mutex_free(m);
}

static void *contender(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	atomic_store(&w->tid, gettid());
	cm_mutex_lock(w->obj);
	atomic_store(&w->done, 1);
	cm_mutex_unlock(w->obj);
	return NULL;
}

static void test_mutex_contended(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-contend", false, CM_PRIVATE);
	struct worker w = { .role = "contender", .obj = m };
	cm_mutex_lock(m);
	start(&w, contender);
	POLL(lock_named("t-contend")->waiters == 1 && waits_on("contender", CM_WAIT_LOCK, "t-contend"));
	assert_int_equal(lock_named("t-contend")->holders[0], gettid());
	assert_int_equal(thread_role("contender")->pid, getpid());
	assert_int_equal(thread_role("contender")->tid, atomic_load(&w.tid));
	assert_int_equal(atomic_load(&w.done), 0);
	cm_mutex_unlock(m);
	join(&w);
	assert_int_equal(atomic_load(&w.done), 1);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-contend");
	assert_int_equal(l->acquisitions, 2);
	assert_int_equal(l->contended, 1);
	assert_int_equal(l->waiters, 0);
	assert_true(l->wait_ns_total > 0 && l->wait_ns_max == l->wait_ns_total);
	assert_null(thread_role("contender"));  /* gone with its thread */
	cm_mutex_free(m);
}

struct counting {
	struct cm_mutex *m;
	long count;
	int rounds;
};

static void *count_up(void *arg)
{
	struct counting *c = arg;
	for (int i = 0; i < c->rounds; i++) {
		cm_mutex_lock(c->m);
		c->count++;
		cm_mutex_unlock(c->m);
	}
	return NULL;
}

static void test_mutex_threads(void **state)
{
	(void)state;
	struct counting c = { cm_mutex_new("t-count", false, CM_PRIVATE), 0, 20000 };
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, count_up, &c), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(c.count, 80000);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-count");
	assert_int_equal(l->acquisitions, 80000);
	assert_true(l->contended <= l->acquisitions);
	assert_int_equal(l->n_holders + l->waiters, 0);
	cm_mutex_free(c.m);
}

/* The first hold is always timed; a long one is timed to a clock tick. */
static void test_mutex_hold_time(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-hold", false, CM_PRIVATE);
	cm_mutex_lock(m);
	sleep_ms(60);
	cm_mutex_unlock(m);
	snap_read();
	uint64_t held = lock_named("t-hold")->hold_ns_total;
	assert_true(held >= 40000000u && held < 5000000000u);
	cm_mutex_free(m);
}

/* A forked child's copy of a private mutex is its own: it publishes
 * nothing, and the parent's holder there becomes the child's thread. */
static int child_uses_private(void *arg)
{
	struct cm_mutex *m = arg;
	cm_mutex_unlock(m);
	for (int i = 0; i < 10; i++) {
		cm_mutex_lock(m);
		cm_mutex_unlock(m);
	}
	return 0;
}

static void test_mutex_private_fork(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-priv", false, CM_PRIVATE);
	cm_mutex_lock(m);
	assert_int_equal(child_status(child(child_uses_private, m)), 0);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-priv");
	assert_int_equal(l->acquisitions, 1);
	assert_int_equal(l->holders[0], gettid());
	cm_mutex_unlock(m);
	cm_mutex_free(m);
}

static int child_locks(void *arg)
{
	cm_thread_role("child-locker");
	cm_mutex_lock(arg);
	cm_mutex_unlock(arg);
	return 0;
}

static void test_mutex_shared_fork(void **state)
{
	(void)state;
	struct cm_mutex *m = cm_mutex_new("t-shm", false, CM_SHARED);
	cm_mutex_lock(m);
	pid_t pid = child(child_locks, m);
	POLL(lock_named("t-shm")->waiters == 1 && waits_on("child-locker", CM_WAIT_LOCK, "t-shm"));
	assert_int_equal(thread_role("child-locker")->pid, pid);
	assert_true(lock_named("t-shm")->shared);
	cm_mutex_unlock(m);
	assert_int_equal(child_status(pid), 0);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-shm");
	assert_int_equal(l->acquisitions, 2);
	assert_int_equal(l->contended, 1);
	assert_int_equal(l->n_holders, 0);
	cm_mutex_free(m);
}

/* A process killed while holding a shared mutex does not wedge the others:
 * the next locker gets it (within the deadline, instead of never), and it
 * stays usable. */
static int child_dies_holding(void *arg)
{
	cm_mutex_lock(arg);
	while (pause() < 0)             /* until killed */
		;
	return 1;
}

struct locker {
	struct cm_mutex *m;
	_Atomic pid_t tid;              /* set once it holds m */
};

static void *lock_once(void *arg)
{
	struct locker *l = arg;
	cm_mutex_lock(l->m);
	atomic_store(&l->tid, gettid());
	cm_mutex_unlock(l->m);
	return NULL;
}

static void test_mutex_shared_holder_killed(void **state)
{
	(void)state;
	struct locker l = { .m = cm_mutex_new("t-robust", false, CM_SHARED) };
	pid_t pid = child(child_dies_holding, l.m);
	POLL(lock_named("t-robust")->n_holders == 1 && lock_named("t-robust")->holders[0] == pid);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(child_status(pid), 128 + SIGKILL);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, lock_once, &l), 0);
	POLL(atomic_load(&l.tid) != 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	cm_mutex_lock(l.m);
	assert_false(cm_mutex_trylock(l.m));
	cm_mutex_unlock(l.m);
	snap_read();
	assert_int_equal(lock_named("t-robust")->n_holders, 0);
	assert_int_equal(lock_named("t-robust")->acquisitions, 3);
	cm_mutex_free(l.m);
}

/* The recursive-lock lesson: a plain mutex locked twice by one thread
 * waits on itself, visibly (in a child, which is then killed). */
static int child_self_deadlock(void *arg)
{
	(void)arg;
	struct cm_mutex *m = cm_mutex_new("t-self", false, CM_PRIVATE);
	cm_thread_role("stuck");
	cm_mutex_lock(m);
	cm_mutex_lock(m);
	return 1;
}

static void test_mutex_self_deadlock(void **state)
{
	(void)state;
	pid_t pid = child(child_self_deadlock, NULL);
	POLL(waits_on("stuck", CM_WAIT_LOCK, "t-self"));
	const struct telemetry_thread *t = thread_role("stuck");
	assert_int_equal(snap.locks[t->wait].holders[0], t->tid);
	assert_int_equal(snap.locks[t->wait].pid, pid);
	kill(pid, SIGKILL);
	assert_int_equal(child_status(pid), 128 + SIGKILL);
	snap_read();                    /* its records linger, still valid */
	assert_non_null(lock_named("t-self"));
}

/* A full table: the rest work unpublished; records of dead processes
 * (t-self above) are taken over. */
static void test_lock_table_full(void **state)
{
	(void)state;
	enum { N = CM_MAX_LOCKS + 6 };
	struct cm_mutex *m[N];
	for (int i = 0; i < N; i++)
		m[i] = cm_mutex_new("t-full", false, CM_PRIVATE);
	for (int i = 0; i < N; i++) {
		cm_mutex_lock(m[i]);
		cm_mutex_unlock(m[i]);
	}
	snap_read();
	assert_int_equal(count_locks_named("t-full"), CM_MAX_LOCKS);
	assert_null(lock_named("t-self"));
	for (int i = 0; i < N; i++)
		cm_mutex_free(m[i]);
	snap_read();
	assert_int_equal(snap.n_locks, 0);
}

static void test_names(void **state)
{
	(void)state;
	struct cm_mutex *a = cm_mutex_new("a-name-that-is-far-too-long-for-the-segment", false, 0);
	struct cm_mutex *b = cm_mutex_new("tab\there\nnl", false, 0);
	/* 20 two-byte characters: cut between characters, not inside one. */
	struct cm_mutex *c = cm_mutex_new("éééééééééééééééééééé", false, 0);
	struct cm_mutex *d = cm_mutex_new(NULL, false, 0);
	snap_read();
	assert_non_null(lock_named("a-name-that-is-far-too-long-for"));   /* 31 bytes */
	assert_non_null(lock_named("tab?here?nl"));
	assert_non_null(lock_named("ééééééééééééééé"));
	assert_non_null(lock_named(""));
	cm_mutex_free(a);
	cm_mutex_free(b);
	cm_mutex_free(c);
	cm_mutex_free(d);
}

/* ---- conditions ---- */

struct waiting {
	struct cm_mutex *m;
	struct cm_cond *c;
	int go;                         /* under m */
};

static void *cond_sleeper(void *arg)
{
	struct worker *w = arg;
	struct waiting *s = w->obj;
	cm_thread_role(w->role);
	cm_mutex_lock(s->m);
	while (!s->go)
		cm_cond_wait(s->c, s->m);
	cm_mutex_unlock(s->m);
	return NULL;
}

static void test_cond(void **state)
{
	(void)state;
	struct waiting s = { cm_mutex_new("t-cond-m", false, 0), cm_cond_new("t-cond", 0), 0 };
	struct worker w[3] = { { .role = "sleeper0", .obj = &s }, { .role = "sleeper1", .obj = &s },
			       { .role = "sleeper2", .obj = &s } };
	start(&w[0], cond_sleeper);
	POLL(lock_named("t-cond")->waiters == 1 && waits_on("sleeper0", CM_WAIT_LOCK, "t-cond"));
	assert_int_equal(lock_named("t-cond")->kind, CM_LOCK_CONDITION);
	assert_int_equal(lock_named("t-cond-m")->n_holders, 0);  /* released while waiting */
	cm_mutex_lock(s.m);
	s.go = 1;
	cm_cond_signal(s.c);
	cm_mutex_unlock(s.m);
	join(&w[0]);
	snap_read();
	assert_int_equal(lock_named("t-cond")->acquisitions, 1);
	assert_int_equal(lock_named("t-cond")->waiters, 0);
	assert_true(lock_named("t-cond")->wait_ns_total > 0);

	s.go = 0;
	start(&w[1], cond_sleeper);
	start(&w[2], cond_sleeper);
	POLL(lock_named("t-cond")->waiters == 2);
	cm_mutex_lock(s.m);
	s.go = 1;
	cm_cond_broadcast(s.c);
	cm_mutex_unlock(s.m);
	join(&w[1]);
	join(&w[2]);
	snap_read();
	assert_int_equal(lock_named("t-cond")->acquisitions, 3);
	/* 3 + 2 locks, 3 re-takes after waking (more if a wakeup was spurious) */
	assert_true(lock_named("t-cond-m")->acquisitions >= 8);
	cm_cond_free(s.c);
	cm_mutex_free(s.m);
}

/* ---- semaphores ---- */

static void *sem_taker(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	cm_sem_wait(w->obj);
	cm_sem_post(w->obj);
	return NULL;
}

static void test_semaphore(void **state)
{
	(void)state;
	struct cm_sem *s = cm_sem_new("t-sem", 2, CM_PRIVATE);
	cm_sem_wait(s);
	cm_sem_wait(s);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-sem");
	assert_int_equal(l->kind, CM_LOCK_SEMAPHORE);
	assert_int_equal(l->permits, 2);
	assert_int_equal(l->value, 0);
	assert_int_equal(l->holder_count, 2);
	assert_int_equal(l->n_holders, 2);
	assert_int_equal(l->holders[0], gettid());
	struct worker w = { .role = "sem-waiter", .obj = s };
	start(&w, sem_taker);
	POLL(lock_named("t-sem")->waiters == 1 && waits_on("sem-waiter", CM_WAIT_LOCK, "t-sem"));
	cm_sem_post(s);
	join(&w);
	snap_read();
	l = lock_named("t-sem");
	assert_int_equal(l->holder_count, 1);
	assert_int_equal(l->acquisitions, 3);
	assert_int_equal(l->contended, 1);
	cm_sem_post(s);
	snap_read();
	l = lock_named("t-sem");
	assert_int_equal(l->holder_count + l->n_holders + l->waiters, 0);
	assert_int_equal(l->value, 2);
	cm_sem_free(s);
}

struct bounded {
	struct cm_sem *s;
	atomic_int inside, most;
};

static void *sem_worker(void *arg)
{
	struct bounded *b = arg;
	for (int i = 0; i < 200; i++) {
		cm_sem_wait(b->s);
		int now = atomic_fetch_add(&b->inside, 1) + 1;
		int most = atomic_load(&b->most);
		while (now > most && !atomic_compare_exchange_weak(&b->most, &most, now))
			;
		sched_yield();
		atomic_fetch_sub(&b->inside, 1);
		cm_sem_post(b->s);
	}
	return NULL;
}

/* The semaphore lesson: never more than permits holders. */
static void test_semaphore_bounds(void **state)
{
	(void)state;
	struct bounded b = { .s = cm_sem_new("t-bound", 3, CM_PRIVATE) };
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sem_worker, &b), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	assert_true(atomic_load(&b.most) <= 3);
	snap_read();
	const struct telemetry_lock *l = lock_named("t-bound");
	assert_int_equal(l->acquisitions, 1600);
	assert_int_equal(l->holder_count + l->n_holders, 0);
	assert_int_equal(l->value, 3);
	cm_sem_free(b.s);
}

/* ---- events ---- */

static void *event_waiter(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	cm_event_wait(w->obj);
	return NULL;
}

static void test_event(void **state)
{
	(void)state;
	struct cm_event *e = cm_event_new("t-gate", CM_PRIVATE);
	assert_false(cm_event_is_set(e));
	struct worker w[3] = { { .role = "gate0", .obj = e }, { .role = "gate1", .obj = e },
			       { .role = "gate2", .obj = e } };
	for (int i = 0; i < 3; i++)
		start(&w[i], event_waiter);
	POLL(lock_named("t-gate")->waiters == 3 && waits_on("gate0", CM_WAIT_LOCK, "t-gate") &&
	     waits_on("gate2", CM_WAIT_LOCK, "t-gate"));
	assert_int_equal(lock_named("t-gate")->value, 0);
	cm_event_set(e);
	for (int i = 0; i < 3; i++)
		join(&w[i]);
	assert_true(cm_event_is_set(e));
	cm_event_wait(e);               /* set: returns at once */
	snap_read();
	const struct telemetry_lock *l = lock_named("t-gate");
	assert_int_equal(l->kind, CM_LOCK_EVENT);
	assert_int_equal(l->value, 1);
	assert_int_equal(l->acquisitions, 4);
	assert_int_equal(l->contended, 3);
	assert_int_equal(l->waiters, 0);
	cm_event_clear(e);
	assert_false(cm_event_is_set(e));
	snap_read();
	assert_int_equal(lock_named("t-gate")->value, 0);
	cm_event_free(e);
}

/* ---- file locks ---- */

static int child_flock(void *arg)
{
	cm_thread_role("file-child");
	cm_flock_lock(arg);
	cm_flock_unlock(arg);
	return 0;
}

static void *flock_thread(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	cm_flock_lock(w->obj);
	cm_flock_unlock(w->obj);
	return NULL;
}

static void test_flock(void **state)
{
	(void)state;
	char path[] = "/tmp/cmprobe-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	struct cm_flock *l = cm_flock_new("t-file", fd);
	cm_flock_lock(l);
	snap_read();
	assert_int_equal(lock_named("t-file")->kind, CM_LOCK_FILE);
	assert_int_equal(lock_named("t-file")->holders[0], gettid());
	assert_true(lock_named("t-file")->shared);
	/* Another process: the kernel's lock makes it wait. */
	pid_t pid = child(child_flock, l);
	POLL(lock_named("t-file")->waiters == 1 && waits_on("file-child", CM_WAIT_LOCK, "t-file"));
	cm_flock_unlock(l);
	assert_int_equal(child_status(pid), 0);
	/* Another thread of this process: the probe's own mutex does. */
	cm_flock_lock(l);
	struct worker w = { .role = "file-thread", .obj = l };
	start(&w, flock_thread);
	POLL(waits_on("file-thread", CM_WAIT_LOCK, "t-file"));
	cm_flock_unlock(l);
	join(&w);
	snap_read();
	const struct telemetry_lock *r = lock_named("t-file");
	assert_int_equal(r->acquisitions, 4);
	assert_int_equal(r->contended, 2);
	assert_int_equal(r->n_holders + r->waiters, 0);
	assert_true(r->hold_ns_total > 0);
	cm_flock_free(l);
	close(fd);
}

int main(void)
{
	reader_start();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_active),
		cmocka_unit_test(test_mutex_single),
		cmocka_unit_test(test_mutex_recursive),
		cmocka_unit_test(test_mutex_contended),
		cmocka_unit_test(test_mutex_threads),
		cmocka_unit_test(test_mutex_hold_time),
		cmocka_unit_test(test_mutex_private_fork),
		cmocka_unit_test(test_mutex_shared_fork),
		cmocka_unit_test(test_mutex_shared_holder_killed),
		cmocka_unit_test(test_mutex_self_deadlock),
		cmocka_unit_test(test_lock_table_full),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cond),
		cmocka_unit_test(test_semaphore),
		cmocka_unit_test(test_semaphore_bounds),
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_flock),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	reader_stop();
	return rc;
}
