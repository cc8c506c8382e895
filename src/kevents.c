/* kevents.c - see kevents.h. The connector reports every process on the
 * machine; a small hash set of the tree's PIDs decides what concerns us. */
#include "kevents.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SET_EMPTY 0
#define SET_GONE (-1)

/* A process of the tree, with its name kept for when it is gone. */
struct entry {
	pid_t pid;                /* 0 empty, -1 deleted */
	char comm[16];
};

struct kevents {
	int fd;
	pid_t self, hide;
	struct events *ev;
	struct entry *set;        /* open addressing */
	size_t cap, used, live;   /* used counts live and deleted slots */
};

static size_t slot(pid_t pid, size_t cap)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (cap - 1);
}

static struct entry *find(const struct kevents *k, pid_t pid)
{
	for (size_t s = slot(pid, k->cap); k->set[s].pid != SET_EMPTY; s = (s + 1) & (k->cap - 1))
		if (k->set[s].pid == pid)
			return &k->set[s];
	return NULL;
}

static bool tracked(const struct kevents *k, pid_t pid)
{
	return pid == k->self || find(k, pid);
}

static struct entry *set_insert(struct kevents *k, pid_t pid);

/* Rebuilds the table, without its deleted slots, at a size for n live
 * entries: a power of two, at least 256, at most a quarter used. Sized by
 * what lives, not by what it held: processes come and go for days. */
static void rehash(struct kevents *k, size_t n)
{
	size_t cap = 256;
	while (cap < 4 * n)
		cap *= 2;
	struct entry *old = k->set;
	size_t oldcap = k->cap;
	k->set = xcalloc(cap, sizeof *k->set);
	k->cap = cap;
	k->used = k->live = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].pid > 0)
			*set_insert(k, old[i].pid) = old[i];
	free(old);
}

/* The entry for pid, added when new; NULL for pids never followed. */
static struct entry *set_insert(struct kevents *k, pid_t pid)
{
	if (pid <= 0 || pid == k->hide || pid == k->self)
		return NULL;
	struct entry *e = find(k, pid);
	if (e)
		return e;
	/* At most half used (deleted slots included). */
	if ((k->used + 1) * 2 > k->cap)
		rehash(k, k->live + 1);
	size_t s = slot(pid, k->cap);
	while (k->set[s].pid > 0)
		s = (s + 1) & (k->cap - 1);
	if (k->set[s].pid == SET_EMPTY)
		k->used++;
	k->live++;
	k->set[s].pid = pid;
	k->set[s].comm[0] = '\0';
	return &k->set[s];
}

static void set_remove(struct kevents *k, pid_t pid)
{
	struct entry *e = find(k, pid);
	if (e) {
		e->pid = SET_GONE;
		k->live--;
	}
}

void kevents_track(struct kevents *k, pid_t pid) { (void)set_insert(k, pid); }

void kevents_ignore(struct kevents *k, pid_t hide)
{
	k->hide = hide;
	set_remove(k, hide);
}

