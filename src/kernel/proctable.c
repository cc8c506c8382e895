/* proctable.c - reads processes and threads straight from /proc: the only
 * file that reads task stats.
 *
 * A refresh costs one stat file per task and little else, which is what a
 * bare reader pays (libproc2, used before, also read statm and cmdline for
 * every task: about twice the cost, see tests/bench). The command line is
 * read once per process and kept while the process stays the same program,
 * and so are its thread IDs (no directory listing while they stay the
 * same); /proc is walked with openat() relative to directories already
 * open; buffers live in the proctable, so a refresh allocates only for what
 * it has not seen before. The default view walks /proc/PID/task/TID/children
 * from the root, so it reads the supervised subtree and nothing else. */
#include "kernel/proctable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/procdir.h"
#include "kernel/procparse.h"
#include "util/util.h"

/* A stat line is at most ~1100 bytes (52 numbers and a 64-byte comm). */
#define STAT_MAX 2048
/* As much of a command line as libproc2 read. */
#define CMDLINE_MAX (128 * 1024)
/* The default view's walk stops here even if racy children lists loop. */
#define QUEUE_MAX (1u << 22)

/* What is kept of a process between refreshes. Its command line, while
 * it is the same program: same PID and start time, same comm and argument
 * block (exec changes them), and not yet a zombie (whose command line reads
 * empty). Its thread IDs, while it is the same process: when the count in
 * its stat is unchanged and every one of them can still be read, the set is
 * the same, and listing the task directory again would only say so. */
struct known {
	pid_t pid;
	bool zombie;
	bool reached;            /* old entries: this refresh read the PID */
	unsigned long long start, arg_start, arg_end;
	char comm[sizeof ((struct proc_stat *)0)->comm];
	char *text;              /* owned; NULL once moved to the next table */
	pid_t *tids;             /* owned, the main thread's included */
	size_t ntids, captids;
};

struct known_table {
	struct known *v;         /* sorted by pid after each refresh */
	size_t n, cap;
};

struct proctable {
	int proc_fd;             /* /proc, opened once */
	struct sample *samples;
	size_t n, cap;
	struct known_table old, cur;  /* the previous refresh's processes, this one's */
	char *cmdbuf;            /* CMDLINE_MAX bytes of scratch, once needed */
	char *dents_proc, *dents_task;  /* getdents buffers, nested */
	char *kids;              /* one children file */
	size_t kids_cap;
	pid_t *queue;            /* the default view's breadth-first walk */
	size_t nqueue, qcap;
	pid_t walked;            /* the root the last refresh walked from, 0 after --all */
	long page_kb;
	unsigned extras_mask;    /* enum proc_extra bits to read */
	struct procextra *extra; /* once a mask is set */
	struct proc_extras *extras; /* parallel to samples while extras_mask */
	size_t extras_cap;
	size_t proc_at;          /* the sample of the process being read */
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
	pt->dents_proc = xmalloc(PROCDIR_BUF);
	pt->dents_task = xmalloc(PROCDIR_BUF);
	pt->kids_cap = 4096;
	pt->kids = xmalloc(pt->kids_cap);
	long page = sysconf(_SC_PAGESIZE);
	pt->page_kb = page > 0 ? page / 1024 : 4;
	return pt;
}

static void known_table_clear(struct known_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].text);
		free(t->v[i].tids);
	}
	t->n = 0;
}

void proctable_free(struct proctable *pt)
{
	if (!pt)
		return;
	close(pt->proc_fd);
	known_table_clear(&pt->old);
	known_table_clear(&pt->cur);
	free(pt->old.v);
	free(pt->cur.v);
	free(pt->samples);
	free(pt->cmdbuf);
	free(pt->dents_proc);
	free(pt->dents_task);
	free(pt->kids);
	free(pt->queue);
	free(pt->extras);
	procextra_free(pt->extra);
	free(pt);
}

