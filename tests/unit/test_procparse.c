/* test_procparse.c - /proc text parsers: real lines, hostile lines, exact bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xorshift.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/procparse.h"
#include "util/util.h"

/* A line as Linux 6.1 prints it for a thread of a multi-threaded process. */
static const char LINE[] =
	"4242 (my prog) S 4200 4201 4100 34816 4201 1077936192 191 0 0 0 "
	"123 45 0 0 20 0 3 0 987654 11370496 1234 18446744073709551615 "
	"94 95 96 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";

/* Parses a copy in a heap block of exactly len bytes, so ASan sees any overread. */
static int parse_exact(const char *text, size_t len, struct proc_stat *st)
{
	char *copy = xmalloc(len ? len : 1);
	memcpy(copy, text, len);
	int r = procparse_stat(copy, len, st);
	free(copy);
	return r;
}

static void test_stat_typical(void **state)
{
	(void)state;
	struct proc_stat st;
	assert_int_equal(parse_exact(LINE, strlen(LINE), &st), 0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "my prog");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 4200);
	assert_int_equal(st.pgrp, 4201);
	assert_int_equal(st.session, 4100);
	assert_int_equal(st.utime, 123);
	assert_int_equal(st.stime, 45);
	assert_int_equal(st.num_threads, 3);
	assert_int_equal(st.start_ticks, 987654);
	assert_int_equal(st.rss_pages, 1234);
	assert_int_equal(st.tty_nr, 34816);     /* pts/0 */
	assert_int_equal(st.priority, 20);
	assert_int_equal(st.nice, 0);
	assert_int_equal(st.vsize, 11370496);
}

/* Fields 7, 18, 19 and 23: tty, priority, nice (negative too), vsize. */
static void test_stat_htop_fields(void **state)
{
	(void)state;
	struct proc_stat st;
	const char *s = "7 (x) R 1 7 7 1025 -1 0 0 0 0 0 1 2 0 0 -51 -20 1 0 9 4096 11";
	assert_int_equal(parse_exact(s, strlen(s), &st), 0);
	assert_int_equal(st.tty_nr, 1025);
	assert_int_equal(st.priority, -51);     /* a real-time thread */
	assert_int_equal(st.nice, -20);
	assert_int_equal(st.vsize, 4096);
	const char *bad = "7 (x) R 1 7 7 tty -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 4096 11";
	assert_int_equal(parse_exact(bad, strlen(bad), &st), -1);
}

static void test_tty_name(void **state)
{
	(void)state;
	static const struct {
		int nr;
		const char *name;
	} cases[] = {
		{ 0, "?" }, { 34816, "pts/0" }, { (136 << 8) | 12, "pts/12" },
		{ (137 << 8) | 4, "pts/260" }, { (4 << 8) | 1, "tty1" }, { (4 << 8) | 64, "ttyS0" },
		{ (5 << 8) | 1, "5:1" }, { (136 << 8) | (1 << 20) | 3, "pts/259" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		procparse_tty_name(cases[i].nr, buf, sizeof buf);
		assert_string_equal(buf, cases[i].name);
	}
}

static void test_io_cgroup_statm(void **state)
{
	(void)state;
	const char io[] = "rchar: 4096\nwchar: 77\nsyscr: 3\nsyscw: 2\nread_bytes: 0\n"
			  "write_bytes: 8192\ncancelled_write_bytes: 0\n";
	unsigned long long r = 0, w = 0;
	assert_int_equal(procparse_io(io, strlen(io), &r, &w), 0);
	assert_int_equal(r, 4096);
	assert_int_equal(w, 77);
	assert_int_equal(procparse_io(io, 14, &r, &w), -1);      /* cut before wchar */
	assert_int_equal(procparse_io("rchar: x\nwchar: 1\n", 19, &r, &w), -1);
	assert_int_equal(procparse_io("", 0, &r, &w), -1);
	assert_int_equal(procparse_io(NULL, 0, &r, &w), -1);

	char cg[16];
	const char v2[] = "0::/user.slice/session-2.scope\n";
	assert_int_equal(procparse_cgroup(v2, strlen(v2), cg, sizeof cg), 0);
	assert_string_equal(cg, "/user.slice/ses"); /* truncated to the buffer */
	const char hybrid[] = "12:cpu:/a\n0::/b\n";
	assert_int_equal(procparse_cgroup(hybrid, strlen(hybrid), cg, sizeof cg), 0);
	assert_string_equal(cg, "/b");
	const char v1[] = "12:cpu:/a\n11:memory:/a";
	assert_int_equal(procparse_cgroup(v1, strlen(v1), cg, sizeof cg), -1);
	assert_int_equal(procparse_cgroup("0::/x", 5, cg, sizeof cg), 0); /* no newline */
	assert_string_equal(cg, "/x");

	assert_int_equal(procparse_statm_shared("2595 441 375 200 0 185 0\n", 25), 375);
	assert_int_equal(procparse_statm_shared("2595 441", 8), -1);
	assert_int_equal(procparse_statm_shared("a b c", 5), -1);
}

static void test_stat_no_newline_and_short(void **state)
{
	(void)state;
	struct proc_stat st;
	/* a line that ends right after rss is enough */
	const char *s = "1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 9 10 11";
	assert_int_equal(parse_exact(s, strlen(s), &st), 0);
	assert_int_equal(st.pid, 1);
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.utime, 5);
	assert_int_equal(st.stime, 6);
	assert_int_equal(st.num_threads, 1);
	assert_int_equal(st.start_ticks, 9);
	assert_int_equal(st.rss_pages, 11);
}

