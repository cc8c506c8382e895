/* test_probe_queue.c - the probe's queues (private and shared across fork),
 * knobs turned by concmon, values, thread roles, and what a process leaves
 * behind when it exits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_probe_reader.h"

#include <pthread.h>
#include <stdatomic.h>

struct worker {
	pthread_t th;
	const char *role;
	struct cm_queue *q;
	intptr_t item;
	bool ok;
	_Atomic pid_t tid;
	atomic_int go;
};

static void start(struct worker *w, void *(*fn)(void *))
{
	assert_int_equal(pthread_create(&w->th, NULL, fn, w), 0);
}

static void join(struct worker *w)
{
	assert_int_equal(pthread_join(w->th, NULL), 0);
}

/* ---- queues ---- */

static void test_queue_basic(void **state)
{
	(void)state;
	struct cm_queue *q = cm_queue_new("t-q", 3, CM_PRIVATE);
	intptr_t v;
	assert_true(cm_queue_put(q, 10));
	assert_true(cm_queue_put(q, 20));
	assert_true(cm_queue_put(q, 30));
	assert_int_equal(cm_queue_depth(q), 3);
	snap_read();
	const struct telemetry_queue *r = queue_named("t-q");
	assert_non_null(r);
	assert_int_equal(r->capacity, 3);
	assert_int_equal(r->depth, 3);
	assert_int_equal(r->puts, 3);
	assert_int_equal(r->pid, getpid());
	assert_false(r->shared || r->closed);
	assert_true(cm_queue_get(q, &v));
	assert_int_equal(v, 10);
	assert_true(cm_queue_put(q, 40));       /* wraps around */
	for (intptr_t want = 20; want <= 40; want += 10) {
		assert_true(cm_queue_get(q, &v));
		assert_int_equal(v, want);
	}
	assert_int_equal(cm_queue_depth(q), 0);
	snap_read();
	r = queue_named("t-q");
	assert_int_equal(r->depth, 0);
	assert_int_equal(r->puts, 4);
	assert_int_equal(r->gets, 4);
	cm_queue_free(q);
	snap_read();
	assert_null(queue_named("t-q"));
	cm_queue_free(NULL);
}

static void *putter(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	w->ok = cm_queue_put(w->q, w->item);
	return NULL;
}

static void *getter(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	w->ok = cm_queue_get(w->q, &w->item);
	return NULL;
}

static void test_queue_blocking(void **state)
{
	(void)state;
	struct cm_queue *q = cm_queue_new("t-qb", 2, CM_PRIVATE);
	intptr_t v;
	cm_queue_put(q, 1);
	cm_queue_put(q, 2);
	struct worker p = { .role = "producer", .q = q, .item = 3 };
	start(&p, putter);
	POLL(queue_named("t-qb")->blocked_put == 1 && waits_on("producer", CM_WAIT_QUEUE_PUT, "t-qb"));
	assert_int_equal(queue_named("t-qb")->depth, 2);
	assert_true(cm_queue_get(q, &v));
	assert_int_equal(v, 1);
	join(&p);
	assert_true(p.ok);
	assert_true(cm_queue_get(q, &v) && v == 2);
	assert_true(cm_queue_get(q, &v) && v == 3);

	struct worker c = { .role = "consumer", .q = q };
	start(&c, getter);
	POLL(queue_named("t-qb")->blocked_get == 1 && waits_on("consumer", CM_WAIT_QUEUE_GET, "t-qb"));
	assert_true(cm_queue_put(q, 7));
	join(&c);
	assert_true(c.ok);
	assert_int_equal(c.item, 7);
	snap_read();
	const struct telemetry_queue *r = queue_named("t-qb");
	assert_int_equal(r->blocked_put + r->blocked_get + r->depth, 0);
	assert_null(thread_role("consumer"));
	cm_queue_free(q);
}

static void test_queue_close(void **state)
{
	(void)state;
	struct cm_queue *q = cm_queue_new("t-qc", 2, CM_PRIVATE);
	intptr_t v = 0;
	cm_queue_put(q, 5);
	cm_queue_close(q);
	assert_false(cm_queue_put(q, 6));       /* closed: no more puts */
	assert_true(cm_queue_get(q, &v));       /* what is left drains */
	assert_int_equal(v, 5);
	assert_false(cm_queue_get(q, &v));
	snap_read();
	assert_true(queue_named("t-qc")->closed);
	assert_int_equal(queue_named("t-qc")->puts, 1);
	cm_queue_free(q);

	q = cm_queue_new("t-qc-get", 1, CM_PRIVATE);     /* a blocked get is released */
	struct worker c = { .role = "closed-getter", .q = q };
	start(&c, getter);
	POLL(waits_on("closed-getter", CM_WAIT_QUEUE_GET, "t-qc-get"));
	cm_queue_close(q);
	join(&c);
	assert_false(c.ok);
	cm_queue_free(q);

	q = cm_queue_new("t-qc-put", 1, CM_PRIVATE);     /* so is a blocked put */
	cm_queue_put(q, 1);
	struct worker p = { .role = "closed-putter", .q = q, .item = 2 };
	start(&p, putter);
	POLL(waits_on("closed-putter", CM_WAIT_QUEUE_PUT, "t-qc-put"));
	cm_queue_close(q);
	join(&p);
	assert_false(p.ok);
	assert_int_equal(cm_queue_depth(q), 1);
	cm_queue_free(q);
}

