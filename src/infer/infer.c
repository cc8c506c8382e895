/* infer.c - see infer.h. One pass per live supervised process: list its
 * threads from /proc/PID/task, read each one's syscall file (a running
 * thread answers "running" at once), word the waits, then group the futex
 * waits by address: a decodable glibc mutex becomes a lock with its owner,
 * two or more waiters on anything else a condition-like record. */
#include "infer/infer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "infer/elfsym.h"
#include "infer/futex.h"
#include "infer/owner.h"
#include "infer/syscall.h"
#include "infer/waittext.h"
#include "kernel/procdir.h"
#include "util/pidmap.h"
#include "util/util.h"

/* Syscall files kept open between refreshes (re-read with pread at 0, as
 * a seq_file allows): an open is most of what reading one costs. At most
 * this many, and a quarter of the fd limit, so the rest of concmon never
 * runs out of descriptors; past it threads are read by opening. */
#define OPEN_FILES_MAX 4096

/* Lock names remembered per process (a program has few locks worth naming). */
#define NAMES_PER_PROC 32

struct wait_entry {
	pid_t tid;                  /* pidmap key */
	char text[WAITTEXT_MAX + 64];
};

struct open_entry {
	pid_t tid;                  /* pidmap key */
	int fd;                     /* TID/syscall, or -1 */
	unsigned long gen;          /* the update that last read it */
};

struct comm_entry {
	pid_t tid;                  /* pidmap key */
	const char *comm;           /* in this update's tasks */
};

struct sight_entry {
	pid_t pid;                  /* pidmap key */
	enum infer_sight sight;
	const char *why;
};

struct name_entry {
	pid_t pid;                  /* pidmap key */
	unsigned long long start;   /* the process these names belong to */
	size_t n, next;
	struct { uint64_t addr; char name[CM_NAME_MAX]; } names[NAMES_PER_PROC];
};

/* A thread of the process being read; blocked ones carry their call. */
struct thr {
	pid_t tid;
	bool blocked;
	bool in_snap;               /* the snapshot has a record of it (probe, tracer, or added now) */
	bool holder;                /* owns an inferred lock */
	struct syscall_line sc;
	char comm[16];              /* read when needed, "" until then */
};

/* A futex waiter of the process being read, for grouping by address. */
struct fwait {
	uint64_t addr;
	size_t thr;                 /* index into thr[] */
};

struct infer {
	infer_fd_namer namer;
	void *namer_ctx;
	struct owners *owners;
	struct elfsym *syms;
	struct pidmap *waits, *sights, *names;
	struct pidmap *files;       /* tid -> open syscall file */
	struct pidmap *comms;       /* tid -> comm, from this update's tasks */
	unsigned long gen;          /* updates so far */
	size_t files_max;           /* open syscall files allowed */
	struct thr *thr;            /* scratch: the threads of one process */
	size_t nthr, capthr;
	struct fwait *fw;           /* scratch: its futex waiters, by address */
	size_t capfw;
	char *dents;                /* PROCDIR_BUF bytes for reading task directories */
};

struct infer *infer_new(void)
{
	struct infer *in = xcalloc(1, sizeof *in);
	in->owners = owners_new();
	in->syms = elfsym_new();
	in->waits = pidmap_new(sizeof(struct wait_entry));
	in->sights = pidmap_new(sizeof(struct sight_entry));
	in->names = pidmap_new(sizeof(struct name_entry));
	in->files = pidmap_new(sizeof(struct open_entry));
	in->comms = pidmap_new(sizeof(struct comm_entry));
	struct rlimit r;
	in->files_max = OPEN_FILES_MAX;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY &&
	    r.rlim_cur / 4 < in->files_max)
		in->files_max = (size_t)(r.rlim_cur / 4);
	in->dents = xmalloc(PROCDIR_BUF);
	return in;
}

