/* test_proctable.c - the /proc reader against real processes: the subtree
 * walk, threads, hiding, command lines (cached, then re-read after exec),
 * zombies, and lists too long for the first buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/procparse.h"
#include "kernel/proctable.h"
#include "util/util.h"

/* ---- children that do what a test needs, then sleep until killed ---- */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void start_threads(int n)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, &attr, sleeper, NULL) != 0)
			_exit(3);
	}
}

static void signal_ready(int fd)
{
	char c = 'r';
	if (write(fd, &c, 1) != 1)
		_exit(4);
	close(fd);
}

/* Waits for count ready bytes. */
static void wait_ready(int fd, int count)
{
	while (count > 0) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		assert_int_equal(r, 1);
		count--;
	}
	close(fd);
}

/* Forks a child named name that starts threads extra threads and, when
 * grandchild, a child of its own named "cmgrand"; returns once all exist. */
static pid_t spawn(const char *name, int threads, bool grandchild)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, name);
		if (grandchild) {
			pid_t g = fork();
			if (g == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				prctl(PR_SET_NAME, "cmgrand");
				signal_ready(fds[1]);
				for (;;)
					pause();
			}
		}
		start_threads(threads);
		signal_ready(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	wait_ready(fds[0], grandchild ? 2 : 1);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Samples of pid (its process and thread rows). */
static size_t count_of(const struct sample *s, size_t n, pid_t pid)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i].pid == pid;
	return k;
}

static const struct sample *find_tid(const struct sample *s, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].tid == tid)
			return &s[i];
	return NULL;
}

static const struct sample *find_comm(const struct sample *s, size_t n, const char *comm)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].comm, comm) == 0 && s[i].tid == s[i].pid)
			return &s[i];
	return NULL;
}

/* Samples until pred holds (polling, up to ~5 s); returns the last snapshot. */
static const struct sample *sample_until(struct proctable *pt, bool all, bool threads,
					 bool (*pred)(const struct sample *, size_t, void *),
					 void *arg, size_t *n)
{
	const struct sample *s = NULL;
	for (int i = 0; i < 500; i++) {
		s = proctable_sample(pt, getpid(), 0, all, threads, n);
		assert_non_null(s);
		if (pred(s, *n, arg))
			return s;
		usleep(10000);
	}
	fail_msg("condition never held");
	return s;
}

/* ---- tests ---- */

/* The extra facts: none unless asked; asked, each read, threads share
 * their process's owner, shared memory and cgroup. */
static void test_extras_only_when_asked(void **state)
{
	(void)state;
	pid_t child = spawn("cmextra", 2, false);
	struct proctable *pt = proctable_new();
	assert_non_null(pt);
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	for (size_t i = 0; i < n; i++)
		assert_null(s[i].extra);
	const struct sample *c = find_tid(s, n, child);
	assert_non_null(c);
	assert_int_equal(c->nice, 0);
	assert_true(c->vsize_kb >= c->rss_kb);

	proctable_set_extras(pt, PROC_EXTRA_USER | PROC_EXTRA_SHR | PROC_EXTRA_IO |
			     PROC_EXTRA_WCHAN | PROC_EXTRA_CGROUP);
	s = proctable_sample(pt, getpid(), 0, false, true, &n);
	c = find_tid(s, n, child);
	assert_non_null(c);
	assert_non_null(c->extra);
	struct passwd *pw = getpwuid(getuid());
	assert_string_equal(c->extra->user, pw ? pw->pw_name : "?");
	assert_true(c->extra->shr_kb >= 0);
	assert_true(c->extra->io_known);    /* our own child: readable */
	char want[PROC_CGROUP_MAX] = "", buf[4096];
	ssize_t len = util_read_file("/proc/self/cgroup", buf, sizeof buf);
	if (len > 0 && procparse_cgroup(buf, (size_t)len, want, sizeof want) == 0)
		assert_string_equal(c->extra->cgroup, want);
	int threads = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].pid != child || s[i].tid == child)
			continue;
		threads++;
		assert_non_null(s[i].extra);
		assert_ptr_equal(s[i].extra->user, c->extra->user);
		assert_int_equal(s[i].extra->shr_kb, c->extra->shr_kb);
		assert_string_equal(s[i].extra->cgroup, c->extra->cgroup);
		assert_true(s[i].extra->io_known);
	}
	assert_int_equal(threads, 2);

	proctable_set_extras(pt, 0);
	s = proctable_sample(pt, getpid(), 0, false, true, &n);
	for (size_t i = 0; i < n; i++)
		assert_null(s[i].extra);
	proctable_free(pt);
	stop(child);
}

