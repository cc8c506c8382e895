/* main.c - command line, wiring, and the one loop with fixed phases:
 * poll -> drain signals -> reap -> input -> sample -> escalate -> redraw. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "app/actions.h"
#include "app/app.h"
#include "app/config.h"
#include "app/heap.h"
#include "app/options.h"
#include "app/recorder.h"
#include "app/replay_run.h"
#include "app/settings.h"
#include "export/httpd.h"
#include "export/metrics.h"
#include "infer/layers.h"
#include "kernel/proctable.h"
#include "model/deadlock.h"
#include "model/events.h"
#include "model/kevents.h"
#include "model/lifecycle.h"
#include "model/peaks.h"
#include "model/taskdiff.h"
#include "model/tasktree.h"
#include "report/batch.h"
#include "supervise/demolist.h"
#include "supervise/programs.h"
#include "supervise/relaunch.h"
#include "supervise/supervisor.h"
#include "tui.h"
#include "util/util.h"

/* Events for a process concmon reaped: adopted first if it was someone
 * else's child, how it ended (unless the kernel said so already), reaped. */
static void reaped_events(struct app *a, pid_t pid, const char *name, int code, int sig)
{
	const struct task *t = lifecycle_find(a->lc, pid);
	struct event e = { .pid = pid, .tid = pid };
	snprintf(e.comm, sizeof e.comm, "%.31s", t ? t->comm : name ? name : "?");
	if (t && !t->exited && t->ppid != a->self) {
		e.kind = EV_REPARENTED;
		e.other = t->ppid;
		e.code = (int)a->self;
		events_add(a->events, e);
	}
	/* concmon reaped it: the wait status says how it ended, when the
	 * kernel's message did not (no connector, or a message lost). */
	if (!a->kev || !kevents_exit_seen(a->kev, pid)) {
		e.kind = sig ? EV_KILLED : EV_EXITED;
		e.code = sig ? sig : code;
		events_add(a->events, e);
	}
	e.kind = EV_REAPED;
	e.other = a->self;
	events_add(a->events, e);
}


/* True when concmon itself has just reaped pid (collected, not yet
 * logged): gone from /proc, but not by its parent's hand. */
static bool reaped_by_us(const struct app *a, pid_t pid)
{
	for (size_t i = 0; i < a->nreaped; i++)
		if (a->reaped[i].pid == pid)
			return true;
	return false;
}

/* Process parent has exited (at time, unix seconds): its children that
 * /proc no longer shows were reaped by it. That is logged now, before the
 * parent's own end, and never again by a snapshot. */
static void settle_children(void *arg, pid_t parent, double time)
{
	struct app *a = arg;
	size_t n;
	const struct task *t = lifecycle_tasks(a->lc, &n);
	bool settled = false;
	for (size_t i = 0; i < n; i++) {
		if (t[i].ppid != parent || t[i].exited || task_is_thread(&t[i]) ||
		    proctable_start_ticks(t[i].pid) == t[i].start_ticks || reaped_by_us(a, t[i].pid))
			continue;
		struct event e = { .time = time, .pid = t[i].pid, .tid = t[i].pid };
		snprintf(e.comm, sizeof e.comm, "%.31s", t[i].comm);
		if (!a->kev && t[i].state != 'Z') {
			e.kind = EV_EXITED; /* the kernel did not say how */
			e.code = -1;
			events_add(a->events, e);
		}
		e.kind = EV_REAPED;
		e.other = parent;
		e.code = 0;
		events_add(a->events, e);
		lifecycle_note_reaped(a->lc, t[i].pid, util_now());
		settled = true;
	}
	if (settled && a->tui)
		a->resample_soon = true; /* the frame shows one snapshot, not this half */
}

/* A launched program pid ended (by signal sig, else an exit code): counted
 * for /metrics under its program's name. Its children are not programs. */
static void metrics_exit(struct app *a, pid_t pid, int sig)
{
	size_t np;
	const struct program *p = programs_list(a->progs, &np);
	for (size_t i = 0; i < np; i++)
		if (p[i].pid == pid && !p[i].ended)
			metrics_note_exit(a->metrics, &p[i], sig);
}

