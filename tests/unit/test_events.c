/* Unit tests for the event ring and for events derived from snapshots. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"
#include "model/taskdiff.h"

#define SELF 100

static void test_ring_drops_the_oldest(void **state)
{
	(void)state;
	struct events *ev = events_new(3);
	for (int i = 1; i <= 5; i++)
		events_add(ev, (struct event){ .kind = EV_SPAWNED, .pid = i, .time = 1.0 });
	assert_int_equal(events_last(ev), 5);
	struct event out[8];
	size_t n = events_since(ev, 0, out, 8);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].pid, 3);
	assert_int_equal(out[2].seq, 5);
	assert_int_equal(events_since(ev, 4, out, 8), 1);
	assert_int_equal(events_since(ev, 5, out, 8), 0);
	assert_int_equal(events_since(ev, 0, out, 2), 2);
	events_free(ev);
}

/* Every (after, max) against what a scan of the whole history would give,
 * through many wraps of a small ring. */
static void test_since_by_index_matches_a_scan(void **state)
{
	(void)state;
	enum { CAP = 7, TOTAL = 40 };
	struct events *ev = events_new(CAP);
	struct event out[CAP + 2];
	for (uint64_t added = 0; added <= TOTAL; added++) {
		uint64_t oldest = added > CAP ? added - CAP + 1 : 1;
		for (uint64_t after = 0; after <= added + 1; after++) {
			for (size_t max = 1; max <= CAP + 2; max++) {
				uint64_t from = after + 1 > oldest ? after + 1 : oldest;
				size_t want = from > added ? 0 : (size_t)(added - from + 1);
				if (want > max)
					want = max;
				size_t n = events_since(ev, after, out, max);
				assert_int_equal(n, want);
				for (size_t i = 0; i < n; i++) {
					assert_int_equal(out[i].seq, from + i);
					assert_int_equal(out[i].pid, (pid_t)(from + i));
				}
			}
		}
		events_add(ev, (struct event){ .kind = EV_EXEC, .pid = (pid_t)(added + 1), .time = 1.0 });
	}
	events_free(ev);
}

static void test_json_and_text(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct event e = { .seq = 7, .time = 1700000000.25, .kind = EV_KILLED, .pid = 42, .tid = 42,
			   .code = 9, .exact = true };
	strcpy(e.comm, "sl\"eep\n");
	events_json(fp, &e);
	fclose(fp);
	assert_string_equal(buf, "{\"seq\":7,\"time\":1700000000.250,\"event\":\"killed\",\"pid\":42,"
				 "\"tid\":42,\"comm\":\"sl\\\"eep\\n\",\"signal\":9,\"exact\":true}");
	free(buf);
	char line[200];
	events_describe(&e, line, sizeof line);
	assert_non_null(strstr(line, "killed 42 (sl\"eep\\n) by SIGKILL"));
	e.kind = EV_SIGNAL;
	e.code = 15;
	e.result = 3; /* ESRCH */
	events_describe(&e, line, sizeof line);
	assert_non_null(strstr(line, "signal SIGTERM to 42"));
	assert_non_null(strstr(line, "No such process"));
	events_describe(&e, line, 5); /* truncates, never overflows */
	assert_int_equal(strlen(line), 4);
}

static struct task mk(pid_t tid, pid_t pid, pid_t ppid, char state, const char *cmd)
{
	struct task t = { .tid = tid, .pid = pid, .ppid = ppid, .state = state, .start_ticks = 5,
			  .supervised = true, .cmdline = (char *)cmd };
	snprintf(t.comm, sizeof t.comm, "%s", cmd);
	return t;
}

static size_t collect(struct events *ev, uint64_t *after, enum event_kind *kinds, size_t max)
{
	struct event out[32];
	size_t n = events_since(ev, *after, out, 32);
	for (size_t i = 0; i < n && i < max; i++)
		kinds[i] = out[i].kind;
	if (n)
		*after = out[n - 1].seq;
	return n;
}

