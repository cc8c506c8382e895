/* timectl.c - see timectl.h. Frozen, the view must not point into the
 * model's arrays, which the model reallocates and rewrites as it goes on.
 * Freezing (and each step) writes what the view shows into a one-snapshot
 * recording held in memory and reads it back, through the same code as
 * --record and --replay: the tasks with their waits, the programs with
 * their telemetry, the deadlock cycles. The view then shows that snapshot
 * (struct tui_held), and the programs' output up to the line each had
 * written. A replay of a recording shows the past the same way. */
#include "timectl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/replay.h"
#include "panels.h"
#include "supervise/output.h"
#include "text.h"
#include "tui_state.h"
#include "util/util.h"

/* A program's output as far as the frozen snapshot goes. */
struct out_limit {
	pid_t pid;
	uint64_t seq;               /* the newest line shown; 0: none */
};

struct timectl {
	bool frozen;
	bool step;                  /* frozen: the next publish is shown */
	bool due;                   /* a publish arrived for the step: held at the next draw */
	const struct task *live;    /* frozen: the model's tasks of the last publish */
	size_t nlive;
	struct replay *snap;        /* frozen: the snapshot shown, decoded */
	struct deadlocks *dl;       /* its deadlock cycles */
	struct tui_held held;
	struct out_limit *out;      /* frozen: each program's last line then */
	size_t nout;
	uint64_t events_upto;       /* frozen: the newest event shown */
	struct peak_frame peaks;
};

struct timectl *timectl_new(void)
{
	struct timectl *c = xcalloc(1, sizeof(struct timectl));
	c->dl = deadlocks_new();
	return c;
}

void timectl_free(struct timectl *c)
{
	if (!c)
		return;
	replay_free(c->snap);
	deadlocks_free(c->dl);
	free(c->out);
	free(c);
}

bool timectl_admits(const struct tui *t)
{
	return !t->timectl->frozen || t->timectl->step;
}

/* The view's present written to memory as a one-snapshot recording and
 * read back; NULL (with err) if that fails. */
static struct replay *timectl_record(const struct tui *t, const struct task *tasks, size_t n,
				     char *err, size_t errlen)
{
	char *mem = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&mem, &size);
	if (!fp) {
		util_fail(0, err, errlen, "cannot hold a snapshot: out of memory");
		return NULL;
	}
	struct record *rec = record_open_stream(fp, "the frozen view", t->all, "", err, errlen);
	struct record_programs pr = { .d = t->deadlocks };
	pr.p = tui_programs_live(t, &pr.np);
	int e = rec ? record_frame(rec, util_wall(), tasks, n, NULL, &pr, t->wait_of, t->wait_ctx)
		    : -1;
	if (rec && (record_close(rec) != 0 || e != 0))
		util_fail(0, err, errlen, "cannot hold a snapshot: out of memory");
	struct replay *r = rec && e == 0 ? replay_open_mem(mem, size, err, errlen) : NULL;
	free(mem);
	return r;
}

/* Remembers the newest output line of every program now. */
static void timectl_hold_output(struct tui *t)
{
	struct timectl *c = t->timectl;
	size_t np;
	const struct program *p = tui_programs_live(t, &np);
	free(c->out);
	c->out = np ? xcalloc(np, sizeof *c->out) : NULL;
	c->nout = np;
	for (size_t i = 0; i < np; i++) {
		size_t lines = p[i].out ? output_count(p[i].out) : 0;
		c->out[i].pid = p[i].pid;
		c->out[i].seq = lines ? output_get(p[i].out, lines - 1).seq : 0;
	}
}

/* Shows tasks (the model's, now) and the rest of the present, held: the
 * view no longer reads the model until thawed or stepped. */
static void timectl_hold(struct tui *t, const struct task *tasks, size_t n)
{
	struct timectl *c = t->timectl;
	char err[256];
	struct replay *r = timectl_record(t, tasks, n, err, sizeof err);
	struct replay_frame f;
	if (r && replay_frame(r, 0, &f, err, sizeof err) < 0) {
		replay_free(r);
		r = NULL;
	}
	if (!r) {   /* an empty view rather than a live one that says FROZEN */
		tui_message(t, true, "frozen view: %s", err);
		memset(&f, 0, sizeof f);
	}
	deadlocks_load(c->dl, f.programs, f.nprograms, f.links, f.cycle_start, f.ncycles);
	c->held = (struct tui_held){ .programs = f.programs, .nprograms = f.nprograms,
				     .deadlocks = c->dl, .wait_of = r ? replay_wait : NULL,
				     .wait_ctx = r };
	t->held = &c->held;
	c->events_upto = t->events ? events_last(t->events) : 0;
	timectl_hold_output(t);
	tui_show_tasks(t, f.tasks, f.ntasks);
	replay_free(c->snap);      /* the rows point into r now */
	c->snap = r;
	c->step = c->due = false;
	panels_published(t);
}

