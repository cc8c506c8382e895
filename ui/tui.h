/* tui.h - the ncurses interface: draws the model, maps keys to actions.
 * Never reads /proc; everything it shows comes through tui_set_tasks(). */
#ifndef CONCMON_TUI_H
#define CONCMON_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kernel/sysmeter.h"
#include "model/deadlock.h"
#include "model/events.h"
#include "model/peaks.h"
#include "model/task.h"
#include "model/tasksort.h"
#include "supervise/demolist.h"
#include "supervise/programs.h"

/* What a key handler asks the loop to do next (a bitmask). */
enum tui_reaction {
	TUI_NONE = 0,
	TUI_REDRAW = 1 << 0,    /* the screen must be drawn again */
	TUI_RESAMPLE = 1 << 1,  /* read /proc again now (e.g. threads toggled) */
	TUI_QUIT = 1 << 2,      /* stop the children and leave */
	TUI_RETIME = 1 << 3,    /* the refresh delay changed: re-arm from tui_delay() */
};

/* What the interface may do to the supervised tree. Each returns 0 or an
 * errno value, which the interface shows in its status line. */
struct tui_actions {
	void *ctx;
	int (*signal)(void *ctx, const struct task *t, int sig);
	int (*terminate)(void *ctx, const struct task *t);   /* TERM, KILL after grace */
	/* Launches a command line; on failure returns an errno value and puts
	 * a message in err. */
	int (*launch)(void *ctx, const char *line, char *err, size_t errlen);
	/* Launches a demo: "NAME[,key=value...]"; errors as for launch. */
	int (*launch_demo)(void *ctx, const char *spec, char *err, size_t errlen);
	/* Sets a knob of a launched program: 0, ESRCH (no such program),
	 * ENOENT (no such knob, or value outside its range), ENODATA. */
	int (*set_knob)(void *ctx, pid_t program, const char *knob, long value);
	/* W: starts or stops recording; msg says what happened (the file).
	 * NULL: not available. */
	int (*record)(void *ctx, char *msg, size_t len);
	/* A replay: moves to another snapshot (enum tui_seek); NULL when live. */
	void (*seek)(void *ctx, int how);
	/* Non-NULL: why every action above but seek is refused (a replay). */
	const char *readonly;
	/* Launches program again with the same arguments (a demo with its
	 * knobs' current values, knob at value unless knob is NULL): 0 when
	 * launched at once (it had ended), EINPROGRESS when the old one is
	 * being stopped first, else an errno value with a message in err. */
	int (*restart)(void *ctx, pid_t program, const char *knob, long value, char *err,
		       size_t errlen);
	/* Dismisses the held row (task.h) of program: no restart follows and
	 * the row goes. 0, or ESRCH when it is not held. NULL: not available. */
	int (*dismiss)(void *ctx, pid_t program);
};

/* The saved settings (concmonrc) as the setup screen (S) sees them: main
 * owns the file, the view only asks through these. Setting types: */
enum tui_setting_type { TUI_SETTING_BOOL, TUI_SETTING_NUMBER, TUI_SETTING_ENUM,
			TUI_SETTING_TEXT };

struct tui_setting_info {
	enum tui_setting_type type;
	const char *const *choices;   /* ENUM: NULL-terminated */
	double min, max;              /* NUMBER */
	const char *help;             /* one line */
};

struct tui_settings_ops {
	void *ctx;
	/* What setting name is; false for an unknown name. */
	bool (*info)(void *ctx, const char *name, struct tui_setting_info *out);
	/* Its value in text form into buf; false for an unknown name. */
	bool (*get)(void *ctx, const char *name, char *buf, size_t len);
	/* Sets it (and what the model keeps of it: linger, the restart
	 * policy): 0, or -1 with the reason in err. */
	int (*set)(void *ctx, const char *name, const char *value, char *err, size_t errlen);
	/* Writes every setting to the file: 0 with msg saying where, or -1
	 * with msg saying why not (--no-config, a write error). */
	int (*save)(void *ctx, char *msg, size_t len);
};

/* Where a replay's seek keys go. */
enum tui_seek { TUI_SEEK_BACK, TUI_SEEK_FORWARD, TUI_SEEK_FIRST, TUI_SEEK_LAST,
		TUI_SEEK_ZOMBIE, TUI_SEEK_DEADLOCK };

struct tui;

/* Takes over the terminal (stdin/stdout). Returns NULL with a message in err
 * when stdout is not a terminal or TERM is unset or unknown; the terminal is
 * then untouched. all: the --all view; delay: refresh seconds (header). */
struct tui *tui_new(bool all, double delay, char *err, size_t errlen);

/* Colours by theme: "default", "monochrome" (no colour) or "projector"
 * (high contrast, no dim or grey text); NO_COLOR in the environment turns colour off either way.
 * False for an unknown name (the colours stay as they were). */
bool tui_set_theme(struct tui *t, const char *theme);

/* Gives the setup screen its settings (ops must outlive t); without them S
 * says there are none (a replay). */
