/* kqueues MODE [N] - kernel queues nobody drains, for the inferred queue
 * records. Prints "ready" once the queue holds its data, then sleeps until
 * killed (or 300 s):
 *   unix N   a UNIX socketpair: a forked child writes N bytes to the parent,
 *            which never reads (the parent's receive queue holds N bytes)
 *   tcp N    a listener on 127.0.0.1 (port printed as "port P"): a forked
 *            child connects and writes N bytes, the parent accepts and never
 *            reads; a second connection stays unaccepted (backlog 1)
 *   mq N     a POSIX message queue (unlinked at once, so a kill leaves
 *            nothing behind) holding N messages */
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static void write_all(int fd, size_t n)
{
	char buf[4096];
	memset(buf, 'x', sizeof buf);
	while (n > 0) {
		ssize_t w = write(fd, buf, n < sizeof buf ? n : sizeof buf);
		if (w <= 0)
			fail("write");
		n -= (size_t)w;
	}
}

static void unix_mode(size_t n)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		fail("socketpair");
	pid_t c = fork();
	if (c < 0)
		fail("fork");
	if (c == 0) {
		close(sv[0]);
		write_all(sv[1], n);
		printf("ready\n");
		fflush(stdout);
		sleep(300);
		_exit(0);
	}
	close(sv[1]);
}

static int connect_to(const struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (const struct sockaddr *)a, sizeof *a) < 0)
		fail("connect");
	return s;
}

static void tcp_mode(size_t n)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 8) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		fail("listen");
	printf("port %u\n", (unsigned)ntohs(a.sin_port));
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		fail("fork");
	if (c == 0) {
		int s = connect_to(&a);
		write_all(s, n);
		int pending = connect_to(&a); /* never accepted */
		(void)pending;
		printf("ready\n");
		fflush(stdout);
		sleep(300);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	if (s < 0)
		fail("accept");
}

static void mq_mode(size_t n)
{
	char name[64];
	snprintf(name, sizeof name, "/concmon-kq-%d", (int)getpid());
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = 64 };
	mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1)
		fail("mq_open");
	mq_unlink(name);
	for (size_t i = 0; i < n; i++)
		if (mq_send(q, "message", 7, 0) < 0)
			fail("mq_send");
	printf("ready\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 1000;
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "unix"))
		unix_mode(n);
	else if (argc >= 2 && !strcmp(argv[1], "tcp"))
		tcp_mode(n);
	else if (argc >= 2 && !strcmp(argv[1], "mq"))
		mq_mode(n);
	else {
		fprintf(stderr, "usage: kqueues unix|tcp|mq [N]\n");
		return 2;
	}
	sleep(300);
	return 0;
}