/* Logs and models one process concmon reaped, after the kernel events. */
static void note_reaped(struct app *a, pid_t pid, const char *name, int code, int sig)
{
	if (!a->kev)
		settle_children(a, pid, util_wall());
	reaped_events(a, pid, name, code, sig);
	lifecycle_note_exit(a->lc, pid, name, code, sig, util_now());
	char comm[16];
	unsigned long long start;
	if (a->kev && kevents_lookup(a->kev, pid, comm, sizeof comm, &start)) {
		lifecycle_note_identity(a->lc, pid, comm, start, a->hz);
		kevents_forget(a->kev, pid);
	}
	if (a->metrics)
		metrics_exit(a, pid, sig);
	programs_ended(a->progs, pid, util_now());
	if (!a->quit)
		relaunch_plan(a->progs, pid, code, sig, util_now());
	relaunches_gone(a->relaunches, pid);
}

/* supervisor_reap's callback: only collects, so no phase runs inside
 * another; settle_reaped acts on what was collected. */
static void collect_reaped(void *arg, pid_t pid, const char *name, int code, int sig)
{
	struct app *a = arg;
	size_t cap = util_fit_cap(a->reaped_cap, a->nreaped + 1, 16);
	if (cap != a->reaped_cap) {
		a->reaped = util_resize(a->reaped, a->reaped_cap, cap, a->nreaped, sizeof *a->reaped);
		a->reaped_cap = cap;
	}
	a->reaped[a->nreaped++] = (struct reaped){ pid, name ? xstrdup(name) : NULL, code, sig };
}

/* Each process reaped was a zombie, so the kernel had queued its exit
 * message already: the kernel events are drained first, and the log tells
 * how each ended before it tells that it was reaped. */
static void settle_reaped(struct app *a)
{
	if (!a->nreaped)
		return;
	if (a->kev)
		main_read_kevents(a);
	for (size_t i = 0; i < a->nreaped; i++) {
		struct reaped *r = &a->reaped[i];
		note_reaped(a, r->pid, r->name, r->code, r->sig);
		free(r->name);
	}
	a->nreaped = 0;
	actions_relaunch_due(a);
}

/* Reaps during shutdown, where no loop runs: each one settled at once. */
static void reap_and_settle(void *arg, pid_t pid, const char *name, int code, int sig)
{
	collect_reaped(arg, pid, name, code, sig);
	settle_reaped(arg);
}

/* lifecycle_set_hold's question: a program's row waits for its restart. */
static bool program_held(void *ctx, pid_t pid, unsigned long long start_ticks)
{
	return relaunch_holds(ctx, pid, start_ticks);
}

/* The model changed: hand the view the new array (the old one may be gone). */
static void publish(struct app *a)
{
	if (a->tui) {
		size_t n;
		const struct task *t = lifecycle_tasks(a->lc, &n);
		tui_set_peaks(a->tui, &a->peak); /* first: a step shows both */
		tui_set_meters(a->tui, a->sys);
		tui_set_tasks(a->tui, t, n);
		size_t np;
		const struct program *p = programs_list(a->progs, &np);
		tui_set_programs(a->tui, p, np);
	}
}

void main_on_signaled(void *arg, pid_t pid, int sig, int result)
{
	struct app *a = arg;
	const struct task *t = lifecycle_find(a->lc, pid);
	struct event e = { .kind = EV_SIGNAL, .pid = pid, .tid = pid, .code = sig, .result = result };
	snprintf(e.comm, sizeof e.comm, "%.31s", t ? t->comm : "?");
	events_add(a->events, e);
	if (!result)
		programs_signaled(a->progs, pid, sig);
}

static void print_snapshot(struct app *a, double wall)
{
	size_t n;
	const struct task *tasks = lifecycle_tasks(a->lc, &n);
	struct batch_input in = {
		.time = wall, .tasks = tasks, .ntasks = n, .all = a->opt.all, .json = a->opt.json,
		.progs = a->progs, .deadlocks = a->deadlocks, .infer = layers_infer(a->layers), .events = a->events,
		.containment = supervisor_containment_name(supervisor_containment(a->sup, NULL)),
		.extras = a->batch_extras, .linger = a->opt.linger, .system = a->sys,
	};
	/* The model keeps exited tasks LIFECYCLE_LINGER s at least (view.c). */
	if (a->opt.linger < LIFECYCLE_LINGER)
		in.exited_after = util_now() - a->opt.linger + (a->opt.linger > 0 ? 0 : 1e-3);
	if (batch_print(a->batch, stdout, &in) < 0)
		a->quit = true; /* nobody is reading any more */
}

