/* demo_ticket_lock.c - the seed's ticket-snatching system: buyer processes
 * read the number of tickets left from a file, take a moment (the network),
 * and write back one less. Without a lock two buyers read the same number
 * and both sell "the last ticket": oversold. With lock=1 each buyer holds a
 * file lock (fcntl, cm_flock) around check-and-book: nothing is oversold, and
 * the buyers queue for the lock instead. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define BUYERS_MAX 16
#define CHECK_MS 100            /* between reading the count and writing it: long
				 * enough for the waiting buyers to show */

struct sale {
	int fd;                     /* the tickets file, inherited by the buyers */
	struct cm_flock *lock;      /* an fcntl lock: each process owns its own */
	bool locked;
	int tickets;
};

static int read_count(int fd)
{
	char buf[16] = { 0 };

	return pread(fd, buf, sizeof buf - 1, 0) > 0 ? atoi(buf) : 0;
}

static void write_count(int fd, int n)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%8d\n", n);
	if (pwrite(fd, buf, strlen(buf), 0) < 0)
		perror("concmon-demo: pwrite");
}

static _Noreturn void buyer(const struct sale *s, int i)
{
	struct cm_flock *lock = s->locked ? s->lock : NULL;
	unsigned seed = (unsigned)getpid();
	int bought = 0;

	cm_thread_role("buyer");
	while (!demo_should_stop()) {
		int left;

		if (lock)
			cm_flock_lock(lock);
		left = read_count(s->fd);
		if (left > 0) {
			sleep_ms(CHECK_MS);
			write_count(s->fd, left - 1);
			bought++;
		}
		if (lock)
			cm_flock_unlock(lock);
		if (left <= 0)
			break;
		printf("[%d] buyer %d: saw %d left, booked one (%d so far)\n", (int)getpid(), i, left,
		       bought);
		demo_sleep_ms(demo_rand_range(&seed, 5, 20));
	}
	demo_child_exit(bought);
}

/* One sale; returns the tickets sold, -1 when stopped. pread/pwrite at
 * offset 0: the buyers share one open file, and so its offset. */
static int run_sale(const struct sale *s, int nbuyers)
{
	pid_t pids[BUYERS_MAX];
	int n = 0, sold = 0;

	write_count(s->fd, s->tickets);
	for (int i = 0; i < nbuyers; i++) {
		pids[n] = demo_fork();
		if (pids[n] == 0)
			buyer(s, i + 1);
		if (pids[n] > 0)
			n++;
	}
	for (int i = 0; i < n; i++) {
		pid_t r = 0;
		int st = 0;

		while (!demo_should_stop() && (r = demo_waitpid(pids[i], &st, WNOHANG)) == 0)
			demo_sleep_ms(10);
		if (r == 0) {
			kill(pids[i], SIGTERM);     /* unreaped child: PID not reusable */
			demo_waitpid(pids[i], &st, 0);
		}
		if (WIFEXITED(st))
			sold += WEXITSTATUS(st);
	}
	return demo_should_stop() ? -1 : sold;
}

int demo_ticket_lock(struct demo_ctx *ctx)
{
	char dir[] = "/tmp/concmon-tickets-XXXXXX", path[64];
	struct sale s = { .fd = -1 };
	struct cm_value *v_sold = cm_value_new("sold"), *v_over = cm_value_new("oversold");

	if (!mkdtemp(dir)) {
		perror("concmon-demo: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/tickets", dir);
	s.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s.fd < 0) {
		perror("concmon-demo: tickets file");
		rmdir(dir);
		return 1;
	}
	/* Only the descriptor is needed: nothing is left behind, even after a KILL. */
	unlink(path);
	rmdir(dir);
	s.lock = cm_flock_new("tickets-file", s.fd);
	printf("main: the buyers book through one (already unlinked) file, %s\n", path);
	for (int round = 1; !demo_should_stop(); round++) {
		int sold, buyers = (int)demo_knob_value(ctx, "buyers");

		s.locked = demo_knob_value(ctx, "lock") != 0;
		s.tickets = (int)demo_knob_value(ctx, "tickets");
		printf("round %d: %d tickets, %d buyers, %s\n", round, s.tickets, buyers,
		       s.locked ? "WITH a file lock" : "NO lock");
		sold = run_sale(&s, buyers);
		if (sold < 0)
			break;
		cm_value_set(v_sold, sold);
		cm_value_set(v_over, sold - s.tickets);
		printf("round %d: %d tickets, %d sold: %d OVERSOLD (%s)\n", round, s.tickets, sold,
		       sold - s.tickets, s.locked ? "with the lock" : "no lock");
		if (!demo_sleep_ms(2000))
			break;
	}
	cm_flock_free(s.lock);
	close(s.fd);
	printf("main: stopped\n");
	return 0;
}
