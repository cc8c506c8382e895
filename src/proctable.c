/* proctable.c - reads processes and threads straight from /proc: the only
 * file that reads task stats.
 *
 * A refresh costs one stat file per task and little else, which is what a
 * bare reader pays (libproc2, used before, also read statm and cmdline for
 * every task: about twice the cost, see tests/bench). The command line is
 * read once per process and kept while the process stays the same program;
 * /proc is walked with openat() relative to directories already open, and
 * every buffer lives in the proctable, so a refresh allocates nothing once
 * the tables have grown. The default view walks /proc/PID/task/TID/children
 * from the root, so it reads the supervised subtree and nothing else. */
#include "proctable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procparse.h"
#include "util.h"

/* A stat line is at most ~1100 bytes (52 numbers and a 64-byte comm). */
#define STAT_MAX 2048
/* As much of a command line as libproc2 read. */
#define CMDLINE_MAX (128 * 1024)
#define DENTS_MAX (32 * 1024)
/* The default view's walk stops here even if racy children lists loop. */
#define QUEUE_MAX (1u << 22)

/* A process's command line, kept while the process is the same program:
 * same PID and start time, same comm and argument block (exec changes
 * them), and not yet a zombie (whose command line reads empty). */
struct cmd {
	pid_t pid;
	bool zombie;
	unsigned long long start, arg_start, arg_end;
	char comm[sizeof ((struct proc_stat *)0)->comm];
	char *text;              /* owned; NULL once moved to the next table */
};

struct cmd_table {
	struct cmd *v;           /* sorted by pid after each refresh */
	size_t n, cap;
};

struct proctable {
	int proc_fd;             /* /proc, opened once */
	struct sample *samples;
	size_t n, cap;
	struct cmd_table old, cur;  /* the previous refresh's lines, this one's */
	char *cmdbuf;            /* CMDLINE_MAX bytes of scratch, once needed */
	char *dents_proc, *dents_task;  /* getdents buffers, nested */
	char *kids;              /* one children file */
	size_t kids_cap;
	pid_t *queue;            /* the default view's breadth-first walk */
	size_t nqueue, qcap;
	long page_kb;
};

struct proctable *proctable_new(void)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct proctable *pt = xcalloc(1, sizeof *pt);
	pt->proc_fd = fd;
	/* Never hand out NULL for an empty snapshot: NULL means failure. */
	pt->cap = 64;
	pt->samples = xmalloc(pt->cap * sizeof *pt->samples);
	pt->dents_proc = xmalloc(DENTS_MAX);
	pt->dents_task = xmalloc(DENTS_MAX);
	pt->kids_cap = 4096;
	pt->kids = xmalloc(pt->kids_cap);
	long page = sysconf(_SC_PAGESIZE);
	pt->page_kb = page > 0 ? page / 1024 : 4;
	return pt;
}

static void cmd_table_clear(struct cmd_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	t->n = 0;
}

void proctable_free(struct proctable *pt)
{
	if (!pt)
		return;
	close(pt->proc_fd);
	cmd_table_clear(&pt->old);
	cmd_table_clear(&pt->cur);
	free(pt->old.v);
	free(pt->cur.v);
	free(pt->samples);
	free(pt->cmdbuf);
	free(pt->dents_proc);
	free(pt->dents_task);
	free(pt->kids);
	free(pt->queue);
	free(pt);
}

/* ---- small readers ---- */

/* Writes "<n><suffix>" into buf (at least 32 bytes); snprintf is slow
 * enough to show at 10000 tasks a refresh. */
static const char *pid_path(char *buf, pid_t n, const char *suffix)
{
	char digits[16];
	int k = 0;
	unsigned v = (unsigned)n;
	do
		digits[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < (int)sizeof digits);
	char *p = buf;
	while (k > 0)
		*p++ = digits[--k];
	size_t len = strlen(suffix);
	memcpy(p, suffix, len + 1);
	return buf;
}

/* Reads at most len-1 bytes of path (relative to dirfd) and NUL-terminates
 * them; -1 when it is gone. procfs hands out a stat or children file whole
 * in one read when the buffer is large enough, so unless to_eof a read that
 * did not fill the buffer ends it: no second read() just to see the end. */
