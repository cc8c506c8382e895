/* fdscan.c - see fdscan.h. */
#include "infer/fdscan.h"

#include <fcntl.h>
#include <inttypes.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "infer/owner.h"
#include "infer/sockdiag.h"
#include "kernel/procdir.h"
#include "util/pidmap.h"
#include "util/util.h"

#define MQUEUE_MAGIC 0x19800202

struct fd_entry {
	int fd;
	enum fdscan_type type;
	bool rd, wr;
	unsigned long ino;
	char *path;                     /* files and message queues, else NULL */
};

struct proc_fds {
	pid_t pid;                      /* pidmap key */
	char comm[TASK_COMM_MAX];
	struct fd_entry *fds;           /* sorted by fd; kept across refreshes */
	size_t n, cap;
	unsigned gen;                   /* the update that saw the process last */
};

/* One process's hold on a pipe, socket or message queue; sorted by (type,
 * ino), so the holders of one object are a run. */
struct holder {
	enum fdscan_type type;
	unsigned long ino;
	pid_t pid;
	int fd;
	bool rd, wr;
};

struct fdscan {
	struct owners *owners;
	struct pidmap *procs;
	struct holder *h;
	size_t nh, caph;
	struct sockdiag_sock *socks;    /* sorted by ino */
	size_t nsocks;
	unsigned gen;                   /* updates so far */
	char *dents;                    /* PROCDIR_BUF bytes for reading fd directories */
};

enum fdscan_type fdscan_parse_link(const char *link, unsigned long *ino)
{
	static const struct {
		const char *prefix;
		enum fdscan_type type;
	} forms[] = {
		{ .prefix = "pipe:[", .type = FDSCAN_PIPE },
		{ .prefix = "socket:[", .type = FDSCAN_SOCKET },
	};
	*ino = 0;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		size_t len = strlen(forms[i].prefix);
		if (strncmp(link, forms[i].prefix, len) != 0)
			continue;
		char *end;
		unsigned long v = strtoul(link + len, &end, 10);
		if (end == link + len || strcmp(end, "]") != 0)
			return FDSCAN_OTHER;
		*ino = v;
		return forms[i].type;
	}
	return link[0] == '/' ? FDSCAN_FILE : FDSCAN_OTHER;
}

bool fdscan_parse_fdinfo(const char *text, int *flags, unsigned long *ino)
{
	bool found = false;
	*ino = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *end;
		if (!strncmp(p, "flags:", 6)) {
			long v = strtol(p + 6, &end, 8);
			if (end != p + 6) {
				*flags = (int)v;
				found = true;
			}
		} else if (!strncmp(p, "ino:", 4)) {
			*ino = strtoul(p + 4, &end, 10);
		}
	}
	return found;
}

struct fdscan *fdscan_new(void)
{
	struct fdscan *f = xcalloc(1, sizeof *f);
	f->owners = owners_new();
	f->procs = pidmap_new(sizeof(struct proc_fds));
	f->dents = xmalloc(PROCDIR_BUF);
	return f;
}

/* Forgets the last update's fds, keeping each process's array for the
 * next (a fork storm would otherwise reallocate thousands a refresh). */
static void procs_begin(struct fdscan *f)
{
	size_t cursor = 0;
	struct proc_fds *p;
	while ((p = pidmap_next(f->procs, &cursor))) {
		for (size_t i = 0; i < p->n; i++)
			free(p->fds[i].path);
		p->n = 0;
	}
	f->gen++;
	f->nh = 0;
	free(f->socks);
	f->socks = NULL;
	f->nsocks = 0;
}

/* Drops the processes the update did not see (gone, or not readable). */
static void procs_end(struct fdscan *f, bool all)
{
	size_t cursor = 0;
	struct proc_fds *p;
	while ((p = pidmap_next(f->procs, &cursor))) {
		if (!all && p->gen == f->gen)
			continue;
		for (size_t i = 0; i < p->n; i++)
			free(p->fds[i].path);
		free(p->fds);
		pidmap_remove(f->procs, p->pid);
	}
}

void fdscan_free(struct fdscan *f)
{
	if (!f)
		return;
	procs_begin(f);
	procs_end(f, true);
	pidmap_free(f->procs);
	free(f->dents);
	owners_free(f->owners);
	free(f->h);
	free(f);
}

