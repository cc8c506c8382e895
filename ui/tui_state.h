/* tui_state.h - the inside of struct tui, shared by the ui/ modules only,
 * and what they may ask of it (tui_state.c): the status line, the mode
 * stack, the programs behind a generation check, the layout lines. The
 * panes, panels, menus and prompts keep their own state behind their own
 * headers; struct tui only points to it. Nothing outside ui/ includes
 * this: the rest of concmon sees tui.h. */
#ifndef CONCMON_TUI_STATE_H
#define CONCMON_TUI_STATE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "color.h"
#include "model/tasktree.h"
#include "tui.h"

/* Screen layout: the system meters (0 or more lines), header line, column
 * titles, the table, the status line.
 * Below MIN_COLS x MIN_LINES the table cannot show a PID, a state and a
 * few characters of command, or fewer than two rows would remain, so the
 * screen says "terminal too small" instead (see tui_draw). */
#define TUI_HEADER_LINES 2
#define TUI_FOOTER_LINES 1
#define TUI_MIN_COLS 40
#define TUI_MIN_LINES 5

#define TUI_TEXT_MAX 256

/* Modes open at once: the table, a prompt or menu, help over it. */
#define TUI_MODE_DEPTH 8

/* What a frozen view shows instead of the model's (timectl.c owns it). */
struct tui_held {
	const struct program *programs;
	size_t nprograms;
	const struct deadlocks *deadlocks;
	tui_wait_fn *wait_of;
	const void *wait_ctx;
};

/* A task remembered across refreshes: a TID alone can be recycled. */
struct tui_ident {
	pid_t tid;
	unsigned long long start;
};

struct mouse_event;

struct tui {
	SCREEN *scr;
	bool mouse;                     /* clicks and the wheel are asked for (tui_set_mouse) */
	bool all;                       /* --all: shown in the header */
	bool no_cgroup;                 /* contained by process groups only: in the header */
	double delay;                   /* refresh seconds: shown in the header */
	bool utf8;                      /* tree glyphs as box drawing, else ASCII */
	attr_t attr[UI_COLOR_COUNT];    /* resolved once: colour or mono */
	bool dirty;                     /* something changed since the last draw */
	bool urgent;                    /* a key or a refresh: draw without waiting */
	double last_frame;              /* util_now() of the last draw */
	unsigned long frames;           /* draws so far */

	const struct task *tasks;       /* the model's array, valid until next set */
	size_t ntasks;
	struct summary sum;

	const struct row *rows;         /* tasks in display order; view.c builds them */
	size_t nrows;
	struct tasktree *tree;          /* view.c: owns rows */
	struct tree_opts opts;
	/* The columns shown, in order (COMMAND last): table_columns_set. */
	enum sort_key cols[TASKSORT_MAX_LIST];
	size_t ncols;
	double linger;                  /* seconds exited rows show (--linger) */
	char filter[TUI_TEXT_MAX];      /* opts.filter points here when set */

	size_t sel;                     /* selected row index */
	struct tui_ident sel_id;        /* the selected task, followed by identity */
	bool sel_known;                 /* sel_id names a task */
	bool sel_fold;                  /* the selection is the summary row under sel_id */
	size_t top;                     /* first row shown */

	struct tui_ident *tags;         /* sorted by tid, then start */
	size_t ntags, tags_cap;

	/* view.c: parents whose summary rows are listed in full ({0, 0}: the
	 * roots'), sorted like tags */
	struct tui_ident *unfolded;
	size_t nunfolded, unfolded_cap;

	char status[TUI_TEXT_MAX];      /* status line message, "" = key bar */
	bool status_error;
	unsigned status_gen;            /* bumped by every message */

	char search[TUI_TEXT_MAX];      /* last accepted search text */

	const struct tui_mode *modes[TUI_MODE_DEPTH];  /* [0] is the table */
	size_t nmodes;
	int cursor_y, cursor_x;         /* set by a draw; -1 hides the cursor */
	/* The modes' state; each owned by the file of its name. */
	struct menu *menu;
	struct prompt *prompt;
	struct demomenu *demomenu;
	struct setup *setup;            /* setup.c: the setup screen (S) */
	const struct tui_settings_ops *settings; /* concmonrc through main, or NULL */
	int help_top;                   /* help.c: help screen scroll */
	int deadlock_top;               /* deadview.c: deadlock view scroll */