static ssize_t read_at(int dirfd, const char *path, char *buf, size_t len, bool to_eof)
{
	int fd;
	do
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (!to_eof && got + 1 < len)
			break;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* A process's stat (args: with its argument block, for the command line
 * cache) or a thread's (without: half the parsing). */
static bool read_stat(int dirfd, const char *path, struct proc_stat *st, bool args)
{
	char buf[STAT_MAX];
	ssize_t len = read_at(dirfd, path, buf, sizeof buf, false);
	if (len <= 0)
		return false;
	return (args ? procparse_stat : procparse_stat_head)(buf, (size_t)len, st) == 0;
}

/* A directory's numeric entries (PIDs or TIDs), from the start. */
struct dir_iter {
	int fd;
	char *buf;
	long pos, end;
	bool done;               /* the last getdents returned everything */
};

/* rewind: the directory was read before (the /proc fd is kept open). */
static void dir_start(struct dir_iter *it, int fd, char *buf, bool rewind)
{
	it->fd = fd;
	it->buf = buf;
	it->pos = it->end = 0;
	it->done = false;
	if (rewind)
		lseek(fd, 0, SEEK_SET);
}

/* The next numeric entry, or 0 at the end (or on an error). */
static pid_t dir_next(struct dir_iter *it)
{
	for (;;) {
		if (it->pos >= it->end) {
			if (it->done)
				return 0;
			ssize_t r = getdents64(it->fd, it->buf, DENTS_MAX);
			if (r <= 0)
				return 0;
			it->pos = 0;
			it->end = r;
			/* procfs fills the buffer until its listing ends: with room
			 * left for another entry, there is none; skip the getdents
			 * that would only say so (one syscall a process). */
			it->done = (size_t)r + 2 * sizeof(struct dirent64) < DENTS_MAX;
		}
		struct dirent64 *de = (struct dirent64 *)(it->buf + it->pos);
		it->pos += de->d_reclen;
		long v = 0;
		const char *p = de->d_name;
		if (*p < '1' || *p > '9')
			continue;
		for (; *p >= '0' && *p <= '9' && v <= 0x7fffffff; p++)
			v = v * 10 + (*p - '0');
		if (!*p && v <= 0x7fffffff)
			return (pid_t)v;
	}
}

/* ---- command lines ---- */

static int cmp_cmd(const void *a, const void *b)
{
	pid_t x = ((const struct cmd *)a)->pid, y = ((const struct cmd *)b)->pid;
	return (x > y) - (x < y);
}

static bool same_program(const struct cmd *c, const struct proc_stat *st)
{
	return c->text && c->start == st->start_ticks && c->arg_start == st->arg_start &&
	       c->arg_end == st->arg_end && c->zombie == (st->state == 'Z') &&
	       strcmp(c->comm, st->comm) == 0;
}

/* The command line as libproc2 gave it: arguments joined by spaces, or
 * "[comm]" when there are none (kernel threads), with " <defunct>" for a
 * zombie. Returns a malloc'd string. */
static char *read_cmdline(struct proctable *pt, pid_t pid, const struct proc_stat *st)
{
	char path[32];
	if (!pt->cmdbuf)
		pt->cmdbuf = xmalloc(CMDLINE_MAX);
	ssize_t len = read_at(pt->proc_fd, pid_path(path, pid, "/cmdline"), pt->cmdbuf,
			      CMDLINE_MAX, true);
	size_t n = len > 0 ? procparse_cmdline(pt->cmdbuf, (size_t)len) : 0;
	if (n > 0) {
		char *s = xmalloc(n + 1);
		memcpy(s, pt->cmdbuf, n);
		s[n] = '\0';
		return s;
	}
	size_t clen = strlen(st->comm);
	const char *tail = st->state == 'Z' ? "] <defunct>" : "]";
	size_t tlen = strlen(tail);
	char *s = xmalloc(clen + tlen + 2);
	s[0] = '[';
	memcpy(s + 1, st->comm, clen);
	memcpy(s + 1 + clen, tail, tlen + 1);
	return s;
}