static void test_stat_hostile_comm(void **state)
{
	(void)state;
	struct proc_stat st;
	const char *s = "77 (a) S 9 (b)) Z 5 6 7 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5\n";
	assert_int_equal(parse_exact(s, strlen(s), &st), 0);
	assert_string_equal(st.comm, "a) S 9 (b)");
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.ppid, 5);

	s = "78 () R 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5";
	assert_int_equal(parse_exact(s, strlen(s), &st), 0);
	assert_string_equal(st.comm, "");
	assert_int_equal(st.state, 'R');
}

static void test_stat_long_comm_truncated(void **state)
{
	(void)state;
	struct proc_stat st;
	char line[512], name[101];
	memset(name, 'n', 100);
	name[100] = '\0';
	snprintf(line, sizeof(line), "5 (%s) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5", name);
	assert_int_equal(parse_exact(line, strlen(line), &st), 0);
	assert_int_equal(strlen(st.comm), sizeof(st.comm) - 1);
	assert_int_equal(st.rss_pages, 5);
}

static void test_stat_len_is_respected(void **state)
{
	(void)state;
	struct proc_stat st;
	/* the bytes after len would change rss if they were read */
	const char *s = "5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 56789";
	assert_int_equal(parse_exact(s, strlen(s) - 4, &st), 0);
	assert_int_equal(st.rss_pages, 5);
}

static void test_stat_every_short_prefix_fails(void **state)
{
	(void)state;
	struct proc_stat st;
	/* rss is field 24: any prefix ending before its first digit is malformed */
	const char *rss = strstr(LINE, " 1234 1844");
	assert_non_null(rss);
	size_t need = (size_t)(rss - LINE) + 2;
	for (size_t len = 0; len < need; len++)
		assert_int_equal(parse_exact(LINE, len, &st), -1);
	assert_int_equal(parse_exact(LINE, need, &st), 0);
	assert_int_equal(st.rss_pages, 1);
}