	/* Launched programs and their telemetry, from main: read them through
	 * tui_programs, which checks the generation. */
	const struct program *programs;
	size_t nprograms;
	unsigned model_gen;             /* bumped by every publish and every launch */
	unsigned programs_gen;          /* model_gen when programs was handed over */
	const struct events *events;    /* the lifecycle event log, from main */
	const struct deadlocks *deadlocks; /* cycles found this refresh, from main */
	/* deadview.c's line count of the banner: set by tui_new, so this file
	 * needs no other ui/ module */
	int (*banner_lines)(const struct tui *t);
	/* meters.c's line count, the same way */
	int (*meter_lines)(const struct tui *t);
	struct meters *meters;          /* the system meters; meters.c owns it */
	tui_wait_fn *wait_of;           /* why a thread waits (main's inferred layer), or NULL */
	const void *wait_ctx;
	uint64_t events_seen;           /* newest event when last marked dirty */
	const struct demo_info *demos;  /* the demo catalogue for the launch menu */
	size_t ndemos;

	/* The bottom panes; each owned by the file of its name. */
	struct panes *panes;            /* which are open, the focus */
	struct panels *panels;          /* telemetry: queue history, the launch awaited */
	struct panels_knobs *knobs;     /* the selected knob, the value last set */
	struct explainpane *explainpane;
	struct logpane *logpane;
	struct outpane *outpane;
	struct timectl *timectl;        /* freeze, step, the refresh delay, peaks */
	/* Frozen: the programs, deadlocks and waits shown, which the fields
	 * above (the model's, kept current) are not; NULL when live. Read
	 * through tui_programs, tui_deadlocks and tui_wait. */
	const struct tui_held *held;
};

/* Shows tasks (n of them): the summary and the rows are rebuilt. The
 * array must stay valid until the next call. */
void tui_show_tasks(struct tui *t, const struct task *tasks, size_t n);

/* Sets the status line message; error ones are drawn in the error colour. */
void tui_message(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The launched programs shown (n of them): frozen, those of the frozen
 * snapshot; live, those of the last publish, or NULL and 0 once a launch
 * may have moved the model's array, until the next publish. Valid until
 * the next publish or launch: never kept across them. */
const struct program *tui_programs(const struct tui *t, size_t *n);

/* The model's programs as tui_programs gives them when live, frozen or
 * not: what acts on them now (the output they go on writing). */
const struct program *tui_programs_live(const struct tui *t, size_t *n);

/* The deadlocks shown (the frozen ones while frozen), or NULL. */
const struct deadlocks *tui_deadlocks(const struct tui *t);

/* Why thread tid waits as shown (frozen: then), or NULL. */
const char *tui_wait(const struct tui *t, pid_t tid);

/* A launch is about to run: the model's programs array may move. */
void tui_model_moving(struct tui *t);

/* Lines the deadlock banner takes under the header: 0 without a deadlock,
 * else t->banner_lines (1 or 2: it wraps on a narrow screen). */
int tui_banner_lines(const struct tui *t);

/* Lines the system meters take above the header (0: none or hidden). */
int tui_meter_lines(const struct tui *t);

/* Lines between the header (with the deadlock banner) and the status line:
 * the column titles, the rows and the bottom panes share them. */
int tui_body_lines(const struct tui *t);

/* A mode: what gets the keys and what is drawn (tmux's window_mode). The
 * table is always at the bottom of the stack; menus, prompts and full
 * screens are pushed over it and pop themselves when they close. */
struct tui_mode {
	const char *name;
	bool fullscreen;        /* drawn alone: the modes below it are not drawn */
	enum tui_reaction (*key)(struct tui *t, const struct tui_actions *a, int ch);
	/* A click or the wheel (mouse.h); NULL: the mode ignores the mouse. */
	enum tui_reaction (*mouse)(struct tui *t, const struct tui_actions *a,
				   const struct mouse_event *ev);
	void (*draw)(struct tui *t);    /* over what the modes below drew */
	void (*enter)(struct tui *t);   /* on push; may be NULL */
	void (*leave)(struct tui *t);   /* on pop; may be NULL */
};

/* Pushes m over the open modes and calls its enter. A full stack is a bug. */
void tui_mode_push(struct tui *t, const struct tui_mode *m);

/* Calls the top mode's leave and pops it; the table is never popped. */
void tui_mode_pop(struct tui *t);

/* The mode that gets the keys now. */
const struct tui_mode *tui_mode_top(const struct tui *t);

/* Puts the terminal cursor at (y, x) after this draw (a prompt's caret). */
void tui_set_cursor(struct tui *t, int y, int x);

#endif