/* The command line of process pid (whose stat is st) for this refresh:
 * last refresh's if it is the same program, else read now. */
static const char *cmdline_for(struct proctable *pt, pid_t pid, const struct proc_stat *st)
{
	struct cmd key = { .pid = pid };
	struct cmd *old = pt->old.n ? bsearch(&key, pt->old.v, pt->old.n, sizeof key, cmp_cmd) : NULL;
	struct cmd_table *cur = &pt->cur;
	if (cur->n == cur->cap) {
		cur->cap = cur->cap ? cur->cap * 2 : 64;
		cur->v = xrealloc(cur->v, cur->cap * sizeof *cur->v);
	}
	struct cmd *c = &cur->v[cur->n++];
	if (old && same_program(old, st)) {
		*c = *old;
		old->text = NULL;
		return c->text;
	}
	c->pid = pid;
	c->zombie = st->state == 'Z';
	c->start = st->start_ticks;
	c->arg_start = st->arg_start;
	c->arg_end = st->arg_end;
	memcpy(c->comm, st->comm, sizeof c->comm);
	c->text = read_cmdline(pt, pid, st);
	return c->text;
}

/* Ends a refresh: lines not seen again are freed, this refresh's become
 * the old ones. They stay alive until the next refresh ends, as long as
 * the samples that point at them. */
static void cmd_tables_swap(struct proctable *pt)
{
	cmd_table_clear(&pt->old);
	struct cmd_table t = pt->old;
	pt->old = pt->cur;
	pt->cur = t;
	struct cmd_table *o = &pt->old;
	for (size_t i = 1; i < o->n; i++) {
		if (o->v[i - 1].pid > o->v[i].pid) {
			qsort(o->v, o->n, sizeof *o->v, cmp_cmd);
			break;
		}
	}
}

/* ---- samples ---- */

static void add_sample(struct proctable *pt, const struct proc_stat *st, pid_t pid,
		       const char *cmdline)
{
	if (pt->n == pt->cap) {
		pt->cap *= 2;
		pt->samples = xrealloc(pt->samples, pt->cap * sizeof *pt->samples);
	}
	struct sample *s = &pt->samples[pt->n++];
	s->tid = st->pid;
	s->pid = pid;
	s->ppid = st->ppid;
	s->state = st->state;
	memcpy(s->comm, st->comm, sizeof s->comm);
	s->cmdline = cmdline;
	s->ticks = st->utime + st->stime;
	s->start_ticks = st->start_ticks;
	s->rss_kb = st->rss_pages > 0 ? (unsigned long)st->rss_pages * (unsigned long)pt->page_kb : 0;
	s->threads = st->num_threads > 0x7fffffff ? 0x7fffffff : (int)st->num_threads;
}

/* Appends the children of thread tid (a directory relative to taskfd) to
 * the walk, skipping hide. */
static void queue_children(struct proctable *pt, int taskfd, pid_t tid, pid_t hide)
{
	char path[32];
	pid_path(path, tid, "/children");
	ssize_t len;
	/* A full buffer may be a cut list: grow it and read again. */
	while ((len = read_at(taskfd, path, pt->kids, pt->kids_cap, false)) >= 0 &&
	       (size_t)len + 1 >= pt->kids_cap) {
		pt->kids_cap *= 2;
		pt->kids = xrealloc(pt->kids, pt->kids_cap);
	}
	if (len <= 0)
		return;
	size_t most = (size_t)len / 2 + 1;
	if (pt->nqueue + most > pt->qcap) {
		pt->qcap = (pt->nqueue + most) * 2;
		pt->queue = xrealloc(pt->queue, pt->qcap * sizeof *pt->queue);
	}
	pid_t *got = pt->queue + pt->nqueue;
	int k = procparse_pid_list(pt->kids, (size_t)len, got, most);
	size_t w = pt->nqueue;   /* compacts in place: w never passes got + i */
	for (int i = 0; i < k; i++)
		if (got[i] != hide && w < QUEUE_MAX)
			pt->queue[w++] = got[i];
	pt->nqueue = w;
}

