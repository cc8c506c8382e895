/* panels.h - the telemetry panels below the task table: queues, locks,
 * knobs and published values of the program the selected task belongs to.
 * The panels draw what tui_set_programs handed over and a minute of queue
 * history they keep themselves; knobs change through tui_actions. */
#ifndef CONCMON_PANELS_H
#define CONCMON_PANELS_H

#include <stdbool.h>
#include <sys/types.h>

#include "programs.h"
#include "spark.h"
#include "tui.h"

/* Task rows the table keeps before panels take any line. */
#define PANELS_MIN_TASK_ROWS 8

/* What the panels remember across refreshes; zero-initialised is valid. */
struct panels {
	bool hidden;                    /* p toggles */
	struct spark_set hist;          /* queue histories */
	unsigned gen;                   /* bumped by every tui_set_programs */

	pid_t knob_prog;                /* the selected knob, by name, in that program */
	char knob[CM_NAME_MAX];

	/* The last value set, until the next refresh shows it: a burst of
	 * + keys then counts from it, not from the stale snapshot. */
	bool pend;
	unsigned pend_gen;
	pid_t pend_prog;
	char pend_knob[CM_NAME_MAX];
	long pend_value;

	/* After a launch: select the new program's row once it shows up. */
	bool want_new;
	pid_t prev_last;                /* the newest program before the launch, 0 if none */
	int want_tries;
};

/* Frees what the panels hold. */
void panels_free(struct panels *p);

/* Called before a launch: the programs array may move, so the view drops
 * it until the next tui_set_programs; the new program gets selected then. */
void panels_launching(struct tui *t);

/* The launched program the selected task descends from (through adopted
 * orphans' former parents too), or NULL. */
const struct program *panels_owner(const struct tui *t);

/* The program whose panels are shown: the launched program the selected
 * task descends from, else the only program with telemetry, else NULL. */
const struct program *panels_program(const struct tui *t);

/* Lines the panels take on the current screen (0 when there is nothing to
 * show, they are hidden, or the terminal is too small). */
int panels_height(const struct tui *t);

/* Draws the panels in lines [y, y + height). */
void panels_draw(const struct tui *t, int y, int height);

/* p: shows or hides the panels. */
enum tui_reaction panels_toggle(struct tui *t);

/* [ and ]: selects the previous (dir < 0) or next knob. */
enum tui_reaction panels_knob_select(struct tui *t, int dir);

/* + and -: changes the selected knob by one step (1, or about a tenth of
 * its range when the range is over 100) through a->set_knob. */
enum tui_reaction panels_knob_change(struct tui *t, const struct tui_actions *a, int dir);

/* The knob step for [min, max]: 1 up to a range of 100, else a tenth of
 * the range rounded to 1, 2 or 5 times a power of ten. */
long panels_knob_step(long min, long max);

/* Lines the locks want below their header: one each, two when the
 * waiters do not fit beside the holders. (locks.c) */
int panels_lock_need(const struct telemetry_snapshot *s);

/* Draws the lock header on y and at most lines lines of locks below it.
 * Returns the lines drawn, header included. (locks.c) */
int panels_lock_lines(const struct tui *t, const struct telemetry_snapshot *s, int y, int lines);

/* Lays the knobs out from line y over at most lines lines, wrapping, and
 * draws them when draw is set. Returns the lines used (all of them needed
 * when lines is large enough). (knobs.c) */
int panels_knob_lines(const struct tui *t, const struct program *pr, int y, int lines, bool draw);

/* Draws the published values ("expected 400000  actual 391234") on y. */
void panels_values_line(const struct tui *t, const struct program *pr, int y);

/* Index of the selected knob in pr's snapshot, or -1 when it has none. */
int panels_knob_index(const struct tui *t, const struct program *pr);

#endif
