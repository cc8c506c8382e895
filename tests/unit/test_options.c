/* test_options.c - the command line contract: forms, defaults, errors, usage. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "app/options.h"
#include "export/httpd.h"
#include "model/tasksort.h"

#define ARGV(...) ((char *[]){ "concmon", __VA_ARGS__, NULL })

static char err[256];

/* Parses a NULL-terminated argv; returns the result code. */
static int parse(char *argv[], struct options *o)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(err, 'x', sizeof(err));
	return options_parse(argc, argv, o, err, sizeof(err));
}

static void expect_error(char *argv[], const char *message)
{
	struct options o;
	assert_int_equal(parse(argv, &o), OPTIONS_ERROR);
	assert_string_equal(err, message);
}

static void test_defaults(void **state)
{
	(void)state;
	struct options o;
	char *argv[] = { "concmon", NULL };
	assert_int_equal(parse(argv, &o), OPTIONS_OK);
	assert_string_equal(err, "");
	assert_true(o.delay == 1.0);
	assert_true(o.grace == 3.0);
	assert_int_equal(o.iterations, 0);
	assert_false(o.all);
	assert_false(o.batch);
	assert_false(o.json);
	assert_false(o.help);
	assert_false(o.version);
	assert_false(o.list_keys);
	assert_null(o.command);
	assert_string_equal(o.theme, "default");
}

static void test_theme(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("--theme", "projector"), &o), OPTIONS_OK);
	assert_string_equal(o.theme, "projector");
	assert_int_equal(parse(ARGV("--theme=default"), &o), OPTIONS_OK);
	assert_string_equal(o.theme, "default");
	expect_error(ARGV("--theme", "Projector"),
		     "invalid value 'Projector' for --theme: expected default, monochrome or projector");
	expect_error(ARGV("--theme="), "invalid value '' for --theme: expected default, monochrome or projector");
	expect_error(ARGV("--theme"), "option '--theme' needs a value (NAME)");
}

static void test_columns_sort_linger(void **state)
{
	(void)state;
	struct options o;
	char *none[] = { "concmon", NULL };
	assert_int_equal(parse(none, &o), OPTIONS_OK);
	assert_null(o.columns);
	assert_int_equal(o.sort, -1);
	assert_true(o.linger == 5.0);
	assert_int_equal(parse(ARGV("--columns", "PID,USER,NI,TIME+,COMMAND", "--sort", "-time+",
				    "--linger", "0"), &o), OPTIONS_OK);
	assert_string_equal(o.columns, "PID,USER,NI,TIME+,COMMAND");
	assert_int_equal(o.sort, SORT_TIME);
	assert_true(o.sort_desc);
	assert_true(o.linger == 0.0);
	assert_int_equal(parse(ARGV("--sort=S"), &o), OPTIONS_OK);
	assert_int_equal(o.sort, SORT_STATE);
	assert_false(o.sort_desc);
	assert_int_equal(parse(ARGV("--columns", "PID,NOPE"), &o), OPTIONS_ERROR);
	assert_non_null(strstr(err, "--columns: unknown column 'NOPE' (columns: PID,TID,"));
	assert_non_null(strstr(err, ",CGROUP)"));
	assert_int_equal(parse(ARGV("--sort", "-"), &o), OPTIONS_ERROR);
	assert_non_null(strstr(err, "--sort: unknown column ''"));
	expect_error(ARGV("--linger", "-1"),
		     "invalid value '-1' for --linger: expected seconds from 0 to 86400");
}

static void test_zero_argc(void **state)
{
	(void)state;
	struct options o;
	char *argv[] = { NULL };
	assert_int_equal(options_parse(0, argv, &o, err, sizeof(err)), OPTIONS_OK);
	assert_true(o.delay == 1.0);
}

static void test_delay_forms(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-d", "0.5"), &o), OPTIONS_OK);
	assert_true(o.delay == 0.5);
	assert_int_equal(parse(ARGV("-d0.25"), &o), OPTIONS_OK);
	assert_true(o.delay == 0.25);
	assert_int_equal(parse(ARGV("--delay", "2"), &o), OPTIONS_OK);
	assert_true(o.delay == 2.0);
	assert_int_equal(parse(ARGV("--delay=0.1"), &o), OPTIONS_OK);
	assert_true(o.delay == 0.1);
	assert_int_equal(parse(ARGV("-d", ".5"), &o), OPTIONS_OK);
	assert_true(o.delay == 0.5);
	assert_int_equal(parse(ARGV("-d", "3."), &o), OPTIONS_OK);
	assert_true(o.delay == 3.0);
	assert_int_equal(parse(ARGV("-d", "0"), &o), OPTIONS_OK);
	assert_true(o.delay == 0.0);
	assert_int_equal(parse(ARGV("-d", "3600"), &o), OPTIONS_OK);
	assert_true(o.delay == 3600.0);
	assert_int_equal(parse(ARGV("-d", "1.234567890123456789"), &o), OPTIONS_OK);
	assert_true(o.delay > 1.2345678 && o.delay < 1.2345679);
	/* the last one wins */
	assert_int_equal(parse(ARGV("-d", "1", "--delay=4"), &o), OPTIONS_OK);
	assert_true(o.delay == 4.0);
}