static void test_subtree_with_threads(void **state)
{
	(void)state;
	pid_t child = spawn("cmchild", 2, true);
	struct proctable *pt = proctable_new();
	assert_non_null(pt);
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	assert_non_null(s);
	assert_int_equal(count_of(s, n, child), 3);
	const struct sample *c = find_tid(s, n, child);
	assert_non_null(c);
	assert_int_equal(c->pid, child);
	assert_int_equal(c->ppid, getpid());
	assert_string_equal(c->comm, "cmchild");
	assert_int_equal(c->threads, 3);
	assert_true(c->rss_kb > 0);
	assert_true(c->start_ticks > 0);
	assert_true(strlen(c->cmdline) > 0);
	/* every thread row carries its process's command line */
	for (size_t i = 0; i < n; i++)
		if (s[i].pid == child)
			assert_string_equal(s[i].cmdline, c->cmdline);
	const struct sample *g = find_comm(s, n, "cmgrand");
	assert_non_null(g);
	assert_int_equal(g->ppid, child);
	/* without threads: one row per process */
	s = proctable_sample(pt, getpid(), 0, false, false, &n);
	assert_int_equal(count_of(s, n, child), 1);
	assert_non_null(find_comm(s, n, "cmgrand"));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s[i].tid, s[i].pid);
	/* the root itself is never a row */
	assert_null(find_tid(s, n, getpid()));
	proctable_free(pt);
	stop(child);
}

static void test_hide_subtree(void **state)
{
	(void)state;
	pid_t shown = spawn("cmshown", 0, false);
	pid_t hidden = spawn("cmhidden", 1, true);
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), hidden, false, true, &n);
	assert_int_equal(count_of(s, n, shown), 1);
	assert_int_equal(count_of(s, n, hidden), 0);
	assert_null(find_comm(s, n, "cmgrand"));
	/* --all hides the process itself (its children are not its subtree there) */
	s = proctable_sample(pt, getpid(), hidden, true, true, &n);
	assert_int_equal(count_of(s, n, hidden), 0);
	assert_int_equal(count_of(s, n, shown), 1);
	assert_true(count_of(s, n, getpid()) >= 1);  /* --all shows the root too */
	proctable_free(pt);

	size_t nd;
	struct proc_id *d = proctable_descendants(getpid(), hidden, &nd);
	assert_non_null(d);
	bool saw_shown = false;
	for (size_t i = 0; i < nd; i++) {
		assert_int_not_equal(d[i].pid, hidden);
		assert_true(d[i].start > 0);
		saw_shown |= d[i].pid == shown;
	}
	assert_true(saw_shown);
	free(d);
	stop(shown);
	stop(hidden);
}

static void test_no_descendants(void **state)
{
	(void)state;
	size_t n = 99;
	struct proc_id *d = proctable_descendants(getpid(), 0, &n);
	assert_null(d);
	assert_int_equal(n, 0);
	struct proctable *pt = proctable_new();
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	assert_non_null(s);  /* empty is not a failure */
	assert_int_equal(n, 0);
	proctable_free(pt);
}

static bool shows_sleep(const struct sample *s, size_t n, void *arg)
{
	const struct sample *c = find_tid(s, n, *(pid_t *)arg);
	return c && strcmp(c->cmdline, "sleep 30") == 0 && strcmp(c->comm, "sleep") == 0;
}

