/* replay_run.c - see replay_run.h. The snapshots go through the same
 * printer as live ones, so a replay's JSON has the live shape: the
 * recorded programs' telemetry and deadlock rings go where live ones go;
 * what was not recorded (the programs' output) is printed empty. */
#include "app/replay_run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "model/deadlock.h"
#include "model/events.h"
#include "record/replay.h"
#include "record/record.h"
#include "report/batch.h"
#include "tui.h"
#include "util/util.h"

/* Prints snapshot i of r; -1 on a bad snapshot or a closed stdout. */
static int print_frame(struct replay *r, size_t i, struct batch *b, struct events *ev,
		       struct deadlocks *dl, const struct options *o)
{
	struct replay_frame f;
	char err[256];
	if (replay_frame(r, i, &f, err, sizeof err) < 0) {
		fprintf(stderr, "concmon: --replay %s: snapshot %zu: %s\n", o->replay, i + 1, err);
		return -1;
	}
	for (size_t k = 0; k < f.nevents; k++)
		events_add_recorded(ev, f.events[k]);
	deadlocks_load(dl, f.programs, f.nprograms, f.links, f.cycle_start, f.ncycles);
	const char *cont = replay_containment(r);
	struct batch_input in = {
		.time = f.time, .tasks = f.tasks, .ntasks = f.ntasks, .all = replay_all(r),
		.json = o->json, .events = ev, .deadlocks = dl, .wait = replay_wait, .wait_ctx = r,
		.replay = true,
		.programs = f.programs, .nprograms = f.nprograms, .containment = cont[0] ? cont : NULL,
	};
	return batch_print(b, stdout, &in);
}

int replay_run_batch(const struct options *o)
{
	char err[256];
	struct replay *r = replay_open(o->replay, err, sizeof err);
	if (!r) {
		fprintf(stderr, "concmon: --replay %s\n", err);
		return 1;
	}
	if (!replay_indexed(r))
		fprintf(stderr, "concmon: --replay %s: no index (the recording was cut short); "
			"%zu snapshots read\n", o->replay, replay_count(r));
	struct batch *b = batch_new();
	struct events *ev = events_new(4096);
	struct deadlocks *dl = deadlocks_new(); /* each snapshot's recorded rings */
	int rc = 0;
	size_t n = replay_count(r);
	if (o->iterations && (size_t)o->iterations < n)
		n = (size_t)o->iterations;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = print_frame(r, i, b, ev, dl, o);
	deadlocks_free(dl);
	events_free(ev);
	batch_free(b);
	replay_free(r);
	return rc ? 1 : 0;
}

/* The TUI on a recording: the snapshot shown and the event log up to it. */
struct replay_view {
	struct replay *r;
	struct tui *tui;
	struct events *ev;
	struct deadlocks *dl; /* the shown snapshot's recorded rings */
	size_t cur;           /* the snapshot shown */
	size_t events_to;     /* ev holds the events of snapshots [0, events_to) */
	size_t want;          /* a seek to apply after the key, SIZE_MAX if none */
	const char *why_not;  /* a seek that went nowhere: why, for the status line */
	const char *path;
};

/* The events of snapshots up to i (a ring rebuilt when going back), then
 * snapshot i itself, decoded last: its arrays are the ones shown. */
static int view_load(struct replay_view *v, size_t i, struct replay_frame *f, char *err,
		     size_t errlen)
{
	if (i < v->events_to || !v->ev) {
		events_free(v->ev);
		v->ev = events_new(4096);
		v->events_to = 0;
		tui_set_events(v->tui, v->ev);
	}
	for (; v->events_to <= i; v->events_to++) {
		if (replay_frame(v->r, v->events_to, f, err, errlen) < 0)
			return -1;
		for (size_t k = 0; k < f->nevents; k++)
			events_add_recorded(v->ev, f->events[k]);
	}
	return replay_frame(v->r, i, f, err, errlen);
}

