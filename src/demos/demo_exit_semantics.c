/* demo_exit_semantics.c - what happens to the workers when the main program
 * ends. Each round the demo (the "runner") forks a program whose main thread
 * starts worker k on an item of k x work_ms and then ends after exit_ms (or
 * on SIGUSR1):
 * - threads, daemon=1: main ends the process (exit_group), every thread
 *   with it, mid-item, their cleanup never runs (Python drops its daemon
 *   threads the same way);
 * - threads, daemon=0: main joins them first (what Python's interpreter
 *   does for non-daemon threads at exit), so all finish;
 * - procs=1: worker processes. The program's exit handler SIGTERMs the
 *   daemon ones and waits for the others (what multiprocessing's atexit
 *   handler does); handler=0 skips it: the kernel itself kills nobody, the
 *   children are orphaned, adopted by the runner (a subreaper), and finish.
 * Worker states live in shared memory so the runner can tell, after the
 * program is gone, who finished and who was cut off. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define WORKERS_MAX 8

enum { W_IDLE, W_WORKING, W_DONE };

struct slot {
	atomic_int state;
	atomic_int pid;             /* a worker process's PID, 0 for threads */
};

struct exit_cfg {
	bool daemon, procs, handler;
	int workers;
	long work_ms, exit_ms;
	struct slot *slots;         /* shared with the program and its workers */
};

struct thread_arg {
	const struct exit_cfg *c;
	int k;
};

static const char *kind(const struct exit_cfg *c)
{
	return c->daemon ? "daemon" : "non-daemon";
}

/* The work of worker k: one item, then its cleanup (a "finally"). In a
 * process, it notices being orphaned; false when stopped. */
static bool work_item(const struct exit_cfg *c, int k)
{
	long end = demo_now_ms() + k * c->work_ms;
	pid_t parent = getppid();

	atomic_store(&c->slots[k - 1].state, W_WORKING);
	printf("[%d] worker-%d: started its item (%ld ms)\n", (int)getpid(), k, k * c->work_ms);
	while (demo_now_ms() < end) {
		if (!demo_sleep_ms(end - demo_now_ms() < 100 ? end - demo_now_ms() : 100))
			return false;
		if (c->procs && getppid() != parent) {
			parent = getppid();
			printf("[%d] worker-%d: my parent is gone; adopted by %d, still working\n",
			       (int)getpid(), k, (int)parent);
		}
	}
	printf("[%d] worker-%d: finished its item; cleanup (finally) ran\n", (int)getpid(), k);
	atomic_store(&c->slots[k - 1].state, W_DONE);
	return true;
}

static void *worker_thread(void *p)
{
	struct thread_arg *a = p;
	char role[CM_NAME_MAX];

	snprintf(role, sizeof role, "worker-%d", a->k);
	cm_thread_role(role);
	work_item(a->c, a->k);
	return NULL;
}

static _Noreturn void worker_process(const struct exit_cfg *c, int k)
{
	char role[CM_NAME_MAX];

	if (c->daemon)
		signal(SIGTERM, SIG_DFL);   /* terminate(): it dies at once, no cleanup */
	snprintf(role, sizeof role, "worker-%d", k);
	cm_thread_role(role);
	work_item(c, k);
	demo_child_exit(0);
}

static void start_workers(const struct exit_cfg *c, pthread_t *t, struct thread_arg *a)
{
	for (int k = 1; k <= c->workers; k++) {
		a[k - 1] = (struct thread_arg){ c, k };
		if (!c->procs) {
			demo_thread_start(&t[k - 1], worker_thread, &a[k - 1]);
			if (c->daemon)      /* never joined: nobody waits for it */
				pthread_detach(t[k - 1]);
			continue;
		}
		pid_t pid = demo_fork();

		if (pid == 0)
			worker_process(c, k);
		atomic_store(&c->slots[k - 1].pid, pid > 0 ? pid : 0);
	}
}