static void test_delay_invalid(void **state)
{
	(void)state;
	static const char *bad[] = { "abc", "-1", "nan", "NaN", "inf", "infinity", "1e3",
				     "0x10", "", ".", "1.2.3", " 1", "1 ", "+1", "3600.001",
				     "99999999999999999999999999999", "1,5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct options o;
		char *argv[] = { "concmon", "--delay", (char *)bad[i], NULL };
		char want[200];
		snprintf(want, sizeof(want),
			 "invalid value '%s' for --delay: expected seconds from 0 to 3600", bad[i]);
		assert_int_equal(parse(argv, &o), OPTIONS_ERROR);
		assert_string_equal(err, want);
	}
	expect_error(ARGV("-d", "-1"), "invalid value '-1' for -d: expected seconds from 0 to 3600");
	expect_error(ARGV("-dx"), "invalid value 'x' for -d: expected seconds from 0 to 3600");
}

static void test_grace(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-g", "0.5"), &o), OPTIONS_OK);
	assert_true(o.grace == 0.5);
	assert_int_equal(parse(ARGV("--grace=0"), &o), OPTIONS_OK);
	assert_true(o.grace == 0.0);
	assert_int_equal(parse(ARGV("-g10"), &o), OPTIONS_OK);
	assert_true(o.grace == 10.0);
	expect_error(ARGV("--grace", "3601"),
		     "invalid value '3601' for --grace: expected seconds from 0 to 3600");
	expect_error(ARGV("-g", "inf"), "invalid value 'inf' for -g: expected seconds from 0 to 3600");
	expect_error(ARGV("-g", "nan"), "invalid value 'nan' for -g: expected seconds from 0 to 3600");
	expect_error(ARGV("-g", "-0"), "invalid value '-0' for -g: expected seconds from 0 to 3600");
}

static void test_iterations(void **state)
{
	(void)state;
	struct options o;
	char max[32], over[32];
	assert_int_equal(parse(ARGV("-n", "3"), &o), OPTIONS_OK);
	assert_int_equal(o.iterations, 3);
	assert_int_equal(parse(ARGV("--iterations=1"), &o), OPTIONS_OK);
	assert_int_equal(o.iterations, 1);
	snprintf(max, sizeof(max), "%ld", LONG_MAX);
	assert_int_equal(parse(ARGV("-n", max), &o), OPTIONS_OK);
	assert_true(o.iterations == LONG_MAX);

	snprintf(over, sizeof(over), "%lu", (unsigned long)LONG_MAX + 1);
	static const char *bad[] = { "0", "-1", "abc", "1.5", "", "99999999999999999999", "1e3", " 2" };
	for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		const char *v = i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : over;
		char *argv[] = { "concmon", "-n", (char *)v, NULL };
		char want[200];
		snprintf(want, sizeof(want),
			 "invalid value '%s' for -n: expected a whole number from 1 to %ld", v, LONG_MAX);
		assert_int_equal(parse(argv, &o), OPTIONS_ERROR);
		assert_string_equal(err, want);
	}
}

static void test_flags_combined(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-ab"), &o), OPTIONS_OK);
	assert_true(o.all);
	assert_true(o.batch);
	assert_int_equal(parse(ARGV("-abn", "7", "--json"), &o), OPTIONS_OK);
	assert_true(o.all && o.batch && o.json);
	assert_int_equal(o.iterations, 7);
	assert_int_equal(parse(ARGV("-bd0.5a"), &o), OPTIONS_ERROR);  /* "0.5a" is the value */
	assert_int_equal(parse(ARGV("-bad2"), &o), OPTIONS_OK);
	assert_true(o.batch && o.all);
	assert_true(o.delay == 2.0);
	assert_int_equal(parse(ARGV("--all", "--batch"), &o), OPTIONS_OK);
	assert_true(o.all && o.batch);
	assert_false(o.json);
}