/* Appends the snapshot to the recording; a write error ends it, said once. */
static void record_snapshot(struct app *a, double wall, const struct task *t, size_t n)
{
	char msg[512];
	struct record_programs pr = { .d = a->deadlocks };
	pr.p = programs_list(a->progs, &pr.np);
	if (!recorder_frame(&a->rec, wall, t, n, a->events, &pr, layers_wait,
			    a->layers, msg, sizeof msg))
		return;
	if (a->tui)
		tui_status(a->tui, "%s", msg);
	else
		fprintf(stderr, "concmon: %s\n", msg);
}

static void sample(struct app *a)
{
	bool threads = a->tui ? tui_threads_shown(a->tui) : true;
	size_t n;
	/* The costly facts only while a column (or the sort) needs them. */
	proctable_set_extras(a->pt, a->tui ? tui_extras(a->tui) : a->batch_extras);
	const struct sample *s = proctable_sample(a->pt, a->self, supervisor_guardian(a->sup),
						  a->opt.all, threads, &n);
	/* The kernel's account first, so a spawn or an exit is logged before the
	 * zombie state the snapshot may show. Drained after reading /proc, not
	 * before: the kernel queues a process's exit message before it becomes
	 * a zombie, so one this snapshot saw as Z is in the socket by now. */
	if (a->kev)
		main_read_kevents(a);
	if (!s)
		return;
	lifecycle_update(a->lc, s, n, util_now(), a->hz, threads);
	size_t nt;
	const struct task *t = lifecycle_tasks(a->lc, &nt);
	taskdiff_update(a->diff, t, nt, a->kev != NULL, a->events);
	if (a->tui) {
		struct kevents_peaks kp;
		if (a->kev)
			kevents_peaks(a->kev, &kp);
		peaks_refresh(a->peaks, t, nt, a->kev ? &kp : NULL, util_now(), &a->peak);
	}
	programs_read(a->progs, util_now());
	if (a->meters)
		a->sys = sysmeter_read(a->meters);
	layers_update(a->layers, a->progs, t, nt);
	size_t np;
	const struct program *progs = programs_list(a->progs, &np);
	deadlocks_update(a->deadlocks, progs, np);
	for (size_t i = 0; i < nt; i++) {
		if (t[i].supervised && !t[i].exited && !task_is_thread(&t[i])) {
			supervisor_watch(a->sup, t[i].pid, t[i].start_ticks);
			if (a->kev)
				kevents_track(a->kev, t[i].pid, t[i].start_ticks);
		}
	}
	supervisor_watch_done(a->sup);
	if (a->kev)
		kevents_sweep(a->kev);
	if (a->metrics)
		metrics_observe(a->metrics, a->events);
	a->refreshes++;
	/* One clock reading for the snapshot printed and the one recorded, so
	 * that a replay prints the very time the live run printed. */
	double wall = util_wall();
	if (a->rec)
		record_snapshot(a, wall, t, nt);
	if (a->tui)
		publish(a);
	else
		print_snapshot(a, wall);
	heap_trim(&a->heap_high);
	if (a->opt.iterations && a->refreshes >= a->opt.iterations)
		a->quit = true;
}

static void drain_signals(struct app *a)
{
	struct signalfd_siginfo si;
	while (read(a->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			supervisor_reap(a->sup, collect_reaped, a);
			settle_reaped(a);
			publish(a);
			/* Drawn only after a fresh snapshot: the reaped rows beside
			 * the rest of the tree as it is now, not as it was. */
			if (a->tui)
				a->resample_soon = true;
			break;
		case SIGWINCH:
			if (a->tui)
				tui_resize(a->tui);
			break;
		default: /* INT, TERM, HUP */
			a->quit_signal = (int)si.ssi_signo;
			a->quit = true;
		}
	}
}

/* New processes reported by the kernel go to the guardian at once, before
 * any snapshot: a double fork between two refreshes is still covered. A
 * guardian that reads the kernel's events itself needs none of this. */
static void watch_spawned(struct app *a)
{
	if (supervisor_forks_followed(a->sup))
		return;
	struct event buf[64];
	size_t n;
	while ((n = events_since(a->events, a->events_watched, buf, 64)) > 0) {
		for (size_t i = 0; i < n; i++)
			if (buf[i].kind == EV_SPAWNED)
				supervisor_watch(a->sup, buf[i].pid, proctable_start_ticks(buf[i].pid));
		a->events_watched = buf[n - 1].seq;
	}
}