static void test_stat_malformed(void **state)
{
	(void)state;
	struct proc_stat st;
	static const char *bad[] = {
		"",
		"(x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",            /* no pid */
		"0 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",           /* pid 0 */
		"-5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",          /* negative */
		"2147483648 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",  /* > INT_MAX */
		"5x (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",
		"5(x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",            /* no space */
		"5 (x S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",            /* no ')' */
		"5 x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",            /* no '(' */
		"5 (x)S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",
		"5 (x) SS 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",          /* state */
		"5 (x) S q 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",           /* ppid */
		"5 (x) S -1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5",
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 -1 2 0 0 20 0 1 0 3 4 5",          /* utime */
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 99999999999999999999 2 0 0 20 0 1 0 3 4 5",
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 -1 0 3 4 5",          /* threads */
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3x 4 5",          /* start */
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5-",          /* rss */
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 -",
		"5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_exact(bad[i], strlen(bad[i]), &st) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(procparse_stat(NULL, 0, &st), -1);
}

/* A full Linux 6.x line: 52 fields, arg_start/arg_end are fields 48-49. */
static const char FULL[] =
	"4242 (my prog) S 4200 4201 4100 34816 4201 1077936192 191 0 0 0 "
	"123 45 0 0 20 0 3 0 987654 11370496 1234 18446744073709551615 "
	"94 95 96 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0 "
	"100 101 102 140737488347000 140737488347100 140737488347200 140737488347300 0\n";

static void test_stat_arg_block(void **state)
{
	(void)state;
	struct proc_stat st;
	assert_int_equal(parse_exact(FULL, strlen(FULL), &st), 0);
	assert_int_equal(st.rss_pages, 1234);
	assert_true(st.arg_start == 140737488347000ULL);
	assert_true(st.arg_end == 140737488347100ULL);
	/* the head parser stops at rss and leaves them 0 */
	char *copy = xstrdup(FULL);
	assert_int_equal(procparse_stat_head(copy, strlen(copy), &st), 0);
	free(copy);
	assert_int_equal(st.pid, 4242);
	assert_int_equal(st.rss_pages, 1234);
	assert_int_equal(st.num_threads, 3);
	assert_true(st.arg_start == 0 && st.arg_end == 0);
	/* a line that ends before them (older kernels): 0, not an error */
	assert_int_equal(parse_exact(LINE, strlen(LINE), &st), 0);
	assert_true(st.arg_start == 0 && st.arg_end == 0);
	/* hidden from another user: printed as 0 */
	const char *hidden = strstr(FULL, "140737488347000");
	char line[512];
	snprintf(line, sizeof line, "%.*s0 0 0 0 0\n", (int)(hidden - FULL), FULL);
	assert_int_equal(parse_exact(line, strlen(line), &st), 0);
	assert_true(st.arg_start == 0 && st.arg_end == 0);
	/* present but not a number: malformed */
	snprintf(line, sizeof line, "%.*s1x 2 3 4 0\n", (int)(hidden - FULL), FULL);
	assert_int_equal(parse_exact(line, strlen(line), &st), -1);
	/* cut after arg_start: arg_end 0 */
	snprintf(line, sizeof line, "%.*s7", (int)(hidden - FULL), FULL);
	assert_int_equal(parse_exact(line, strlen(line), &st), 0);
	assert_true(st.arg_start == 7 && st.arg_end == 0);
	/* the head parser ignores whatever follows rss */
	copy = xstrdup("5 (x) S 1 1 1 0 0 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5 garbage here");
	assert_int_equal(procparse_stat_head(copy, strlen(copy), &st), 0);
	assert_int_equal(st.rss_pages, 5);
	/* so does the full one when the line ends before field 48: fields
	 * 25-47 are skipped, never read as numbers */
	assert_int_equal(procparse_stat(copy, strlen(copy), &st), 0);
	assert_true(st.arg_start == 0 && st.arg_end == 0);
	free(copy);
}

/* Both parsers agree on every field they share, for any input. */
static void test_stat_head_agrees(void **state)
{
	(void)state;
	struct proc_stat a, b;
	char buf[300];
	unsigned long long seed = 42;
	for (int iter = 0; iter < 100000; iter++) {
		size_t len = strlen(FULL);
		memcpy(buf, FULL, len);
		for (int k = (int)(xorshift_next(&seed) % 3); k > 0; k--)
			buf[xorshift_next(&seed) % len] = "0 9x-\n"[xorshift_next(&seed) % 6];
		len = xorshift_next(&seed) % (len + 1);
		int ra = procparse_stat_head(buf, len, &a);
		int rb = procparse_stat(buf, len, &b);
		if (rb == 0)
			assert_int_equal(ra, 0);   /* the full parse needs the head */
		if (ra == 0 && rb == 0) {
			b.arg_start = b.arg_end = 0;
			assert_memory_equal(&a, &b, sizeof a);
		}
	}
}

static void test_stat_of_self(void **state)
{
	(void)state;
	char buf[1024];
	struct proc_stat st;
	ssize_t n = util_read_file("/proc/self/stat", buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(procparse_stat(buf, (size_t)n, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.state, 'R');
	assert_true(st.num_threads >= 1);
	assert_true(st.rss_pages > 0);
	/* the kernel keeps the first 15 bytes of the executable's name */
	size_t want = strlen(program_invocation_short_name);
	want = want > 15 ? 15 : want;
	assert_int_equal(strlen(st.comm), want);
	assert_memory_equal(st.comm, program_invocation_short_name, want);
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned next_rand(void) { return xorshift_next(&rng); }

/* Random bytes and mutated real lines: only a crash (or ASan) can fail this. */
static void test_stat_fuzz_smoke(void **state)
{
	(void)state;
	char buf[160];
	struct proc_stat st;
	int ok = 0;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len;
		if (iter & 1) {
			len = next_rand() % sizeof(buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)(next_rand() % 6 == 0 ? "( )-9\n"[next_rand() % 6]
								     : (int)(next_rand() & 0xff));
		} else {
			len = strlen(LINE) < sizeof(buf) ? strlen(LINE) : sizeof(buf);
			memcpy(buf, LINE, len);
			for (int k = next_rand() % 4; k >= 0; k--)
				buf[next_rand() % len] = (char)(next_rand() & 0xff);
			len = next_rand() % (len + 1);
		}
		if (parse_exact(buf, len, &st) == 0) {
			ok++;
			assert_true(st.pid > 0);
			assert_true(strlen(st.comm) < sizeof(st.comm));
		}
	}
	assert_true(ok > 0);  /* some mutations keep the line valid */
}

static void test_pid_list(void **state)
{
	(void)state;
	pid_t out[8];
	const char *s = "12 34 56 \n";
	assert_int_equal(procparse_pid_list(s, strlen(s), out, 8), 3);
	assert_int_equal(out[0], 12);
	assert_int_equal(out[1], 34);
	assert_int_equal(out[2], 56);

	assert_int_equal(procparse_pid_list("", 0, out, 8), 0);
	assert_int_equal(procparse_pid_list(" \n", 2, out, 8), 0);
	assert_int_equal(procparse_pid_list(NULL, 0, out, 8), 0);

	out[2] = -7;
	assert_int_equal(procparse_pid_list("1 2 3", 5, out, 2), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], -7);
	/* garbage past max is still reported */
	assert_int_equal(procparse_pid_list("1 2 x", 5, out, 2), -1);
	assert_int_equal(procparse_pid_list("1 2", 3, out, 0), 0);

	assert_int_equal(procparse_pid_list("2147483647", 10, out, 8), 1);
	assert_int_equal(out[0], INT_MAX);
	/* only len bytes count: "123" cut to "12" */
	assert_int_equal(procparse_pid_list("123", 2, out, 8), 1);
	assert_int_equal(out[0], 12);
}

static void test_pid_list_malformed(void **state)
{
	(void)state;
	pid_t out[8];
	static const char *bad[] = { "12 ab", "12 -3", "0", "-0", "2147483648", "1,2", "+5",
				     "99999999999999999999999", "7\x01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (procparse_pid_list(bad[i], strlen(bad[i]), out, 8) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void test_cmdline(void **state)
{
	(void)state;
	char a[] = "sleep\0" "5\0";            /* 8 bytes with the literal's NUL */
	assert_int_equal(procparse_cmdline(a, 8), 7);
	assert_string_equal(a, "sleep 5");

	char b[] = { 'a', 'b', '\0', 'c' };   /* no trailing NUL (rewritten argv) */
	assert_int_equal(procparse_cmdline(b, 4), 4);
	assert_memory_equal(b, "ab c", 4);

	char c[] = "a\0\0b\0\0\0";
	assert_int_equal(procparse_cmdline(c, 7), 4);
	assert_memory_equal(c, "a  b", 4);

	char d[] = "\0\0\0";
	assert_int_equal(procparse_cmdline(d, 3), 0);
	assert_int_equal(procparse_cmdline(d, 0), 0);
	assert_int_equal(procparse_cmdline(NULL, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_typical),
		cmocka_unit_test(test_stat_htop_fields),
		cmocka_unit_test(test_tty_name),
		cmocka_unit_test(test_io_cgroup_statm),
		cmocka_unit_test(test_stat_no_newline_and_short),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_long_comm_truncated),
		cmocka_unit_test(test_stat_len_is_respected),
		cmocka_unit_test(test_stat_every_short_prefix_fails),
		cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_stat_arg_block),
		cmocka_unit_test(test_stat_head_agrees),
		cmocka_unit_test(test_stat_of_self),
		cmocka_unit_test(test_stat_fuzz_smoke),
		cmocka_unit_test(test_pid_list),
		cmocka_unit_test(test_pid_list_malformed),
		cmocka_unit_test(test_cmdline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
