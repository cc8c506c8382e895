/* test_fdscan.c - the inferred kernel queues: fd link, fdinfo and /proc/net
 * parsers on real lines, and one live pipe between two real children. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "infer/fdscan.h"
#include "infer/sockdiag.h"

static void test_links(void **state)
{
	(void)state;
	unsigned long ino;
	assert_int_equal(fdscan_parse_link("pipe:[27417313]", &ino), FDSCAN_PIPE);
	assert_int_equal(ino, 27417313);
	assert_int_equal(fdscan_parse_link("socket:[42]", &ino), FDSCAN_SOCKET);
	assert_int_equal(ino, 42);
	assert_int_equal(fdscan_parse_link("/home/u/file.txt", &ino), FDSCAN_FILE);
	assert_int_equal(ino, 0);
	assert_int_equal(fdscan_parse_link("anon_inode:[eventfd]", &ino), FDSCAN_OTHER);
	assert_int_equal(fdscan_parse_link("pipe:[]", &ino), FDSCAN_OTHER);
	assert_int_equal(fdscan_parse_link("pipe:[12", &ino), FDSCAN_OTHER);
	assert_int_equal(fdscan_parse_link("socket:[12]x", &ino), FDSCAN_OTHER);
	assert_int_equal(fdscan_parse_link("", &ino), FDSCAN_OTHER);
}

static void test_fdinfo(void **state)
{
	(void)state;
	int flags = -1;
	unsigned long ino;
	assert_true(fdscan_parse_fdinfo("pos:\t0\nflags:\t02000001\nmnt_id:\t15\nino:\t998\n", &flags,
					&ino));
	assert_int_equal(flags & O_ACCMODE, O_WRONLY);
	assert_int_equal(flags & O_CLOEXEC, O_CLOEXEC);
	assert_int_equal(ino, 998);
	/* Older kernels print no ino line. */
	assert_true(fdscan_parse_fdinfo("pos:\t0\nflags:\t0100002\nmnt_id:\t21\n", &flags, &ino));
	assert_int_equal(flags & O_ACCMODE, O_RDWR);
	assert_int_equal(ino, 0);
	assert_false(fdscan_parse_fdinfo("pos:\t0\nmnt_id:\t21\n", &flags, &ino));
	assert_false(fdscan_parse_fdinfo("flags:\tzz\n", &flags, &ino));
	assert_false(fdscan_parse_fdinfo("", &flags, &ino));
}

static void test_tcp_lines(void **state)
{
	(void)state;
	struct sockdiag_sock s;
	assert_false(sockdiag_parse_tcp_line("  sl  local_address rem_address   st tx_queue rx_queue tr "
					     "tm->when retrnsmt   uid  timeout inode\n", false, &s));
	assert_true(sockdiag_parse_tcp_line("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 "
					    "00:00000000 00000000  1000        0 123456 1 0000000000000000 "
					    "100 0 0 10 0\n", false, &s));
	assert_string_equal(s.local, "127.0.0.1:8080");
	assert_true(s.listener);
	assert_true(s.tcp);
	assert_int_equal(s.rqueue, 2);
	assert_int_equal(s.ino, 123456);
	assert_string_equal(s.remote, "");
	assert_true(sockdiag_parse_tcp_line("   1: 0100007F:9C40 0100007F:1F90 01 00000010:00001B58 "
					    "00:00000000 00000000  1000        0 7777 1 0 20 4 30 10 -1\n",
					    false, &s));
	assert_false(s.listener);
	assert_int_equal(s.rqueue, 7000);
	assert_int_equal(s.wqueue, 16);
	assert_string_equal(s.remote, "127.0.0.1:8080");
	assert_true(sockdiag_parse_tcp_line("   0: 00000000000000000000000001000000:0016 "
					    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
					    "00:00000000 00000000     0        0 31337 1 0 100 0 0 10 0\n",
					    true, &s));
	assert_string_equal(s.local, "[::1]:22");
	assert_int_equal(s.ino, 31337);
	/* A v4 line read as v6, and a cut line. */
	assert_false(sockdiag_parse_tcp_line("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
					     "00:00000000 00000000  1000        0 1 1\n", true, &s));
	assert_false(sockdiag_parse_tcp_line("   0: 0100007F:1F90 00000000:0000 0A", false, &s));
}