void main_read_kevents(struct app *a)
{
	unsigned lost = kevents_read(a->kev);
	watch_spawned(a);
	if (lost && a->tui)
		tui_status(a->tui, "kernel events lost (%u): the socket buffer overflowed", lost);
	else if (lost)
		fprintf(stderr, "concmon: %u kernel event batches lost (socket buffer overflow)\n", lost);
	if (a->tui)
		tui_events_changed(a->tui);
}

/* The poll set's fixed slots; the programs' output pipes follow them. */
enum slot { SLOT_SIGNALS, SLOT_TIMER, SLOT_INPUT, SLOT_KERNEL, SLOT_HTTP, FIXED_FDS };

static size_t build_pollfds(struct app *a)
{
	size_t np;
	programs_list(a->progs, &np);
	size_t want = FIXED_FDS + 2 * np;
	size_t cap = util_fit_cap(a->fds_cap, want, 16);
	if (cap != a->fds_cap) {
		a->fds = util_resize(a->fds, a->fds_cap, cap, 0, sizeof *a->fds);
		a->fds_cap = cap;
	}
	a->fds[SLOT_SIGNALS] = (struct pollfd){ a->sigfd, POLLIN, 0 };
	a->fds[SLOT_TIMER] = (struct pollfd){ a->timerfd, POLLIN, 0 };
	a->fds[SLOT_INPUT] = (struct pollfd){ a->tui ? 0 : a->ctl_fd, POLLIN, 0 };
	bool kernel = a->kev && util_now() >= a->kernel_due;
	a->fds[SLOT_KERNEL] = (struct pollfd){ kernel ? kevents_fd(a->kev) : -1, POLLIN, 0 };
	a->fds[SLOT_HTTP] = (struct pollfd){ a->httpd ? httpd_fd(a->httpd) : -1, POLLIN, 0 };
	size_t n = FIXED_FDS + programs_pollfds(a->progs, a->fds + FIXED_FDS, a->fds_cap - FIXED_FDS);
	return n;
}

/* The sooner of wait and w (seconds; negative: none). */
static double sooner(double wait, double w)
{
	return w >= 0 && (wait < 0 || w < wait) ? w : wait;
}

/* Milliseconds until the next thing due: a kill, the kernel's socket after
 * its pause, a frame held back, a snapshot for one; -1 for none. */
static int poll_timeout(struct app *a, double next_kill)
{
	if (a->opt.delay == 0)
		return 0;
	double now = util_now(), wait = next_kill;
	if (a->kev && a->kernel_due > now)
		wait = sooner(wait, a->kernel_due - now);
	int http_ms = a->httpd ? httpd_timeout_ms(a->httpd) : -1;
	if (http_ms >= 0)
		wait = sooner(wait, http_ms / 1000.0);
	if (a->tui) {
		wait = sooner(wait, tui_frame_wait(a->tui, now));
		if (a->resample_soon)
			wait = sooner(wait, tui_frame_gap(a->tui, now));
	}
	return wait < 0 ? -1 : (int)(wait * 1000) + 1;
}

/* Whether a snapshot is due now, and whether its frame may wait. */
static bool sample_due(struct app *a, enum tui_reaction r, bool timer)
{
	bool soon = a->resample_soon && a->tui && tui_frame_gap(a->tui, util_now()) == 0;
	bool due = a->opt.delay == 0 || (r & TUI_RESAMPLE) || a->resample || timer || soon;
	if (a->tui && timer)
		tui_frame_now(a->tui); /* a refresh is drawn at once */
	a->resample = false;
	if (due)
		a->resample_soon = false;
	return due;
}

/* Refreshes every delay seconds from now on (none for 0). */
static int arm_timer(struct app *a, double delay)
{
	a->opt.delay = delay;
	if (delay <= 0)
		return 0;
	time_t sec = (time_t)delay;
	long nsec = (long)((delay - (double)sec) * 1e9);
	struct itimerspec its = { { sec, nsec }, { sec, nsec } };
	return timerfd_settime(a->timerfd, 0, &its, NULL);
}

