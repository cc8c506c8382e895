/* demo_busy_poll_vs_select.c - a reader thread waits for rare input (a
 * ticker thread writes a line into a pipe every period_ms). With select=0
 * it reads the non-blocking pipe in a loop, and nearly every read fails
 * with EAGAIN: one core at ~100% for nothing. With select=1 it sleeps in
 * select() until the pipe is readable: ~0% CPU, same lines. The knob
 * switches live. Main prints the reader's CPU time (its thread CPU clock). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define STATUS_MS 2000
#define KNOB_CHECK_MS 250   /* select's timeout: how soon select mode notices a knob change */

struct poller {
	int rfd, wfd;               /* the pipe: ticker -> reader */
	struct cm_knob *kselect, *period_ms;
	atomic_long lines, empty_reads, wakeups, latency_us;
	struct cm_value *v_lines, *v_empty_s, *v_cpu, *v_latency, *v_mode;
};

/* The reader's counters at the start of the interval being measured. */
struct interval {
	long cpu_us, t_us, empty;
};

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static void *ticker(void *p)
{
	struct poller *pl = p;
	char line[64];

	cm_thread_role("ticker");
	for (long n = 1; demo_sleep_ms(cm_knob_get(pl->period_ms)); n++) {
		int len = snprintf(line, sizeof line, "tick %ld %ld\n", n, now_us());

		if (write(pl->wfd, line, (size_t)len) < 0 && errno != EAGAIN)
			break;
	}
	return NULL;
}

/* Reads what the pipe holds; true when something came. */
static bool read_lines(struct poller *pl)
{
	char buf[512];
	ssize_t n = read(pl->rfd, buf, sizeof buf - 1);
	long sent = 0;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "tick %*d %ld", &sent) == 1)
		atomic_store(&pl->latency_us, now_us() - sent);
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			atomic_fetch_add(&pl->lines, 1);
	return true;
}

/* One turn of the busy loop: a read that almost always finds nothing. */
static void busy_turn(struct poller *pl)
{
	if (!read_lines(pl))
		atomic_fetch_add_explicit(&pl->empty_reads, 1, memory_order_relaxed);
}

/* One turn of the select loop: sleep in the kernel until the pipe (or the
 * stop descriptor) is readable, or the knob check is due. */
static void select_turn(struct poller *pl)
{
	int stopfd = demo_stop_fd(), maxfd = pl->rfd > stopfd ? pl->rfd : stopfd;
	struct timeval tv = { 0, KNOB_CHECK_MS * 1000 };
	fd_set rd;

	FD_ZERO(&rd);
	FD_SET(pl->rfd, &rd);
	FD_SET(stopfd, &rd);
	if (select(maxfd + 1, &rd, NULL, NULL, &tv) > 0 && FD_ISSET(pl->rfd, &rd)) {
		atomic_fetch_add(&pl->wakeups, 1);
		read_lines(pl);
	}
}

static void *reader(void *p)
{
	struct poller *pl = p;
	long mode = -1;

	cm_thread_role("reader");
	while (!demo_should_stop()) {
		long sel = cm_knob_get(pl->kselect);

		if (sel != mode) {
			mode = sel;
			printf("reader: %s\n", sel ? "select(): sleeping in the kernel until the pipe "
			       "is readable" : "BUSY POLL: read() on a non-blocking pipe in a loop, "
			       "EAGAIN almost every time");
		}
		if (sel)
			select_turn(pl);
		else
			busy_turn(pl);
	}
	return NULL;
}

static long thread_cpu_us(clockid_t cid)
{
	struct timespec ts;

	if (clock_gettime(cid, &ts) < 0)
		return 0;
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* Prints and publishes the interval since *iv (run in mode sel): lines,
 * empty reads per second, the reader's CPU time as a share of one core;
 * then starts the next interval. */
static void report(struct poller *pl, clockid_t cid, struct interval *iv, bool sel)
{
	long cpu = thread_cpu_us(cid), t = now_us(), empty = atomic_load(&pl->empty_reads);
	long dt = t - iv->t_us > 0 ? t - iv->t_us : 1;
	long pct = (cpu - iv->cpu_us) * 100 / dt, empty_s = (empty - iv->empty) * 1000000 / dt;

	cm_value_set(pl->v_lines, atomic_load(&pl->lines));
	cm_value_set(pl->v_empty_s, empty_s);
	cm_value_set(pl->v_cpu, pct);
	cm_value_set(pl->v_latency, atomic_load(&pl->latency_us));
	cm_value_set(pl->v_mode, sel);
	printf("status: %s: %ld lines so far, %ld empty reads/s, %ld select wakeups so far, "
	       "reader CPU %ld%% of one core, last line read %ld us after it was written\n",
	       sel ? "SELECT" : "BUSY POLL", atomic_load(&pl->lines), empty_s,
	       atomic_load(&pl->wakeups), pct, atomic_load(&pl->latency_us));
	*iv = (struct interval){ cpu, t, empty };
}

int demo_busy_poll_vs_select(struct demo_ctx *ctx)
{
	struct poller pl = {
		.kselect = demo_knob(ctx, "select"), .period_ms = demo_knob(ctx, "period_ms"),
		.v_lines = cm_value_new("lines"), .v_empty_s = cm_value_new("empty_reads_per_s"),
		.v_cpu = cm_value_new("reader_cpu_pct"), .v_latency = cm_value_new("latency_us"),
		.v_mode = cm_value_new("select_mode"),
	};
	int fds[2];
	pthread_t rd, tk;
	clockid_t cid;
	struct interval iv = { 0 };
	long next = demo_now_ms() + STATUS_MS, sel = cm_knob_get(pl.kselect);

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		perror("pipe2");
		return 1;
	}
	pl.rfd = fds[0];
	pl.wfd = fds[1];
	printf("main: the ticker writes a line every %ld ms; the reader waits for it (select=%ld)\n",
	       cm_knob_get(pl.period_ms), cm_knob_get(pl.kselect));
	demo_thread_start(&rd, reader, &pl);
	demo_thread_start(&tk, ticker, &pl);
	if (pthread_getcpuclockid(rd, &cid) != 0)
		cid = CLOCK_THREAD_CPUTIME_ID;  /* cannot happen for a live thread */
	iv = (struct interval){ thread_cpu_us(cid), now_us(), 0 };
	while (demo_sleep_ms(100)) {
		long was = sel;

		/* A switch closes the interval, so each one covers a single mode. */
		if (demo_knob_changed(pl.kselect, &sel) || demo_now_ms() >= next) {
			next = demo_now_ms() + STATUS_MS;
			report(&pl, cid, &iv, was != 0);
		}
	}
	printf("main: stopping: joining the reader and the ticker\n");
	demo_thread_join(rd);
	demo_thread_join(tk);
	close(fds[0]);
	close(fds[1]);
	return 0;
}
