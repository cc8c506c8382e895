/* registry.c - the demo catalog as one table (see DESIGN.md). */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concmon/cmprobe.h"

#define MS_MAX 60000L
#define AT_START true   /* read once, at start: a change needs a restart */
#define LIVE false      /* read while the demo runs */

static const struct demo_def demos[] = {
	{ "spawn-join", "processes",
	  "children start, exit with their own codes; the parent joins them in order",
	  true, demo_spawn_join, {
		{ "count", 4, 1, 20, "children to start", AT_START },
		{ "duration", 8000, 100, 60000, "ms the first (slowest) child works", AT_START },
		{ "linger", 2000, 0, 60000, "ms the parent stays after joining them all", AT_START } } },
	{ "subprocess-timeout", "processes",
	  "run a command with a timeout: the parent terminates it when time is up",
	  false, demo_subprocess_timeout, {
		{ "timeout", 2000, 100, MS_MAX, "ms the parent waits before it signals", LIVE },
		{ "work", 4000, 0, MS_MAX, "ms the command (sleep) needs", LIVE },
		{ "kill", 0, 0, 1, "on timeout 0: SIGTERM (terminate()), 1: SIGKILL (run())", LIVE } } },
	{ "pipeline-procs", "queues",
	  "three processes chained by pipes; kill the last, the others die of SIGPIPE",
	  false, demo_pipeline_procs, {
		{ "rate", 5, 1, 1000, "lines per second the first stage writes", LIVE },
		{ "sink_ms", 0, 0, 1000, "ms the last stage spends per line", LIVE } } },
	{ "washer-dryer-threads", "queues",
	  "a fast washer fills a bounded basket that a slow dryer empties",
	  false, demo_washer_dryer_threads, {
		{ "washers", 1, 1, 8, "washer (producer) threads", LIVE },
		{ "dryers", 1, 1, 16, "dryer (consumer) threads", LIVE },
		{ "wash_ms", 150, 10, 5000, "ms to wash one item", LIVE },
		{ "dry_ms", 400, 10, 5000, "ms to dry one item", LIVE },
		{ "capacity", 5, 1, 100, "basket size", AT_START } } },
	{ "washer-dryer-procs", "queues",
	  "washer and dryers as processes sharing a queue; daemon dryers die with it",
	  false, demo_washer_dryer_procs, {
		{ "dryers", 1, 1, 8, "dryer (consumer) processes", LIVE },
		{ "wash_ms", 150, 10, 5000, "ms to wash one item", LIVE },
		{ "dry_ms", 400, 10, 5000, "ms to dry one item", LIVE },
		{ "capacity", 5, 1, 100, "queue size", AT_START } } },
	{ "pipeline-threads", "queues",
	  "download -> resize -> upload: closable queues, N workers per stage",
	  false, demo_pipeline_threads, {
		{ "downloaders", 1, 1, 8, "download workers", LIVE },
		{ "resizers", 1, 1, 8, "resize workers", LIVE },
		{ "uploaders", 1, 1, 8, "upload workers", LIVE },
		{ "download_ms", 100, 10, 5000, "ms per download", LIVE },
		{ "resize_ms", 300, 10, 5000, "ms per resize", LIVE },
		{ "upload_ms", 100, 10, 5000, "ms per upload", LIVE },
		{ "capacity", 10, 1, 100, "size of each queue", AT_START } } },
	{ "race-counter", "locks",
	  "threads do count += 1 without a lock and lose updates",
	  false, demo_race_counter, {
		{ "lock", 0, 0, 1, "1: take the lock around count += 1", LIVE },
		{ "threads", 4, 1, 16, "threads per round", LIVE },
		{ "increments", 20000, 1000, 1000000, "increments per thread per round", LIVE } } },
	{ "deadlock", "locks",
	  "two threads take two locks in opposite order and wait for each other forever",
	  false, demo_deadlock, {
		{ "ordered", 0, 0, 1, "1: both take fork-1 first (no deadlock)", AT_START } } },
	{ "recursive-lock", "locks",
	  "re-entering a plain lock deadlocks the thread on itself; a recursive one does not",
	  false, demo_recursive_lock, {
		{ "recursive", 0, 0, 1, "1: use a recursive lock", LIVE },
		{ "depth", 3, 1, 10, "how deep the recursion goes", LIVE } } },
	{ "semaphore", "locks",
	  "a semaphore of 3 lets at most 3 workers in at once",
	  false, demo_semaphore, {
		{ "permits", 3, 1, 16, "workers allowed in at once", LIVE },
		{ "workers", 8, 1, 32, "worker threads", AT_START },
		{ "hold_ms", 1000, 50, 10000, "ms a worker keeps its permit (on average)", LIVE } } },
	{ "event-gate", "signalling",
	  "threads wait at a gate until an event is set (SIGUSR1 toggles it)",
	  false, demo_event_gate, {
		{ "set", 0, 0, 1, "1: the gate (event) is open", LIVE },
		{ "waiters", 5, 1, 32, "threads waiting at the gate", AT_START },
		{ "auto_ms", 3000, 0, MS_MAX, "open the gate once after this many ms (0: never)", AT_START },
		{ "timeout_ms", 0, 0, MS_MAX, "waiters call wait(timeout) with this many ms (0: no timeout)", LIVE } } },
	{ "condition-queue", "signalling",
	  "consumers sleep on a condition variable until a producer fills a priority queue",
	  false, demo_condition_queue, {
		{ "rate", 2, 1, 100, "items per second the producer puts", LIVE },
		{ "consumers", 2, 1, 8, "consumer threads", AT_START },
		{ "work_ms", 200, 0, 5000, "ms a consumer spends per item", LIVE } } },
	{ "pool-cpu", "scaling",
	  "fib on a thread pool vs a process pool, with a model of CPython's GIL",
	  false, demo_pool_cpu, {
		{ "processes", 0, 0, 1, "0: thread pool, 1: process pool", LIVE },
		{ "workers", 2, 1, 4, "pool size", LIVE },
		{ "gil", 1, 0, 1, "1: threads share one global lock (like CPython)", LIVE },
		{ "fib", 28, 20, 32, "n of each fib(n) task", LIVE },
		{ "switch_ms", 5, 1, 100, "GIL switch interval (sys.setswitchinterval)", LIVE } } },
	{ "zombies", "lifecycle",
	  "children exit but the parent does not wait: zombies until SIGUSR1 reaps them",
	  false, demo_zombies, {
		{ "count", 3, 1, 20, "children per batch", LIVE } } },
	{ "orphans", "lifecycle",
	  "a parent exits before its children, which are adopted by a subreaper or init",
	  false, demo_orphans, {
		{ "count", 3, 1, 20, "children left behind", LIVE },
		{ "life_ms", 20000, 1000, 300000, "ms each orphan lives", LIVE } } },
	{ "daemon", "lifecycle",
	  "when the parent goes, daemon children die with it and the others are adopted",
	  true, demo_daemon, {
		{ "daemons", 2, 0, 10, "daemon children (die with the parent)", AT_START },
		{ "others", 2, 0, 10, "ordinary children (adopted, live on)", AT_START },
		{ "parent_ms", 5000, 0, 600000, "ms before the parent exits (0: on SIGUSR1 only)", AT_START },
		{ "life_ms", 10000, 1000, 300000, "ms the ordinary children live", AT_START } } },
	{ "graceful-shutdown", "lifecycle",
	  "stopping many children: TERM, a grace period, then KILL for the stubborn one",
	  false, demo_graceful_shutdown, {
		{ "children", 4, 1, 16, "children (the last one ignores SIGTERM)", LIVE },
		{ "grace", 2000, 100, 30000, "ms between TERM and KILL", LIVE } } },
	{ "ticket-lock", "locks",
	  "processes book tickets through a file; without a file lock they oversell",
	  false, demo_ticket_lock, {
		{ "lock", 0, 0, 1, "1: lock the file around check-and-book", LIVE },
		{ "buyers", 4, 1, 16, "buyer processes per round", LIVE },
		{ "tickets", 20, 1, 200, "tickets on sale per round", LIVE } } },
	{ "blocking-vs-eventloop", "scaling",
	  "thread per client vs one epoll loop on loopback: same throughput, fewer threads",
	  false, demo_blocking_vs_eventloop, {
		{ "eventloop", 0, 0, 1, "0: a thread per client, 1: one epoll loop", LIVE },
		{ "clients", 8, 1, 100, "client connections", LIVE },
		{ "period_ms", 100, 10, 1000, "ms between two requests of a client", LIVE } } },
	{ "fanout-threads", "scaling",
	  "a new thread per task vs a fixed pool: threads and memory spike vs stay flat",
	  false, demo_fanout_threads, {
		{ "pool", 0, 0, 1, "0: a new thread per task, 1: a fixed pool", LIVE },
		{ "tasks", 200, 1, 500, "tasks per burst", LIVE },
		{ "workers", 8, 1, 32, "pool size", LIVE },
		{ "task_ms", 200, 10, 5000, "ms each task waits (I/O)", LIVE } } },
	{ "joinable-queue", "queues",
	  "task_done() and join(): the producer waits until every item is done, not just taken",
	  false, demo_joinable_queue, {
		{ "items", 8, 1, 100, "items the producer puts per round", LIVE },
		{ "workers", 2, 1, 16, "worker threads", LIVE },
		{ "work_ms", 500, 0, 10000, "ms a worker spends per item", LIVE },
		{ "forget", 0, 0, 1, "1: the next item done gets no task_done (join hangs)", LIVE } } },
	{ "memory-isolation", "processes",
	  "a global changed in a child process is unseen by the parent; in a thread, seen",
	  false, demo_memory_isolation, {
		{ "shared", 0, 0, 1, "1: the child also writes a MAP_SHARED page", LIVE },
		{ "period_ms", 3000, 0, MS_MAX, "ms between rounds (0: only on SIGUSR1)", LIVE },
		{ "child_ms", 1500, 0, MS_MAX, "ms the child lives after its write", LIVE } } },
	{ "busy-poll-vs-select", "scaling",
	  "waiting for rare input: a non-blocking read loop burns a core, select() sleeps",
	  false, demo_busy_poll_vs_select, {
		{ "select", 0, 0, 1, "0: busy loop on a non-blocking read, 1: select()", LIVE },
		{ "period_ms", 1000, 10, MS_MAX, "ms between two lines of input", LIVE } } },
	{ "exit-semantics", "lifecycle",
	  "main ends: daemon workers are cut off mid-item, non-daemon ones are joined",
	  false, demo_exit_semantics, {
		{ "daemon", 1, 0, 1, "1: daemon workers (dropped at exit), 0: joined", AT_START },
		{ "procs", 0, 0, 1, "0: worker threads, 1: worker processes", AT_START },
		{ "handler", 1, 0, 1, "procs=1: 1 = Python's exit handler, 0 = none", AT_START },
		{ "workers", 3, 1, 8, "workers; worker k works k x work_ms", AT_START },
		{ "work_ms", 1000, 100, 20000, "ms of worker 1's item", LIVE },
		{ "exit_ms", 1500, 0, MS_MAX, "ms before main ends (0: on SIGUSR1 only)", LIVE } } },
	{ "pool-map", "scaling",
	  "Pool.map: results in input order, chunking, and a pool slower than a loop",
	  false, demo_pool_map, {
		{ "workers", 3, 1, 8, "pool processes", AT_START },
		{ "tasks", 12, 1, 200, "items mapped per round", LIVE },
		{ "task_us", 50000, 1, 1000000, "us of computing per item (on average)", LIVE },
		{ "chunksize", 1, 0, 100, "items per message (0: Python's default rule)", LIVE },
		{ "parmap", 0, 0, 1, "1: a process and a pipe per item instead", LIVE } } },
	{ "timeouts", "signalling",
	  "join, get and wait with a timeout: each returns in time, done or not",
	  false, demo_timeouts, {
		{ "timeout", 1000, 100, MS_MAX, "ms each join/get/wait waits at most", LIVE },
		{ "act_ms", 1500, 0, MS_MAX, "ms before the worker ends / producer puts / "
		  "setter sets", LIVE } } },
	/* futures sits in "scaling" with the other pools: an executor is a pool
	 * plus futures for its results. */
	{ "coroutines", "scaling",
	  "one thread, many tasks: a generator scheduler and a fib server; one long request stalls all",
	  false, demo_coroutines, {
		{ "clients", 4, 1, 50, "client connections asking fib(20)", AT_START },
		{ "period_ms", 100, 10, 1000, "ms between two requests of a client", LIVE },
		{ "long_fib", 44, 0, 46, "n of the long fib(n) request (0: none)", LIVE },
		{ "long_every_ms", 3000, 500, MS_MAX, "ms between two long requests", LIVE } } },
	{ "futures", "scaling",
	  "an executor: submit vs map, as_completed, a done callback, an error at result()",
	  false, demo_futures, {
		{ "workers", 5, 1, 16, "pool threads", AT_START },
		{ "tasks", 5, 1, 16, "tasks per round", LIVE },
		{ "task_ms", 500, 10, 5000, "ms the first (longest) task takes", LIVE },
		{ "fail", 3, 0, 16, "the task that raises (0: none)", LIVE },
		{ "sync", 0, 0, 1, "1: call result() right after each submit", LIVE },
		{ "pause_ms", 1500, 0, MS_MAX, "ms between rounds", LIVE } } },
	{ "subprocess-output", "processes",
	  "capture a child's output through pipes; wait() before reading deadlocks on a full pipe",
	  false, demo_subprocess_output, {
		{ "bug", 0, 0, 1, "1: wait() for the child before reading its output", LIVE },
		{ "bytes", 100000, 1000, 1000000, "bytes the child writes to stdout", LIVE },
		{ "code", 3, 0, 255, "exit status of the failing command", LIVE },
		{ "pause_ms", 1000, 0, MS_MAX, "ms between rounds", LIVE } } },
};

const struct demo_def *demo_table(size_t *n)
{
	*n = sizeof demos / sizeof demos[0];
	return demos;
}

const struct demo_def *demo_find(const char *name)
{
	for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++)
		if (strcmp(demos[i].name, name) == 0)
			return &demos[i];
	return NULL;
}

const struct demo_knob_def *demo_knob_def(const struct demo_def *def, const char *name)
{
	for (int i = 0; i < DEMO_KNOBS_MAX && def->knobs[i].name; i++)
		if (strcmp(def->knobs[i].name, name) == 0)
			return &def->knobs[i];
	return NULL;
}

struct cm_knob *demo_knob(const struct demo_ctx *ctx, const char *name)
{
	const struct demo_knob_def *k = demo_knob_def(ctx->def, name);

	if (!k) {
		fprintf(stderr, "concmon-demo: bug: demo %s has no knob %s\n", ctx->def->name, name);
		abort();
	}
	return ctx->knobs[k - ctx->def->knobs];
}

long demo_knob_value(const struct demo_ctx *ctx, const char *name)
{
	return cm_knob_get(demo_knob(ctx, name));
}