/* The command line is cached, but an exec (same PID) is seen. */
static void test_cmdline_follows_exec(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char c;
		if (read(fds[0], &c, 1) == 1)
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	const struct sample *c = find_tid(s, n, pid);
	assert_non_null(c);
	char *before = xstrdup(c->cmdline);
	s = proctable_sample(pt, getpid(), 0, false, true, &n);  /* from the cache */
	c = find_tid(s, n, pid);
	assert_non_null(c);
	assert_string_equal(c->cmdline, before);
	assert_int_equal(write(fds[1], "x", 1), 1);
	close(fds[1]);
	sample_until(pt, false, true, shows_sleep, &pid, &n);
	free(before);
	proctable_free(pt);
	stop(pid);
}

static bool is_zombie(const struct sample *s, size_t n, void *arg)
{
	const struct sample *c = find_tid(s, n, *(pid_t *)arg);
	return c && c->state == 'Z';
}

static void test_zombie_as_libproc2_showed_it(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_NAME, "cmzomb");
		_exit(0);
	}
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = sample_until(pt, false, true, is_zombie, &pid, &n);
	assert_string_equal(find_tid(s, n, pid)->cmdline, "[cmzomb] <defunct>");
	proctable_free(pt);
	waitpid(pid, NULL, 0);
}

/* More children than the first children buffer holds (4 KiB: ~600 PIDs). */
static void test_many_children(void **state)
{
	(void)state;
	enum { KIDS = 800 };
	pid_t *kids = xmalloc(KIDS * sizeof *kids);
	for (int i = 0; i < KIDS; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, false, &n);
	size_t found = 0;
	for (int i = 0; i < KIDS; i++)
		found += find_tid(s, n, kids[i]) != NULL;
	assert_int_equal(found, KIDS);
	proctable_free(pt);
	size_t nd;
	struct proc_id *d = proctable_descendants(getpid(), 0, &nd);
	assert_int_equal(nd, KIDS);
	free(d);
	for (int i = 0; i < KIDS; i++)
		stop(kids[i]);
	free(kids);
}

/* More threads than one getdents buffer lists (32 KiB: ~1300 entries). */
static void test_many_threads(void **state)
{
	(void)state;
	enum { THREADS = 1500 };
	pid_t child = spawn("cmmany", THREADS, false);
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	assert_int_equal(count_of(s, n, child), THREADS + 1);
	s = proctable_sample(pt, getpid(), 0, true, true, &n);
	assert_int_equal(count_of(s, n, child), THREADS + 1);
	proctable_free(pt);
	stop(child);
}

/* ---- a child whose threads come and go on command ---- */

static int swap_cmd_fd, swap_out_fd, swap_tid[2];

/* A new thread tells the main thread its TID. */
static void send_tid(void)
{
	pid_t tid = gettid();
	if (write(swap_tid[1], &tid, sizeof tid) != sizeof tid)
		_exit(5);
}

/* The main thread passes it on, once the change is complete. */
static void pass_tid(pid_t tid)
{
	if (write(swap_out_fd, &tid, sizeof tid) != sizeof tid)
		_exit(9);
}

static pid_t new_tid(void)
{
	pid_t tid;
	if (read(swap_tid[0], &tid, sizeof tid) != sizeof tid)
		_exit(10);
	return tid;
}

static void *blocked_until_told(void *arg)
{
	int fd = *(int *)arg;
	char c;
	send_tid();
	if (read(fd, &c, 1) < 0)
		_exit(6);
	return NULL;   /* the thread ends */
}

static void *sleeper_reporting(void *arg)
{
	(void)arg;
	send_tid();
	for (;;)
		pause();
	return NULL;
}

/* The child: thread A, then on each command byte: 'b' starts thread B and
 * ends A (same count, another TID); 'c' starts thread C (one more). */