void infer_free(struct infer *in)
{
	if (!in)
		return;
	owners_free(in->owners);
	elfsym_free(in->syms);
	pidmap_free(in->waits);
	pidmap_free(in->sights);
	pidmap_free(in->names);
	size_t cursor = 0;
	struct open_entry *o;
	while ((o = pidmap_next(in->files, &cursor)))
		if (o->fd >= 0)
			close(o->fd);
	pidmap_free(in->files);
	pidmap_free(in->comms);
	free(in->thr);
	free(in->fw);
	free(in->dents);
	free(in);
}

void infer_set_fd_namer(struct infer *in, infer_fd_namer fn, void *ctx)
{
	in->namer = fn;
	in->namer_ctx = ctx;
}

const char *infer_wait(const struct infer *in, pid_t tid)
{
	const struct wait_entry *w = pidmap_find(in->waits, tid);
	return w ? w->text : NULL;
}

enum infer_sight infer_sight(const struct infer *in, pid_t pid, const char **why)
{
	const struct sight_entry *s = pidmap_find(in->sights, pid);
	if (why)
		*why = s ? s->why : "not supervised";
	return s ? s->sight : INFER_UNKNOWN;
}

static void set_sight(struct infer *in, pid_t pid, enum infer_sight sight, const char *why)
{
	struct sight_entry *s = pidmap_insert(in->sights, pid, NULL);
	s->sight = sight;
	s->why = why;
}

static void set_wait(struct infer *in, pid_t tid, const char *text)
{
	struct wait_entry *w = pidmap_insert(in->waits, tid, NULL);
	snprintf(w->text, sizeof w->text, "%.*s", (int)sizeof w->text - 1, text);
}

/* Removes what the last update appended (see infer.h). */
static void strip(struct telemetry_snapshot *s)
{
	while (s->n_locks > 0 && s->locks[s->n_locks - 1].source == TEL_INFERRED)
		s->n_locks--;
	while (s->n_threads > 0) {
		const struct telemetry_thread *t = &s->threads[s->n_threads - 1];
		if (t->source != TEL_INFERRED ||
		    (t->wait_kind != CM_WAIT_LOCK && t->wait_kind != CM_WAIT_NONE))
			break;
		s->n_threads--;
	}
}

static struct thr *thr_find(struct infer *in, pid_t tid)
{
	for (size_t i = 0; i < in->nthr; i++)
		if (in->thr[i].tid == tid)
			return &in->thr[i];
	return NULL;
}

/* The thread's name, read from TID/comm the first time it is needed. */
static const char *comm_of(const struct pidmap *in_comms, int taskfd, struct thr *t)
{
	const struct comm_entry *ce = t->comm[0] ? NULL : pidmap_find(in_comms, t->tid);
	if (ce)
		snprintf(t->comm, sizeof t->comm, "%s", ce->comm);
	if (!t->comm[0]) {
		char path[32];
		snprintf(path, sizeof path, "%d/comm", (int)t->tid);
		if (util_read_at(taskfd, path, t->comm, sizeof t->comm, false) <= 0)
			snprintf(t->comm, sizeof t->comm, "?");
		t->comm[strcspn(t->comm, "\n")] = '\0';
	}
	return t->comm;
}

