/* demo_coroutines.c - one thread runs many tasks with a scheduler, like
 * Python generators driven by a loop (David Beazley's fib server, seed 003).
 * A task is an explicit state machine: step() runs it until its next
 * "yield", which says why it stops: ready again (round-robin), waiting to
 * recv on an fd, waiting to send on one, or done. The scheduler runs the
 * ready tasks in turn and, when none is ready, poll()s the fds they wait on.
 *
 * First two generator tasks (gen_fib(5), gen_fib(3)) interleave round-robin.
 * Then a fib server on loopback serves a client process: "clients"
 * connections ask fib(20) every period_ms, and one more asks fib(long_fib)
 * every long_every_ms. That one request runs in the only thread, so no
 * other task runs until it returns: every client's latency jumps. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define TASKS_MAX 128
#define CLIENTS_MAX 50
#define STALL_MS 50             /* a step longer than this is reported */
#define SHORT_FIB 20L           /* what the ordinary clients ask */

enum why { Y_READY, Y_RECV, Y_SEND, Y_DONE };

struct sched;

struct task {
	enum why (*step)(struct task *t, struct sched *s);
	int state, fd;
	long a, b;                  /* generator: i and n; handler: reply length */
	char name[16];
	char buf[64];
};

struct sched {
	struct task *ready[TASKS_MAX];      /* a ring: the ready tasks, in turn */
	int head, n_ready;
	struct task *waiting[TASKS_MAX];    /* blocked on fd (their state says why) */
	enum why wait_why[TASKS_MAX];
	int n_waiting, n_tasks, next_id;
	struct cm_qmirror *q_ready;
	struct cm_value *v_requests, *v_ready_peak, *v_long_ms, *v_long_requests, *v_tasks;
	long requests, ready_peak;
};

/* Plain recursive fib; the top levels look at the stop flag so that a stop
 * does not wait seconds for fib(46) (a thousand checks, nothing in time). */
static long fib(long n)
{
	if (n > 30 && demo_should_stop())
		return 0;
	return n <= 2 ? 1 : fib(n - 1) + fib(n - 2);
}

static void push_ready(struct sched *s, struct task *t)
{
	s->ready[(s->head + s->n_ready++) % TASKS_MAX] = t;
	cm_qmirror_put(s->q_ready);
	if (s->n_ready > s->ready_peak)
		s->ready_peak = s->n_ready;
}

static struct task *pop_ready(struct sched *s)
{
	struct task *t = s->ready[s->head];

	s->head = (s->head + 1) % TASKS_MAX;
	s->n_ready--;
	cm_qmirror_get(s->q_ready);
	return t;
}

static struct task *task_new(struct sched *s, enum why (*step)(struct task *, struct sched *),
			     int fd, const char *prefix)
{
	struct task *t;

	if (s->n_tasks >= TASKS_MAX - 1)
		return NULL;
	t = demo_xcalloc(1, sizeof *t);
	t->step = step;
	t->fd = fd;
	snprintf(t->name, sizeof t->name, "%s-%d", prefix, ++s->next_id);
	s->n_tasks++;
	cm_value_set(s->v_tasks, s->n_tasks);
	push_ready(s, t);
	return t;
}

/* gen_fib(n): yields fib(1..n), one per step, like the seed's generator. */
static enum why gen_fib_step(struct task *t, struct sched *s)
{
	(void)s;
	if (++t->a > t->b) {
		printf("  %s (gen_fib(%ld)): StopIteration, done\n", t->name, t->b);
		return Y_DONE;
	}
	printf("  %s (gen_fib(%ld)) yields %ld\n", t->name, t->b, fib(t->a));
	return Y_READY;
}

/* fib_handler: recv a number, compute fib, send the answer, again. */
static enum why handler_step(struct task *t, struct sched *s)
{
	ssize_t n;
	long ms, t0;