/* The open mode (and the inode, which fdinfo prints) of fd of pid. */
static void read_mode(pid_t pid, struct fd_entry *e)
{
	char path[64], text[512];
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, e->fd);
	int flags;
	unsigned long ino;
	if (util_read_file(path, text, sizeof text) <= 0 || !fdscan_parse_fdinfo(text, &flags, &ino))
		return;
	e->rd = (flags & O_ACCMODE) != O_WRONLY;
	e->wr = (flags & O_ACCMODE) != O_RDONLY;
	if (ino && !e->ino)
		e->ino = ino;
}

/* A "/name" link is a message queue when its file system says so. */
static void classify_file(pid_t pid, struct fd_entry *e, const char *link)
{
	e->path = xstrdup(link);
	if (strchr(link + 1, '/'))
		return;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, e->fd);
	struct statfs sf;
	if (statfs(path, &sf) == 0 && sf.f_type == MQUEUE_MAGIC) {
		e->type = FDSCAN_MQUEUE;
		static const char deleted[] = " (deleted)"; /* unlinked, still open */
		size_t len = strlen(e->path), dl = sizeof deleted - 1;
		if (len > dl && !strcmp(e->path + len - dl, deleted))
			e->path[len - dl] = '\0';
		struct stat st;
		if (stat(path, &st) == 0)
			e->ino = st.st_ino;
	}
}

static void holder_add(struct fdscan *f, pid_t pid, const struct fd_entry *e)
{
	if (f->nh == f->caph) {
		f->caph = f->caph ? 2 * f->caph : 64;
		f->h = xrealloc(f->h, f->caph * sizeof *f->h);
	}
	f->h[f->nh++] = (struct holder){ .type = e->type, .ino = e->ino, .pid = pid, .fd = e->fd,
					 .rd = e->rd, .wr = e->wr };
}

static int fd_cmp(const void *a, const void *b)
{
	const struct fd_entry *x = a, *y = b;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* One fd's entry from its link (NULL when the link names nothing kept). */
static void scan_fd(struct fdscan *f, struct proc_fds *p, int dfd, const char *name)
{
	char link[4096];
	ssize_t len = readlinkat(dfd, name, link, sizeof link - 1);
	if (len <= 0)
		return;
	link[len] = '\0';
	struct fd_entry e = { .fd = atoi(name) };
	e.type = fdscan_parse_link(link, &e.ino);
	if (e.type == FDSCAN_OTHER)
		return;
	if (e.type == FDSCAN_FILE)
		classify_file(p->pid, &e, link);
	if (e.type == FDSCAN_PIPE || e.type == FDSCAN_MQUEUE)
		read_mode(p->pid, &e);
	else if (e.type == FDSCAN_SOCKET)
		e.rd = e.wr = true;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->fds = xrealloc(p->fds, p->cap * sizeof *p->fds);
	}
	p->fds[p->n++] = e;
	if (e.type != FDSCAN_FILE && e.ino)
		holder_add(f, p->pid, &e);
}

static void scan_proc(struct fdscan *f, const struct task *t)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)t->pid);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return; /* gone, or not ours to read */
	struct proc_fds *p = pidmap_insert(f->procs, t->pid, NULL);
	p->gen = f->gen;
	snprintf(p->comm, sizeof p->comm, "%s", t->comm);
	struct procdir it;
	procdir_start(&it, dfd, f->dents, false);
	long fd;
	size_t seen = 0;
	while ((fd = procdir_next(&it)) >= 0 && seen++ < FDSCAN_MAX_FDS) {
		char name[24];
		snprintf(name, sizeof name, "%ld", fd);
		scan_fd(f, p, dfd, name);
	}
	close(dfd);
	if (p->n)
		qsort(p->fds, p->n, sizeof *p->fds, fd_cmp);
}