void proctable_set_extras(struct proctable *pt, unsigned mask)
{
	pt->extras_mask = mask;
	if (mask && !pt->extra)
		pt->extra = procextra_new();
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

/* A process's stat (args: with its argument block, for the command line
 * cache) or a thread's (without: half the parsing). */
static bool read_stat(int dirfd, const char *path, struct proc_stat *st, bool args)
{
	char buf[STAT_MAX];
	ssize_t len = util_read_at(dirfd, path, buf, sizeof buf, false);
	if (len <= 0)
		return false;
	return (args ? procparse_stat : procparse_stat_head)(buf, (size_t)len, st) == 0;
}

/* ---- what is kept of each process ---- */

static int cmp_known(const void *a, const void *b)
{
	pid_t x = ((const struct known *)a)->pid, y = ((const struct known *)b)->pid;
	return (x > y) - (x < y);
}

static bool same_program(const struct known *k, const struct proc_stat *st)
{
	return k->text && k->arg_start == st->arg_start && k->arg_end == st->arg_end &&
	       k->zombie == (st->state == 'Z') && strcmp(k->comm, st->comm) == 0;
}

/* The command line as libproc2 gave it: arguments joined by spaces, or
 * "[comm]" when there are none (kernel threads), with " <defunct>" for a
 * zombie. Returns a malloc'd string. */
static char *read_cmdline(struct proctable *pt, pid_t pid, const struct proc_stat *st)
{
	char path[32];
	if (!pt->cmdbuf)
		pt->cmdbuf = xmalloc(CMDLINE_MAX);
	ssize_t len = util_read_at(pt->proc_fd, pid_path(path, pid, "/cmdline"), pt->cmdbuf,
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

/* This refresh's entry for process pid (whose stat is st): last refresh's
 * thread IDs if it is the same process, its command line if it is also the
 * same program, else the command line read now. */
static struct known *find_old(const struct proctable *pt, pid_t pid)
{
	struct known key = { .pid = pid };
	return pt->old.n ? bsearch(&key, pt->old.v, pt->old.n, sizeof key, cmp_known) : NULL;
}

static struct known *remember(struct proctable *pt, pid_t pid, const struct proc_stat *st,
			      struct known *old)
{
	struct known_table *cur = &pt->cur;
	if (cur->n == cur->cap) {
		cur->cap = cur->cap ? cur->cap * 2 : 64;
		cur->v = xrealloc(cur->v, cur->cap * sizeof *cur->v);
	}
	struct known *k = &cur->v[cur->n++];
	memset(k, 0, sizeof *k);
	if (old)
		old->reached = true;
	if (old && old->start == st->start_ticks) {
		*k = *old;               /* the same process: its thread IDs */
		k->reached = false;
		old->tids = NULL;
		if (same_program(old, st)) {
			old->text = NULL;  /* and the same program: its command line */
			return k;
		}
		k->text = NULL;          /* still the old entry's, to free */
	}
	k->pid = pid;
	k->zombie = st->state == 'Z';
	k->start = st->start_ticks;
	k->arg_start = st->arg_start;
	k->arg_end = st->arg_end;
	memcpy(k->comm, st->comm, sizeof k->comm);
	k->text = read_cmdline(pt, pid, st);
	return k;
}

/* Ends a refresh: what was not seen again is freed, this refresh's entries
 * become the old ones. They stay alive until the next refresh ends, as long
 * as the samples that point at their command lines. */
static void known_tables_swap(struct proctable *pt)
{
	known_table_clear(&pt->old);
	/* It will hold about as many entries as this refresh's. */
	size_t cap = util_fit_cap(pt->old.cap, pt->cur.n, 64);
	if (cap != pt->old.cap) {
		pt->old.v = util_resize(pt->old.v, pt->old.cap, cap, 0, sizeof *pt->old.v);
		pt->old.cap = cap;
	}
	struct known_table t = pt->old;
	pt->old = pt->cur;
	pt->cur = t;
	struct known_table *o = &pt->old;
	for (size_t i = 1; i < o->n; i++) {
		if (o->v[i - 1].pid > o->v[i].pid) {
			qsort(o->v, o->n, sizeof *o->v, cmp_known);
			break;
		}
	}
}

static bool stat_of(pid_t pid, struct proc_stat *st);

/* The children files are not reliable while siblings come and go (the
 * kernel says so: an entry is skipped when the one before it is reaped
 * during the read). Queues the processes of the last refresh that the walk
 * did not reach but that /proc still shows with the same start time: a
 * process is gone only when /proc says so. Returns how many. */
static size_t queue_missed(struct proctable *pt)
{
	size_t found = 0;
	struct proc_stat st;
	for (size_t i = 0; i < pt->old.n; i++) {
		struct known *o = &pt->old.v[i];
		if (o->reached)
			continue;
		if (!stat_of(o->pid, &st) || st.start_ticks != o->start) {
			o->reached = true; /* gone: it is not looked for again */
			continue;
		}
		if (pt->nqueue == pt->qcap) {
			pt->qcap = pt->qcap ? pt->qcap * 2 : 64;
			pt->queue = xrealloc(pt->queue, pt->qcap * sizeof *pt->queue);
		}
		pt->queue[pt->nqueue++] = o->pid;
		found++;
	}
	return found;
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
	s->tty_nr = st->tty_nr;
	s->priority = (int)st->priority;
	s->nice = (int)st->nice;
	s->vsize_kb = st->vsize / 1024;
	s->extra = NULL;
}

/* The extra facts of the sample just added (dirfd holds "TID/..."): a
 * process's all, a thread's own I/O and wait channel, the rest its
 * process's. */
static void add_extras(struct proctable *pt, int dirfd, pid_t tid, bool thread)
{
	if (pt->extras_cap < pt->cap) {
		pt->extras = xrealloc(pt->extras, pt->cap * sizeof *pt->extras);
		pt->extras_cap = pt->cap;
	}
	struct proc_extras *e = &pt->extras[pt->n - 1];
	unsigned own = thread ? pt->extras_mask & (PROC_EXTRA_IO | PROC_EXTRA_WCHAN) : pt->extras_mask;
	procextra_read(pt->extra, dirfd, tid, own, pt->page_kb, e);
	if (thread) {
		const struct proc_extras *p = &pt->extras[pt->proc_at];
		e->user = p->user;
		e->shr_kb = p->shr_kb;
		memcpy(e->cgroup, p->cgroup, sizeof e->cgroup);
	}
}

/* Appends the children of thread tid (a directory relative to taskfd) to
 * the walk, skipping hide. False when the thread is gone. */
static bool queue_children(struct proctable *pt, int taskfd, pid_t tid, pid_t hide)
{
	char path[32];
	pid_path(path, tid, "/children");
	ssize_t len;
	/* A full buffer may be a cut list: grow it and read again. */
	while ((len = util_read_at(taskfd, path, pt->kids, pt->kids_cap, false)) >= 0 &&
	       (size_t)len + 1 >= pt->kids_cap) {
		pt->kids_cap *= 2;
		pt->kids = xrealloc(pt->kids, pt->kids_cap);
	}
	if (len <= 0)
		return len == 0;
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
	return true;
}

/* Appends the children of every thread of pid to the walk. */
static void queue_all_children(struct proctable *pt, pid_t pid, pid_t hide)
{
	char path[32];
	int taskfd = openat(pt->proc_fd, pid_path(path, pid, "/task"),
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return;
	struct procdir it;
	procdir_start(&it, taskfd, pt->dents_task, false);
	pid_t tid;
	while ((tid = (pid_t)procdir_next(&it)) > 0)
		queue_children(pt, taskfd, tid, hide);
	close(taskfd);
}

/* One thread of process pid: its row (threads: not the main thread's,
 * which came from /proc/PID/stat) and its children (walk). False when it
 * is gone. */
static bool read_thread(struct proctable *pt, int taskfd, pid_t pid, pid_t tid, bool threads,
			bool walk, pid_t hide, const char *cmdline)
{
	char path[32];
	struct proc_stat st;
	if (threads && tid != pid) {
		if (!read_stat(taskfd, pid_path(path, tid, "/stat"), &st, false))
			return false;
		add_sample(pt, &st, pid, cmdline);
		if (pt->extras_mask)
			add_extras(pt, taskfd, tid, true);
	}
	return !walk || queue_children(pt, taskfd, tid, hide);
}

/* The threads of process pid, as its known thread IDs if they are still
 * all there (nthreads of them), else from its task directory, which then
 * become the known ones. */
static void read_threads(struct proctable *pt, int taskfd, struct known *k, long nthreads,
			 bool threads, bool walk, pid_t hide)
{
	if (k->ntids > 0 && (long)k->ntids == nthreads) {
		size_t n0 = pt->n, q0 = pt->nqueue, i = 0;
		while (i < k->ntids &&
		       read_thread(pt, taskfd, k->pid, k->tids[i], threads, walk, hide, k->text))
			i++;
		if (i == k->ntids)
			return;
		pt->n = n0;              /* one is gone: forget this attempt */
		pt->nqueue = q0;
	}
	k->ntids = 0;
	struct procdir it;
	procdir_start(&it, taskfd, pt->dents_task, false);
	pid_t tid;
	while ((tid = (pid_t)procdir_next(&it)) > 0) {
		if (k->ntids == k->captids) {
			k->captids = k->captids ? k->captids * 2 : 8;
			k->tids = xrealloc(k->tids, k->captids * sizeof *k->tids);
		}
		k->tids[k->ntids++] = tid;
		read_thread(pt, taskfd, k->pid, tid, threads, walk, hide, k->text);
	}
}

/* Reads process pid: its own row from /proc/PID/stat (CPU ticks of the
 * whole process, as libproc2 gave them), with threads the other threads
 * from /proc/PID/task/TID/stat, and with walk the children of every
 * thread. A process that is gone is skipped. */
static void read_process(struct proctable *pt, pid_t pid, bool threads, bool walk, pid_t hide)
{
	char path[48];
	struct proc_stat st;
	struct known *old = find_old(pt, pid);
	if (old && old->reached)
		return; /* read already: listed twice in a racy walk */
	if (!read_stat(pt->proc_fd, pid_path(path, pid, "/stat"), &st, true) || st.pid != pid)
		return;
	struct known *k = remember(pt, pid, &st, old);
	add_sample(pt, &st, pid, k->text);
	if (pt->extras_mask) {
		pt->proc_at = pt->n - 1;
		add_extras(pt, pt->proc_fd, pid, false);
	}
	if (!walk && (!threads || st.num_threads <= 1))
		return;
	int taskfd = openat(pt->proc_fd, pid_path(path, pid, "/task"),
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return;
	if (st.num_threads <= 1) {
		/* Only the main thread: no need to list the directory. */
		queue_children(pt, taskfd, pid, hide);
	} else {
		read_threads(pt, taskfd, k, st.num_threads, threads, walk, hide);
	}
	close(taskfd);
}

const struct sample *proctable_sample(struct proctable *pt, pid_t root, pid_t hide,
				      bool all, bool threads, size_t *n)
{
	/* Sized by the last refresh (add_sample grows it). */
	size_t cap = util_fit_cap(pt->cap, pt->n, 64);
	if (cap != pt->cap) {
		pt->samples = util_resize(pt->samples, pt->cap, cap, 0, sizeof *pt->samples);
		pt->cap = cap;
	}
	pt->n = 0;
	pt->nqueue = 0;
	if (all) {
		struct procdir it;
		procdir_start(&it, pt->proc_fd, pt->dents_proc, true);
		pid_t pid;
		while ((pid = (pid_t)procdir_next(&it)) > 0)
			if (pid != hide)
				read_process(pt, pid, threads, false, hide);
	} else {
		/* The root's children (it is not shown itself), then theirs;
		 * then what the walk missed, and theirs. */
		queue_all_children(pt, root, hide);
		size_t i = 0;
		do {
			for (; i < pt->nqueue; i++)
				read_process(pt, pt->queue[i], threads, true, hide);
		} while (pt->walked == root && queue_missed(pt));
	}
	pt->walked = all ? 0 : root;
	known_tables_swap(pt);
	/* Pointed to once the array no longer moves. */
	for (size_t i = 0; pt->extras_mask && i < pt->n; i++)
		pt->samples[i].extra = &pt->extras[i];
	*n = pt->n;
	return pt->samples;
}

/* ---- one-off readers ---- */

/* The stat of one process; false when it is gone. */
static bool stat_of(pid_t pid, struct proc_stat *st)
{
	char path[64], buf[STAT_MAX];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ssize_t len = util_read_file(path, buf, sizeof buf);
	return len > 0 && procparse_stat(buf, (size_t)len, st) == 0;
}

struct proc_id *proctable_descendants(pid_t root, pid_t hide, size_t *n)
{
	struct proctable *pt = proctable_new();
	struct proc_id *out = NULL;
	*n = 0;
	if (!pt)
		return NULL;
	queue_all_children(pt, root, hide);
	for (size_t i = 0; i < pt->nqueue; i++)
		queue_all_children(pt, pt->queue[i], hide);
	if (pt->nqueue)
		out = xmalloc(pt->nqueue * sizeof *out);
	for (size_t i = 0; i < pt->nqueue; i++) {
		struct proc_stat st;
		if (stat_of(pt->queue[i], &st))
			out[(*n)++] = (struct proc_id){ pt->queue[i], st.start_ticks, st.state };
	}
	proctable_free(pt);
	if (!*n) {
		free(out);
		out = NULL;
	}
	return out;
}

bool proctable_stat(pid_t pid, struct proc_stat *st)
{
	return stat_of(pid, st);
}

unsigned long long proctable_start_ticks(pid_t pid)
{
	struct proc_stat st;
	return stat_of(pid, &st) ? st.start_ticks : 0;
}

bool proctable_stopped(pid_t pid)
{
	struct proc_stat st;
	return stat_of(pid, &st) && (st.state == 'T' || st.state == 't');
}

double proctable_boot_time(void)
{
	/* Not /proc/stat's btime: a whole second, early by its fraction. Start
	 * times count from boot on CLOCK_BOOTTIME, which goes on in suspend. */
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (double)(real.tv_sec - boot.tv_sec) + (double)(real.tv_nsec - boot.tv_nsec) / 1e9;
}

long proctable_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? hz : 100;
}

unsigned long long proctable_mem_total_kb(void)
{
	char buf[256];
	unsigned long long kb = 0;
	if (util_read_file("/proc/meminfo", buf, sizeof buf) <= 0 ||
	    sscanf(buf, "MemTotal: %llu kB", &kb) != 1)
		return 0;
	return kb;
}
