/* demo_pipeline_procs.c - `producer | square | printer` built by hand:
 * three processes, two real pipes. Kill the last stage and the one before
 * it dies of SIGPIPE at its next write, then the first one: a writer with
 * no reader left is killed by the kernel. A slow printer (sink_ms) fills
 * the pipes (64 KiB each) and then blocks the writers: back-pressure. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define STAGES 3

struct pipeline {
	struct cm_knob *rate, *sink_ms;
	struct cm_value *pipe_bytes[2];
	pid_t pids[STAGES];
	int alive;
};

static const char *const stage_names[STAGES] = { "producer", "square", "printer" };

/* Waits until fd is ready for events or a stop is requested. */
static bool wait_fd(int fd, short events)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
			       { .fd = demo_stop_fd(), .events = POLLIN } };

	while (!demo_should_stop()) {
		if (poll(p, 2, -1) > 0 && p[0].revents)
			return true;
	}
	return false;
}

/* Writes all of s; a reader-less pipe kills us here with SIGPIPE. */
static void write_all(int fd, const char *s, struct cm_value *fill)
{
	size_t len = strlen(s);
	int queued = 0;

	while (len && wait_fd(fd, POLLOUT)) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno != EINTR && errno != EAGAIN)
			demo_child_exit(1);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
		}
	}
	if (ioctl(fd, FIONREAD, &queued) == 0)
		cm_value_set(fill, queued);
}

static _Noreturn void producer(struct pipeline *pl, int out)
{
	char line[64];

	for (long n = 1; demo_sleep_ms(1000 / cm_knob_get(pl->rate)); n++) {
		snprintf(line, sizeof line, "%ld\n", n);
		write_all(out, line, pl->pipe_bytes[0]);
		if (n % 10 == 0)
			printf("[%d] producer: wrote %ld numbers\n", (int)getpid(), n);
	}
	demo_child_exit(0);
}

typedef void line_fn(struct pipeline *pl, const char *line, int out);

/* Reads lines from in and hands each to fn; returns at EOF or stop. */
static void for_each_line(int in, line_fn *fn, struct pipeline *pl, int out)
{
	char buf[4096];
	size_t have = 0;

	while (wait_fd(in, POLLIN)) {
		ssize_t n = read(in, buf + have, sizeof buf - 1 - have);
		char *start = buf, *nl;

		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
		have += n > 0 ? (size_t)n : 0;
		buf[have] = '\0';
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			fn(pl, start, out);
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof buf - 1)
			have = 0;   /* a line longer than the buffer: drop it */
	}
}

static void square_line(struct pipeline *pl, const char *line, int out)
{
	char res[64];
	long v = atol(line);

	snprintf(res, sizeof res, "%ld^2 = %ld\n", v, v * v);
	write_all(out, res, pl->pipe_bytes[1]);
}

static void print_line(struct pipeline *pl, const char *line, int out)
{
	(void)out;
	printf("[%d] printer: %s\n", (int)getpid(), line);
	sleep_ms(cm_knob_get(pl->sink_ms));
}

static _Noreturn void run_stage(struct pipeline *pl, int i, int in, int out)
{
	signal(SIGTERM, SIG_DFL);   /* killing a stage shows as killed, not as a clean exit */
	cm_thread_role(stage_names[i]);
	if (i == 0)
		producer(pl, out);
	for_each_line(in, i == 1 ? square_line : print_line, pl, out);
	printf("[%d] %s: %s\n", (int)getpid(), stage_names[i],
	       demo_should_stop() ? "stopped" : "end of input, exiting");
	demo_child_exit(0);
}

static void close_pipes(int p[2][2], int keep_in, int keep_out)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (p[i][j] != keep_in && p[i][j] != keep_out)
				close(p[i][j]);
}

static bool start_pipeline(struct pipeline *pl)
{
	int p[2][2];

	if (pipe(p[0]) < 0 || pipe(p[1]) < 0) {
		perror("concmon-demo: pipe");
		return false;
	}
	pl->alive = 0;
	for (int i = 0; i < STAGES; i++) {
		int in = i > 0 ? p[i - 1][0] : -1, out = i < STAGES - 1 ? p[i][1] : -1;

		pl->pids[i] = demo_fork();
		if (pl->pids[i] == 0) {
			close_pipes(p, in, out);
			run_stage(pl, i, in, out);
		}
		if (pl->pids[i] > 0)
			pl->alive++;
	}
	close_pipes(p, -1, -1);
	printf("parent: pipeline %s (%d) | %s (%d) | %s (%d); kill the last stage to see SIGPIPE\n",
	       stage_names[0], (int)pl->pids[0], stage_names[1], (int)pl->pids[1],
	       stage_names[2], (int)pl->pids[2]);
	return pl->alive == STAGES;
}

/* Reaps the stages that ended, saying how. */
static void reap_stages(struct pipeline *pl)
{
	char buf[64];
	pid_t pid;
	int st;

	while (pl->alive > 0 && (pid = demo_waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < STAGES; i++) {
			if (pl->pids[i] != pid)
				continue;
			pl->pids[i] = 0;
			pl->alive--;
			printf("parent: stage %s (pid %d) %s%s\n", stage_names[i], (int)pid,
			       demo_status_str(st, buf, sizeof buf),
			       WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE
				       ? ": it wrote to a pipe nobody reads any more" : "");
		}
	}
}

static void signal_stages(struct pipeline *pl, int sig)
{
	for (int i = 0; i < STAGES; i++)
		if (pl->pids[i] > 0)    /* our unreaped child: the PID cannot be reused */
			kill(pl->pids[i], sig);
}

/* TERM, then KILL for a stage still there after 3 s. */
static void stop_pipeline(struct pipeline *pl)
{
	long kill_at = demo_now_ms() + 3000;

	signal_stages(pl, SIGTERM);
	while (pl->alive > 0) {
		reap_stages(pl);
		if (pl->alive > 0 && demo_now_ms() >= kill_at) {
			signal_stages(pl, SIGKILL);
			kill_at += 60000;
		}
		if (pl->alive > 0)
			sleep_ms(10);
	}
}

int demo_pipeline_procs(struct demo_ctx *ctx)
{
	struct pipeline pl = {
		.rate = demo_knob(ctx, "rate"),
		.sink_ms = demo_knob(ctx, "sink_ms"),
		.pipe_bytes = { cm_value_new("pipe1_bytes"), cm_value_new("pipe2_bytes") },
	};

	while (!demo_should_stop()) {
		if (!start_pipeline(&pl))
			break;
		while (pl.alive > 0 && demo_sleep_ms(100))
			reap_stages(&pl);
		if (demo_should_stop())
			break;
		printf("parent: the whole pipeline is gone; a new one in 3 s\n");
		if (!demo_sleep_ms(3000))
			break;
	}
	printf("parent: stopping the stages\n");
	stop_pipeline(&pl);
	return 0;
}
