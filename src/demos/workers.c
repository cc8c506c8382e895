/* workers.c - a resizable set of worker threads. */
#include "workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "concmon/cmprobe.h"

struct worker {
	struct worker_set *set;
	pthread_t thread;
	int id;
	bool started;               /* only the owner of the set reads/writes */
	atomic_bool retired;
	atomic_bool done;
	char name[CM_NAME_MAX];
};

struct worker_set {
	worker_fn fn;
	void *arg;
	int max;
	struct worker *slots;
};

static void *worker_main(void *p)
{
	struct worker *w = p;

	cm_thread_role(w->name);
	w->set->fn(w);
	atomic_store(&w->done, true);
	return NULL;
}

struct worker_set *workers_new(const char *role, int max, worker_fn fn, void *arg)
{
	struct worker_set *s = demo_xcalloc(1, sizeof *s);

	s->fn = fn;
	s->arg = arg;
	s->max = max;
	s->slots = demo_xcalloc((size_t)max, sizeof *s->slots);
	for (int i = 0; i < max; i++) {
		s->slots[i].set = s;
		s->slots[i].id = i + 1;
		snprintf(s->slots[i].name, sizeof s->slots[i].name, "%s-%d", role, i + 1);
	}
	return s;
}

static void join_finished(struct worker_set *s)
{
	for (int i = 0; i < s->max; i++) {
		struct worker *w = &s->slots[i];

		if (w->started && atomic_load(&w->done)) {
			demo_thread_join(w->thread);
			w->started = false;
		}
	}
}

void workers_follow_knob(struct worker_set *s, const char *what, const struct cm_knob *k,
			 long *last)
{
	long before = *last;

	if (demo_knob_changed(k, last))
		printf("main: %s %ld -> %ld\n", what, before, *last);
	workers_resize(s, (int)*last);
}

int workers_active(const struct worker_set *s)
{
	int n = 0;

	for (int i = 0; i < s->max; i++)
		if (s->slots[i].started && !atomic_load(&s->slots[i].retired))
			n++;
	return n;
}

/* Grows by un-retiring workers that have not left yet, then by starting
 * new ones in free slots (lowest numbers first). */
static void grow(struct worker_set *s, int want)
{
	for (int i = 0; i < s->max && workers_active(s) < want; i++) {
		struct worker *w = &s->slots[i];

		if (w->started && atomic_load(&w->retired) && !atomic_load(&w->done))
			atomic_store(&w->retired, false);
	}
	for (int i = 0; i < s->max && workers_active(s) < want; i++) {
		struct worker *w = &s->slots[i];

		if (w->started)
			continue;
		atomic_store(&w->retired, false);
		atomic_store(&w->done, false);
		w->started = true;
		demo_thread_start(&w->thread, worker_main, w);
	}
}

int workers_resize(struct worker_set *s, int n)
{
	if (n < 0)
		n = 0;
	if (n > s->max)
		n = s->max;
	join_finished(s);
	grow(s, n);
	for (int i = s->max - 1; i >= 0 && workers_active(s) > n; i--) {
		struct worker *w = &s->slots[i];

		if (w->started && !atomic_load(&w->retired))
			atomic_store(&w->retired, true);
	}
	return workers_active(s);
}

void workers_retire_all(struct worker_set *s)
{
	for (int i = 0; i < s->max; i++)
		atomic_store(&s->slots[i].retired, true);
}

void workers_join_all(struct worker_set *s)
{
	for (int i = 0; i < s->max; i++) {
		if (s->slots[i].started) {
			demo_thread_join(s->slots[i].thread);
			s->slots[i].started = false;
		}
	}
}

void workers_free(struct worker_set *s)
{
	if (!s)
		return;
	workers_retire_all(s);
	workers_join_all(s);
	free(s->slots);
	free(s);
}

bool worker_should_go(const struct worker *w)
{
	return atomic_load(&w->retired) || demo_should_stop();
}

bool worker_retired(const struct worker *w)
{
	return atomic_load(&w->retired);
}

void *worker_arg(const struct worker *w)
{
	return w->set->arg;
}

int worker_id(const struct worker *w)
{
	return w->id;
}

const char *worker_name(const struct worker *w)
{
	return w->name;
}
