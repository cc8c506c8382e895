/* demo_subprocess_output.c - capturing a child's output through pipes, in
 * rounds: check_output (read stdout to EOF, then wait), communicate (read
 * stdout and stderr together with poll, then wait) and a command that fails
 * (its exit status reported like Python's CalledProcessError).
 *
 * bug=1 makes the parent wait() first and read after: a child writing more
 * than the pipe holds (64 KiB by default) blocks in write() on the full
 * pipe, and the parent blocks in wait4() for a child that cannot finish.
 * The stop watcher thread kills the child on SIGTERM so that wait4 returns,
 * and SIGUSR1 makes it read the pipe meanwhile (the fix: read while
 * waiting), so the stuck child finishes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

/* Shared between the main thread and the watcher: the child to kill on a
 * stop, and the read end of a pipe the parent is not reading (bug=1).
 * The watcher kills under child_lock, through the child's pidfd when there
 * is one (a pidfd names that process, never a later one reusing its PID);
 * without, child_pid is cleared under the lock while the child is still an
 * unreaped zombie. Either way no kill reaches a reaped PID. Only the main
 * thread writes them. */
static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t child_pid;
static int child_pidfd = -1;
static atomic_int rescue_fd = -1;
static atomic_long rescued = -1;        /* bytes the watcher read, -1: none */

/* Delivered to the watcher only: a handler run in the main thread would
 * leave it in wait4 (restarted), and sanitizer runtimes that defer signals
 * to the next intercepted call would never run the handler at all. */
static sigset_t stop_signals;

struct values {
	struct cm_value *rounds, *out_bytes, *err_bytes, *status, *stuck;
};

enum cmd { CMD_CHECK_OUTPUT, CMD_COMMUNICATE, CMD_FAILING, CMD_COUNT };

static const char *const cmd_names[CMD_COUNT] = {
	[CMD_CHECK_OUTPUT] = "check_output",
	[CMD_COMMUNICATE] = "communicate",
	[CMD_FAILING] = "run(check=True)",
};

/* Writes n bytes of numbered lines to fd; false when a write failed. */
static bool write_lines(int fd, long n, const char *tag)
{
	char line[64];
	long done = 0;

	for (long i = 1; done < n; i++) {
		int len = snprintf(line, sizeof line, "%s line %06ld of the child's output\n", tag, i);

		if (len > n - done)
			len = (int)(n - done);
		for (int off = 0; off < len;) {
			ssize_t w = write(fd, line + off, (size_t)(len - off));

			if (w < 0 && errno != EINTR)
				return false;
			off += w > 0 ? (int)w : 0;
		}
		done += len;
	}
	return true;
}

/* The command: bytes to stdout (and half as many to stderr for
 * communicate), then exit with code. Runs in the forked child. */
static _Noreturn void child_main(pid_t parent, enum cmd c, long bytes, int code)
{
	demo_die_with_parent(parent, SIGKILL);
	pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);   /* blocked in the parent's thread */
	prctl(PR_SET_NAME, "child-cmd");
	if (c == CMD_FAILING) {
		dprintf(2, "child-cmd: no such file: input.txt\n");
		demo_child_exit(code);
	}
	write_lines(1, bytes, "out");
	if (c == CMD_COMMUNICATE)
		write_lines(2, bytes / 2, "err");
	demo_child_exit(0);
}

/* Forks the command with stdout (and stderr) on pipes; out/err get the
 * parent's read ends. Returns the child's PID or -1. */
static pid_t spawn(enum cmd c, long bytes, int code, int *out, int *err)
{
	int po[2], pe[2], pidfd;
	pid_t parent = getpid(), pid;

	if (pipe2(po, O_CLOEXEC) < 0) {
		perror("concmon-demo: stdout pipe");
		return -1;
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		perror("concmon-demo: stderr pipe");
		close(po[0]);
		close(po[1]);
		return -1;
	}
	pid = demo_fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		child_main(parent, c, bytes, code);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return -1;
	}
	*out = po[0];
	*err = pe[0];
	pidfd = demo_pidfd_open(pid);       /* not reaped yet: it is this child */

	pthread_mutex_lock(&child_lock);
	child_pid = pid;
	child_pidfd = pidfd;
	pthread_mutex_unlock(&child_lock);
	if (demo_should_stop())     /* the watcher may have looked before the store */
		kill(pid, SIGKILL);     /* not reaped yet: still our child */
	return pid;
}

/* Reads everything from the fds still open (fds[i] >= 0) until EOF on all,
 * with poll: what communicate() does. counts[i] gets the bytes read. */