static int subscribe(int fd, enum proc_cn_mcast_op op)
{
	/* nlmsghdr, then cn_msg (which ends in a flexible array), then op. */
	union {
		struct nlmsghdr align;
		char bytes[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
	} msg;
	memset(&msg, 0, sizeof msg);
	struct nlmsghdr *nl = &msg.align;
	struct cn_msg *cn = NLMSG_DATA(nl);
	nl->nlmsg_len = sizeof msg.bytes;
	nl->nlmsg_type = NLMSG_DONE;
	nl->nlmsg_pid = (unsigned)getpid();
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof op;
	memcpy(cn->data, &op, sizeof op);
	return send(fd, msg.bytes, sizeof msg.bytes, 0) == (ssize_t)sizeof msg.bytes ? 0 : -1;
}

/* Lets through only forks of processes and exits of whole processes: the
 * kernel drops the rest before it reaches the socket. Loads are big-endian,
 * hence htonl on the constants; offsets count from the nlmsghdr (16 bytes)
 * and cn_msg (20) to struct proc_event. */
static int filter_forks_exits(int fd)
{
	enum { EV = 36, WHAT = EV, A0 = EV + 16, A1 = EV + 20, A2 = EV + 24, A3 = EV + 28 };
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, WHAT),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_FORK), 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, A3),           /* child_tgid */
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, A2),           /* child_pid */
		BPF_JUMP(BPF_JMP | BPF_JA, 4, 0, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXIT), 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, A1),           /* process_tgid */
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, A0),           /* process_pid */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),     /* pid == tgid: not a thread */
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int kevents_subscribe(bool forks_only, char *err, size_t errlen)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0) {
		snprintf(err, errlen, "proc connector: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0 };
	/* Fork storms: a big buffer (root may exceed rmem_max) before losing events. */
	int size = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if ((forks_only && filter_forks_exits(fd) < 0) || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    subscribe(fd, PROC_CN_MCAST_LISTEN) < 0) {
		snprintf(err, errlen, "proc connector: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void kevents_unsubscribe(int fd)
{
	if (fd < 0)
		return;
	subscribe(fd, PROC_CN_MCAST_IGNORE);
	close(fd);
}

struct kevents *kevents_open(pid_t self, struct events *ev, char *err, size_t errlen)
{
	int fd = kevents_subscribe(false, err, errlen);
	if (fd < 0)
		return NULL;
	struct kevents *k = xcalloc(1, sizeof *k);
	k->fd = fd;
	k->self = self;
	k->ev = ev;
	k->cap = 256;
	k->set = xcalloc(k->cap, sizeof *k->set);
	return k;
}

void kevents_close(struct kevents *k)
{
	if (!k)
		return;
	kevents_unsubscribe(k->fd);
	free(k->set);
	free(k);
}

int kevents_fd(const struct kevents *k) { return k->fd; }

/* The kernel stamps events in CLOCK_MONOTONIC nanoseconds. */
static double wall_time(unsigned long long ns)
{
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	double age = (double)mono.tv_sec + (double)mono.tv_nsec / 1e9 - (double)ns / 1e9;
	return util_wall() - (age > 0 ? age : 0);
}

static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	ssize_t n = util_read_file(path, comm, len);
	if (n <= 0)
		comm[0] = '\0';
	else if (comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

static void on_event(void *arg, const struct proc_event *p)
{
	struct kevents *k = arg;
	struct event e = { .time = wall_time(p->timestamp_ns), .exact = true };
	struct entry *known;
	switch (p->what) {
	case PROC_EVENT_FORK:
		if (!tracked(k, p->event_data.fork.parent_tgid) || p->event_data.fork.child_tgid == k->hide)
			return;
		e.pid = p->event_data.fork.child_tgid;
		e.tid = p->event_data.fork.child_pid;
		e.other = p->event_data.fork.parent_tgid;
		e.kind = e.tid == e.pid ? EV_SPAWNED : EV_THREAD;
		read_comm(e.tid, e.comm, sizeof e.comm);
		if (e.kind == EV_SPAWNED && (known = set_insert(k, e.pid)))
			snprintf(known->comm, sizeof known->comm, "%.15s", e.comm);
		break;
	case PROC_EVENT_EXEC:
		if (!tracked(k, p->event_data.exec.process_tgid) || p->event_data.exec.process_tgid == k->self)
			return;
		e.kind = EV_EXEC;
		e.pid = p->event_data.exec.process_tgid;
		e.tid = p->event_data.exec.process_pid;
		read_comm(e.tid, e.comm, sizeof e.comm);
		if ((known = find(k, e.pid)))
			snprintf(known->comm, sizeof known->comm, "%.15s", e.comm);
		break;
	case PROC_EVENT_EXIT: {
		pid_t pid = p->event_data.exit.process_tgid;
		if (p->event_data.exit.process_pid != pid || pid == k->self || !tracked(k, pid))
			return; /* a thread, or not ours */
		int status = (int)p->event_data.exit.exit_code;
		e.pid = e.tid = pid;
		e.kind = WIFSIGNALED(status) ? EV_KILLED : EV_EXITED;
		e.code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
		read_comm(e.tid, e.comm, sizeof e.comm);
		if (!e.comm[0] && (known = find(k, pid)))
			snprintf(e.comm, sizeof e.comm, "%s", known->comm);
		set_remove(k, pid);
		break;
	}
	default:
		return;
	}
	events_add(k->ev, e);
}

/* Calls fn for each proc event in one datagram of len bytes. */
static void parse_datagram(const void *buf, size_t len, kevents_fn fn, void *arg)
{
	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP)
			continue;
		const struct cn_msg *cn = NLMSG_DATA(h);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof *cn) || cn->len < sizeof(struct proc_event) ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof *cn + sizeof(struct proc_event)))
			continue;
		/* cn->data is only 4-byte aligned; proc_event has a u64. */
		struct proc_event pe;
		memcpy(&pe, cn->data, sizeof pe);
		fn(arg, &pe);
	}
}

size_t kevents_receive(int fd, size_t max, unsigned *lost, kevents_fn fn, void *arg)
{
	/* The kernel sends one event per datagram: many per system call keeps
	 * the cost of a fork storm on the machine down. Aligned for nlmsghdr. */
	enum { BATCH = 32, DGRAM = 512 };
	long buf[BATCH][DGRAM / sizeof(long)];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	size_t got = 0;
	while (!max || got < max) {
		unsigned want = max && max - got < BATCH ? (unsigned)(max - got) : BATCH;
		for (unsigned i = 0; i < want; i++) {
			iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = sizeof buf[i] };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		int n = recvmmsg(fd, mm, want, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			++*lost;
			continue;
		}
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			if (!(mm[i].msg_hdr.msg_flags & MSG_TRUNC))
				parse_datagram(buf[i], mm[i].msg_len, fn, arg);
		got += (size_t)n;
		if ((unsigned)n < want)
			break; /* nothing more is waiting */
	}
	return got;
}

unsigned kevents_read(struct kevents *k)
{
	unsigned lost = 0;
	kevents_receive(k->fd, 0, &lost, on_event, k);
	return lost;
}
