/* Unit tests for procdir: the numeric entries of a directory, "0" among
 * them (fd 0), nothing else (names, leading zeros, numbers past 2^31). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/procdir.h"

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static void test_numbers_only(void **state)
{
	(void)state;
	char dir[] = "/tmp/concmon-procdir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const char *const names[] = { "0", "1", "17", "4194304", "01", "00", "abc", "12x",
					     "99999999999" };
	char path[128];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		int fd = open(path, O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	char *buf = malloc(PROCDIR_BUF);
	for (int pass = 0; pass < 2; pass++) {     /* the second from a rewind */
		struct procdir it;
		procdir_start(&it, dfd, buf, pass == 1);
		long got[16], v;
		size_t n = 0;
		while ((v = procdir_next(&it)) >= 0 && n < 16)
			got[n++] = v;
		qsort(got, n, sizeof *got, cmp_long);
		assert_int_equal(n, 4);
		assert_int_equal(got[0], 0);
		assert_int_equal(got[1], 1);
		assert_int_equal(got[2], 17);
		assert_int_equal(got[3], 4194304);
	}
	free(buf);
	close(dfd);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
