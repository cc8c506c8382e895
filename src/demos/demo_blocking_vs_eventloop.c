/* demo_blocking_vs_eventloop.c - one server, two designs, on loopback
 * (127.0.0.1, a port the kernel picks). eventloop=0: a thread per client,
 * each blocked in read(); eventloop=1: one thread waits on every socket at
 * once with epoll. A client process (one poll loop) keeps "clients"
 * connections busy. Same requests per second; threads: clients+1 vs 1. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define CONNS_MAX 128
#define CLIENTS_MAX 100

struct conn {
	int fd;                     /* -1: free slot */
	bool threaded;
	pthread_t thread;
	atomic_bool done;
};

struct server {
	int listener, epfd;
	bool eventloop;
	struct conn conns[CONNS_MAX];
	atomic_long requests;
	int threads;                /* handler threads running */
};

/* Answers every request line in buf with "pong"; false when fd failed. */
static bool answer(struct server *s, int fd, const char *buf, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (send(fd, "pong\n", 5, MSG_NOSIGNAL) != 5)
			return false;
		atomic_fetch_add(&s->requests, 1);
	}
	return true;
}

struct handler_arg {
	struct server *s;
	struct conn *c;
};

static void *handler_thread(void *p)
{
	struct handler_arg *a = p;
	char buf[512];
	ssize_t n;

	cm_thread_role("conn-handler");
	while ((n = read(a->c->fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && !answer(a->s, a->c->fd, buf, n))
			break;
	atomic_store(&a->c->done, true);
	return NULL;
}

static void conn_close(struct server *s, struct conn *c)
{
	if (c->threaded) {
		shutdown(c->fd, SHUT_RDWR);     /* wakes its thread's read() */
		demo_thread_join(c->thread);
		s->threads--;
	} else {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	}
	close(c->fd);
	c->fd = -1;
	c->threaded = false;
}

static void conn_add(struct server *s, int fd)
{
	static struct handler_arg args[CONNS_MAX];
	struct conn *c = NULL;

	for (int i = 0; i < CONNS_MAX && !c; i++)
		if (s->conns[i].fd < 0)
			c = &s->conns[i];
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	atomic_store(&c->done, false);
	c->threaded = !s->eventloop;
	if (c->threaded) {
		args[c - s->conns] = (struct handler_arg){ s, c };
		demo_thread_start(&c->thread, handler_thread, &args[c - s->conns]);
		s->threads++;
	} else {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

static void accept_all(struct server *s)
{
	int flags = SOCK_CLOEXEC | (s->eventloop ? SOCK_NONBLOCK : 0);
	int fd;

	while ((fd = accept4(s->listener, NULL, NULL, flags)) >= 0)
		conn_add(s, fd);
}

static void serve_event(struct server *s, const struct epoll_event *ev)
{
	struct conn *c = ev->data.ptr;
	char buf[512];
	ssize_t n;

	if (ev->data.ptr == &s->listener) {
		accept_all(s);
		return;
	}
	if (ev->data.ptr == s)      /* the stop pipe */
		return;
	n = read(c->fd, buf, sizeof buf);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || !answer(s, c->fd, buf, n))
		conn_close(s, c);
}

static int conns_open(const struct server *s)
{
	int n = 0;

	for (int i = 0; i < CONNS_MAX; i++)
		n += s->conns[i].fd >= 0;
	return n;
}

/* Closes what is finished (all with everything set): clients reconnect. */
static void close_conns(struct server *s, bool everything)
{
	for (int i = 0; i < CONNS_MAX; i++) {
		struct conn *c = &s->conns[i];

		if (c->fd >= 0 && (everything || (c->threaded && atomic_load(&c->done))))
			conn_close(s, c);
	}
}

static bool server_open(struct server *s, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->listener };
	struct epoll_event stop = { .events = EPOLLIN, .data.ptr = s };

	for (int i = 0; i < CONNS_MAX; i++)
		s->conns[i].fd = -1;
	s->listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->listener < 0 || s->epfd < 0 || bind(s->listener, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(s->listener, 128) < 0 || getsockname(s->listener, (struct sockaddr *)&a, &len) < 0) {
		perror("concmon-demo: server socket");
		return false;
	}
	*port = ntohs(a.sin_port);
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listener, &ev);
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, demo_stop_fd(), &stop);
	return true;
}

struct client {
	int fd;
	long next_ms;
	bool waiting;               /* a request is out, no reply yet */
};

/* Connects or disconnects clients to match want, sends due requests;
 * fills pfds (the stop pipe first) and returns how many. */