struct flow {
	struct cm_queue *q;
	atomic_long sum;
};

static void *produce(void *arg)
{
	struct flow *f = arg;
	for (intptr_t i = 1; i <= 5000; i++)
		cm_queue_put(f->q, i);
	return NULL;
}

static void *consume(void *arg)
{
	struct flow *f = arg;
	intptr_t v;
	while (cm_queue_get(f->q, &v))
		atomic_fetch_add(&f->sum, v);
	return NULL;
}

static void test_queue_threads(void **state)
{
	(void)state;
	struct flow f = { .q = cm_queue_new("t-flow", 8, CM_PRIVATE) };
	pthread_t p[2], c[2];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&c[i], NULL, consume, &f), 0);
		assert_int_equal(pthread_create(&p[i], NULL, produce, &f), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(p[i], NULL);
	cm_queue_close(f.q);
	for (int i = 0; i < 2; i++)
		pthread_join(c[i], NULL);
	assert_int_equal(atomic_load(&f.sum), 2L * 5000 * 5001 / 2);
	snap_read();
	const struct telemetry_queue *r = queue_named("t-flow");
	assert_int_equal(r->puts, 10000);
	assert_int_equal(r->gets, 10000);
	assert_int_equal(r->depth + r->blocked_put + r->blocked_get, 0);
	cm_queue_free(f.q);
}

static int child_produces(void *arg)
{
	cm_thread_role("fork-producer");
	for (intptr_t i = 1; i <= 200; i++)
		if (!cm_queue_put(arg, i))
			return 1;
	return 0;
}

/* The washer-dryer-procs shape: a queue in shared memory across fork. */
static void test_queue_shared_fork(void **state)
{
	(void)state;
	struct cm_queue *q = cm_queue_new("t-shared", 4, CM_SHARED);
	pid_t pid = child(child_produces, q);
	POLL(queue_named("t-shared")->blocked_put == 1 &&
	     waits_on("fork-producer", CM_WAIT_QUEUE_PUT, "t-shared"));
	assert_int_equal(thread_role("fork-producer")->pid, pid);
	assert_int_equal(queue_named("t-shared")->depth, 4);
	for (intptr_t i = 1; i <= 200; i++) {
		intptr_t v;
		assert_true(cm_queue_get(q, &v));
		assert_int_equal(v, i);
	}
	assert_int_equal(child_status(pid), 0);
	snap_read();
	const struct telemetry_queue *r = queue_named("t-shared");
	assert_true(r->shared);
	assert_int_equal(r->pid, getpid());
	assert_int_equal(r->puts, 200);
	assert_int_equal(r->gets, 200);
	assert_int_equal(r->depth, 0);
	cm_queue_free(q);
}

/* A private queue copied into a child is the child's own: unpublished. */
static int child_private_queue(void *arg)
{
	intptr_t v;
	if (!cm_queue_get(arg, &v) || v != 9)
		return 1;
	return cm_queue_put(arg, 1) && cm_queue_put(arg, 2) ? 0 : 1;
}

static void test_queue_private_fork(void **state)
{
	(void)state;
	struct cm_queue *q = cm_queue_new("t-qpriv", 4, CM_PRIVATE);
	cm_queue_put(q, 9);
	assert_int_equal(child_status(child(child_private_queue, q)), 0);
	snap_read();
	assert_int_equal(queue_named("t-qpriv")->depth, 1);
	assert_int_equal(queue_named("t-qpriv")->puts, 1);
	cm_queue_free(q);
}

/* ---- knobs and values ---- */

static int child_waits_for_knob(void *arg)
{
	for (int i = 0; i < 10000; i++) {
		if (cm_knob_get(arg) == 3)
			return 0;
		usleep(1000);
	}
	return 1;
}

static void test_knob_round_trip(void **state)
{
	(void)state;
	struct cm_knob *k = cm_knob_new("t-speed", 5, 1, 10);
	assert_int_equal(cm_knob_get(k), 5);
	snap_read();
	assert_int_equal(snap.n_knobs, 1);
	assert_string_equal(snap.knobs[0].name, "t-speed");
	assert_int_equal(snap.knobs[0].value, 5);
	assert_int_equal(snap.knobs[0].min, 1);
	assert_int_equal(snap.knobs[0].max, 10);
	assert_int_equal(snap.knobs[0].pid, getpid());

	assert_true(knob_set("t-speed", 8));             /* concmon turns it */
	assert_int_equal(cm_knob_get(k), 8);
	assert_false(knob_set("t-speed", 11));           /* out of range */
	assert_false(knob_set("t-nope", 1));
	assert_int_equal(cm_knob_get(k), 8);
	cm_knob_set(k, 100);                             /* the program clamps */
	assert_int_equal(cm_knob_get(k), 10);
	snap_read();
	assert_int_equal(snap.knobs[0].value, 10);
	cm_knob_set(k, -5);
	assert_int_equal(cm_knob_get(k), 1);

	/* A forked child reads the same knob: concmon turns it for both. */
	pid_t pid = child(child_waits_for_knob, k);
	assert_true(knob_set("t-speed", 3));
	assert_int_equal(child_status(pid), 0);
	assert_int_equal(cm_knob_get(k), 3);

	struct cm_knob *c = cm_knob_new("t-clamped", 50, 0, 4);
	assert_int_equal(cm_knob_get(c), 4);
}