/* Reads TID/syscall through a file kept open, opening it the first time. */
static ssize_t read_syscall(struct infer *in, int taskfd, pid_t tid, char *buf, size_t len)
{
	struct open_entry *o = pidmap_find(in->files, tid);
	if (!o && pidmap_count(in->files) < in->files_max) {
		o = pidmap_insert(in->files, tid, NULL);
		o->fd = -1;
	}
	if (o)
		o->gen = in->gen;
	if (o && o->fd >= 0) {
		ssize_t n;
		do
			n = pread(o->fd, buf, len - 1, 0);
		while (n < 0 && errno == EINTR);
		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		close(o->fd);
		o->fd = -1;
	}
	char path[32];
	snprintf(path, sizeof path, "%d/syscall", (int)tid);
	int fd = openat(taskfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		buf[n] = '\0';
	int err = errno;
	if (o && n >= 0)
		o->fd = fd;
	else
		close(fd);
	errno = err;
	return n;
}

/* Closes the files of threads no update read this time. */
static void sweep_files(struct infer *in)
{
	size_t cursor = 0;
	struct open_entry *o;
	while ((o = pidmap_next(in->files, &cursor)))
		if (o->gen != in->gen) {
			if (o->fd >= 0)
				close(o->fd);
			pidmap_remove(in->files, o->tid);
		}
}

/* Lists the threads of pid and reads the blocked ones' calls. Returns the
 * task dir fd (caller closes) or -1; sets the process's sight. */
static int read_threads(struct infer *in, pid_t pid)
{
	char path[48];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	int taskfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return -1;
	struct procdir it;
	procdir_start(&it, taskfd, in->dents, false);
	in->nthr = 0;
	const char *denied = NULL;
	long entry;
	while ((entry = procdir_next(&it)) >= 0) {
		pid_t tid = (pid_t)entry;
		if (tid <= 0)
			continue;
		if (in->nthr == in->capthr) {
			in->capthr = in->capthr ? in->capthr * 2 : 64;
			in->thr = xrealloc(in->thr, in->capthr * sizeof *in->thr);
		}
		struct thr *t = &in->thr[in->nthr++];
		memset(t, 0, sizeof *t);
		t->tid = tid;
		if (denied)
			continue;
		char text[256];
		if (read_syscall(in, taskfd, tid, text, sizeof text) < 0) {
			if (errno == EACCES || errno == EPERM)
				denied = "ptrace denied";
			continue;
		}
		t->blocked = syscall_parse(text, &t->sc) && !t->sc.running && t->sc.nr >= 0;
	}
	set_sight(in, pid, denied ? INFER_DENIED : INFER_SEEN, denied ? denied : "");
	return taskfd;
}

/* The name of the lock at addr in process pid: its symbol, else its address. */
static const char *lock_name(struct infer *in, pid_t pid, unsigned long long start, uint64_t addr,
			     const char *prefix)
{
	struct name_entry *ne = pidmap_insert(in->names, pid, NULL);
	if (ne->start != start) {
		ne->start = start;
		ne->n = ne->next = 0;
	}
	for (size_t i = 0; i < ne->n; i++)
		if (ne->names[i].addr == addr)
			return ne->names[i].name;
	/* Full: overwrite round-robin, the names are cheap to find again. */
	size_t slot = ne->n < NAMES_PER_PROC ? ne->n++ : ne->next++ % NAMES_PER_PROC;
	char *name = ne->names[slot].name;
	ne->names[slot].addr = addr;
	if (!elfsym_name(in->syms, pid, addr, name, CM_NAME_MAX))
		snprintf(name, CM_NAME_MAX, "%s0x%llx", prefix, (unsigned long long)addr);
	return name;
}

static int by_addr(const void *a, const void *b)
{
	const struct fwait *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->thr < y->thr ? -1 : x->thr > y->thr;
}

/* What one pass appends to: the program's snapshot (NULL: text only). */
struct pass {
	struct infer *in;
	const struct task *proc;
	struct telemetry_snapshot *s;
	int taskfd;
};

static int add_lock(struct pass *ps, uint64_t addr, enum cm_lock_kind kind, const char *name,
		    const struct futex_mutex *m, unsigned waiters)
{
	struct telemetry_snapshot *s = ps->s;
	if (!s || s->n_locks >= TEL_MAX_LOCKS)
		return -1;
	struct telemetry_lock *l = &s->locks[s->n_locks];
	memset(l, 0, sizeof *l);
	l->slot = (unsigned)(CM_MAX_LOCKS + s->n_locks); /* past any segment slot */
	l->source = TEL_INFERRED;
	l->addr = addr;
	l->pid = ps->proc->pid;
	l->kind = kind;
	snprintf(l->name, sizeof l->name, "%s", name);
	if (m) {
		l->holder_count = l->n_holders = 1;
		l->holders[0] = m->owner;
		l->depth = m->depth;
	}
	l->waiters = waiters;
	return (int)s->n_locks++;
}

/* A record for thread t unless the snapshot has one already. */
static void add_thread(struct pass *ps, struct thr *t, enum cm_wait_kind kind, int lock)
{
	struct telemetry_snapshot *s = ps->s;
	if (!s || t->in_snap || s->n_threads >= TEL_MAX_THREADS)
		return;
	struct telemetry_thread *r = &s->threads[s->n_threads++];
	memset(r, 0, sizeof *r);
	r->source = TEL_INFERRED;
	r->tid = t->tid;
	r->pid = ps->proc->pid;
	snprintf(r->role, sizeof r->role, "%s", comm_of(ps->in->comms, ps->taskfd, t));
	r->wait_kind = kind;
	r->wait = lock;
	t->in_snap = true;
}

/* Whether every waiter of the group is known to the snapshot already. */
static bool all_known(const struct infer *in, const struct fwait *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!in->thr[g[i].thr].in_snap)
			return false;
	return true;
}

