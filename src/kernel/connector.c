/* connector.c - see connector.h. */
#include "kernel/connector.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

int connector_subscribe(bool forks_only, char *err, size_t errlen)
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

void connector_unsubscribe(int fd)
{
	if (fd < 0)
		return;
	subscribe(fd, PROC_CN_MCAST_IGNORE);
	close(fd);
}

/* Calls fn for each proc event in one datagram of len bytes. */
static void parse_datagram(const void *buf, size_t len, connector_fn fn, void *arg)
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

size_t connector_receive(int fd, size_t max, unsigned *lost, connector_fn fn, void *arg)
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

