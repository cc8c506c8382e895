/* test_sysmeter.c - the CPU shares from two tick readings (nice counted
 * as user, irq and softirq as system, a counter going backwards as 0, no
 * tick passed: no new shares), and a real read of this machine's meters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <unistd.h>

#include "kernel/sysmeter.h"

static void test_shares_sum_to_100(void **state)
{
	(void)state;
	struct sysmeter_ticks a = { .user = 100, .nice = 10, .system = 50, .idle = 1000,
				    .iowait = 5, .irq = 1, .softirq = 2, .steal = 0 };
	struct sysmeter_ticks b = a;
	b.user += 30, b.nice += 10, b.system += 10, b.irq += 5, b.softirq += 5;
	b.idle += 20, b.iowait += 10, b.steal += 10;          /* 100 ticks in all */
	struct sysmeter_cpu c = { .id = 3 };
	assert_true(sysmeter_cpu_shares(&a, &b, &c));
	assert_int_equal(c.id, 3);
	assert_float_equal(c.user, 40.0, 1e-9);
	assert_float_equal(c.system, 20.0, 1e-9);
	assert_float_equal(c.iowait, 10.0, 1e-9);
	assert_float_equal(c.steal, 10.0, 1e-9);
	assert_float_equal(c.idle, 20.0, 1e-9);
	assert_float_equal(sysmeter_busy(&c), 80.0, 1e-9);
}

static void test_no_tick_keeps_shares(void **state)
{
	(void)state;
	struct sysmeter_ticks a = { .user = 7, .idle = 9 };
	struct sysmeter_cpu c = { .user = 12.5, .idle = 87.5 };
	assert_false(sysmeter_cpu_shares(&a, &a, &c));
	assert_float_equal(c.user, 12.5, 1e-9);
	assert_float_equal(c.idle, 87.5, 1e-9);
}

/* iowait may go backwards (the kernel documents it as unreliable): that
 * counter adds nothing, and the others still share 100. */
static void test_backwards_counter_is_zero(void **state)
{
	(void)state;
	struct sysmeter_ticks a = { .user = 100, .idle = 100, .iowait = 50 };
	struct sysmeter_ticks b = { .user = 150, .idle = 150, .iowait = 40 };
	struct sysmeter_cpu c = { 0 };
	assert_true(sysmeter_cpu_shares(&a, &b, &c));
	assert_float_equal(c.user, 50.0, 1e-9);
	assert_float_equal(c.idle, 50.0, 1e-9);
	assert_float_equal(c.iowait, 0.0, 1e-9);
}

/* From zero: the shares since boot, what the first read shows. */
static void test_first_read_since_boot(void **state)
{
	(void)state;
	struct sysmeter_ticks zero = { 0 }, b = { .user = 1, .steal = 3 };
	struct sysmeter_cpu c = { 0 };
	assert_true(sysmeter_cpu_shares(&zero, &b, &c));
	assert_float_equal(c.user, 25.0, 1e-9);
	assert_float_equal(c.steal, 75.0, 1e-9);
}

static void check_cpu(const struct sysmeter_cpu *c)
{
	double parts[] = { c->user, c->system, c->iowait, c->steal, c->idle };
	double sum = 0;
	for (size_t i = 0; i < 5; i++) {
		assert_true(parts[i] >= 0 && parts[i] <= 100);
		sum += parts[i];
	}
	assert_float_equal(sum, 100.0, 1e-6);
}

static void test_real_read(void **state)
{
	(void)state;
	struct sysmeter *m = sysmeter_new();
	const struct sysmeter_reading *r = NULL;
	for (int i = 0; i < 3; i++)
		r = sysmeter_read(m);
	assert_true(r->cpu_known);
	assert_int_equal(r->ncpus, (size_t)sysconf(_SC_NPROCESSORS_ONLN));
	check_cpu(&r->total);
	assert_int_equal(r->total.id, -1);
	for (size_t i = 0; i < r->ncpus; i++) {
		check_cpu(&r->cpus[i]);
		if (i)
			assert_true(r->cpus[i].id > r->cpus[i - 1].id);
	}
	assert_true(r->mem_known);
	assert_true(r->mem_total_kb > 0 && r->mem_used_kb <= r->mem_total_kb);
	assert_true(r->swap_used_kb <= r->swap_total_kb);
	assert_true(r->load_known && r->load[0] >= 0);
	assert_true(r->uptime_known && r->uptime_s > 0);
	assert_true(r->tasks_known);
	assert_true(r->tasks_running >= 1);          /* this test is running */
	assert_true(r->tasks_total >= r->tasks_running);
	sysmeter_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares_sum_to_100),
		cmocka_unit_test(test_no_tick_keeps_shares),
		cmocka_unit_test(test_backwards_counter_is_zero),
		cmocka_unit_test(test_first_read_since_boot),
		cmocka_unit_test(test_real_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
