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

#include "cmprobe.h"
#include "common.h"
#include "registry.h"

#define BUYERS_MAX 16
#define CHECK_MS 20             /* between reading the count and writing it */

struct sale {
	char path[64];
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
	int fd = open(s->path, O_RDWR), bought = 0;
	struct cm_flock *lock = fd >= 0 && s->locked ? cm_flock_new("tickets-file", fd) : NULL;
	unsigned seed = (unsigned)getpid();

	cm_thread_role("buyer");
	while (fd >= 0 && !demo_should_stop()) {
		int left;

		if (lock)
			cm_flock_lock(lock);
		left = read_count(fd);
		if (left > 0) {
			sleep_ms(CHECK_MS);
			write_count(fd, left - 1);
			bought++;
		}
		if (lock)
			cm_flock_unlock(lock);
		if (left <= 0)
			break;
		printf("[%d] buyer %d: saw %d left, booked one (my %d%s)\n", (int)getpid(), i, left,
		       bought, bought == 1 ? "st" : "th");
		demo_sleep_ms(demo_rand_range(&seed, 10, 60));
	}
	demo_child_exit(bought);
}

/* One sale; returns the tickets sold, -1 when stopped. */
static int run_sale(const struct sale *s, int nbuyers)
{
	pid_t pids[BUYERS_MAX];
	int fd = open(s->path, O_RDWR | O_CREAT | O_TRUNC, 0600), n = 0, sold = 0;

	if (fd < 0) {
		perror("concmon-demo: tickets file");
		return -1;
	}
	write_count(fd, s->tickets);
	close(fd);
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
	char dir[] = "/tmp/concmon-tickets-XXXXXX";
	struct sale s;
	struct cm_value *v_sold = cm_value_new("sold"), *v_over = cm_value_new("oversold");

	if (!mkdtemp(dir)) {
		perror("concmon-demo: mkdtemp");
		return 1;
	}
	snprintf(s.path, sizeof s.path, "%s/tickets", dir);
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
	unlink(s.path);
	rmdir(dir);
	printf("main: stopped\n");
	return 0;
}
