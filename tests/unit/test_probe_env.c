/* test_probe_env.c - cm_init() against every kind of CONCMON_TELEMETRY_FD:
 * publishes only into a proper sealed segment, and the primitives work the
 * same either way. Each case runs in a fresh child (cm_init is once per
 * process). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "concmon/cmprobe.h"
#include "telemetry/telemetry.h"

enum { PUBLISHING = 10, SILENT = 20, BROKEN = 30 };

/* Everything a program does, working whether or not it publishes. */
static bool primitives_work(void)
{
	struct cm_mutex *m = cm_mutex_new("m", true, CM_PRIVATE);
	cm_mutex_lock(m);
	cm_mutex_lock(m);
	cm_mutex_unlock(m);
	cm_mutex_unlock(m);
	struct cm_queue *q = cm_queue_new("q", 2, CM_SHARED);
	intptr_t v = 0;
	bool ok = cm_queue_put(q, 4) && cm_queue_get(q, &v) && v == 4;
	struct cm_knob *k = cm_knob_new("k", 3, 0, 5);
	cm_knob_set(k, 9);
	ok = ok && cm_knob_get(k) == 5;
	struct cm_value *val = cm_value_new("v");
	cm_value_add(val, 2);
	ok = ok && cm_value_get(val) == 2;
	struct cm_sem *s = cm_sem_new("s", 1, CM_PRIVATE);
	cm_sem_wait(s);
	cm_sem_post(s);
	cm_thread_role("worker");
	cm_queue_free(q);
	cm_mutex_free(m);
	cm_sem_free(s);
	return ok;
}

/* The child's verdict on env (NULL: unset). */
static int run_with(const char *env)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (env)
			setenv(CM_TELEMETRY_ENV, env, 1);
		else
			unsetenv(CM_TELEMETRY_ENV);
		bool publishing = cm_init();
		_exit(!primitives_work() ? BROKEN : publishing ? PUBLISHING : SILENT);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int run_with_fd(int fd)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%d", fd);
	return run_with(buf);
}

static void test_no_variable(void **state)
{
	(void)state;
	assert_int_equal(run_with(NULL), SILENT);
}

static void test_not_a_number(void **state)
{
	(void)state;
	const char *bad[] = { "", "abc", "12x", " 3", "-1", "99999999999999999999", "0x3" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(run_with(bad[i]), SILENT);
}

static void test_not_a_segment(void **state)
{
	(void)state;
	assert_int_equal(run_with("987"), SILENT);              /* not open */
	int null = open("/dev/null", O_RDWR);
	assert_int_equal(run_with_fd(null), SILENT);
	close(null);
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(run_with_fd(p[0]), SILENT);
	close(p[0]);
	close(p[1]);
}

/* A copy of a good segment in a memfd; sealed or not, of size bytes. */
static int memfd_segment(const struct telemetry *t, size_t size, bool seal)
{
	int fd = memfd_create("fake", MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	unsigned char *buf = calloc(1, sizeof(struct cm_segment));
	assert_non_null(buf);
	assert_int_equal(pread(telemetry_fd(t), buf, sizeof(struct cm_segment), 0),
			 (ssize_t)sizeof(struct cm_segment));
	size_t n = size < sizeof(struct cm_segment) ? size : sizeof(struct cm_segment);
	assert_int_equal(pwrite(fd, buf, n, 0), (ssize_t)n);
	free(buf);
	if (seal)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	return fd;
}

static void test_segments(void **state)
{
	(void)state;
	char err[256];
	struct telemetry *t = telemetry_create(err, sizeof err);
	assert_non_null(t);
	assert_int_equal(run_with_fd(telemetry_fd(t)), PUBLISHING);

	int fd = memfd_segment(t, sizeof(struct cm_segment), false);   /* unsealed */
	assert_int_equal(run_with_fd(fd), SILENT);
	close(fd);
	fd = memfd_segment(t, sizeof(struct cm_segment), true);         /* a proper copy */
	assert_int_equal(run_with_fd(fd), PUBLISHING);
	close(fd);
	fd = memfd_segment(t, sizeof(struct cm_segment) - 8, true);     /* too small */
	assert_int_equal(run_with_fd(fd), SILENT);
	close(fd);
	fd = memfd_segment(t, sizeof(struct cm_segment) + 4096, true);  /* too big */
	assert_int_equal(run_with_fd(fd), SILENT);
	close(fd);

	/* Another concmon version: magic or version differ. */
	struct cm_segment *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED,
				    telemetry_fd(t), 0);
	assert_true(s != MAP_FAILED);
	s->hdr.version++;
	assert_int_equal(run_with_fd(telemetry_fd(t)), SILENT);
	s->hdr.version--;
	s->hdr.magic = 0;
	assert_int_equal(run_with_fd(telemetry_fd(t)), SILENT);
	s->hdr.magic = CM_TELEMETRY_MAGIC;
	s->hdr.cap_locks = 1;
	assert_int_equal(run_with_fd(telemetry_fd(t)), SILENT);
	s->hdr.cap_locks = CM_MAX_LOCKS;
	assert_int_equal(run_with_fd(telemetry_fd(t)), PUBLISHING);

	/* What the publishing children left is a valid segment. */
	struct telemetry_snapshot *snap = malloc(sizeof *snap);
	assert_non_null(snap);
	assert_int_equal(telemetry_read(t, snap, err, sizeof err), 0);
	assert_int_equal(snap->attaches, 2);
	free(snap);
	munmap(s, sizeof *s);
	telemetry_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_variable),
		cmocka_unit_test(test_not_a_number),
		cmocka_unit_test(test_not_a_segment),
		cmocka_unit_test(test_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
