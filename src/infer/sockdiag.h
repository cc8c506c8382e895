/* sockdiag.h - the kernel's queues of UNIX and TCP sockets, by inode:
 * netlink sock_diag (receive and send queue, backlog, buffer sizes, peers),
 * or /proc/net/{tcp,tcp6,unix} where netlink is refused. */
#ifndef CONCMON_SOCKDIAG_H
#define CONCMON_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOCKDIAG_ADDR_MAX 64

struct sockdiag_sock {
	unsigned long ino;
	bool tcp;                       /* else UNIX */
	bool listener;                  /* rqueue: pending connections, wqueue: the backlog */
	bool queues_known;              /* /proc/net/unix has no queue lengths */
	unsigned long peer_ino;         /* the other end's inode, 0 if unknown */
	uint32_t rqueue, wqueue;        /* bytes unread / bytes sent and not yet taken */
	uint32_t rcvbuf, sndbuf;        /* 0 if unknown */
	char local[SOCKDIAG_ADDR_MAX];  /* "127.0.0.1:8080", "[::1]:22", "/run/x", "@abstract", "" */
	char remote[SOCKDIAG_ADDR_MAX]; /* TCP only */
};

/* Decides which inodes are kept. */
typedef bool (*sockdiag_want)(void *ctx, unsigned long ino);

/* The sockets of this network namespace that want accepts, in a malloc'd
 * array (*out, *n; the caller frees). TCP peers held here are paired by
 * address. Returns 0, or -1 when neither netlink nor /proc/net answered. */
int sockdiag_collect(sockdiag_want want, void *ctx, struct sockdiag_sock **out, size_t *n);

/* Parses one line of /proc/net/tcp (v6 false) or /proc/net/tcp6. False for
 * the header or a malformed line. Pure. */
bool sockdiag_parse_tcp_line(const char *line, bool v6, struct sockdiag_sock *out);

/* Parses one line of /proc/net/unix: inode, listener, path. Pure. */
bool sockdiag_parse_unix_line(const char *line, struct sockdiag_sock *out);

#endif