static void test_diff_polling(void **state)
{
	(void)state;
	struct events *ev = events_new(64);
	struct taskdiff *d = taskdiff_new(SELF);
	uint64_t after = 0;
	enum event_kind k[16];
	struct task a[] = { mk(200, 200, SELF, 'S', "sh") };
	taskdiff_update(d, a, 1, false, ev); /* the first sight of it */
	assert_int_equal(collect(ev, &after, k, 16), 1);
	assert_int_equal(k[0], EV_SPAWNED);
	struct task b[] = { mk(200, 200, SELF, 'S', "sleep 5"), mk(201, 201, 200, 'Z', "true"),
			    mk(202, 200, SELF, 'S', "sleep 5") };
	taskdiff_update(d, b, 3, false, ev);
	assert_int_equal(collect(ev, &after, k, 16), 4);
	assert_int_equal(k[0], EV_EXEC);
	assert_int_equal(k[1], EV_SPAWNED);
	assert_int_equal(k[2], EV_ZOMBIE);
	assert_int_equal(k[3], EV_THREAD);
	struct task c[] = { mk(200, 200, SELF, 'T', "sleep 5"), mk(202, 200, SELF, 'T', "sleep 5") };
	taskdiff_update(d, c, 2, false, ev); /* the zombie was reaped by its parent */
	assert_int_equal(collect(ev, &after, k, 16), 2);
	assert_int_equal(k[0], EV_STOPPED);
	assert_int_equal(k[1], EV_REAPED);
	struct task e[] = { mk(200, 200, SELF, 'S', "sleep 5") };
	taskdiff_update(d, e, 1, false, ev);
	assert_int_equal(collect(ev, &after, k, 16), 1);
	assert_int_equal(k[0], EV_CONTINUED);
	taskdiff_update(d, NULL, 0, false, ev);
	assert_int_equal(collect(ev, &after, k, 16), 2);
	assert_int_equal(k[0], EV_EXITED);
	assert_int_equal(k[1], EV_REAPED);
	taskdiff_free(d);
	events_free(ev);
}

/* 300 processes, then 2: every one that went is reported, once (the diff
 * shrinks its buffers when the tree does, and must still read all of the
 * last refresh: under ASan a short read would be a report). */
static void test_diff_when_the_tree_shrinks_at_once(void **state)
{
	(void)state;
	enum { MANY = 300 };
	struct events *ev = events_new(2 * MANY);
	struct taskdiff *d = taskdiff_new(SELF);
	static struct task many[MANY];
	for (int i = 0; i < MANY; i++)
		many[i] = mk(1000 + i, 1000 + i, SELF, 'S', "sleep 9");
	taskdiff_update(d, many, MANY, true, ev);
	uint64_t after = events_last(ev);
	taskdiff_update(d, many + MANY - 2, 2, false, ev);
	static struct event out[2 * MANY];
	size_t n = events_since(ev, after, out, 2 * MANY);
	assert_int_equal(n, 2 * (MANY - 2)); /* exited and reaped, each */
	assert_int_equal(out[0].pid, 1000);
	assert_int_equal(out[n - 1].pid, 1000 + MANY - 3);
	taskdiff_update(d, NULL, 0, false, ev);
	assert_int_equal(events_since(ev, events_last(ev) - 4, out, 8), 4);
	assert_int_equal(out[3].pid, 1000 + MANY - 1);
	taskdiff_free(d);
	events_free(ev);
}

static void test_diff_exact_and_reparent(void **state)
{
	(void)state;
	struct events *ev = events_new(64);
	struct taskdiff *d = taskdiff_new(SELF);
	uint64_t after = 0;
	enum event_kind k[16];
	struct task a[] = { mk(200, 200, SELF, 'S', "sh"), mk(300, 300, 200, 'S', "sleep") };
	taskdiff_update(d, a, 2, true, ev); /* exact: the spawns came from the kernel */
	assert_int_equal(collect(ev, &after, k, 16), 0);
	struct task b[] = { mk(300, 300, SELF, 'S', "sleep"), mk(400, 400, 300, 'S', "new") };
	b[0].start_ticks = 5;
	struct task gone = mk(200, 200, SELF, 'X', "sh");
	gone.exited = gone.exit_known = true; /* concmon reaped it and said so itself */
	struct task all[] = { gone, b[0], b[1] };
	taskdiff_update(d, all, 3, true, ev);
	/* exact: no spawned/exited from polling; the reparenting is still derived */
	assert_int_equal(collect(ev, &after, k, 16), 1);
	assert_int_equal(k[0], EV_REPARENTED);
	struct event out[4];
	events_since(ev, 0, out, 4);
	assert_int_equal(out[0].other, 200);
	assert_int_equal(out[0].code, SELF);
	taskdiff_free(d);
	events_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_drops_the_oldest),
		cmocka_unit_test(test_since_by_index_matches_a_scan),
		cmocka_unit_test(test_json_and_text),
		cmocka_unit_test(test_diff_polling),
		cmocka_unit_test(test_diff_when_the_tree_shrinks_at_once),
		cmocka_unit_test(test_diff_exact_and_reparent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