static void test_command(void **state)
{
	(void)state;
	struct options o;
	char *argv[] = { "concmon", "-b", "--", "sleep", "-a", "--", "5", NULL };
	assert_int_equal(parse(argv, &o), OPTIONS_OK);
	assert_true(o.batch);
	assert_false(o.all);  /* "-a" belongs to the command */
	assert_ptr_equal(o.command, &argv[3]);
	assert_string_equal(o.command[0], "sleep");
	assert_string_equal(o.command[1], "-a");
	assert_string_equal(o.command[2], "--");
	assert_string_equal(o.command[3], "5");
	assert_null(o.command[4]);

	char *empty[] = { "concmon", "--", NULL };
	assert_int_equal(parse(empty, &o), OPTIONS_OK);
	assert_null(o.command);

	/* a value that looks like "--" is still the option's value */
	expect_error(ARGV("-d", "--", "sleep"),
		     "invalid value '--' for -d: expected seconds from 0 to 3600");
}

static void test_argv_untouched(void **state)
{
	(void)state;
	struct options o;
	char a0[] = "concmon", a1[] = "-abd0.5", a2[] = "--grace=2", a3[] = "--", a4[] = "x";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	char *copy[6];
	memcpy(copy, argv, sizeof(argv));
	assert_int_equal(parse(argv, &o), OPTIONS_OK);
	assert_memory_equal(copy, argv, sizeof(argv));
	assert_string_equal(a1, "-abd0.5");
	assert_string_equal(a2, "--grace=2");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(ARGV("sleep", "5"), "unexpected argument 'sleep' (put the command after --)");
	expect_error(ARGV("-"), "unexpected argument '-' (put the command after --)");
	expect_error(ARGV("-x"), "unknown option '-x'");
	expect_error(ARGV("-abx"), "unknown option '-x'");
	expect_error(ARGV("--frobnicate"), "unknown option '--frobnicate'");
	expect_error(ARGV("--del=1"), "unknown option '--del'");
	expect_error(ARGV("--="), "unknown option '--'");
	expect_error(ARGV("-d"), "option '-d' needs a value (SECONDS)");
	expect_error(ARGV("--delay"), "option '--delay' needs a value (SECONDS)");
	expect_error(ARGV("-b", "-n"), "option '-n' needs a value (N)");
	expect_error(ARGV("--all=yes"), "option '--all' takes no value");
	expect_error(ARGV("--json"), "--json works only with --batch");
	expect_error(ARGV("--json", "-a"), "--json works only with --batch");
	const char *replay_alone = "--replay shows a recording: it launches nothing, records "
				   "nothing and serves nothing (no COMMAND, --demo, --trace, --record, "
				   "--log or --listen)";
	expect_error(ARGV("--replay", "r", "--", "sleep", "1"), replay_alone);
	expect_error(ARGV("--replay", "r", "--demo", "zombies"), replay_alone);
	expect_error(ARGV("--replay=r", "--record", "s"), replay_alone);
	expect_error(ARGV("--replay", "r", "--listen", "9464"), replay_alone);
	expect_error(ARGV("--replay", ""), "option --replay needs a file name");
	expect_error(ARGV("--listen", "http"),
		     "invalid value for --listen: 'http': the port must be a number from 0 to 65535");
	expect_error(ARGV("--listen", "70000"),
		     "invalid value for --listen: '70000': the port must be a number from 0 to 65535");
	expect_error(ARGV("--listen", "localhost:9464"),
		     "invalid value for --listen: 'localhost' is not an IPv4 or IPv6 address (no host names)");
	expect_error(ARGV("--listen", ":9464"),
		     "invalid value for --listen: ':9464': expected PORT, ADDR:PORT or [ADDR6]:PORT");
	expect_error(ARGV("--record"), "option '--record' needs a value (FILE)");
}

static void test_listen(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-b"), &o), OPTIONS_OK);
	assert_null(o.listen);
	assert_int_equal(parse(ARGV("--listen", "9464"), &o), OPTIONS_OK);
	assert_string_equal(o.listen, "9464");
	assert_int_equal(parse(ARGV("--listen=0.0.0.0:0"), &o), OPTIONS_OK);
	assert_int_equal(parse(ARGV("--listen", "[::1]:9464"), &o), OPTIONS_OK);
	struct httpd_addr a;
	char why[128];
	assert_int_equal(httpd_parse_addr("9464", &a, why, sizeof why), 0);
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a.ss;
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), INADDR_LOOPBACK); /* loopback unless told */
	assert_int_equal(ntohs(v4->sin_port), 9464);
	assert_int_equal(httpd_parse_addr("[::]:80", &a, why, sizeof why), 0);
	assert_int_equal(a.ss.ss_family, AF_INET6);
}