static void read_all(int *fds, long *counts, int n)
{
	char buf[65536];
	struct pollfd p[2];

	for (;;) {
		int k = 0;

		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		for (int i = 0; i < n; i++)
			k += fds[i] >= 0;
		if (k == 0 || (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR))
			return;
		for (int i = 0; i < n; i++) {
			ssize_t r;

			if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(fds[i], buf, sizeof buf);
			if (r > 0) {
				counts[i] += r;
			} else if (r == 0 || errno != EINTR) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
}

static void forget_child(void)
{
	pthread_mutex_lock(&child_lock);
	child_pid = 0;
	child_pidfd = -1;
	pthread_mutex_unlock(&child_lock);
}

/* Reaps the child and forgets it so that a stop kills no one. With a pidfd
 * the parent blocks in wait4 (what the lesson shows); without, it waits
 * with WNOWAIT and forgets the PID before reaping it. Returns the status. */
static int wait_child(pid_t pid)
{
	int st = 0, pidfd = child_pidfd;    /* main thread: its own writes */
	siginfo_t si;

	if (pidfd >= 0) {
		demo_waitpid(pid, &st, 0);
		forget_child();
		close(pidfd);
		return st;
	}
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	forget_child();
	demo_waitpid(pid, &st, 0);
	return st;
}

/* bug=1: wait first, read after. Blocks in wait4 while the child is stuck
 * on a full pipe, until SIGUSR1 (the watcher reads) or a stop. */
static int wait_then_read(pid_t pid, int *fds, long *counts, long bytes, struct values *v)
{
	int st, fd;

	printf("parent: BUG: I wait() for child %d before reading its output; it writes %ld "
	       "bytes into a pipe of %d bytes%s\n", (int)pid, bytes, fcntl(fds[0], F_GETPIPE_SZ),
	       bytes > fcntl(fds[0], F_GETPIPE_SZ) ?
	       ": it will block on the full pipe and we wait for each other forever "
	       "(SIGUSR1: read while waiting)" : ": it fits, so this time it works");
	atomic_store(&rescued, -1);
	atomic_store(&rescue_fd, fds[0]);
	cm_value_set(v->stuck, bytes > fcntl(fds[0], F_GETPIPE_SZ));
	st = wait_child(pid);
	cm_value_set(v->stuck, 0);
	fd = atomic_exchange(&rescue_fd, -1);
	if (fd < 0) {               /* the watcher took the pipe: let it finish */
		while (atomic_load(&rescued) < 0)
			sleep_ms(10);
		counts[0] = atomic_load(&rescued);
		close(fds[0]);
		fds[0] = -1;
		printf("parent: a second reader drained the pipe (%ld bytes), so the child could "
		       "finish and wait() returned\n", counts[0]);
	}
	read_all(fds, counts, 2);
	return st;
}

static void report(enum cmd c, pid_t pid, int st, const long *counts, int code, long ms, bool bug)
{
	char buf[64];

	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		printf("%s: CalledProcessError: Command 'child-cmd' (pid %d) returned non-zero exit "
		       "status %d; its stderr (%ld bytes) was captured\n", cmd_names[c], (int)pid,
		       WEXITSTATUS(st), counts[1]);
		return;
	}
	if (c == CMD_FAILING && code == 0) {
		printf("%s: pid %d exited with code 0: no error to raise\n", cmd_names[c], (int)pid);
		return;
	}
	printf("%s: pid %d %s after %ld ms; read stdout %ld bytes, stderr %ld bytes%s\n",
	       cmd_names[c], (int)pid, demo_status_str(st, buf, sizeof buf), ms, counts[0],
	       counts[1], bug ? " (BUG: waited first, read after)" :
	       c == CMD_CHECK_OUTPUT ? " (read to EOF, then wait)" :
	       c == CMD_COMMUNICATE ? " (both pipes read together with poll, then wait)" : "");
}

/* One round: run the command c, capture its output, report. */
static void run_one(struct demo_ctx *ctx, enum cmd c, struct values *v)
{
	long bytes = demo_knob_value(ctx, "bytes"), t0 = demo_now_ms(), counts[2] = { 0, 0 };
	int code = (int)demo_knob_value(ctx, "code"), fds[2], st;
	bool bug = demo_knob_value(ctx, "bug") && c != CMD_FAILING;
	pid_t pid = spawn(c, bytes, code, &fds[0], &fds[1]);

	if (pid < 0)
		return;
	if (bug) {
		st = wait_then_read(pid, fds, counts, bytes, v);
	} else {
		read_all(fds, counts, 2);
		st = wait_child(pid);
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	cm_value_add(v->rounds, 1);
	cm_value_set(v->out_bytes, counts[0]);
	cm_value_set(v->err_bytes, counts[1]);
	cm_value_set(v->status, WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	if (demo_should_stop())
		printf("parent: stopping: child %d ended (it was killed so that wait() returns)\n",
		       (int)pid);
	else
		report(c, pid, st, counts, code, demo_now_ms() - t0, bug);
}

/* Kills the child on a stop; reads the forgotten pipe on SIGUSR1. */
static void *watcher(void *arg)
{
	unsigned usr1 = demo_usr1_count();
	char buf[65536];

	(void)arg;
	cm_thread_role("stop-watcher");
	while (demo_sleep_ms(20)) {
		if (demo_usr1_count() == usr1)
			continue;
		usr1 = demo_usr1_count();
		int fd = atomic_exchange(&rescue_fd, -1);
		long n = 0;
		ssize_t r;

		if (fd < 0)
			continue;
		while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
			n += r > 0 ? r : 0;
		atomic_store(&rescued, n);
	}
	pthread_mutex_lock(&child_lock);
	if (child_pidfd >= 0)
		demo_pidfd_signal(child_pidfd, SIGKILL);
	else if (child_pid > 0)
		kill(child_pid, SIGKILL);
	pthread_mutex_unlock(&child_lock);
	return NULL;
}

int demo_subprocess_output(struct demo_ctx *ctx)
{
	struct values v = { cm_value_new("rounds"), cm_value_new("stdout_bytes"),
			    cm_value_new("stderr_bytes"), cm_value_new("exit_status"),
			    cm_value_new("stuck") };
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	pthread_t w;

	cm_thread_role("parent");
	sigemptyset(&stop_signals);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&stop_signals, sigs[i]);
	demo_thread_start(&w, watcher, NULL);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	printf("parent: rounds of check_output, communicate and a failing command; the child "
	       "writes %ld bytes\n", demo_knob_value(ctx, "bytes"));
	for (int round = 0; !demo_should_stop(); round = (round + 1) % CMD_COUNT) {
		run_one(ctx, (enum cmd)round, &v);
		if (!demo_sleep_ms(demo_knob_value(ctx, "pause_ms")))
			break;
	}
	demo_thread_join(w);
	return 0;
}