static void run(struct app *a)
{
	struct tui_actions actions;
	actions_fill(a, &actions);
	double next_kill = -1;
	sample(a);
	while (!a->quit) {
		if (a->tui)
			tui_draw(a->tui, util_now());
		events_flush(a->events);
		size_t nfds = build_pollfds(a);
		struct pollfd *fds = a->fds;
		if (poll(fds, nfds, poll_timeout(a, next_kill)) < 0 && errno != EINTR)
			break;
		/* Kernel events first, paused or not when a child may be reaped:
		 * an exit is reported before its reaping, and what a zombie
		 * ran is read while /proc still shows it. */
		if (fds[SLOT_KERNEL].revents || (a->kev && fds[SLOT_SIGNALS].revents)) {
			main_read_kevents(a);
			a->kernel_due = util_now() + KERNEL_PAUSE;
		}
		for (size_t i = FIXED_FDS; i < nfds; i++)
			if (fds[i].revents)
				programs_read_output(a->progs, fds[i].fd);
		/* Every pass, ready or not: it never blocks, and it must run
		 * by its timeout to drop an idle connection. */
		if (a->httpd)
			httpd_run(a->httpd);
		if (fds[SLOT_SIGNALS].revents)
			drain_signals(a);
		enum tui_reaction r = TUI_NONE;
		if (fds[SLOT_INPUT].revents && a->tui)
			r = tui_input(a->tui, &actions);
		else if (fds[SLOT_INPUT].revents)
			actions_read_commands(a);
		if (r & TUI_QUIT)
			a->quit = true;
		if ((r & TUI_RETIME) && arm_timer(a, tui_delay(a->tui)) < 0)
			tui_status(a->tui, "cannot change the refresh timer: %s", strerror(errno));
		uint64_t expirations;
		bool timer = fds[SLOT_TIMER].revents &&
			     read(a->timerfd, &expirations, sizeof expirations) > 0;
		if (sample_due(a, r, timer) && !a->quit)
			sample(a);
		next_kill = sooner(supervisor_tick(a->sup, util_now()), actions_restart_due(a));
	}
}

static int setup_signals(struct app *a)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (!a->opt.batch)
		sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (a->sigfd < 0 || a->timerfd < 0)
		return -1;
	return arm_timer(a, a->opt.delay);
}

static int parse_args(struct app *a, int argc, char **argv)
{
	char err[512];
	if (options_parse(argc, argv, &a->opt, err, sizeof err) != OPTIONS_OK) {
		fprintf(stderr, "concmon: %s\n", err);
		options_usage(stderr, "concmon");
		return 2;
	}
	if (a->opt.help) {
		options_usage(stdout, "concmon");
		return 0;
	}
	if (a->opt.version) {
		printf("concmon %s\n", CONCMON_VERSION);
		return 0;
	}
	if (a->opt.list_keys) {
		tui_print_keys(stdout);
		return 0;
	}
	if (a->opt.list_demos) {
		fflush(stdout);
		execlp(programs_demo_path(), programs_demo_path(), "--list", (char *)NULL);
		fprintf(stderr, "concmon: cannot run %s: %s\n", programs_demo_path(), strerror(errno));
		return 1;
	}
	if (a->opt.trace && !programs_trace_lib()) {
		fprintf(stderr, "concmon: --trace: libconcmon-trace.so is neither beside concmon nor "
			"installed; build it (target concmon_trace) or install concmon\n");
		return 2;
	}
	return -1;
}

/* Launches at start with policy rs; a failure is reported and concmon goes on. */
static void launch_reporting(struct app *a, char *const argv[], const char *demo,
			     const struct restart_spec *rs)
{
	char err[512];
	struct restart_state st = { .spec = *rs };
	if (actions_launch(a, argv, NULL, demo, &st, err, sizeof err) == 0)
		return;
	if (a->tui)
		tui_status(a->tui, "cannot launch %s", err);
	else
		fprintf(stderr, "concmon: cannot launch %s\n", err);
}

/* httpd's page: the model as the last refresh left it (the loop's thread). */
static char *metrics_page(void *arg, size_t *len)
{
	struct app *a = arg;
	struct metrics_input in = { .all = a->opt.all, .deadlocks = deadlocks_count(a->deadlocks),
				    .version = CONCMON_VERSION };
	in.tasks = lifecycle_tasks(a->lc, &in.ntasks);
	in.progs = programs_list(a->progs, &in.nprogs);
	return metrics_render(a->metrics, &in, len);
}

/* --listen: binds and says where (stderr in batch mode, so that a script
 * finds a port the kernel chose). 0, or -1 with the reason in err. */