/* The owner of the mutex at the group's address, if it is one. */
static bool decode_mutex(struct pass *ps, const struct fwait *g, size_t n, struct futex_mutex *m)
{
	struct infer *in = ps->in;
	bool may = false;
	for (size_t i = 0; i < n && !may; i++) {
		const struct syscall_line *sc = &in->thr[g[i].thr].sc;
		may = futex_may_be_mutex(sc->args[1], sc->args[2]);
	}
	unsigned char bytes[FUTEX_MUTEX_BYTES];
	if (!may)
		return false;
	int err = waittext_peek(ps->proc->pid, g[0].addr, bytes, sizeof bytes);
	if (err == EPERM || err == EACCES)
		set_sight(in, ps->proc->pid, INFER_DENIED, "ptrace denied");
	return err == 0 && futex_decode(bytes, m) && thr_find(in, m->owner) != NULL;
}

static void mutex_group(struct pass *ps, const struct fwait *g, size_t n, const struct futex_mutex *m)
{
	struct infer *in = ps->in;
	char name[CM_NAME_MAX], text[WAITTEXT_MAX + 64];
	snprintf(name, sizeof name, "%s",
		 lock_name(in, ps->proc->pid, ps->proc->start_ticks, g[0].addr, "mutex "));
	int lock = all_known(in, g, n) ? -1
		 : add_lock(ps, g[0].addr, m->recursive ? CM_LOCK_RECURSIVE : CM_LOCK_MUTEX, name, m,
			    (unsigned)n);
	struct thr *owner = thr_find(in, m->owner);
	owner->holder = lock >= 0;
	for (size_t i = 0; i < n; i++) {
		struct thr *t = &in->thr[g[i].thr];
		/* "mutex fork_1", or the address's name, which says "mutex" itself */
		const char *what = strncmp(name, "mutex ", 6) == 0 ? "" : "mutex ";
		if (t == owner)
			snprintf(text, sizeof text, "waits for %s%s it holds itself", what, name);
		else
			snprintf(text, sizeof text, "waits for %s%s held by T %d (%s)", what, name,
				 (int)owner->tid, comm_of(ps->in->comms, ps->taskfd, owner));
		set_wait(in, t->tid, text);
		if (lock >= 0)
			add_thread(ps, t, CM_WAIT_LOCK, lock);
	}
}

/* A futex that is no mutex: a join on a thread's TID word, or a
 * semaphore, condition or rwlock; two or more waiters make a record that
 * can never be part of a deadlock (anyone may wake them). */