	if (t->state == 0) {                /* yield 'recv', client */
		t->state = 1;
		return Y_RECV;
	}
	if (t->state == 2) {                /* after yield 'send', client */
		send(t->fd, t->buf, (size_t)t->b, MSG_NOSIGNAL);
		t->state = 1;
		return Y_RECV;
	}
	n = recv(t->fd, t->buf, sizeof t->buf - 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return Y_RECV;              /* a wakeup with nothing to read: no request yet */
	if (n <= 0)
		return Y_DONE;
	t->buf[n] = '\0';
	long arg = strtol(t->buf, NULL, 10), result;

	t0 = demo_now_ms();
	result = fib(arg < 1 ? 1 : arg > 50 ? 50 : arg);
	ms = demo_now_ms() - t0;
	if ((arg > SHORT_FIB || ms >= STALL_MS) && !demo_should_stop()) {
		printf("scheduler: %s's request fib(%ld) ran %ld ms in the one thread: no other task "
		       "ran meanwhile; %d tasks were blocked behind it\n", t->name, arg, ms,
		       s->n_tasks - 1);
	}
	if (arg > SHORT_FIB) {
		cm_value_set(s->v_long_ms, ms);
		cm_value_add(s->v_long_requests, 1);
	}
	t->b = snprintf(t->buf, sizeof t->buf, "%ld\n", result);
	s->requests++;
	t->state = 2;
	return Y_SEND;
}

/* fib_server: yield 'recv', sock; accept; a new handler task per client. */
static enum why server_step(struct task *t, struct sched *s)
{
	int fd;