static int start_listening(struct app *a, char *err, size_t errlen)
{
	char where[80];
	struct httpd_addr addr;
	if (httpd_parse_addr(a->opt.listen, &addr, err, errlen) < 0)
		return -1; /* options checked it */
	a->metrics = metrics_new();
	a->httpd = httpd_start(&addr, METRICS_CONTENT_TYPE, metrics_page, a, err, errlen);
	if (!a->httpd)
		return -1;
	httpd_describe(a->httpd, where, sizeof where);
	if (a->tui)
		tui_status(a->tui, "metrics on http://%s/metrics", where);
	else
		fprintf(stderr, "concmon: metrics on http://%s/metrics\n", where);
	return 0;
}

/* Starts the model and the view; returns an exit status on failure, else -1. */
static int start(struct app *a)
{
	char err[512];
	if (!a->opt.batch) {
		a->tui = tui_new(a->opt.all, a->opt.delay, err, sizeof err);
		if (!a->tui) {
			fprintf(stderr, "concmon: %s\n", err);
			return 1;
		}
		tui_set_theme(a->tui, a->opt.theme);   /* options checked the name */
		settings_apply_tui(a->config, a->tui);
		if (a->opt.no_mouse)
			tui_set_mouse(a->tui, false);
		tui_set_linger(a->tui, a->opt.linger);
		if (a->opt.columns)
			tui_set_columns(a->tui, a->opt.columns, err, sizeof err); /* checked too */
		if (a->opt.sort >= 0)
			tui_set_sort(a->tui, (enum sort_key)a->opt.sort, a->opt.sort_desc);
	} else {
		a->batch = batch_new();
		if (a->opt.columns) {
			enum sort_key cols[TASKSORT_MAX_LIST];
			int nc = tasksort_parse_list(a->opt.columns, cols, TASKSORT_MAX_LIST, err,
						     sizeof err);
			a->batch_extras = tasksort_extras(cols, nc > 0 ? (size_t)nc : 0);
		}
	}
	if (setup_signals(a) < 0) {
		tui_free(a->tui);
		a->tui = NULL;
		fprintf(stderr, "concmon: %s\n", strerror(errno));
		return 1;
	}
	a->sup = supervisor_new(a->opt.grace, &a->inherit, err, sizeof err);
	a->pt = proctable_new();
	if (!a->sup || !a->pt) {
		tui_free(a->tui);
		a->tui = NULL;
		fprintf(stderr, "concmon: %s\n", a->sup ? "cannot read /proc" : err);
		return 1;
	}
	a->lc = lifecycle_new(a->self);
	lifecycle_set_linger(a->lc, a->opt.linger);
	if (a->tui)
		settings_attach(a->tui, a->config, a->config_path, &a->opt, a->lc);
	/* Before the proc connector opens: this helper child is not the tree's. */
	if (a->tui) {
		a->demos = demolist_load(programs_demo_path(), &a->ndemos);
		tui_set_demos(a->tui, a->demos, a->ndemos);
	}
	a->progs = programs_new(a->sup);
	lifecycle_set_hold(a->lc, program_held, a->progs);
	a->relaunches = relaunches_new();
	a->deadlocks = deadlocks_new();
	a->layers = layers_new();
	a->events = events_new(4096);
	a->diff = taskdiff_new(a->self);
	a->peaks = peaks_new();
	if (!a->opt.no_meters)
		a->meters = sysmeter_new();
	if (a->opt.log) {
		int e = events_log_to(a->events, a->opt.log);
		if (e) {
			tui_free(a->tui);
			a->tui = NULL;
			fprintf(stderr, "concmon: --log %s: %s\n", a->opt.log, strerror(e));
			return 1;
		}
	}
	a->kev = kevents_open(a->self, a->events, err, sizeof err);
	if (a->kev) {
		kevents_ignore(a->kev, supervisor_guardian(a->sup));
		kevents_on_exit(a->kev, settle_children, a);
	}
	else if (a->tui)
		tui_status(a->tui, "events from snapshots only (%s)", err);
	supervisor_on_signal(a->sup, main_on_signaled, a);
	const char *why;
	enum containment level = supervisor_containment(a->sup, &why);
	if (a->tui)
		tui_set_containment(a->tui, level == CONTAIN_CGROUP, why);
	else if (level != CONTAIN_CGROUP)
		fprintf(stderr, "concmon: no cgroup (%s): the tree is contained by process groups "
			"and tracking only\n", why);
	if (a->opt.record && recorder_start(&a->rec, a->opt.record, a->opt.all,
					    supervisor_containment_name(level), err, sizeof err)) {
		tui_free(a->tui);
		a->tui = NULL;
		fprintf(stderr, "concmon: --record: %s\n", err);
		return 1;
	}
	if (a->rec && a->tui)
		tui_status(a->tui, "%s", err);
	if (a->opt.listen && start_listening(a, err, sizeof err) < 0) {
		tui_free(a->tui);
		a->tui = NULL;
		fprintf(stderr, "concmon: --listen: %s\n", err);
		return 1;
	}
	if (a->tui) {
		tui_set_events(a->tui, a->events);
		tui_set_deadlocks(a->tui, a->deadlocks);
		tui_set_waits(a->tui, layers_wait, a->layers);
	}
	/* A script may drive batch mode through stdin; a terminal there is
	 * not a script (and reading it from the background would stop us). */
	if (!a->tui && !isatty(0))
		a->ctl_fd = 0;
	if (a->tui && a->config_warn[0])
		tui_status(a->tui, "%s", a->config_warn);
	for (size_t i = 0; i < a->opt.ndemos; i++)
		launch_reporting(a, NULL, a->opt.demos[i], &a->opt.demo_restart[i]);
	if (a->opt.command)
		launch_reporting(a, a->opt.command, NULL, &a->opt.command_restart);
	return -1;
}