static void view_show(struct replay_view *v, size_t i)
{
	struct replay_frame f;
	char err[256], when[32] = "";
	if (view_load(v, i, &f, err, sizeof err) < 0) {
		deadlocks_load(v->dl, NULL, 0, NULL, NULL, 0);
		tui_set_programs(v->tui, NULL, 0);
		tui_set_tasks(v->tui, NULL, 0);
		tui_status(v->tui, "replay %s: snapshot %zu: %s", v->path, i + 1, err);
		return;
	}
	v->cur = i;
	deadlocks_load(v->dl, f.programs, f.nprograms, f.links, f.cycle_start, f.ncycles);
	tui_set_tasks(v->tui, f.tasks, f.ntasks);
	tui_set_programs(v->tui, f.programs, f.nprograms);
	tui_events_changed(v->tui);
	time_t sec = (time_t)f.time;
	struct tm tm;
	if (localtime_r(&sec, &tm))
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	tui_status(v->tui, "REPLAY %s: snapshot %zu/%zu at %s.%03d%s%s (Left/Right g/G z L)",
		   v->path, i + 1, replay_count(v->r), when, (int)((f.time - (double)sec) * 1000),
		   v->why_not ? ": " : "", v->why_not ? v->why_not : "");
	v->why_not = NULL;
}

/* The seek keys' action: where to go, applied after the key. */
static void view_seek(void *ctx, int how)
{
	struct replay_view *v = ctx;
	size_t n = replay_count(v->r), to = v->cur;
	switch ((enum tui_seek)how) {
	case TUI_SEEK_BACK: to = v->cur ? v->cur - 1 : 0; break;
	case TUI_SEEK_FORWARD: to = v->cur + 1 < n ? v->cur + 1 : v->cur; break;
	case TUI_SEEK_FIRST: to = 0; break;
	case TUI_SEEK_LAST: to = n - 1; break;
	case TUI_SEEK_ZOMBIE: to = replay_seek_mark(v->r, v->cur, 1, RECORD_MARK_ZOMBIE); break;
	case TUI_SEEK_DEADLOCK: to = replay_seek_mark(v->r, v->cur, 1, RECORD_MARK_DEADLOCK); break;
	}
	if (to == v->cur)
		v->why_not = how == TUI_SEEK_ZOMBIE ? "no later snapshot with a zombie"
			     : how == TUI_SEEK_DEADLOCK ? "no later snapshot with a deadlock"
			     : how == TUI_SEEK_BACK || how == TUI_SEEK_FIRST ? "the first snapshot"
			     : "the last snapshot";
	v->want = to;
}

/* Keys and terminal resizes until q or a signal. */
static void view_loop(struct replay_view *v, int sigfd)
{
	const struct tui_actions actions = {
		.ctx = v, .seek = view_seek,
		.readonly = "a replay is read-only: no signals, launches, knobs or recording",
	};
	for (;;) {
		tui_draw(v->tui, util_now());
		double wait = tui_frame_wait(v->tui, util_now());
		struct pollfd fds[2] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
		if (poll(fds, 2, wait < 0 ? -1 : (int)(wait * 1000) + 1) < 0 && errno != EINTR)
			return;
		struct signalfd_siginfo si;
		while (fds[1].revents && read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo != SIGWINCH)
				return;
			tui_resize(v->tui);
		}
		if (fds[0].revents && (tui_input(v->tui, &actions) & TUI_QUIT))
			return;
		if (v->want != SIZE_MAX) {
			view_show(v, v->want);
			v->want = SIZE_MAX;
		}
	}
}

int replay_run_tui(const struct options *o)
{
	char err[256];
	struct replay *r = replay_open(o->replay, err, sizeof err);
	if (!r || replay_count(r) == 0) {
		fprintf(stderr, "concmon: --replay %s\n", r ? "holds no snapshot" : err);
		replay_free(r);
		return 1;
	}
	struct tui *t = tui_new(replay_all(r), 0, err, sizeof err);
	if (!t) {
		fprintf(stderr, "concmon: %s\n", err);
		replay_free(r);
		return 1;
	}
	if (o->no_mouse)
		tui_set_mouse(t, false);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	struct deadlocks *dl = deadlocks_new();
	tui_set_deadlocks(t, dl);
	tui_set_waits(t, replay_wait, r);
	struct replay_view v = { .r = r, .tui = t, .dl = dl, .want = SIZE_MAX, .path = o->replay };
	view_show(&v, 0);
	view_loop(&v, sigfd);
	tui_free(t);
	events_free(v.ev);
	deadlocks_free(dl);
	replay_free(r);
	close(sigfd);
	return 0;
}