static void __attribute__((noreturn)) swapper_main(void)
{
	int a_fds[2];
	if (pipe(a_fds) < 0 || pipe(swap_tid) < 0)
		_exit(7);
	pthread_t a, t;
	pthread_create(&a, NULL, blocked_until_told, &a_fds[0]);
	pass_tid(new_tid());
	char c;
	while (read(swap_cmd_fd, &c, 1) == 1) {
		pthread_create(&t, NULL, sleeper_reporting, NULL);
		pid_t tid = new_tid();
		if (c == 'b') {
			if (write(a_fds[1], "x", 1) != 1)
				_exit(8);
			pthread_join(a, NULL);
		}
		pass_tid(tid);
	}
	_exit(0);
}

static pid_t read_tid(int fd)
{
	pid_t tid;
	assert_int_equal(read(fd, &tid, sizeof tid), sizeof tid);
	return tid;
}

/* Known thread IDs are reused only while they are still exactly the set. */
static void test_thread_set_changes(void **state)
{
	(void)state;
	int cmd[2], out[2];
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(out), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(cmd[1]);
		close(out[0]);
		swap_cmd_fd = cmd[0];
		swap_out_fd = out[1];
		swapper_main();
	}
	close(cmd[0]);
	close(out[1]);
	pid_t a = read_tid(out[0]);
	struct proctable *pt = proctable_new();
	size_t n;
	for (int round = 0; round < 2; round++) {   /* the second from known IDs */
		const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
		assert_int_equal(count_of(s, n, pid), 2);
		assert_non_null(find_tid(s, n, a));
	}
	/* B replaces A: the count stays 2 */
	assert_int_equal(write(cmd[1], "b", 1), 1);
	pid_t b = read_tid(out[0]);
	char apath[64];   /* joined is not yet gone from /proc: wait for that */
	snprintf(apath, sizeof apath, "/proc/%d/task/%d", (int)pid, (int)a);
	for (int i = 0; i < 5000 && access(apath, F_OK) == 0; i++)
		usleep(1000);
	const struct sample *s = proctable_sample(pt, getpid(), 0, false, true, &n);
	assert_int_equal(count_of(s, n, pid), 2);
	assert_null(find_tid(s, n, a));
	assert_non_null(find_tid(s, n, b));
	/* C joins: three */
	assert_int_equal(write(cmd[1], "c", 1), 1);
	pid_t c = read_tid(out[0]);
	for (int round = 0; round < 2; round++) {
		s = proctable_sample(pt, getpid(), 0, round == 0, true, &n);
		assert_int_equal(count_of(s, n, pid), 3);
		assert_non_null(find_tid(s, n, b));
		assert_non_null(find_tid(s, n, c));
	}
	proctable_free(pt);
	close(cmd[1]);
	close(out[0]);
	stop(pid);
}

static void test_all_reads_the_system(void **state)
{
	(void)state;
	struct proctable *pt = proctable_new();
	size_t n;
	const struct sample *s = proctable_sample(pt, getpid(), 0, true, false, &n);
	assert_non_null(find_tid(s, n, 1));
	const struct sample *me = find_tid(s, n, getpid());
	assert_non_null(me);
	assert_int_equal(me->ppid, getppid());
	assert_int_equal(me->state, 'R');
	/* a kernel thread has no arguments: "[comm]", as libproc2 showed it */
	const struct sample *k = find_tid(s, n, 2);
	if (k && k->ppid == 0) {
		char want[80];
		snprintf(want, sizeof want, "[%s]", k->comm);
		assert_string_equal(k->cmdline, want);
	}
	/* ticks never go backwards for a live task */
	unsigned long long t0 = me->ticks;
	for (volatile long i = 0; i < 20000000; i++)
		;
	s = proctable_sample(pt, getpid(), 0, true, false, &n);
	assert_true(find_tid(s, n, getpid())->ticks >= t0);
	proctable_free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extras_only_when_asked),
		cmocka_unit_test(test_subtree_with_threads),
		cmocka_unit_test(test_hide_subtree),
		cmocka_unit_test(test_no_descendants),
		cmocka_unit_test(test_cmdline_follows_exec),
		cmocka_unit_test(test_zombie_as_libproc2_showed_it),
		cmocka_unit_test(test_many_children),
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_thread_set_changes),
		cmocka_unit_test(test_all_reads_the_system),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
