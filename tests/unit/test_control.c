/* Unit tests for batch-mode commands (control) and the demo listing parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/control.h"
#include "supervise/demolist.h"

static void test_knob(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("knob 1234 dryers 4", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_KNOB);
	assert_int_equal(c.pid, 1234);
	assert_string_equal(c.name, "dryers");
	assert_int_equal(c.value, 4);
	assert_int_equal(control_parse("  knob\t7 x -3  ", &c, err, sizeof err), 0);
	assert_int_equal(c.value, -3);
}

static void test_signal_and_terminate(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("signal 99 STOP", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_SIGNAL);
	assert_int_equal(c.sig, SIGSTOP);
	assert_int_equal(control_parse("signal 99 9", &c, err, sizeof err), 0);
	assert_int_equal(c.sig, SIGKILL);
	assert_int_equal(control_parse("terminate 5", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_TERMINATE);
	assert_int_equal(c.pid, 5);
}

static void test_launch_keeps_the_rest(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("launch sh -c 'sleep 1; echo hi'", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_LAUNCH);
	assert_string_equal(c.rest, "sh -c 'sleep 1; echo hi'");
	assert_int_equal(control_parse("demo washer-dryer-threads,dryers=2", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_DEMO);
	assert_string_equal(c.rest, "washer-dryer-threads,dryers=2");
}

static void test_blank_and_comments(void **state)
{
	(void)state;
	struct control_cmd c;
	char err[128];
	assert_int_equal(control_parse("", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_NONE);
	assert_int_equal(control_parse("   # knob 1 x 2", &c, err, sizeof err), 0);
	assert_int_equal(c.op, CONTROL_NONE);
}

static void test_errors(void **state)
{
	(void)state;
	static const char *bad[] = {
		"knob", "knob 12", "knob 12 x", "knob x y 1", "knob 0 x 1", "knob -4 x 1",
		"knob 12 x 1.5", "knob 12 x 99999999999999999999", "knob 12 x 1 extra",
		"signal 12", "signal 12 NOPE", "signal 12 TERM more", "terminate", "terminate 1 2",
		"launch", "launch    ", "demo", "frobnicate 1", "knob 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct control_cmd c;
		char err[128] = "";
		if (control_parse(bad[i], &c, err, sizeof err) != -1)
			fail_msg("accepted: '%s'", bad[i]);
		assert_true(err[0] != '\0');
	}
}

static void test_demolist_parse(void **state)
{
	(void)state;
	const char text[] = "a\tgroup one\tfirst demo\n"
			    "bad line without tabs\n"
			    "\tno\tname\n"
			    "b\tg\tsecond\n"
			    "c\tg\t";
	struct demo_info d[4];
	size_t n = demolist_parse(text, sizeof text - 1, d, 4);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "a");
	assert_string_equal(d[0].group, "group one");
	assert_string_equal(d[0].description, "first demo");
	assert_string_equal(d[1].name, "b");
	assert_int_equal(demolist_parse(text, sizeof text - 1, d, 1), 1);
	char longline[400];
	memset(longline, 'x', sizeof longline);
	longline[10] = '\t';
	longline[20] = '\t';
	assert_int_equal(demolist_parse(longline, sizeof longline, d, 4), 1);
	assert_int_equal(strlen(d[0].description), sizeof d[0].description - 1);
}

static void test_demolist_knobs(void **state)
{
	(void)state;
	const char text[] = "p\tq\tpipes\trate=5:1..1000,cap=10:1..100*,bad=7:1..5,neg=-2:-9..9\n"
			    "n\tg\tno knobs\t-\n";
	struct demo_info d[2];
	assert_int_equal(demolist_parse(text, sizeof text - 1, d, 2), 2);
	assert_string_equal(d[0].description, "pipes");
	assert_int_equal(d[0].nknobs, 3);      /* bad: default out of its bounds */
	assert_string_equal(d[0].knobs[0].name, "rate");
	assert_int_equal(d[0].knobs[0].value, 5);
	assert_int_equal(d[0].knobs[0].max, 1000);
	assert_false(d[0].knobs[0].at_start);
	assert_true(d[0].knobs[1].at_start);
	assert_int_equal(d[0].knobs[2].min, -9);
	assert_int_equal(d[1].nknobs, 0);
}

/* A fake concmon-demo whose --list describes how it was started. */
static const char lister[] =
	"#!/bin/sh\n"
	"printf 'stdin\\tg\\t%s\\n' \"$(readlink /proc/$$/fd/0)\"\n"
	"printf 'stderr\\tg\\t%s\\n' \"$(readlink /proc/$$/fd/2)\"\n"
	"printf 'blocked\\tg\\t%s\\n' \"$(sed -n 's/^SigBlk:\\t//p' /proc/$$/status)\"\n"
	"printf 'ignored\\tg\\t%s\\n' \"$(sed -n 's/^SigIgn:\\t//p' /proc/$$/status)\"\n";

static const char *description(const struct demo_info *d, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].name, name) == 0)
			return d[i].description;
	return "(missing)";
}

/* The listing child never gets the terminal (stdin, or stderr onto the
 * screen) nor concmon's blocked or ignored signals. */
static void test_demolist_load_child_hygiene(void **state)
{
	(void)state;
	char path[] = "/tmp/concmon-lister-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, lister, sizeof lister - 1), (ssize_t)(sizeof lister - 1));
	fchmod(fd, 0755);
	close(fd);
	int pipe_in[2];
	assert_int_equal(pipe(pipe_in), 0);
	int saved_in = dup(0), saved_err = dup(2);
	dup2(pipe_in[0], 0);            /* stands for the terminal */
	dup2(pipe_in[1], 2);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	void (*was)(int) = signal(SIGUSR2, SIG_IGN);
	size_t n;
	struct demo_info *d = demolist_load(path, &n);
	signal(SIGUSR2, was);
	sigprocmask(SIG_SETMASK, &old, NULL);
	dup2(saved_in, 0);
	dup2(saved_err, 2);
	close(saved_in);
	close(saved_err);
	close(pipe_in[0]);
	close(pipe_in[1]);
	unlink(path);
	assert_non_null(d);
	assert_string_equal(description(d, n, "stdin"), "/dev/null");
	assert_string_equal(description(d, n, "stderr"), "/dev/null");
	/* Signal sets in hex; glibc keeps its own (32, 33) out of reach: check ours. */
	unsigned long long blocked = strtoull(description(d, n, "blocked"), NULL, 16);
	unsigned long long ignored = strtoull(description(d, n, "ignored"), NULL, 16);
	assert_int_equal(blocked & 0x7fffffffull, 0);
	assert_int_equal(ignored & 0x7fffffffull, 0);
	assert_true(strlen(description(d, n, "ignored")) == 16);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knob),
		cmocka_unit_test(test_signal_and_terminate),
		cmocka_unit_test(test_launch_keeps_the_rest),
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_demolist_parse),
		cmocka_unit_test(test_demolist_knobs),
		cmocka_unit_test(test_demolist_load_child_hygiene),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
