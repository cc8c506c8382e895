/* test_trace_site.c - how the tracer names a lock: its first call site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace/trace_site.h"

static void symbol_and_offset(void **state)
{
	(void)state;
	char out[32];
	trace_site_format(out, sizeof out, "main", "/usr/bin/prog", 0x4f);
	assert_string_equal(out, "main+0x4f");
}

static void file_base_name_without_symbol(void **state)
{
	(void)state;
	char out[32];
	trace_site_format(out, sizeof out, NULL, "/usr/lib/libfoo.so", 0x1234);
	assert_string_equal(out, "libfoo.so+0x1234");
	trace_site_format(out, sizeof out, "", "", 0x10);
	assert_string_equal(out, "?+0x10");
}

static void long_name_is_shortened_never_the_offset(void **state)
{
	(void)state;
	char out[32];
	trace_site_format(out, sizeof out, "PyThread_acquire_lock_timed_with_retries", NULL, 0x9a);
	assert_int_equal(strlen(out), 31);
	assert_string_equal(out + 31 - 5, "+0x9a");
	assert_memory_equal(out, "PyThread_acquire_lock_t", 23);
}

static void names_a_real_function(void **state)
{
	(void)state;
	char out[32];
	/* strlen is exported by libc: a code address inside it is named after it. */
	trace_site_name(out, sizeof out, (uintptr_t)&strlen + 1);
	assert_non_null(strstr(out, "+0x1"));
	trace_site_name(out, sizeof out, 0);
	assert_string_equal(out, "?+0x0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symbol_and_offset),
		cmocka_unit_test(file_base_name_without_symbol),
		cmocka_unit_test(long_name_is_shortened_never_the_offset),
		cmocka_unit_test(names_a_real_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