static void other_group(struct pass *ps, const struct fwait *g, size_t n)
{
	struct infer *in = ps->in;
	char text[WAITTEXT_MAX + 64];
	const struct syscall_line *sc = &in->thr[g[0].thr].sc;
	struct thr *joined = futex_is_wait(sc->args[1]) ? thr_find(in, (pid_t)sc->args[2]) : NULL;
	if (joined && joined->tid != in->thr[g[0].thr].tid) {
		snprintf(text, sizeof text, "joins T %d (%s)", (int)joined->tid,
			 comm_of(ps->in->comms, ps->taskfd, joined));
		for (size_t i = 0; i < n; i++)
			set_wait(in, in->thr[g[i].thr].tid, text);
		return;
	}
	if (n < 2) {
		set_wait(in, in->thr[g[0].thr].tid, "futex (semaphore, condition or rwlock)");
		return;
	}
	char name[CM_NAME_MAX];
	snprintf(name, sizeof name, "%s",
		 lock_name(in, ps->proc->pid, ps->proc->start_ticks, g[0].addr, "futex "));
	snprintf(text, sizeof text, "futex %s, %zu waiting (semaphore, condition or rwlock)", name, n);
	int lock = all_known(in, g, n) ? -1 : add_lock(ps, g[0].addr, CM_LOCK_CONDITION, name, NULL,
						       (unsigned)n);
	for (size_t i = 0; i < n; i++) {
		set_wait(in, in->thr[g[i].thr].tid, text);
		if (lock >= 0)
			add_thread(ps, &in->thr[g[i].thr], CM_WAIT_LOCK, lock);
	}
}

/* Groups the futex waiters by address and words each group. */
static void futex_waits(struct pass *ps, size_t nf)
{
	struct fwait *fw = ps->in->fw;
	qsort(fw, nf, sizeof *fw, by_addr);
	for (size_t i = 0; i < nf;) {
		size_t j = i + 1;
		while (j < nf && fw[j].addr == fw[i].addr)
			j++;
		struct futex_mutex m;
		if (decode_mutex(ps, fw + i, j - i, &m))
			mutex_group(ps, fw + i, j - i, &m);
		else
			other_group(ps, fw + i, j - i);
		i = j;
	}
}

/* Marks the threads the snapshot already has a record of. */
static void mark_known(struct infer *in, const struct telemetry_snapshot *s)
{
	for (size_t k = 0; s && k < s->n_threads; k++) {
		struct thr *t = thr_find(in, s->threads[k].tid);
		if (t)
			t->in_snap = true;
	}
}

static const char *snap_role(const struct telemetry_snapshot *s, pid_t tid)
{
	for (size_t k = 0; k < s->n_threads; k++)
		if (s->threads[k].tid == tid)
			return s->threads[k].role;
	return "";
}

/* A lock's holder that is no thread any more (a process that died holding
 * a multiprocessing.Lock, say): its waiters wait for ever. */
static bool thread_gone(pid_t tid)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d", (int)tid);
	return access(path, F_OK) != 0 && errno == ENOENT;
}

/* A wait the probe or the tracer published, in words: it knows the lock's
 * name and holder better than the futex word does. False if none. */
static bool published_wait(const struct telemetry_snapshot *s, const struct telemetry_thread *th,
			   char *buf, size_t len)
{
	size_t w = (size_t)th->wait;
	if (th->wait < 0)
		return false;
	if (th->wait_kind == CM_WAIT_QUEUE_GET && w < s->n_queues) {
		snprintf(buf, len, "waits for an item from %s [%s]", s->queues[w].name,
			 telemetry_source_name(s->queues[w].source));
		return true;
	}
	if (th->wait_kind == CM_WAIT_QUEUE_PUT && w < s->n_queues) {
		snprintf(buf, len, "waits for room in %s [%s]", s->queues[w].name,
			 telemetry_source_name(s->queues[w].source));
		return true;
	}
	if (th->wait_kind != CM_WAIT_LOCK || w >= s->n_locks)
		return false;
	const struct telemetry_lock *l = &s->locks[w];
	const char *how = telemetry_source_name(l->source);
	if (l->n_holders == 1 && l->holders[0] == th->tid)
		snprintf(buf, len, "waits for %s it holds itself [%s]", l->name, how);
	else if (l->n_holders >= 1)
		snprintf(buf, len, "waits for %s held by T %d (%s)%s%s [%s]", l->name, (int)l->holders[0],
			 snap_role(s, l->holders[0]), l->n_holders > 1 ? " and others" : "",
			 thread_gone(l->holders[0]) ? ", which has exited: nobody will release it" : "",
			 how);
	else
		snprintf(buf, len, "waits for %s [%s]", l->name, how);
	return true;
}

