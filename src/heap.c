/* heap.c - see heap.h. Why: a burst (a hundred programs launched and ended
 * in a row, each with its output, telemetry copy and tasks) grows the heap.
 * Once they are gone, concmon uses what it used before, but glibc keeps
 * pages resident that no malloc_trim() can return:
 *  - its per-thread cache (tcache) holds up to 7 freed blocks of each small
 *    size; they never merge with their free neighbours, and, scattered
 *    through the grown heap, each pins its page;
 *  - its mmap threshold rises after each big block is freed, so later big
 *    arrays land in the heap, above the small blocks placed after them.
 * Measured with tests/integration/test_soak.py (1000 launch/stop cycles of
 * a demo, RSS against the figure after 10): +23% as glibc comes; +20% with
 * a fixed mmap threshold alone; +4% with the tcache off alone; +0.7% with
 * both. The threshold is a mallopt(); the tcache is read from the
 * environment when the program starts (GLIBC_TUNABLES), hence the one
 * re-exec. */
#include "heap.h"

#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#define TUNABLES "GLIBC_TUNABLES"
#define NO_TCACHE "glibc.malloc.tcache_count=0"
/* Set for the second start only: the user's GLIBC_TUNABLES ("=value", or
 * "-" when it was unset) and the process name before the re-exec. */
#define SAVED_TUNABLES "CONCMON_HEAP_TUNABLES"
#define SAVED_COMM "CONCMON_HEAP_COMM"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static bool restore(void)
{
	const char *saved = getenv(SAVED_TUNABLES);
	if (!saved)
		return false;
	if (saved[0] == '=')
		setenv(TUNABLES, saved + 1, 1);
	else
		unsetenv(TUNABLES);
	const char *comm = getenv(SAVED_COMM);
	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	unsetenv(SAVED_TUNABLES);
	unsetenv(SAVED_COMM);
	return true;
}

static bool worth_reexec(void)
{
	const char *t = getenv(TUNABLES), *pre = getenv("LD_PRELOAD");
	return !SANITIZED && !getauxval(AT_SECURE) && !(t && strstr(t, "tcache_count")) &&
	       !(pre && strstr(pre, "vgpreload")); /* valgrind's malloc, not glibc's */
}

static void reexec(char **argv)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 || (size_t)n >= sizeof exe - 1)
		return;
	exe[n] = '\0';
	const char *gone = " (deleted)";
	if ((size_t)n > strlen(gone) && strcmp(exe + n - strlen(gone), gone) == 0)
		return; /* replaced since it started: not the same program */
	const char *old = getenv(TUNABLES);
	size_t len = (old ? strlen(old) : 0) + sizeof NO_TCACHE + 2;
	char *saved = malloc(len), *tunables = malloc(len);
	char comm[17] = "";
	if (!saved || !tunables || prctl(PR_GET_NAME, comm, 0, 0, 0) < 0)
		goto out;
	snprintf(saved, len, "%s%s", old ? "=" : "-", old ? old : "");
	snprintf(tunables, len, "%s%s%s", old ? old : "", old && *old ? ":" : "", NO_TCACHE);
	if (setenv(SAVED_TUNABLES, saved, 1) == 0 && setenv(SAVED_COMM, comm, 1) == 0 &&
	    setenv(TUNABLES, tunables, 1) == 0)
		execv(exe, argv);
	/* Still here: run as started. */
	setenv(SAVED_TUNABLES, saved, 1);
	restore();
out:
	free(saved);
	free(tunables);
}

void heap_setup(char **argv)
{
	if (!restore() && worth_reexec())
		reexec(argv);
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
}

void heap_trim(size_t *high)
{
	struct mallinfo2 mi = mallinfo2();
	if (mi.uordblks >= *high) {
		*high = mi.uordblks;
	} else if (*high - mi.uordblks >= 16 * 1024) {
		malloc_trim(0);
		*high = mi.uordblks;
	}
}
