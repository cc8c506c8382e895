/* sockdiag.c - see sockdiag.h. */
#include "infer/sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

/* The kernel's TCP_LISTEN state number (netinet/tcp.h names it TCP_LISTEN
 * too, as an enum); UNIX sockets reuse it. */
#define DIAG_LISTEN 10

struct collect {
	sockdiag_want want;
	void *ctx;
	struct sockdiag_sock *v;
	size_t n, cap;
};

static struct sockdiag_sock *collect_add(struct collect *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	struct sockdiag_sock *s = &c->v[c->n++];
	memset(s, 0, sizeof *s);
	return s;
}

/* "addr:port" for an IPv4 or IPv6 address in network order. */
static void format_inet(char *buf, size_t len, int family, const uint32_t *addr, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(family, addr, ip, sizeof ip);
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, (unsigned)port);
}

static void meminfo(const struct rtattr *a, struct sockdiag_sock *s)
{
	if (RTA_PAYLOAD(a) < (int)(sizeof(uint32_t) * (SK_MEMINFO_SNDBUF + 1)))
		return;
	const uint32_t *m = RTA_DATA(a);
	s->rcvbuf = m[SK_MEMINFO_RCVBUF];
	s->sndbuf = m[SK_MEMINFO_SNDBUF];
}

static void unix_name(const struct rtattr *a, struct sockdiag_sock *s)
{
	size_t len = (size_t)RTA_PAYLOAD(a);
	const char *p = RTA_DATA(a);
	if (len == 0)
		return;
	if (len >= sizeof s->local)
		len = sizeof s->local - 1;
	memcpy(s->local, p, len);
	s->local[len] = '\0';
	if (p[0] == '\0') /* abstract: shown the way ss shows it */
		s->local[0] = '@';
}

static void unix_msg(struct collect *c, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *m) || !c->want(c->ctx, m->udiag_ino))
		return;
	struct sockdiag_sock *s = collect_add(c);
	s->ino = m->udiag_ino;
	s->listener = m->udiag_state == DIAG_LISTEN;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
	for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == UNIX_DIAG_NAME) {
			unix_name(a, s);
		} else if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= (int)sizeof(uint32_t)) {
			s->peer_ino = *(const uint32_t *)RTA_DATA(a);
		} else if (a->rta_type == UNIX_DIAG_RQLEN && RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen)) {
			const struct unix_diag_rqlen *q = RTA_DATA(a);
			s->rqueue = q->udiag_rqueue;
			s->wqueue = q->udiag_wqueue;
			s->queues_known = true;
		} else if (a->rta_type == UNIX_DIAG_MEMINFO) {
			meminfo(a, s);
		}
	}
}

static void inet_msg(struct collect *c, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *m) || !m->idiag_inode || !c->want(c->ctx, m->idiag_inode))
		return;
	struct sockdiag_sock *s = collect_add(c);
	s->ino = m->idiag_inode;
	s->tcp = true;
	s->listener = m->idiag_state == DIAG_LISTEN;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->queues_known = true;
	format_inet(s->local, sizeof s->local, m->idiag_family, m->id.idiag_src, ntohs(m->id.idiag_sport));
	if (!s->listener)
		format_inet(s->remote, sizeof s->remote, m->idiag_family, m->id.idiag_dst,
			    ntohs(m->id.idiag_dport));
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
	for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKMEMINFO)
			meminfo(a, s);
}

/* Reads one dump to its end. 0, or -1 on a netlink error. */
static int dump_read(int fd, struct collect *c, bool inet)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		/* NLMSG_OK by hand: the macro mixes signedness (clang warns). */
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)r;) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
			if (h->nlmsg_len < sizeof *h || h->nlmsg_len > (size_t)r - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (inet)
				inet_msg(c, h);
			else
				unix_msg(c, h);
		}
	}
}

static int dump(int fd, const void *req, size_t len, struct collect *c, bool inet)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nl, sizeof nl) != (ssize_t)len)
		return -1;
	return dump_read(fd, c, inet);
}

static int netlink_collect(struct collect *c)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} ureq = {
		.h = { .nlmsg_len = sizeof ureq, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN |
				     UDIAG_SHOW_MEMINFO },
	};
	int rc = dump(fd, &ureq, sizeof ureq, c, false);
	static const int families[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; rc == 0 && i < sizeof families / sizeof families[0]; i++) {
		struct {
			struct nlmsghdr h;
			struct inet_diag_req_v2 r;
		} ireq = {
			.h = { .nlmsg_len = sizeof ireq, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.r = { .sdiag_family = (uint8_t)families[i], .sdiag_protocol = IPPROTO_TCP,
			       .idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1), .idiag_states = ~0u },
		};
		rc = dump(fd, &ireq, sizeof ireq, c, true);
	}
	close(fd);
	return rc;
}

