/* Unit tests for the inferred layer's pure parts: syscall lines, the
 * syscall table, glibc mutex words (real ones, locked in this process),
 * ELF symbol names (of this test's own globals), wait texts; and, in a
 * forked child as another user, that a process concmon may not ptrace is
 * reported as denied. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/futex.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infer/elfsym.h"
#include "infer/futex.h"
#include "infer/infer.h"
#include "infer/syscall.h"
#include "infer/waittext.h"

pthread_mutex_t unit_mutex = PTHREAD_MUTEX_INITIALIZER;
struct { long a; pthread_mutex_t m; } unit_struct = { 0, PTHREAD_MUTEX_INITIALIZER };

static void test_parse(void **state)
{
	(void)state;
	struct syscall_line l;
	assert_true(syscall_parse("running\n", &l));
	assert_true(l.running);
	assert_true(syscall_parse("-1 0x7ffc2929e820 0x7f5f5cc39f16\n", &l));
	assert_false(l.running);
	assert_int_equal(l.nr, -1);
	assert_true(syscall_parse("202 0x5633e95b91a0 0x80 0x2 0x0 0x0 0x0 0x7f5f5cbafe98 "
				  "0x7f5f5cc3a12b\n", &l));
	assert_int_equal(l.nr, 202);
	assert_int_equal(l.args[0], 0x5633e95b91a0ULL);
	assert_int_equal(l.args[1], 0x80);
	assert_int_equal(l.args[2], 2);
	assert_false(syscall_parse("202 0x1 0x2\n", &l));          /* cut short */
	assert_false(syscall_parse("abc 0x1\n", &l));
	assert_false(syscall_parse("", &l));
	assert_false(syscall_parse("0 0x3 zz 0x1 0x0 0x0 0x0 0x0 0x0\n", &l));
}

static void test_table(void **state)
{
	(void)state;
	assert_int_equal(syscall_info(SYS_read)->cls, SC_READ);
	assert_int_equal(syscall_info(SYS_futex)->cls, SC_FUTEX);
	assert_int_equal(syscall_info(SYS_clock_nanosleep)->cls, SC_CLOCK_SLEEP);
	assert_int_equal(syscall_info(SYS_wait4)->cls, SC_CHILD);
	assert_int_equal(syscall_info(SYS_accept4)->cls, SC_ACCEPT);
	assert_null(syscall_info(SYS_getpid));
	assert_null(syscall_info(99999));
}

/* The values glibc 2.36 was seen to wait with (strace / syscall files). */
static void test_may_be_mutex(void **state)
{
	(void)state;
	assert_true(futex_may_be_mutex(FUTEX_WAIT_PRIVATE, 2));             /* lll_lock_wait */
	assert_true(futex_may_be_mutex(FUTEX_WAIT_BITSET_PRIVATE, 2));      /* timedlock */
	assert_true(futex_may_be_mutex(FUTEX_WAIT, FUTEX_WAITERS | 1234));  /* robust */
	assert_true(futex_may_be_mutex(FUTEX_LOCK_PI_PRIVATE, 0));
	assert_false(futex_may_be_mutex(0x189, 0));    /* cond_wait, sem_wait */
	assert_false(futex_may_be_mutex(0x189, 3));    /* rwlock */
	assert_false(futex_may_be_mutex(0x109, 4242)); /* pthread_join */
	assert_false(futex_may_be_mutex(FUTEX_WAKE_PRIVATE, 2));
}

static void words(unsigned char *b, int32_t lock, uint32_t count, int32_t owner, int32_t kind)
{
	memset(b, 0, FUTEX_MUTEX_BYTES);
	memcpy(b, &lock, 4);
	memcpy(b + 4, &count, 4);
	memcpy(b + 8, &owner, 4);
	memcpy(b + 16, &kind, 4);
}

static void test_decode_words(void **state)
{
	(void)state;
	unsigned char b[FUTEX_MUTEX_BYTES];
	struct futex_mutex m;
	words(b, 2, 0, 4242, 0);
	assert_true(futex_decode(b, &m));
	assert_int_equal(m.owner, 4242);
	assert_false(m.recursive);
	assert_int_equal(m.depth, 1);
	words(b, 1, 3, 77, 1);
	assert_true(futex_decode(b, &m));
	assert_true(m.recursive);
	assert_int_equal(m.depth, 3);
	words(b, (int32_t)(FUTEX_WAITERS | 555), 0, 0, 32 | 16); /* PI robust: owner in the word */
	assert_true(futex_decode(b, &m));
	assert_int_equal(m.owner, 555);
	words(b, 0, 0, 4242, 0);            /* free */
	assert_false(futex_decode(b, &m));
	words(b, 2, 0, 0, 0);               /* no owner yet */
	assert_false(futex_decode(b, &m));
	words(b, 2, 0, 4242, 0x12345);      /* not a kind glibc makes */
	assert_false(futex_decode(b, &m));
}

/* Real mutexes of this glibc, held by this thread. */
static void test_decode_glibc(void **state)
{
	(void)state;
	unsigned char b[FUTEX_MUTEX_BYTES];
	struct futex_mutex m;
	pid_t self = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&unit_mutex);
	memcpy(b, &unit_mutex, sizeof b);
	pthread_mutex_unlock(&unit_mutex);
	assert_true(futex_decode(b, &m));
	assert_int_equal(m.owner, self);
	assert_false(m.recursive);
	memcpy(b, &unit_mutex, sizeof b);
	assert_false(futex_decode(b, &m)); /* unlocked */

	pthread_mutexattr_t a;
	pthread_mutex_t rec, robust;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	pthread_mutex_lock(&rec);
	pthread_mutex_lock(&rec);
	memcpy(b, &rec, sizeof b);
	assert_true(futex_decode(b, &m));
	assert_true(m.recursive);
	assert_int_equal(m.depth, 2);
	assert_int_equal(m.owner, self);
	pthread_mutex_unlock(&rec);
	pthread_mutex_unlock(&rec);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&robust, &a);
	assert_int_equal(pthread_mutex_lock(&robust), 0);
	memcpy(b, &robust, sizeof b);
	assert_true(futex_decode(b, &m));
	assert_int_equal(m.owner, self);
	pthread_mutex_unlock(&robust);
	pthread_mutexattr_destroy(&a);

	/* A condition variable and a semaphore-sized word are no mutex. */
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	memcpy(b, &c, sizeof b);
	assert_false(futex_decode(b, &m));
}