static int child_adds(void *arg)
{
	cm_value_add(arg, 10);
	return 0;
}

static void test_values(void **state)
{
	(void)state;
	struct cm_value *v = cm_value_new("t-lost");
	assert_int_equal(cm_value_get(v), 0);
	cm_value_set(v, 5);
	cm_value_add(v, 3);
	assert_int_equal(cm_value_get(v), 8);
	assert_int_equal(child_status(child(child_adds, v)), 0);
	assert_int_equal(cm_value_get(v), 18);
	cm_value_add(v, -20);
	snap_read();
	assert_int_equal(snap.n_values, 1);
	assert_string_equal(snap.values[0].name, "t-lost");
	assert_int_equal(snap.values[0].value, -2);
}

/* ---- threads and processes ---- */

static void *named(void *arg)
{
	struct worker *w = arg;
	cm_thread_role(w->role);
	atomic_store(&w->tid, gettid());
	while (!atomic_load(&w->go))
		usleep(1000);
	return NULL;
}

static void test_thread_role(void **state)
{
	(void)state;
	struct worker w = { .role = "washer-with-a-long-role" };
	start(&w, named);
	POLL(atomic_load(&w.tid) && thread_tid(atomic_load(&w.tid)));
	const struct telemetry_thread *t = thread_tid(atomic_load(&w.tid));
	assert_string_equal(t->role, "washer-with-a-long-role");
	assert_int_equal(t->pid, getpid());
	assert_int_equal(t->wait_kind, CM_WAIT_NONE);
	char comm[16];
	assert_int_equal(pthread_getname_np(w.th, comm, sizeof comm), 0);
	assert_string_equal(comm, "washer-with-a-l");        /* the kernel keeps 15 */
	atomic_store(&w.go, 1);
	join(&w);
	snap_read();
	assert_null(thread_tid(atomic_load(&w.tid)));

	cm_thread_role("main-thread");                   /* renaming keeps one record */
	cm_thread_role("main-renamed");
	snap_read();
	assert_string_equal(thread_tid(gettid())->role, "main-renamed");
	assert_null(thread_role("main-thread"));
}

struct leaver {
	int ready[2], go[2];
};

/* Publishes a thread, a private lock and a shared queue, then exits. */
static int child_leaves(void *arg)
{
	struct leaver *l = arg;
	cm_thread_role("leaver");
	struct cm_mutex *m = cm_mutex_new("t-exit-priv", false, CM_PRIVATE);
	struct cm_queue *q = cm_queue_new("t-exit-shared", 2, CM_SHARED);
	char c = 0;
	if (write(l->ready[1], &c, 1) != 1 || read(l->go[0], &c, 1) != 1)
		return 1;
	(void)m;
	(void)q;
	exit(0);                        /* not _exit: the probe cleans up at exit */
}

static void test_exit_cleanup(void **state)
{
	(void)state;
	struct leaver l;
	assert_int_equal(pipe(l.ready), 0);
	assert_int_equal(pipe(l.go), 0);
	pid_t pid = child(child_leaves, &l);
	char c;
	assert_int_equal(read(l.ready[0], &c, 1), 1);
	snap_read();
	assert_non_null(thread_role("leaver"));
	assert_non_null(lock_named("t-exit-priv"));
	assert_non_null(queue_named("t-exit-shared"));
	assert_int_equal(write(l.go[1], &c, 1), 1);
	assert_int_equal(child_status(pid), 0);
	snap_read();
	assert_null(thread_role("leaver"));
	assert_null(lock_named("t-exit-priv"));
	assert_non_null(queue_named("t-exit-shared"));  /* others may still use it */
	for (int i = 0; i < 2; i++) {
		close(l.ready[i]);
		close(l.go[i]);
	}
}

int main(void)
{
	reader_start();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_basic),
		cmocka_unit_test(test_queue_blocking),
		cmocka_unit_test(test_queue_close),
		cmocka_unit_test(test_queue_threads),
		cmocka_unit_test(test_queue_shared_fork),
		cmocka_unit_test(test_queue_private_fork),
		cmocka_unit_test(test_knob_round_trip),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_thread_role),
		cmocka_unit_test(test_exit_cleanup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	reader_stop();
	return rc;
}