/* A /proc/net/tcp address "0100007F:1F90" (v4) or 32 hex digits (v6):
 * words of the address as the kernel printed them, in its byte order. */
static bool parse_inet_addr(const char *s, bool v6, char *out, size_t outlen)
{
	uint32_t addr[4] = { 0 };
	int words = v6 ? 4 : 1;
	for (int w = 0; w < words; w++) {
		char hex[9];
		memcpy(hex, s + 8 * w, 8);
		hex[8] = '\0';
		char *end;
		addr[w] = (uint32_t)strtoul(hex, &end, 16);
		if (end != hex + 8)
			return false;
	}
	if (s[8 * words] != ':')
		return false;
	char *end;
	unsigned long port = strtoul(s + 8 * words + 1, &end, 16);
	if (end == s + 8 * words + 1 || port > 65535)
		return false;
	format_inet(out, outlen, v6 ? AF_INET6 : AF_INET, addr, (uint16_t)port);
	return true;
}

bool sockdiag_parse_tcp_line(const char *line, bool v6, struct sockdiag_sock *out)
{
	char local[64], remote[64];
	unsigned state, tx, rx;
	unsigned long ino;
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %63s %x %x:%x %*x:%*x %*x %*u %*d %lu", local, remote, &state, &tx,
		   &rx, &ino) != 6)
		return false;
	memset(out, 0, sizeof *out);
	size_t want = v6 ? 37 : 13;
	if (strlen(local) != want || strlen(remote) != want ||
	    !parse_inet_addr(local, v6, out->local, sizeof out->local) ||
	    !parse_inet_addr(remote, v6, out->remote, sizeof out->remote))
		return false;
	out->ino = ino;
	out->tcp = true;
	out->listener = state == DIAG_LISTEN;
	out->rqueue = rx;
	out->wqueue = tx;
	out->queues_known = true;
	if (out->listener)
		out->remote[0] = '\0';
	return true;
}

bool sockdiag_parse_unix_line(const char *line, struct sockdiag_sock *out)
{
	unsigned long flags, ino;
	unsigned type, state;
	int pos = 0;
	/* Num: RefCount Protocol Flags Type St Inode [Path] */
	if (sscanf(line, "%*x: %*x %*x %lx %x %x %lu%n", &flags, &type, &state, &ino, &pos) != 4)
		return false;
	memset(out, 0, sizeof *out);
	out->ino = ino;
	out->listener = (flags & 0x10000) != 0; /* __SO_ACCEPTCON */
	const char *p = line + pos;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\n");
	if (len >= sizeof out->local)
		len = sizeof out->local - 1;
	memcpy(out->local, p, len);
	out->local[len] = '\0';
	return true;
}

static void proc_collect_file(struct collect *c, const char *path, bool tcp, bool v6)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return;
	char line[512];
	struct sockdiag_sock s;
	while (fgets(line, sizeof line, fp)) {
		bool ok = tcp ? sockdiag_parse_tcp_line(line, v6, &s) : sockdiag_parse_unix_line(line, &s);
		if (ok && s.ino && c->want(c->ctx, s.ino))
			*collect_add(c) = s;
	}
	fclose(fp);
}

/* TCP connections held here are paired by swapped addresses. */
static void pair_tcp(struct sockdiag_sock *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].tcp || v[i].listener || v[i].peer_ino)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j != i && v[j].tcp && !v[j].listener && !strcmp(v[i].local, v[j].remote) &&
			    !strcmp(v[i].remote, v[j].local)) {
				v[i].peer_ino = v[j].ino;
				v[j].peer_ino = v[i].ino;
				break;
			}
		}
	}
}

int sockdiag_collect(sockdiag_want want, void *ctx, struct sockdiag_sock **out, size_t *n)
{
	struct collect c = { .want = want, .ctx = ctx };
	if (netlink_collect(&c) < 0) {
		c.n = 0;
		proc_collect_file(&c, "/proc/net/unix", false, false);
		proc_collect_file(&c, "/proc/net/tcp", true, false);
		proc_collect_file(&c, "/proc/net/tcp6", true, true);
		if (c.n == 0 && access("/proc/net/unix", R_OK) != 0) {
			free(c.v);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	pair_tcp(c.v, c.n);
	*out = c.v;
	*n = c.n;
	return 0;
}