static void test_record_and_replay(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-b", "--record", "f.rec", "--", "sleep", "1"), &o), OPTIONS_OK);
	assert_string_equal(o.record, "f.rec");
	assert_null(o.replay);
	assert_int_equal(parse(ARGV("--replay=f.rec", "-b", "--json", "-n", "3"), &o), OPTIONS_OK);
	assert_string_equal(o.replay, "f.rec");
	assert_null(o.record);
	assert_int_equal(parse(ARGV("--replay", "f.rec"), &o), OPTIONS_OK);
}

static void test_help_version_keys(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("-h"), &o), OPTIONS_OK);
	assert_true(o.help);
	assert_int_equal(parse(ARGV("--help"), &o), OPTIONS_OK);
	assert_true(o.help);
	assert_int_equal(parse(ARGV("-V"), &o), OPTIONS_OK);
	assert_true(o.version);
	assert_int_equal(parse(ARGV("--version"), &o), OPTIONS_OK);
	assert_true(o.version);
	assert_int_equal(parse(ARGV("--list-keys"), &o), OPTIONS_OK);
	assert_true(o.list_keys);
	assert_false(o.help);
	/* help wins over a combination rule, not over a bad option */
	assert_int_equal(parse(ARGV("--json", "-h"), &o), OPTIONS_OK);
	assert_true(o.help);
	expect_error(ARGV("-h", "--bogus"), "unknown option '--bogus'");
}

static void test_small_err_buffer(void **state)
{
	(void)state;
	struct options o;
	char small[8];
	char *argv[] = { "concmon", "--frobnicate", NULL };
	memset(small, 'x', sizeof(small));
	assert_int_equal(options_parse(2, argv, &o, small, sizeof(small)), OPTIONS_ERROR);
	assert_string_equal(small, "unknown");
	assert_int_equal(options_parse(2, argv, &o, NULL, 0), OPTIONS_ERROR);
}

static void test_usage(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	assert_non_null(fp);
	options_usage(fp, "concmon");
	fclose(fp);
	assert_non_null(strstr(text, "usage: concmon [OPTIONS] [-- COMMAND [ARGS...]]\n"));
	static const char *lines[] = {
		"\n  -d, --delay SECONDS     refresh interval, decimals allowed (default 1.0; 0 = as fast as possible)\n",
		"\n  -a, --all               show every process on the system, not only the supervised tree\n",
		"\n  -b, --batch             no TUI: print a snapshot per refresh to stdout\n",
		"\n      --json              with --batch: one JSON object per line (NDJSON)\n",
		"\n  -n, --iterations N      exit after N refreshes (then stop supervised children)\n",
		"\n  -g, --grace SECONDS     time between SIGTERM and SIGKILL when stopping children (default 3)\n",
		"\n      --list-keys         print the keys of the interface and exit\n",
		"\n  -h, --help              show this help and exit\n",
		"\n  -V, --version           print the version and exit\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!strstr(text, lines[i]))
			fail_msg("usage lacks line: %s", lines[i]);
	}
	free(text);
}

/* --restart applies to the --demo and the COMMAND after it. */
static void test_restart(void **state)
{
	(void)state;
	struct options o;
	assert_int_equal(parse(ARGV("--demo", "a", "--restart", "on-failure:3", "--demo", "b",
				    "--restart=always", "--", "sh"), &o), OPTIONS_OK);
	assert_int_equal(o.ndemos, 2);
	assert_int_equal(o.demo_restart[0].policy, RESTART_NEVER);
	assert_int_equal(o.demo_restart[1].policy, RESTART_ON_FAILURE);
	assert_int_equal(o.demo_restart[1].max, 3);
	assert_int_equal(o.command_restart.policy, RESTART_ALWAYS);
	assert_int_equal(o.command_restart.max, 0);
	expect_error(ARGV("--restart", "sometimes"), "--restart: invalid restart policy 'sometimes': "
		     "expected never, on-failure or always, with an optional :MAX (e.g. on-failure:5)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_sort_linger),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_theme),
		cmocka_unit_test(test_zero_argc),
		cmocka_unit_test(test_delay_forms),
		cmocka_unit_test(test_delay_invalid),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_iterations),
		cmocka_unit_test(test_flags_combined),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_argv_untouched),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_record_and_replay),
		cmocka_unit_test(test_help_version_keys),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