static int finish(struct app *a, int rc);

/* Leaves a replay with rc: the settings are all main holds then. */
static int leave_early(struct app *a, int rc)
{
	config_free(a->config);
	free(a->config_path);
	return rc;
}

int main(int argc, char **argv)
{
	heap_setup();
	struct app a = { .hz = proctable_hz(), .self = getpid(), .sigfd = -1, .timerfd = -1,
			 .ctl_fd = -1 };
	supervisor_inherited(&a.inherit);
	int rc = parse_args(&a, argc, argv);
	if (rc >= 0)
		return rc;
	a.config = settings_load(&a.opt, &a.config_path, a.config_warn, sizeof a.config_warn);
	settings_apply_options(a.config, &a.opt);
	if (a.config_warn[0] && (a.opt.batch || a.opt.replay))
		fprintf(stderr, "concmon: %s\n", a.config_warn);
	if (a.opt.replay)
		return leave_early(&a, a.opt.batch ? replay_run_batch(&a.opt) : replay_run_tui(&a.opt));
	rc = start(&a);
	if (rc >= 0)
		return finish(&a, rc);
	run(&a);
	if (a.tui) {
		tui_status(a.tui, "stopping supervised processes (SIGTERM, SIGKILL after %.1fs)...",
			   a.opt.grace);
		tui_frame_now(a.tui);
		tui_draw(a.tui, util_now());
	}
	return finish(&a, a.quit_signal ? 128 + a.quit_signal : 0);
}

/* Stops what start() started (all of it, or as far as it got) and frees
 * everything; returns rc. */
static int finish(struct app *a, int rc)
{
	if (a->sup)
		supervisor_shutdown(a->sup, reap_and_settle, a);
	char msg[512];
	if (a->rec && recorder_stop(&a->rec, msg, sizeof msg))
		fprintf(stderr, "concmon: %s\n", msg);
	httpd_stop(a->httpd);
	metrics_free(a->metrics);
	/* For the benchmarks: how many frames the TUI drew, asked for only. */
	bool counted = a->tui && getenv("CONCMON_FRAME_COUNT");
	unsigned long frames = a->tui ? tui_frames(a->tui) : 0;
	tui_free(a->tui);
	if (counted)
		fprintf(stderr, "concmon: %lu frames\n", frames);
	supervisor_free(a->sup);
	programs_free(a->progs);
	relaunches_free(a->relaunches);
	deadlocks_free(a->deadlocks);
	layers_free(a->layers);
	kevents_close(a->kev);
	taskdiff_free(a->diff);
	peaks_free(a->peaks);
	sysmeter_free(a->meters);
	events_free(a->events);
	free(a->demos);
	config_free(a->config);
	free(a->config_path);
	proctable_free(a->pt);
	lifecycle_free(a->lc);
	batch_free(a->batch);
	free(a->reaped);
	free(a->fds);
	close(a->sigfd);
	close(a->timerfd);
	return rc;
}