/* Words the waits the snapshot's own records tell, over what the kernel
 * alone could say. */
static void published_waits(struct infer *in, const struct telemetry_snapshot *s)
{
	char text[WAITTEXT_MAX + 2 * CM_NAME_MAX + 64];
	for (size_t k = 0; s && k < s->n_threads; k++) {
		const struct telemetry_thread *th = &s->threads[k];
		struct thr *t = th->source != TEL_INFERRED ? thr_find(in, th->tid) : NULL;
		if (t && t->blocked && published_wait(s, th, text, sizeof text))
			set_wait(in, th->tid, text);
	}
}

static void infer_process(struct infer *in, const struct task *proc, struct telemetry_snapshot *s)
{
	struct pass ps = { .in = in, .proc = proc, .s = s };
	ps.taskfd = read_threads(in, proc->pid);
	if (ps.taskfd < 0)
		return;
	mark_known(in, s);
	if (in->nthr > in->capfw) {
		in->capfw = in->nthr;
		in->fw = xrealloc(in->fw, in->capfw * sizeof *in->fw);
	}
	struct fwait *fw = in->fw;
	size_t nf = 0;
	struct waittext_ctx c = { .pid = proc->pid, .namer = in->namer, .namer_ctx = in->namer_ctx };
	for (size_t i = 0; i < in->nthr; i++) {
		struct thr *t = &in->thr[i];
		if (!t->blocked)
			continue;
		if (t->sc.nr == SYS_futex) {
			fw[nf++] = (struct fwait){ t->sc.args[0], i };
			continue;
		}
		char text[WAITTEXT_MAX];
		waittext_format(&c, &t->sc, text, sizeof text);
		set_wait(in, t->tid, text);
	}
	futex_waits(&ps, nf);
	published_waits(in, s);
	for (size_t i = 0; i < in->nthr; i++)
		if (in->thr[i].holder)
			add_thread(&ps, &in->thr[i], CM_WAIT_NONE, -1);
	close(ps.taskfd);
}

/* Forgets the lock names of processes that are gone. */
static void sweep_names(struct infer *in)
{
	size_t cursor = 0;
	struct name_entry *ne;
	while ((ne = pidmap_next(in->names, &cursor)))
		if (!pidmap_find(in->sights, ne->pid))
			pidmap_remove(in->names, ne->pid);
}

void infer_update(struct infer *in, const struct task *tasks, size_t n, struct program *progs,
		  size_t np)
{
	owners_update(in->owners, tasks, n, progs, np);
	in->gen++;
	pidmap_clear(in->comms);
	for (size_t i = 0; i < n; i++)
		if (tasks[i].supervised && !tasks[i].exited) {
			struct comm_entry *ce = pidmap_insert(in->comms, tasks[i].tid, NULL);
			ce->comm = tasks[i].comm;
		}
	for (size_t i = 0; i < np; i++)
		if (progs[i].snap)
			strip(progs[i].snap);
	pidmap_clear(in->waits);
	pidmap_clear(in->sights);
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &tasks[i];
		if (!t->supervised || t->exited || task_is_thread(t))
			continue;
		int pi = owners_of(in->owners, t->pid);
		struct program *pr = pi >= 0 ? &progs[pi] : NULL;
		if (pr && !pr->snap)
			pr->snap = xcalloc(1, sizeof *pr->snap);
		infer_process(in, t, pr ? pr->snap : NULL);
	}
	sweep_names(in);
	sweep_files(in);
}
