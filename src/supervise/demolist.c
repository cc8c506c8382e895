/* demolist.c - see demolist.h. */
#include "supervise/demolist.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

/* Copies the field [s, e) into dst (size cap), truncated; false if empty. */
static int take(char *dst, size_t cap, const char *s, const char *e)
{
	size_t len = (size_t)(e - s);
	if (!len)
		return 0;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 1;
}

/* A number at *p (before e), moving *p past it. */
static bool take_long(const char **p, const char *e, long *out)
{
	char num[24];
	size_t n = 0;
	while (*p + n < e && n < sizeof num - 1 && ((*p)[n] == '-' || ((*p)[n] >= '0' && (*p)[n] <= '9')))
		n++;
	if (n == 0 || n == sizeof num - 1)
		return false;
	memcpy(num, *p, n);
	num[n] = '\0';
	errno = 0;
	char *end;
	*out = strtol(num, &end, 10);
	*p += n;
	return errno == 0 && *end == '\0';
}

/* One knob "name=value:min..max[*]" in [s, e). */
static bool take_knob(struct demo_knob_info *k, const char *s, const char *e)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	if (!eq || !take(k->name, sizeof k->name, s, eq) || (size_t)(eq - s) >= sizeof k->name)
		return false;
	const char *p = eq + 1;
	if (!take_long(&p, e, &k->value) || p >= e || *p++ != ':' || !take_long(&p, e, &k->min) ||
	    e - p < 2 || p[0] != '.' || p[1] != '.')
		return false;
	p += 2;
	if (!take_long(&p, e, &k->max))
		return false;
	k->at_start = p < e && *p == '*';
	p += k->at_start;
	return p == e && k->min <= k->value && k->value <= k->max;
}

/* The knobs field [s, e) into d. */
static void take_knobs(struct demo_info *d, const char *s, const char *e)
{
	d->nknobs = 0;
	while (s < e && d->nknobs < DEMO_INFO_KNOBS) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		const char *ke = c ? c : e;
		if (take_knob(&d->knobs[d->nknobs], s, ke))
			d->nknobs++;
		s = ke + 1;
	}
}

size_t demolist_parse(const char *text, size_t len, struct demo_info *out, size_t max)
{
	size_t n = 0;
	const char *p = text, *end = text + len;
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *t1 = memchr(p, '\t', (size_t)(eol - p));
		const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1)) : NULL;
		const char *t3 = t2 ? memchr(t2 + 1, '\t', (size_t)(eol - t2 - 1)) : NULL;
		struct demo_info *d = &out[n];
		memset(d, 0, sizeof *d);
		if (t2 && take(d->name, sizeof d->name, p, t1) &&
		    take(d->group, sizeof d->group, t1 + 1, t2) &&
		    take(d->description, sizeof d->description, t2 + 1, t3 ? t3 : eol)) {
			if (t3)
				take_knobs(d, t3 + 1, eol);
			n++;
		}
		p = eol + 1;
	}
	return n;
}

/* At most this many demos are read from the listing. */
#define DEMOLIST_MAX 64

/* Starts `demo_path --list` with its stdout on out, stdin and stderr on
 * /dev/null (never the terminal the TUI owns), default signals and an
 * empty mask. Returns its PID, or -1. */
static pid_t spawn_lister(const char *demo_path, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = { (char *)demo_path, (char *)"--list", NULL };
	extern char **environ;
	pid_t pid;
	int rc = posix_spawnp(&pid, demo_path, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc == 0 ? pid : -1;
}

struct demo_info *demolist_load(const char *demo_path, size_t *n)
{
	*n = 0;
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = spawn_lister(demo_path, fd[1]);
	close(fd[1]);
	char *buf = xmalloc(65536);
	size_t got = 0;
	ssize_t r;
	while (pid > 0 && got < 65536 && (r = read(fd[0], buf + got, 65536 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	close(fd[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	struct demo_info *out = xmalloc(DEMOLIST_MAX * sizeof *out);
	*n = demolist_parse(buf, got, out, DEMOLIST_MAX);
	free(buf);
	if (!*n) {
		free(out);
		return NULL;
	}
	return out;
}
