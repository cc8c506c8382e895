/* test_sigtable.c - every signal present once, named as glibc names it, parsable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "model/sigtable.h"

static void test_table_complete_and_ordered(void **state)
{
	(void)state;
	size_t n = 0;
	const struct sigdesc *t = sigtable(&n);
	assert_non_null(t);
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
	/* 1..31 with none missing on these architectures */
	assert_int_equal(n, 31);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i].signo, (int)i + 1);
#endif
	for (size_t i = 1; i < n; i++)
		assert_true(t[i - 1].signo < t[i].signo);
}

static void test_names_match_glibc(void **state)
{
	(void)state;
	size_t n;
	const struct sigdesc *t = sigtable(&n);
	for (size_t i = 0; i < n; i++) {
		const char *abbrev = sigabbrev_np(t[i].signo);
		assert_non_null(abbrev);
		/* glibc calls 29 POLL; the table says IO (as signal(7) does) and
		 * accepts POLL as an alias */
		if (t[i].signo == SIGIO)
			assert_string_equal(t[i].name, "IO");
		else if (strcmp(abbrev, t[i].name) != 0)
			fail_msg("signal %d: table says %s, glibc %s", t[i].signo, t[i].name, abbrev);
		assert_int_equal(sigtable_parse(abbrev), t[i].signo);
	}
}

static void test_descriptions_fit_one_line(void **state)
{
	(void)state;
	size_t n;
	const struct sigdesc *t = sigtable(&n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(t[i].what);
		assert_true(len > 10);
		assert_true(len <= 80);
		assert_null(strchr(t[i].what, '\n'));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(t[i].name, t[j].name);
	}
	assert_string_equal(sigtable_find(SIGTERM)->what,
			    "terminate: polite request to exit; can be caught or ignored");
	assert_non_null(strstr(sigtable_find(SIGKILL)->what, "cannot be caught, blocked or ignored"));
	assert_non_null(strstr(sigtable_find(SIGSTOP)->what, "cannot be caught"));
	assert_non_null(strstr(sigtable_find(SIGCONT)->what, "continue a stopped process"));
	assert_non_null(strstr(sigtable_find(SIGCHLD)->what, "(default: ignored)"));
}

static void test_find(void **state)
{
	(void)state;
	const struct sigdesc *d = sigtable_find(SIGKILL);
	assert_non_null(d);
	assert_int_equal(d->signo, 9);
	assert_string_equal(d->name, "KILL");
	assert_string_equal(sigtable_find(SIGSTKFLT)->name, "STKFLT");
	assert_string_equal(sigtable_find(SIGSYS)->name, "SYS");
	assert_null(sigtable_find(0));
	assert_null(sigtable_find(-1));
	assert_null(sigtable_find(32));
	assert_null(sigtable_find(SIGRTMIN));
}

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(sigtable_parse("TERM"), SIGTERM);
	assert_int_equal(sigtable_parse("SIGTERM"), SIGTERM);
	assert_int_equal(sigtable_parse("sigterm"), SIGTERM);
	assert_int_equal(sigtable_parse("Term"), SIGTERM);
	assert_int_equal(sigtable_parse("15"), SIGTERM);
	assert_int_equal(sigtable_parse("9"), SIGKILL);
	assert_int_equal(sigtable_parse("sigKILL"), SIGKILL);
	assert_int_equal(sigtable_parse("int"), SIGINT);
	assert_int_equal(sigtable_parse("SIGINT"), SIGINT);
	assert_int_equal(sigtable_parse("31"), SIGSYS);
	assert_int_equal(sigtable_parse("1"), SIGHUP);
	assert_int_equal(sigtable_parse("IOT"), SIGABRT);
	assert_int_equal(sigtable_parse("sigpoll"), SIGIO);
	assert_int_equal(sigtable_parse("CLD"), SIGCHLD);
	assert_int_equal(sigtable_parse("vtalrm"), SIGVTALRM);

	static const char *bad[] = { "", "0", "32", "64", "-9", "15x", "x15", "99999999999999",
				     "SIG", "SIGFOO", "TERM ", " TERM", "SIGSIGTERM", "TERMINATE",
				     "TER" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sigtable_parse(bad[i]) != -1)
			fail_msg("accepted: '%s'", bad[i]);
	}
	assert_int_equal(sigtable_parse(NULL), -1);
}

static void test_every_name_round_trips(void **state)
{
	(void)state;
	size_t n;
	const struct sigdesc *t = sigtable(&n);
	for (size_t i = 0; i < n; i++) {
		char buf[32];
		assert_int_equal(sigtable_parse(t[i].name), t[i].signo);
		snprintf(buf, sizeof(buf), "SIG%s", t[i].name);
		assert_int_equal(sigtable_parse(buf), t[i].signo);
		snprintf(buf, sizeof(buf), "%d", t[i].signo);
		assert_int_equal(sigtable_parse(buf), t[i].signo);
		assert_ptr_equal(sigtable_find(t[i].signo), &t[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete_and_ordered),
		cmocka_unit_test(test_names_match_glibc),
		cmocka_unit_test(test_descriptions_fit_one_line),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_every_name_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