static int client_tick(struct client *c, int port, long want, long period, struct pollfd *pfds,
		       int *map)
{
	long now = demo_now_ms();
	int n = 1;

	pfds[0] = (struct pollfd){ .fd = demo_stop_fd(), .events = POLLIN };
	for (int i = 0; i < CLIENTS_MAX; i++) {
		if (i < want && c[i].fd < 0 && (c[i].fd = demo_connect_loopback(port)) >= 0) {
			c[i].next_ms = now + period * i / want;
			c[i].waiting = false;
		} else if (i >= want && c[i].fd >= 0) {
			close(c[i].fd);
			c[i].fd = -1;
		}
		if (c[i].fd < 0)
			continue;
		if (!c[i].waiting && now >= c[i].next_ms &&
		    send(c[i].fd, "ping\n", 5, MSG_NOSIGNAL) == 5) {
			c[i].waiting = true;
			c[i].next_ms = now + period;
		}
		pfds[n] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
		map[n++] = i;
	}
	return n;
}

static _Noreturn void client_process(int port, struct cm_knob *kclients, struct cm_knob *kperiod,
				     pid_t parent)
{
	static struct client c[CLIENTS_MAX];
	struct pollfd pfds[CLIENTS_MAX + 1];
	int map[CLIENTS_MAX + 1];

	demo_die_with_parent(parent, SIGTERM);
	cm_thread_role("clients");
	for (int i = 0; i < CLIENTS_MAX; i++)
		c[i].fd = -1;
	printf("[%d] clients: talking to 127.0.0.1:%d\n", (int)getpid(), port);
	while (!demo_should_stop()) {
		int n = client_tick(c, port, cm_knob_get(kclients), cm_knob_get(kperiod), pfds, map);

		if (poll(pfds, (nfds_t)n, 10) <= 0)
			continue;
		for (int i = 1; i < n; i++) {
			struct client *cl = &c[map[i]];
			char buf[256];
			ssize_t r;

			if (!pfds[i].revents)
				continue;
			r = read(cl->fd, buf, sizeof buf);
			if (r <= 0) {           /* server closed it: reconnect next tick */
				close(cl->fd);
				cl->fd = -1;
			} else {
				cl->waiting = false;
			}
		}
	}
	demo_child_exit(0);
}

static void status(struct server *s, struct cm_value **v, long *last)
{
	long total = atomic_load(&s->requests);

	cm_value_set(v[0], total - *last);
	cm_value_set(v[1], conns_open(s));
	cm_value_set(v[2], s->threads + 1);
	printf("server: %s, %d connections, %d thread%s in the server, %ld requests/s\n",
	       s->eventloop ? "ONE epoll loop" : "a thread per client", conns_open(s),
	       s->threads + 1, s->threads ? "s" : "", total - *last);
	*last = total;
}

int demo_blocking_vs_eventloop(struct demo_ctx *ctx)
{
	static struct server s;
	struct cm_knob *kmode = demo_knob(ctx, "eventloop");
	struct cm_value *v[3] = { cm_value_new("requests_per_s"), cm_value_new("connections"),
				  cm_value_new("server_threads") };
	long mode = cm_knob_get(kmode), last = 0, next_status = demo_now_ms() + 1000;
	pid_t client, me = getpid();
	int port, st;

	if (!server_open(&s, &port))
		return 1;
	s.eventloop = mode != 0;
	printf("server: listening on 127.0.0.1:%d (loopback only)\n", port);
	client = demo_fork();
	if (client == 0)
		client_process(port, demo_knob(ctx, "clients"), demo_knob(ctx, "period_ms"), me);
	while (client > 0 && !demo_should_stop()) {
		struct epoll_event evs[64];
		int n = epoll_wait(s.epfd, evs, 64, 100);

		for (int i = 0; i < n; i++)
			serve_event(&s, &evs[i]);
		close_conns(&s, false);
		if (demo_knob_changed(kmode, &mode)) {
			printf("server: switching to %s; clients reconnect\n",
			       mode ? "one epoll loop" : "a thread per client");
			close_conns(&s, true);
			s.eventloop = mode != 0;
		}
		if (demo_now_ms() >= next_status) {
			next_status += 1000;
			status(&s, v, &last);
		}
	}
	printf("server: stopping: the client process, then every connection\n");
	if (client > 0) {
		kill(client, SIGTERM);          /* unreaped child: PID not reusable */
		demo_waitpid(client, &st, 0);
	}
	close_conns(&s, true);
	close(s.listener);
	close(s.epfd);
	return 0;
}