static void test_unix_lines(void **state)
{
	(void)state;
	struct sockdiag_sock s;
	assert_false(sockdiag_parse_unix_line("Num       RefCount Protocol Flags    Type St Inode Path\n",
					      &s));
	assert_true(sockdiag_parse_unix_line("0000000000000000: 00000002 00000000 00010000 0001 01 "
					     "20481 /run/dbus/system_bus_socket\n", &s));
	assert_true(s.listener);
	assert_false(s.queues_known);
	assert_int_equal(s.ino, 20481);
	assert_string_equal(s.local, "/run/dbus/system_bus_socket");
	assert_true(sockdiag_parse_unix_line("0000000000000000: 00000003 00000000 00000000 0001 03 "
					     "20999\n", &s));
	assert_false(s.listener);
	assert_string_equal(s.local, "");
	assert_int_equal(s.ino, 20999);
}

static pid_t spawn_holding(int keep, int drop)
{
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		close(drop);
		(void)keep;
		pause();
		_exit(0);
	}
	return c;
}

static void fill_task(struct task *t, pid_t pid, const char *comm)
{
	memset(t, 0, sizeof *t);
	t->pid = t->tid = pid;
	t->ppid = getpid();
	t->supervised = true;
	snprintf(t->comm, sizeof t->comm, "%s", comm);
	t->cmdline = (char *)comm;
}

/* Two children share a pipe holding 100 bytes: one record, in the writer's
 * program, and wait-line names for both ends. */
static void test_live_pipe(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	char data[100] = { 0 };
	assert_int_equal(write(p[1], data, sizeof data), (ssize_t)sizeof data);
	pid_t w = spawn_holding(p[1], p[0]);
	pid_t r = spawn_holding(p[0], p[1]);
	close(p[0]);
	close(p[1]);
	struct task tasks[2];
	fill_task(&tasks[0], w, "writer");
	fill_task(&tasks[1], r, "reader");
	struct program progs[2] = { { .pid = w }, { .pid = r } };
	struct fdscan *f = fdscan_new();
	for (int round = 0; round < 2; round++) { /* the second must not duplicate */
		fdscan_update(f, tasks, 2, progs, 2);
		assert_non_null(progs[0].snap);
		assert_int_equal(progs[0].snap->n_queues, 1);
		assert_null(progs[1].snap);
	}
	const struct telemetry_queue *q = &progs[0].snap->queues[0];
	assert_int_equal(q->source, TEL_INFERRED);
	assert_int_equal(q->kind, TEL_QUEUE_PIPE);
	assert_int_equal(q->pid, w);
	assert_int_equal(q->reader, r);
	assert_int_equal(q->depth, 100);
	assert_true(q->capacity >= 4096);
	assert_string_equal(q->name, "pipe writer\u2192reader");
	assert_int_equal(progs[0].snap->attaches, 0);
	char buf[80], want[80];
	assert_true(fdscan_describe(f, r, p[0], true, buf, sizeof buf) > 0);
	snprintf(want, sizeof want, "pipe from PID %d (writer)", (int)w);
	assert_string_equal(buf, want);
	assert_true(fdscan_describe(f, w, p[1], false, buf, sizeof buf) > 0);
	snprintf(want, sizeof want, "pipe to PID %d (reader)", (int)r);
	assert_string_equal(buf, want);
	assert_int_equal(fdscan_describe(f, w, 999, false, buf, sizeof buf), 0);
	kill(w, SIGKILL);
	kill(r, SIGKILL);
	waitpid(w, NULL, 0);
	waitpid(r, NULL, 0);
	fdscan_free(f);
	free(progs[0].snap);
	free(progs[1].snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_fdinfo),
		cmocka_unit_test(test_tcp_lines),
		cmocka_unit_test(test_unix_lines),
		cmocka_unit_test(test_live_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