	if (t->state == 1)
		while ((fd = accept4(t->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
			if (!task_new(s, handler_step, fd, "conn"))
				close(fd);
	t->state = 1;
	return Y_RECV;
}

/* Waits (poll) until some waiting task's fd is ready; moves those to the
 * ready ring. False on a stop. */
static bool wait_io(struct sched *s)
{
	struct pollfd p[TASKS_MAX + 1];
	int n = s->n_waiting, k = 0;

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = s->waiting[i]->fd,
					.events = s->wait_why[i] == Y_RECV ? POLLIN : POLLOUT };
	p[n] = (struct pollfd){ .fd = demo_stop_fd(), .events = POLLIN };
	if (poll(p, (nfds_t)n + 1, 1000) < 0 && errno != EINTR)
		return false;
	for (int i = 0; i < n; i++) {
		if (p[i].revents) {
			push_ready(s, s->waiting[i]);
		} else {
			s->waiting[k] = s->waiting[i];
			s->wait_why[k++] = s->wait_why[i];
		}
	}
	s->n_waiting = k;
	return !demo_should_stop();
}

static void run_step(struct sched *s)
{
	struct task *t = pop_ready(s);
	enum why w = t->step(t, s);

	if (w == Y_READY) {
		push_ready(s, t);
	} else if (w == Y_DONE) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		s->n_tasks--;
		cm_value_set(s->v_tasks, s->n_tasks);
	} else {
		s->waiting[s->n_waiting] = t;
		s->wait_why[s->n_waiting++] = w;
	}
}

static void report(struct sched *s, long *last, long *last_requests)
{
	long now = demo_now_ms();

	if (now - *last < 2000)
		return;
	printf("scheduler: %ld requests/s, %d tasks (1 server + connections), ready queue peak %ld\n",
	       (s->requests - *last_requests) * 1000 / (now - *last), s->n_tasks, s->ready_peak);
	cm_value_set(s->v_requests, s->requests);
	cm_value_set(s->v_ready_peak, s->ready_peak);
	s->ready_peak = 0;
	*last = now;
	*last_requests = s->requests;
}

/* The scheduler loop: ready tasks in turn; when none is ready, poll. */
static void run(struct sched *s, bool forever)
{
	long last = demo_now_ms(), last_requests = 0;

	while (!demo_should_stop() && (forever || s->n_ready)) {
		if (s->n_ready == 0 && !wait_io(s))
			break;
		while (s->n_ready && !demo_should_stop())
			run_step(s);
		if (forever)
			report(s, &last, &last_requests);
	}
}


struct client {
	int fd;
	long sent_ms, next_ms;
	bool waiting, is_long;
};

/* Sends what is due (fib(20) every period_ms; the long one every
 * long_every_ms); fills pfds (the stop pipe first), returns how many. */
static int client_tick(struct client *c, int n, struct demo_ctx *ctx, struct pollfd *pfds)
{
	long now = demo_now_ms(), period = demo_knob_value(ctx, "period_ms");
	long long_fib = demo_knob_value(ctx, "long_fib");

	pfds[0] = (struct pollfd){ .fd = demo_stop_fd(), .events = POLLIN };
	for (int i = 0; i < n; i++) {
		char req[32];
		int len = snprintf(req, sizeof req, "%ld\n", c[i].is_long ? long_fib : SHORT_FIB);

		if (!c[i].waiting && now >= c[i].next_ms && (!c[i].is_long || long_fib > 0) &&
		    send(c[i].fd, req, (size_t)len, MSG_NOSIGNAL) == len) {
			c[i].waiting = true;
			c[i].sent_ms = now;
			c[i].next_ms = now + (c[i].is_long ? demo_knob_value(ctx, "long_every_ms") :
					      period);
		}
		pfds[i + 1] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
	}
	return n + 1;
}

/* Reads the replies that came; returns the worst latency among them. */
static long client_replies(struct client *c, int n, const struct pollfd *pfds, long *replies)
{
	long worst = 0;

	for (int i = 0; i < n; i++) {
		char buf[64];
		long lat = demo_now_ms() - c[i].sent_ms;

		if (!pfds[i + 1].revents || read(c[i].fd, buf, sizeof buf) <= 0)
			continue;
		c[i].waiting = false;
		if (c[i].is_long) {
			printf("clients: the long request's reply came after %ld ms\n", lat);
			continue;
		}
		(*replies)++;
		worst = lat > worst ? lat : worst;
	}
	return worst;
}

/* The client process: "clients" short-request connections and one long. */
static int coroutines_client(int port, struct demo_ctx *ctx)
{
	static struct client c[CLIENTS_MAX + 1];
	struct pollfd pfds[CLIENTS_MAX + 2];
	struct cm_value *v_lat = cm_value_new("max_latency_ms");
	int n = (int)demo_knob_value(ctx, "clients") + 1;
	long window = demo_now_ms(), worst = 0, replies = 0;

	demo_die_with_parent(getppid(), SIGTERM);
	cm_thread_role("clients");
	for (int i = 0; i < n; i++) {
		c[i] = (struct client){ .fd = demo_connect_loopback(port), .is_long = i == n - 1,
					.next_ms = demo_now_ms() + (i == n - 1 ? 1000 : 10L * i) };
		if (c[i].fd < 0)
			return 1;
	}
	while (!demo_should_stop()) {
		int k = client_tick(c, n, ctx, pfds);
		long w;

		if (poll(pfds, (nfds_t)k, 10) > 0 && (w = client_replies(c, n, pfds, &replies)) > worst)
			worst = w;
		if (demo_now_ms() - window >= 1000) {
			printf("clients: %ld replies in the last second, max latency %ld ms\n", replies,
			       worst);
			cm_value_set(v_lat, worst);
			window = demo_now_ms();
			worst = replies = 0;
		}
	}
	for (int i = 0; i < n; i++)
		close(c[i].fd);
	return 0;
}

static int listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("concmon-demo: server socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void free_tasks(struct sched *s)
{
	while (s->n_ready)
		free(pop_ready(s));
	for (int i = 0; i < s->n_waiting; i++) {
		close(s->waiting[i]->fd);
		free(s->waiting[i]);
	}
}

int demo_coroutines(struct demo_ctx *ctx)
{
	static struct sched s;
	struct task *g;
	int port, lfd;
	pid_t client;

	cm_thread_role("scheduler");
	s.q_ready = cm_qmirror_new("ready", TASKS_MAX, CM_PRIVATE);
	s.v_requests = cm_value_new("requests");
	s.v_ready_peak = cm_value_new("ready_peak");
	s.v_long_ms = cm_value_new("long_ms");
	s.v_long_requests = cm_value_new("long_requests");
	s.v_tasks = cm_value_new("tasks");
	printf("scheduler: round-robin of two generators, as in the seed:\n");
	for (long n = 5; n >= 3; n -= 2)
		if ((g = task_new(&s, gen_fib_step, -1, "gen")))
			g->b = n;
	run(&s, false);
	if ((lfd = listen_loopback(&port)) < 0)
		return 1;
	if (!task_new(&s, server_step, lfd, "server")) {
		close(lfd);
		return 1;
	}
	printf("scheduler: fib server on 127.0.0.1:%d, one thread, tasks switch only at yield\n",
	       port);
	client = demo_fork();
	if (client == 0)
		demo_child_exit(coroutines_client(port, ctx));
	run(&s, true);
	if (client > 0) {
		kill(client, SIGTERM);
		demo_waitpid(client, NULL, 0);
	}
	free_tasks(&s);
	printf("scheduler: stopped, client process reaped\n");
	return 0;
}