static int holder_cmp(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;
	if (x->type != y->type)
		return (x->type > y->type) - (x->type < y->type);
	if (x->ino != y->ino)
		return (x->ino > y->ino) - (x->ino < y->ino);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The first holder of (type, ino) and how many there are in the run. */
static const struct holder *holders_of(const struct fdscan *f, enum fdscan_type type,
				       unsigned long ino, size_t *count)
{
	size_t lo = 0, hi = f->nh;
	struct holder key = { .type = type, .ino = ino, .pid = 0 };
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (holder_cmp(&f->h[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < f->nh && f->h[end].type == type && f->h[end].ino == ino)
		end++;
	*count = end - lo;
	return end > lo ? &f->h[lo] : NULL;
}

static bool want_socket(void *ctx, unsigned long ino)
{
	size_t count;
	return holders_of(ctx, FDSCAN_SOCKET, ino, &count) != NULL;
}

static int sock_cmp(const void *a, const void *b)
{
	const struct sockdiag_sock *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static const struct sockdiag_sock *sock_of(const struct fdscan *f, unsigned long ino)
{
	struct sockdiag_sock key = { .ino = ino };
	return f->nsocks ? bsearch(&key, f->socks, f->nsocks, sizeof key, sock_cmp) : NULL;
}

static const char *comm_of(const struct fdscan *f, pid_t pid)
{
	const struct proc_fds *p = pidmap_find(f->procs, pid);
	return p ? p->comm : "?";
}

/* The writer and reader of a run of holders, in different processes where
 * possible: a process holding only the write end beats one holding both. */
static void pick_ends(const struct holder *h, size_t n, pid_t *writer, pid_t *reader)
{
	*writer = *reader = 0;
	for (int pass = 0; pass < 2 && !*writer; pass++)
		for (size_t i = 0; i < n && !*writer; i++)
			if (h[i].wr && (pass || !h[i].rd))
				*writer = h[i].pid;
	for (int pass = 0; pass < 2 && !*reader; pass++)
		for (size_t i = 0; i < n && !*reader; i++)
			if (h[i].rd && h[i].pid != *writer && (pass || !h[i].wr))
				*reader = h[i].pid;
}

/* Copies src into a record name, cut at a character boundary. */
static void put_name(char name[CM_NAME_MAX], const char *src)
{
	size_t len = strlen(src);
	if (len >= CM_NAME_MAX) {
		len = CM_NAME_MAX - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--; /* src[len] continues a UTF-8 sequence: cut before it */
	}
	memcpy(name, src, len);
	name[len] = '\0';
}

/* "pipe yes→sleep", or by PIDs when the commands do not fit. */
static void name_pair(const struct fdscan *f, char *buf, size_t len, const char *what, pid_t from,
		      pid_t to)
{
	int w = snprintf(buf, len, "%s %s\u2192%s", what, from ? comm_of(f, from) : "?",
			 to ? comm_of(f, to) : "?");
	if (w >= (int)len)
		snprintf(buf, len, "%s %d\u2192%d", what, (int)from, (int)to);
}

/* "what from→to", cut to fit a record name. */
static void name_text(char name[CM_NAME_MAX], const char *what, const char *from, const char *to)
{
	char text[256];
	snprintf(text, sizeof text, "%s %s\u2192%s", what, from, to);
	put_name(name, text);
}

struct emit {
	struct fdscan *f;
	struct program *progs;
	size_t np;
};

/* Files q under the program of its writer (else its reader). */
static void emit(struct emit *em, struct telemetry_queue *q)
{
	int prog = q->pid ? owners_of(em->f->owners, q->pid) : -1;
	if (prog < 0 && q->reader)
		prog = owners_of(em->f->owners, q->reader);
	if (prog < 0 || (size_t)prog >= em->np)
		return;
	struct program *pr = &em->progs[prog];
	if (!pr->snap)
		pr->snap = xcalloc(1, sizeof *pr->snap);
	struct telemetry_snapshot *s = pr->snap;
	if (s->n_queues >= TEL_MAX_QUEUES)
		return;
	q->source = TEL_INFERRED;
	q->slot = (unsigned)s->n_queues;
	if (q->depth > q->capacity)
		q->capacity = q->depth;
	if (q->capacity == 0)
		q->capacity = 1;
	s->queues[s->n_queues++] = *q;
}

/* Opens the object behind fd of pid for a look; never read from. */
static int open_peek(pid_t pid, int fd)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
	return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

static void emit_pipe(struct emit *em, const struct holder *h, size_t n)
{
	struct telemetry_queue q = { .kind = TEL_QUEUE_PIPE };
	pick_ends(h, n, &q.pid, &q.reader);
	if (!q.pid || !q.reader)
		return; /* one end outside the tree (concmon's output pipes), or a self-pipe */
	int fd = open_peek(h[0].pid, h[0].fd);
	if (fd < 0)
		return;
	int queued = 0;
	int size = fcntl(fd, F_GETPIPE_SZ);
	bool ok = ioctl(fd, FIONREAD, &queued) == 0 && size > 0;
	close(fd);
	if (!ok)
		return;
	q.depth = (uint64_t)(queued > 0 ? queued : 0);
	q.capacity = (uint64_t)size;
	name_pair(em->f, q.name, sizeof q.name, "pipe", q.pid, q.reader);
	emit(em, &q);
}

static const char *mq_name(const struct fdscan *f, const struct holder *h)
{
	const struct proc_fds *p = pidmap_find(f->procs, h->pid);
	for (size_t i = 0; p && i < p->n; i++)
		if (p->fds[i].fd == h->fd)
			return p->fds[i].path;
	return "?";
}

static void emit_mqueue(struct emit *em, const struct holder *h, size_t n)
{
	struct telemetry_queue q = { .kind = TEL_QUEUE_MQUEUE };
	pick_ends(h, n, &q.pid, &q.reader);
	if (!q.pid)
		q.pid = h[0].pid;
	int fd = open_peek(h[0].pid, h[0].fd);
	if (fd < 0)
		return;
	struct mq_attr a;
	bool ok = mq_getattr(fd, &a) == 0;
	close(fd);
	if (!ok)
		return;
	q.depth = a.mq_curmsgs > 0 ? (uint64_t)a.mq_curmsgs : 0;
	q.capacity = a.mq_maxmsg > 0 ? (uint64_t)a.mq_maxmsg : 1;
	char text[128];
	snprintf(text, sizeof text, "mqueue %s", mq_name(em->f, h));
	put_name(q.name, text);
	emit(em, &q);
}

/* A socket's address for names: its own for listeners and UNIX sockets,
 * the far end's for TCP connections. */
static const char *sock_addr(const struct sockdiag_sock *s)
{
	const char *a = s->tcp && !s->listener ? s->remote : s->local;
	return a[0] ? a : "(unnamed)";
}

static void emit_socket(struct emit *em, const struct holder *h, size_t n)
{
	const struct sockdiag_sock *s = sock_of(em->f, h->ino);
	if (!s || !s->queues_known)
		return;
	const char *what = s->tcp ? "tcp" : "unix";
	struct telemetry_queue q = { .kind = s->tcp ? TEL_QUEUE_TCP : TEL_QUEUE_UNIX,
				     .pid = h->pid, .reader = h->pid };
	(void)n;
	if (s->listener) {
		q.listener = true;
		q.depth = s->rqueue;
		q.capacity = s->wqueue;
		char text[128];
		snprintf(text, sizeof text, "listen %s", sock_addr(s));
		put_name(q.name, text);
		emit(em, &q);
		return;
	}
	size_t np;
	const struct holder *peer = s->peer_ino ? holders_of(em->f, FDSCAN_SOCKET, s->peer_ino, &np) : NULL;
	if (peer || s->rqueue > 0) {
		q.pid = peer ? peer->pid : 0;
		q.depth = s->rqueue;
		q.capacity = s->rcvbuf;
		if (peer)
			name_pair(em->f, q.name, sizeof q.name, what, q.pid, q.reader);
		else
			name_text(q.name, what, sock_addr(s), comm_of(em->f, h->pid));
		emit(em, &q);
	}
	if (!peer && s->wqueue > 0) {
		struct telemetry_queue out = { .kind = q.kind, .pid = h->pid, .depth = s->wqueue,
					       .capacity = s->sndbuf };
		name_text(out.name, what, comm_of(em->f, h->pid), sock_addr(s));
		emit(em, &out);
	}
}

/* Drops the inferred queues of the last update, which sit at the tail of
 * snapshots the programs did not re-read. */
static void strip(struct program *progs, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		struct telemetry_snapshot *s = progs[i].snap;
		while (s && s->n_queues > 0 && s->queues[s->n_queues - 1].source == TEL_INFERRED)
			s->n_queues--;
	}
}

void fdscan_update(struct fdscan *f, const struct task *tasks, size_t n, struct program *progs,
		   size_t np)
{
	procs_begin(f);
	strip(progs, np);
	owners_update(f->owners, tasks, n, progs, np);
	for (size_t i = 0; i < n; i++)
		if (tasks[i].supervised && !tasks[i].exited && !task_is_thread(&tasks[i]))
			scan_proc(f, &tasks[i]);
	procs_end(f, false);
	if (f->nh)
		qsort(f->h, f->nh, sizeof *f->h, holder_cmp);
	bool sockets = false;
	for (size_t i = 0; i < f->nh && !sockets; i++)
		sockets = f->h[i].type == FDSCAN_SOCKET;
	if (sockets && sockdiag_collect(want_socket, f, &f->socks, &f->nsocks) == 0 &&
	    f->nsocks)
		qsort(f->socks, f->nsocks, sizeof *f->socks, sock_cmp);
	struct emit em = { .f = f, .progs = progs, .np = np };
	static void (*const emitters[])(struct emit *, const struct holder *, size_t) = {
		[FDSCAN_PIPE] = emit_pipe, [FDSCAN_SOCKET] = emit_socket, [FDSCAN_MQUEUE] = emit_mqueue,
	};
	for (size_t i = 0; i < f->nh;) {
		size_t run;
		const struct holder *h = holders_of(f, f->h[i].type, f->h[i].ino, &run);
		if ((size_t)h->type < sizeof emitters / sizeof emitters[0] && emitters[h->type])
			emitters[h->type](&em, h, run);
		i += run;
	}
}

static const struct fd_entry *entry_of(const struct fdscan *f, pid_t pid, int fd)
{
	const struct proc_fds *p = pidmap_find(f->procs, pid);
	struct fd_entry key = { .fd = fd };
	return p && p->n ? bsearch(&key, p->fds, p->n, sizeof key, fd_cmp) : NULL;
}

/* The first process other than pid holding the end named (writing or
 * reading) of the object, 0 if none. */
static pid_t other_end(const struct fdscan *f, const struct fd_entry *e, pid_t pid, bool want_wr)
{
	size_t n;
	const struct holder *h = holders_of(f, e->type, e->ino, &n);
	for (size_t i = 0; h && i < n; i++)
		if (h[i].pid != pid && (want_wr ? h[i].wr : h[i].rd))
			return h[i].pid;
	return 0;
}

/* Whether pid itself holds the end named (a self-pipe between its threads). */
static bool holds_end(const struct fdscan *f, const struct fd_entry *e, pid_t pid, bool want_wr)
{
	size_t n;
	const struct holder *h = holders_of(f, e->type, e->ino, &n);
	for (size_t i = 0; h && i < n; i++)
		if (h[i].pid == pid && (want_wr ? h[i].wr : h[i].rd))
			return true;
	return false;
}

static int describe_pipe(const struct fdscan *f, pid_t pid, const struct fd_entry *e, bool reading,
			 char *buf, size_t len)
{
	pid_t other = other_end(f, e, pid, reading);
	if (!other && holds_end(f, e, pid, reading))
		return snprintf(buf, len, "pipe %s its own process", reading ? "from" : "to");
	if (!other)
		return snprintf(buf, len, "pipe %s a process outside the tree", reading ? "from" : "to");
	return snprintf(buf, len, "pipe %s PID %d (%s)", reading ? "from" : "to", (int)other,
			comm_of(f, other));
}

static int describe_socket(const struct fdscan *f, const struct fd_entry *e, char *buf, size_t len)
{
	const struct sockdiag_sock *s = sock_of(f, e->ino);
	if (!s)
		return 0;
	if (s->listener)
		return snprintf(buf, len, "%s", s->local[0] ? s->local : "an unnamed UNIX socket");
	size_t n;
	const struct holder *peer = s->peer_ino ? holders_of(f, FDSCAN_SOCKET, s->peer_ino, &n) : NULL;
	if (peer)
		return snprintf(buf, len, "socket to PID %d (%s)", (int)peer->pid, comm_of(f, peer->pid));
	if (s->tcp)
		return snprintf(buf, len, "TCP to %s", s->remote);
	return s->local[0] ? snprintf(buf, len, "UNIX socket %s", s->local) : 0;
}

size_t fdscan_describe(void *ctx, pid_t pid, int fd, bool reading, char *buf, size_t len)
{
	const struct fdscan *f = ctx;
	const struct fd_entry *e = entry_of(f, pid, fd);
	if (!e || len == 0)
		return 0;
	int w = 0;
	if (e->type == FDSCAN_PIPE)
		w = describe_pipe(f, pid, e, reading, buf, len);
	else if (e->type == FDSCAN_SOCKET)
		w = describe_socket(f, e, buf, len);
	else if (e->type == FDSCAN_MQUEUE)
		w = snprintf(buf, len, "mqueue %s", e->path);
	else if (e->type == FDSCAN_FILE)
		w = snprintf(buf, len, "%s", e->path);
	if (w <= 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)w < len ? (size_t)w : len - 1;
}