void tui_set_settings(struct tui *t, const struct tui_settings_ops *ops);

/* Clicks and the wheel on (the default) or off (--no-mouse, the config
 * file): on, most terminals select text only with Shift held. */
void tui_set_mouse(struct tui *t, bool on);

/* Whether the mouse is on. */
bool tui_mouse(const struct tui *t);

/* How the view starts (concmonrc); names as src/app/config.c lists them. */
struct tui_start {
	bool tree, threads;
	bool trace;                  /* the launch prompt opens with --trace */
	bool meters;                 /* the system meters shown (m hides them) */
	const char *layout;          /* stacked, side, left or right (as | cycles) */
	const char *panes[8];        /* panels, events, explain, output: opening order */
	size_t npanes;
};

/* Applies s before the first frame. False, with the first name it does not
 * know in *bad, when one is unknown (everything else is applied). */
bool tui_configure(struct tui *t, const struct tui_start *s, const char **bad);

/* Restores the terminal and frees everything. Safe on NULL. */
void tui_free(struct tui *t);

/* Replaces the tasks shown (frozen, the view keeps its copy). The array
 * must stay valid until the next call. */
void tui_set_tasks(struct tui *t, const struct task *tasks, size_t n);

/* The peaks between the last two refreshes, for the header (copied). */
void tui_set_peaks(struct tui *t, const struct peak_frame *p);

/* The system meters' reading for the lines above the header (copied);
 * NULL: none shown. */
void tui_set_meters(struct tui *t, const struct sysmeter_reading *r);

/* The refresh delay in seconds, as the user last set it ({ and }). */
double tui_delay(const struct tui *t);

/* Replaces the launched programs (with their telemetry) shown in the
 * panels. The array must stay valid until the next call. */
void tui_set_programs(struct tui *t, const struct program *p, size_t n);

/* The programs array given by tui_set_programs may have moved (a launch
 * outside a key): not read again until the next tui_set_programs. */
void tui_programs_moved(struct tui *t);

/* The demo catalogue for the launch menu; must outlive t. */
void tui_set_demos(struct tui *t, const struct demo_info *d, size_t n);

/* Why thread tid waits, in words, or NULL (running, or not known). */
typedef const char *tui_wait_fn(const void *ctx, pid_t tid);

/* How long exited rows show, in seconds (0: not at all). */
void tui_set_linger(struct tui *t, double seconds);

/* The columns shown ("PID,USER,CPU%,COMMAND": see columns.h). Returns 0,
 * or -1 with a reason in err. */
int tui_set_columns(struct tui *t, const char *list, char *err, size_t errlen);

/* Sorts by key (enum sort_key), descending or not. */
void tui_set_sort(struct tui *t, enum sort_key key, bool descending);

/* The enum proc_extra bits the shown columns and the sort key need read. */
unsigned tui_extras(const struct tui *t);

/* Where the WAITING column and the explain pane read waits from; ctx must
 * outlive t. */
void tui_set_waits(struct tui *t, tui_wait_fn *fn, const void *ctx);

/* The deadlock finder's results (updated each refresh); must outlive t. */
void tui_set_deadlocks(struct tui *t, const struct deadlocks *d);

/* How the tree is contained if concmon dies, for the header: cgroup true
 * shows "cgroup"; false "no cgroup" and, in the status line, why (a copy
 * is kept). */
void tui_set_containment(struct tui *t, bool cgroup, const char *why);

/* The lifecycle event log shown in the event view; must outlive t. */
void tui_set_events(struct tui *t, const struct events *ev);

/* New events were added outside a refresh (kernel events): redraw the log. */
void tui_events_changed(struct tui *t);

/* Reads every pending key from stdin (non-blocking) and handles it. */
enum tui_reaction tui_input(struct tui *t, const struct tui_actions *a);

/* The terminal changed size (after SIGWINCH): re-read it. */
void tui_resize(struct tui *t);

/* Draws the screen if anything changed since the last draw, at once after
 * a key or tui_frame_now, else (changes the events made) no sooner than a
 * frame interval (1/20 s) after the last draw. now: util_now(). */
void tui_draw(struct tui *t, double now);

/* The next draw is a refresh's (or the last before leaving): no waiting. */
void tui_frame_now(struct tui *t);

/* Seconds until tui_draw will draw (0: now), or -1 when nothing changed:
 * the loop sleeps no longer than this. */
double tui_frame_wait(const struct tui *t, double now);

/* Seconds until a frame interval has passed since the last draw (0: it
 * has): work done only to draw (a snapshot after a reap) waits for it too. */
double tui_frame_gap(const struct tui *t, double now);

/* Frames drawn so far. */
unsigned long tui_frames(const struct tui *t);

/* Shows a message in the status line (until the next key or message). */
void tui_status(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether the view shows threads (the model then reads them). */
bool tui_threads_shown(const struct tui *t);

/* Prints the key table (key, action) as the help screen shows it. */
void tui_print_keys(FILE *fp);

#endif