/* Waits for worker k (a child of the program); a stop meanwhile TERMs it. */
static void wait_worker(const struct exit_cfg *c, int k, int *st)
{
	pid_t pid = atomic_load(&c->slots[k - 1].pid);
	bool termed = false;

	while (demo_waitpid(pid, st, WNOHANG) == 0) {
		if (!termed && demo_should_stop()) {
			termed = true;
			kill(pid, SIGTERM);
		}
		sleep_ms(20);
	}
	atomic_store(&c->slots[k - 1].pid, 0);     /* reaped: the PID may be reused */
}

/* The program's exit with worker processes: Python's atexit handler, or
 * nothing at all (handler=0, or stop: SIGTERM everyone and wait). */
static void end_processes(const struct exit_cfg *c, bool stop)
{
	char buf[64];

	if (!stop && !c->handler) {
		printf("[%d] main: exiting with NO exit handler: the kernel does not touch my "
		       "children; they are orphaned\n", (int)getpid());
		return;
	}
	for (int k = 1; k <= c->workers; k++) {
		pid_t pid = atomic_load(&c->slots[k - 1].pid);
		int st;

		if (pid <= 0)
			continue;
		if (!stop && demo_waitpid(pid, &st, WNOHANG) == pid) {
			atomic_store(&c->slots[k - 1].pid, 0);
			printf("[%d] main: exit handler: worker-%d had ended already: %s\n",
			       (int)getpid(), k, demo_status_str(st, buf, sizeof buf));
			continue;
		}
		if (stop || c->daemon) {
			if (!stop)
				printf("[%d] main: exit handler: terminate() daemon worker-%d (pid %d):"
				       " SIGTERM\n", (int)getpid(), k, (int)pid);
			kill(pid, SIGTERM);
		} else {
			printf("[%d] main: exit handler: join() non-daemon worker-%d (pid %d)\n",
			       (int)getpid(), k, (int)pid);
		}
		wait_worker(c, k, &st);
		if (!stop)
			printf("[%d] main: worker-%d %s\n", (int)getpid(), k,
			       demo_status_str(st, buf, sizeof buf));
	}
}

static void end_threads(const struct exit_cfg *c, pthread_t *t)
{
	if (c->daemon) {
		printf("[%d] main: end of main: daemon threads are not joined; the process ends "
		       "and every thread with it\n", (int)getpid());
		return;
	}
	printf("[%d] main: end of main: joining the non-daemon threads first (as Python does "
	       "at exit)\n", (int)getpid());
	for (int k = 1; k <= c->workers; k++)
		demo_thread_join(t[k - 1]);
}

static _Noreturn void program_main(const struct exit_cfg *c)
{
	pthread_t t[WORKERS_MAX];
	struct thread_arg a[WORKERS_MAX];
	long start = demo_now_ms();
	bool stop;

	cm_thread_role("program");
	start_workers(c, t, a);
	while ((stop = !demo_sleep_ms(50)) == false && demo_usr1_count() == 0 &&
	       (c->exit_ms == 0 || demo_now_ms() - start < c->exit_ms))
		;
	if (!stop)
		printf("[%d] main: my work is done after %ld ms (%s): exiting\n", (int)getpid(),
		       demo_now_ms() - start, demo_usr1_count() ? "SIGUSR1" : "exit_ms");
	if (c->procs)
		end_processes(c, stop);
	else if (!stop)
		end_threads(c, t);
	/* exit() ends with exit_group(2): called directly, the threads stop on
	 * the spot even under a sanitizer whose own _exit takes its time. */
	fflush(stdout);
	syscall(SYS_exit_group, 0);
	demo_child_exit(0);
}