bool timectl_published(struct tui *t, const struct task *tasks, size_t n)
{
	struct timectl *c = t->timectl;
	c->live = tasks;
	c->nlive = n;
	if (c->step)
		c->due = true;
	return !c->frozen;
}

bool timectl_frozen(const struct tui *t)
{
	return t->timectl->frozen;
}

void timectl_before_draw(struct tui *t)
{
	/* A launch between the publish and the draw moved the programs: the
	 * next publish brings them. */
	if (t->timectl->due && t->programs_gen == t->model_gen)
		timectl_hold(t, t->timectl->live, t->timectl->nlive);
}

uint64_t timectl_output_limit(const struct tui *t, pid_t program)
{
	const struct timectl *c = t->timectl;
	if (!c->frozen)
		return UINT64_MAX;
	for (size_t i = 0; i < c->nout; i++)
		if (c->out[i].pid == program)
			return c->out[i].seq;
	return 0;   /* launched since: nothing of it shows yet */
}

uint64_t timectl_event_limit(const struct tui *t)
{
	return t->timectl->frozen ? t->timectl->events_upto : UINT64_MAX;
}

void timectl_set_peaks(struct tui *t, const struct peak_frame *p)
{
	if (timectl_admits(t))
		t->timectl->peaks = *p;
}

enum tui_reaction timectl_freeze(struct tui *t)
{
	struct timectl *c = t->timectl;
	c->step = c->due = false;
	if (c->frozen) {
		c->frozen = false;
		t->held = NULL;
		tui_show_tasks(t, c->live, c->nlive);
		replay_free(c->snap);
		c->snap = NULL;
		panels_published(t);
		tui_message(t, false, "live again");
		return TUI_REDRAW | TUI_RESAMPLE; /* the latest, not the last publish */
	}
	c->frozen = true;
	c->live = t->tasks;
	c->nlive = t->ntasks;
	timectl_hold(t, t->tasks, t->ntasks);
	tui_message(t, false, "frozen: concmon goes on recording; . steps one refresh, Z thaws");
	return TUI_REDRAW;
}

enum tui_reaction timectl_step(struct tui *t)
{
	if (!t->timectl->frozen) {
		tui_message(t, false, "not frozen: Z freezes the view, then . shows one refresh at a time");
		return TUI_REDRAW;
	}
	t->timectl->step = true;
	return TUI_REDRAW | TUI_RESAMPLE;
}

enum tui_reaction timectl_delay(struct tui *t, int dir)
{
	if (t->delay <= 0) {
		tui_message(t, true, "no delay (-d 0): every pass samples; { and } need a delay");
		return TUI_REDRAW;
	}
	double d = dir > 0 ? t->delay * 2 : t->delay / 2;
	d = d < TIMECTL_DELAY_MIN ? TIMECTL_DELAY_MIN : d > TIMECTL_DELAY_MAX ? TIMECTL_DELAY_MAX : d;
	if (d == t->delay) {
		tui_message(t, true, "refresh every %gs already: the %s", d,
			    dir > 0 ? "slowest ({ slows, up to 10s)" : "fastest (} speeds up, down to 0.05s)");
		return TUI_REDRAW;
	}
	t->delay = d;
	tui_message(t, false, "refresh every %gs ({ slower, } faster)", d);
	return TUI_REDRAW | TUI_RETIME;
}

int timectl_header_mark(const struct tui *t, int y, int x)
{
	if (!t->timectl->frozen)
		return 0;
	int used = text_put(y, x, " ", COLS, A_NORMAL);
	return used + text_put(y, x + used, "FROZEN", COLS, t->attr[UI_ERROR] | A_REVERSE | A_BOLD);
}

int timectl_header_peaks(const struct tui *t, int y, int x, int room)
{
	const struct peak_frame *p = &t->timectl->peaks;
	if (!p->known)
		return 0;
	char buf[96];
	snprintf(buf, sizeof buf, " | peak %d thr, %d Z; %.0f forks, %.0f exits/s", p->threads,
		 p->zombies, p->forks_per_s, p->exits_per_s);
	if (text_width(buf) > room)   /* the view's mode matters more than the rates */
		snprintf(buf, sizeof buf, " | peak %d thr, %d Z", p->threads, p->zombies);
	if (text_width(buf) > room)
		return 0;
	return text_put(y, x, buf, COLS, t->attr[UI_HEADER]);
}