static void test_elfsym(void **state)
{
	(void)state;
	struct elfsym *es = elfsym_new();
	char name[32];
	assert_true(elfsym_name(es, getpid(), (uint64_t)(uintptr_t)&unit_mutex, name, sizeof name));
	assert_string_equal(name, "unit_mutex");
	assert_true(elfsym_name(es, getpid(), (uint64_t)(uintptr_t)&unit_struct.m, name, sizeof name));
	char want[32];
	snprintf(want, sizeof want, "unit_struct+%zu", offsetof(__typeof__(unit_struct), m));
	assert_string_equal(name, want);
	/* Again, from the cache. */
	assert_true(elfsym_name(es, getpid(), (uint64_t)(uintptr_t)&unit_mutex, name, sizeof name));
	assert_string_equal(name, "unit_mutex");
	int local = 0;
	assert_false(elfsym_name(es, getpid(), (uint64_t)(uintptr_t)&local, name, sizeof name));
	assert_false(elfsym_name(es, 0x7ffffff0, 0x1000, name, sizeof name)); /* no such process */
	elfsym_free(es);
}

static size_t namer(void *ctx, pid_t pid, int fd, bool reading, char *buf, size_t len)
{
	(void)ctx;
	(void)pid;
	if (fd != 7)
		return 0;
	return (size_t)snprintf(buf, len, "pipe %s PID 311 (producer)", reading ? "from" : "to");
}

static void test_waittext(void **state)
{
	(void)state;
	struct waittext_ctx c = { .pid = getpid(), .namer = namer };
	struct timespec half = { 0, 500000000L };
	struct syscall_line l = { .nr = SYS_nanosleep, .args = { (uint64_t)(uintptr_t)&half } };
	char buf[WAITTEXT_MAX];
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "sleeps 0.5 s");
	l = (struct syscall_line){ .nr = SYS_clock_nanosleep,
				   .args = { CLOCK_MONOTONIC, 0, (uint64_t)(uintptr_t)&half } };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "sleeps 0.5 s");
	l = (struct syscall_line){ .nr = SYS_nanosleep, .args = { 8 } }; /* unmapped */
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "sleeps");
	l = (struct syscall_line){ .nr = SYS_read, .args = { 7 } };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "reads pipe from PID 311 (producer)");
	l = (struct syscall_line){ .nr = SYS_write, .args = { 3 } };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "writes fd 3");
	l = (struct syscall_line){ .nr = SYS_wait4, .args = { (uint64_t)-1 } };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "waits for a child (wait4)");
	l = (struct syscall_line){ .nr = SYS_ppoll, .args = { 0, 3 } };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "poll on 3 fds");
	l = (struct syscall_line){ .nr = SYS_rt_sigtimedwait };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "waits for a signal (sigtimedwait)");
	l = (struct syscall_line){ .nr = SYS_getpid };
	waittext_format(&c, &l, buf, sizeof buf);
	assert_string_equal(buf, "in syscall 39");
}

/* As a user without CAP_SYS_PTRACE, a non-dumpable process of that same
 * user cannot be read: infer_sight says "ptrace denied", not "seen". Runs
 * in a child so this process keeps its credentials. */
static void test_denied(void **state)
{
	(void)state;
	pid_t tester = fork();
	assert_true(tester >= 0);
	if (tester == 0) {
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("nobody");
			if (!pw || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(3);
			prctl(PR_SET_DUMPABLE, 1); /* setuid cleared it; its own /proc stays nobody's */
		}
		int go[2];
		if (pipe(go) != 0)
			_exit(4);
		pid_t target = fork();
		if (target == 0) {
			prctl(PR_SET_DUMPABLE, 0);
			if (write(go[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		char x;
		if (read(go[0], &x, 1) != 1)
			_exit(5);
		struct task t = { .tid = target, .pid = target, .ppid = getpid(), .state = 'S',
				  .supervised = true, .cmdline = "" };
		struct infer *in = infer_new();
		infer_update(in, &t, 1, NULL, 0);
		const char *why = NULL;
		enum infer_sight s = infer_sight(in, target, &why);
		int rc = s == INFER_DENIED && strcmp(why, "ptrace denied") == 0 ? 0 : 10 + (int)s;
		/* And its own process, always readable, is seen. */
		t.tid = t.pid = getpid();
		infer_update(in, &t, 1, NULL, 0);
		if (rc == 0 && infer_sight(in, getpid(), &why) != INFER_SEEN)
			rc = 20;
		infer_free(in);
		kill(target, SIGKILL);
		waitpid(target, NULL, 0);
		_exit(rc);
	}
	int status;
	assert_int_equal(waitpid(tester, &status, 0), tester);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_may_be_mutex),
		cmocka_unit_test(test_decode_words),
		cmocka_unit_test(test_decode_glibc),
		cmocka_unit_test(test_elfsym),
		cmocka_unit_test(test_waittext),
		cmocka_unit_test(test_denied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