/* Reaps whatever ended (the program, adopted workers); false once no child is left. */
static bool reap_all(const struct exit_cfg *c, pid_t *program)
{
	char buf[64];
	pid_t pid;
	int st;

	while ((pid = demo_waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == *program) {
			printf("runner: program %d %s\n", (int)pid, demo_status_str(st, buf, sizeof buf));
			*program = 0;
		} else {
			for (int k = 0; k < c->workers; k++)
				if (atomic_load(&c->slots[k].pid) == pid)
					atomic_store(&c->slots[k].pid, 0);
			printf("runner: reaped adopted worker %d: %s\n", (int)pid,
			       demo_status_str(st, buf, sizeof buf));
		}
	}
	return pid == 0;
}

/* On a stop: TERM the program, then the workers it left to the runner. */
static void stop_round(const struct exit_cfg *c, pid_t program)
{
	if (program > 0) {
		kill(program, SIGTERM);
		return;
	}
	for (int k = 0; k < c->workers; k++) {
		pid_t pid = atomic_load(&c->slots[k].pid);

		if (pid > 0 && atomic_load(&c->slots[k].state) == W_WORKING)
			kill(pid, SIGTERM);     /* an adopted child of ours: not reaped yet */
	}
}

static void summary(const struct exit_cfg *c, int round, struct cm_value *vf, struct cm_value *vc)
{
	char cut[WORKERS_MAX * 12] = "";
	int done = 0, ncut = 0;

	for (int k = 1; k <= c->workers; k++) {
		int st = atomic_load(&c->slots[k - 1].state);

		done += st == W_DONE;
		if (st == W_WORKING) {
			ncut++;
			snprintf(cut + strlen(cut), sizeof cut - strlen(cut), " worker-%d", k);
		}
	}
	cm_value_set(vf, done);
	cm_value_set(vc, ncut);
	printf("round %d (%s %s%s): %d finished, %d cut off mid-item (cleanup never ran):%s\n",
	       round, kind(c), c->procs ? "processes" : "threads",
	       c->procs && !c->handler ? ", no exit handler" : "", done, ncut,
	       ncut ? cut : " none");
}

static void run_round(struct exit_cfg *c, int round)
{
	unsigned usr1 = demo_usr1_count();
	bool stopped = false;
	pid_t program;

	memset(c->slots, 0, sizeof *c->slots * WORKERS_MAX);
	printf("round %d: %d %s %s, worker k works k x %ld ms; main ends after %s\n", round,
	       c->workers, kind(c), c->procs ? "processes" : "threads", c->work_ms,
	       c->exit_ms ? "exit_ms (or SIGUSR1)" : "SIGUSR1");
	program = demo_fork();
	if (program == 0)
		program_main(c);
	while (reap_all(c, &program)) {
		if (!stopped && demo_should_stop()) {
			stopped = true;
			stop_round(c, program);
		}
		if (stopped && program == 0)
			stop_round(c, 0);
		if (program > 0 && demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			kill(program, SIGUSR1);
		}
		sleep_ms(20);
	}
}

int demo_exit_semantics(struct demo_ctx *ctx)
{
	struct exit_cfg c = {
		.daemon = demo_knob_value(ctx, "daemon"), .procs = demo_knob_value(ctx, "procs"),
		.handler = demo_knob_value(ctx, "handler"),
		.workers = (int)demo_knob_value(ctx, "workers"),
	};
	struct cm_value *vf = cm_value_new("finished"), *vc = cm_value_new("cut_off");
	struct cm_value *vr = cm_value_new("rounds");

	c.slots = mmap(NULL, sizeof *c.slots * WORKERS_MAX, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c.slots == MAP_FAILED) {
		perror("concmon-demo: mmap");
		return 1;
	}
	/* Orphaned workers (handler=0) come to us, not to init: we reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (int round = 1; !demo_should_stop(); round++) {
		c.work_ms = demo_knob_value(ctx, "work_ms");
		c.exit_ms = demo_knob_value(ctx, "exit_ms");
		run_round(&c, round);
		if (demo_should_stop())
			break;
		summary(&c, round, vf, vc);
		cm_value_set(vr, round);
		demo_sleep_ms(2000);
	}
	munmap(c.slots, sizeof *c.slots * WORKERS_MAX);
	return 0;
}
