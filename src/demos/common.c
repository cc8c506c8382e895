/* common.c - signals to state, sleeps that wake on a stop, fork hygiene. */
#include "common.h"

#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "concmon/cmprobe.h"

/* Only lock-free atomics are touched by the handlers. */
static atomic_bool stop_requested;
static atomic_uint usr1_seen;
static atomic_int stop_wfd = -1;
static int stop_rfd = -1;

static void wake_sleepers(void)
{
	int fd = atomic_load(&stop_wfd);

	if (fd >= 0) {
		ssize_t n = write(fd, "x", 1);   /* full pipe: already readable */
		(void)n;
	}
}

static void on_stop_signal(int sig)
{
	int saved = errno;

	(void)sig;
	atomic_store(&stop_requested, true);
	wake_sleepers();
	errno = saved;
}

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&usr1_seen, 1);
}

/* A handler, not SIG_IGN: an ignored signal would stay ignored across exec. */
static void on_usr2(int sig)
{
	(void)sig;
}

static void make_stop_pipe(void)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("concmon-demo: pipe");
		exit(1);
	}
	stop_rfd = fds[0];
	atomic_store(&stop_wfd, fds[1]);
}

void demo_signals_init(void)
{
	static const int stops[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	make_stop_pipe();
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop_signal;
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
		sigaction(stops[i], &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;    /* a stray USR2 must not kill a demo */
	sigaction(SIGUSR2, &sa, NULL);
}

bool demo_should_stop(void)
{
	return atomic_load(&stop_requested);
}

unsigned demo_usr1_count(void)
{
	return atomic_load(&usr1_seen);
}

int demo_stop_fd(void)
{
	return stop_rfd;
}

long demo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool demo_sleep_ms(long ms)
{
	long end = demo_now_ms() + ms;
	struct pollfd p = { .fd = stop_rfd, .events = POLLIN };

	while (!demo_should_stop()) {
		long left = end - demo_now_ms();

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			sleep_ms(left);     /* no pipe (cannot happen): still sleep */
	}
	return !demo_should_stop();
}

void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void child_reset(void)
{
	int old = atomic_load(&stop_wfd);

	close(stop_rfd);
	close(old);
	make_stop_pipe();
	atomic_store(&stop_requested, false);
	atomic_store(&usr1_seen, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
}

pid_t demo_fork(void)
{
	sigset_t all, old;
	pid_t pid;
	int err;

	fflush(stdout);
	fflush(stderr);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid = fork();
	err = errno;
	if (pid == 0)
		child_reset();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		fprintf(stderr, "concmon-demo: fork: %s\n", strerror(err));
	return pid;
}

void demo_child_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

void demo_die_with_parent(pid_t parent, int sig)
{
	prctl(PR_SET_PDEATHSIG, sig);
	if (getppid() != parent)    /* the parent died before prctl */
		demo_child_exit(0);
}

void demo_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(t, NULL, fn, arg);

	if (err) {
		fprintf(stderr, "concmon-demo: pthread_create: %s\n", strerror(err));
		abort();
	}
}

void demo_thread_join(pthread_t t)
{
	int err = pthread_join(t, NULL);

	if (err) {
		fprintf(stderr, "concmon-demo: pthread_join: %s\n", strerror(err));
		abort();
	}
}

void *demo_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "concmon-demo: out of memory\n");
		abort();
	}
	return p;
}

pid_t demo_waitpid(pid_t pid, int *status, int flags)
{
	pid_t r;

	do
		r = waitpid(pid, status, flags);
	while (r < 0 && errno == EINTR);
	return r;
}

const char *demo_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		snprintf(buf, len, "killed by signal %d (SIG%s)", WTERMSIG(status),
			 abbrev ? abbrev : "?");
	} else {
		snprintf(buf, len, "status 0x%x", (unsigned)status);
	}
	return buf;
}

int demo_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int demo_pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* True when the process behind pidfd has exited (or pidfd < 0). */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd < 0 || poll(&p, 1, 0) != 0;
}

int demo_pidfds_running(const int *pidfds, int n)
{
	int running = 0;

	for (int i = 0; i < n; i++)
		if (!pidfd_exited(pidfds[i]))
			running++;
	return running;
}

void demo_terminate_pidfds(const int *pidfds, int n, long grace_ms, bool *killed)
{
	long deadline = demo_now_ms() + grace_ms;

	for (int i = 0; i < n; i++) {
		if (killed)
			killed[i] = false;
		if (pidfds[i] >= 0)
			demo_pidfd_signal(pidfds[i], SIGTERM);
	}
	while (demo_pidfds_running(pidfds, n) > 0 && demo_now_ms() < deadline)
		sleep_ms(10);
	for (int i = 0; i < n; i++) {
		if (pidfd_exited(pidfds[i]))
			continue;
		demo_pidfd_signal(pidfds[i], SIGKILL);
		if (killed)
			killed[i] = true;
	}
	while (demo_pidfds_running(pidfds, n) > 0)
		sleep_ms(10);
}

bool demo_knob_changed(const struct cm_knob *k, long *last)
{
	long now = cm_knob_get(k);

	if (now == *last)
		return false;
	*last = now;
	return true;
}

static unsigned xorshift32(unsigned *state)
{
	unsigned x = *state ? *state : 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

long demo_rand_range(unsigned *state, long lo, long hi)
{
	if (hi <= lo)
		return lo;
	return lo + (long)(xorshift32(state) % (unsigned long)(hi - lo + 1));
}

int demo_connect_loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void demo_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

struct timespec demo_deadline_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
