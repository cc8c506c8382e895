/* test_peaks.c - the header's peaks: the kernel's rise added to the
 * previous snapshot, never below either snapshot, rates per second, and
 * nothing at all without kernel events. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/peaks.h"

static struct task proc(pid_t pid, int threads, char state)
{
	struct task t;
	memset(&t, 0, sizeof t);
	t.tid = t.pid = pid;
	t.state = state;
	t.threads = threads;
	t.supervised = true;
	t.cmdline = (char *)"";
	return t;
}

static void test_spike_between_refreshes(void **state)
{
	(void)state;
	struct peaks *p = peaks_new();
	struct task one = proc(10, 1, 'S');
	struct peak_frame f;
	struct kevents_peaks k = { 0 };
	peaks_refresh(p, &one, 1, &k, 100.0, &f);
	assert_false(f.known);           /* no previous refresh to count from */
	/* 200 threads started and ended between refreshes 2 s apart. */
	k = (struct kevents_peaks){ .forks = 4, .exits = 2, .thread_rise = 200, .zombies = 1 };
	peaks_refresh(p, &one, 1, &k, 102.0, &f);
	assert_true(f.known);
	assert_int_equal(f.threads, 201);
	assert_int_equal(f.zombies, 1);
	assert_true(f.forks_per_s > 1.99 && f.forks_per_s < 2.01);
	assert_true(f.exits_per_s > 0.99 && f.exits_per_s < 1.01);
	/* A quiet period: the snapshot itself is the peak. */
	struct task two[] = { proc(10, 5, 'S'), proc(11, 1, 'Z') };
	k = (struct kevents_peaks){ 0 };
	peaks_refresh(p, two, 2, &k, 103.0, &f);
	assert_int_equal(f.threads, 6);
	assert_int_equal(f.zombies, 1);
	peaks_free(p);
}

static void test_no_kernel_events_no_guess(void **state)
{
	(void)state;
	struct peaks *p = peaks_new();
	struct task one = proc(10, 3, 'S');
	struct peak_frame f;
	peaks_refresh(p, &one, 1, NULL, 1.0, &f);
	peaks_refresh(p, &one, 1, NULL, 2.0, &f);
	assert_false(f.known);
	assert_int_equal(f.threads, 0);
	peaks_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spike_between_refreshes),
		cmocka_unit_test(test_no_kernel_events_no_guess),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