/* Appends the children of every thread of pid to the walk. */
static void queue_all_children(struct proctable *pt, pid_t pid, pid_t hide)
{
	char path[32];
	int taskfd = openat(pt->proc_fd, pid_path(path, pid, "/task"),
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return;
	struct dir_iter it;
	dir_start(&it, taskfd, pt->dents_task, false);
	pid_t tid;
	while ((tid = dir_next(&it)))
		queue_children(pt, taskfd, tid, hide);
	close(taskfd);
}

/* Reads process pid: its own row from /proc/PID/stat (CPU ticks of the
 * whole process, as libproc2 gave them), with threads the other threads
 * from /proc/PID/task/TID/stat, and with walk the children of every
 * thread. A process that is gone is skipped. */
static void read_process(struct proctable *pt, pid_t pid, bool threads, bool walk, pid_t hide)
{
	char path[48];
	struct proc_stat st;
	if (!read_stat(pt->proc_fd, pid_path(path, pid, "/stat"), &st, true) || st.pid != pid)
		return;
	add_sample(pt, &st, pid, cmdline_for(pt, pid, &st));
	const char *cmdline = pt->samples[pt->n - 1].cmdline;
	if (!walk && (!threads || st.num_threads <= 1))
		return;
	int taskfd = openat(pt->proc_fd, pid_path(path, pid, "/task"),
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return;
	if (!threads && st.num_threads <= 1) {
		/* Only the main thread's children: no need to list the directory. */
		queue_children(pt, taskfd, pid, hide);
		close(taskfd);
		return;
	}
	struct dir_iter it;
	dir_start(&it, taskfd, pt->dents_task, false);
	pid_t tid;
	while ((tid = dir_next(&it))) {
		if (threads && tid != pid && read_stat(taskfd, pid_path(path, tid, "/stat"), &st, false))
			add_sample(pt, &st, pid, cmdline);
		if (walk)
			queue_children(pt, taskfd, tid, hide);
	}
	close(taskfd);
}

const struct sample *proctable_sample(struct proctable *pt, pid_t root, pid_t hide,
				      bool all, bool threads, size_t *n)
{
	pt->n = 0;
	pt->nqueue = 0;
	if (all) {
		struct dir_iter it;
		dir_start(&it, pt->proc_fd, pt->dents_proc, true);
		pid_t pid;
		while ((pid = dir_next(&it)))
			if (pid != hide)
				read_process(pt, pid, threads, false, hide);
	} else {
		/* The root's children (it is not shown itself), then theirs. */
		queue_all_children(pt, root, hide);
		for (size_t i = 0; i < pt->nqueue; i++)
			read_process(pt, pt->queue[i], threads, true, hide);
	}
	cmd_tables_swap(pt);
	*n = pt->n;
	return pt->samples;
}

/* ---- one-off readers ---- */

pid_t *proctable_descendants(pid_t root, pid_t hide, size_t *n)
{
	struct proctable *pt = proctable_new();
	pid_t *out = NULL;
	*n = 0;
	if (!pt)
		return NULL;
	queue_all_children(pt, root, hide);
	for (size_t i = 0; i < pt->nqueue; i++)
		queue_all_children(pt, pt->queue[i], hide);
	if (pt->nqueue) {
		out = xmalloc(pt->nqueue * sizeof *out);
		memcpy(out, pt->queue, pt->nqueue * sizeof *out);
		*n = pt->nqueue;
	}
	proctable_free(pt);
	return out;
}

unsigned long long proctable_start_ticks(pid_t pid)
{
	char path[64], buf[STAT_MAX];
	struct proc_stat st;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ssize_t len = util_read_file(path, buf, sizeof buf);
	if (len <= 0 || procparse_stat(buf, (size_t)len, &st) < 0)
		return 0;
	return st.start_ticks;
}

double proctable_boot_time(void)
{
	char buf[8192];
	if (util_read_file("/proc/stat", buf, sizeof buf) <= 0)
		return 0;
	const char *p = strstr(buf, "\nbtime ");
	return p ? strtod(p + 7, NULL) : 0;
}

long proctable_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? hz : 100;
}
