/* panes.h - the bottom pane: the lifecycle event log (e), the explanation
 * of the selected row (E) or the output of its program (o). One pane at a
 * time; while one is open it takes the place of the telemetry panels (p).
 * The table keeps PANES_MIN_TASK_ROWS rows (fewer only on a short screen,
 * never fewer than PANES_LEAST_TASK_ROWS) and the selected row always stays
 * on screen: the table scrolls, the pane shrinks or is not drawn. */
#ifndef CONCMON_PANES_H
#define CONCMON_PANES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "events.h"
#include "tui.h"

#define PANES_MIN_TASK_ROWS 8
#define PANES_LEAST_TASK_ROWS 3
/* Events the log keeps (as many as the model's ring). */
#define PANES_LOG_KEEP 4096
#define PANES_FIND_MAX 256

enum pane_kind { PANE_NONE, PANE_LOG, PANE_EXPLAIN, PANE_OUTPUT, PANE_KIND_COUNT };

/* What the panes remember across refreshes; zero-initialised is valid. */
struct panes {
	enum pane_kind kind;
	bool focus;                     /* Tab: movement keys scroll the pane */
	/* Log and output: seq of the newest line shown; 0 follows the end. */
	uint64_t anchor[PANE_KIND_COUNT];
	int explain_top;                /* explain: first line shown */
	pid_t out_prog;                 /* output anchor belongs to this program */

	pid_t log_pid;                  /* log filter: events of this PID; 0 all */
	bool log_follow;                /* f: log_pid tracks the selected task */

	char find[PANES_FIND_MAX];      /* output search (/ in the output pane) */
	uint64_t find_hit;              /* seq of the matching line shown, 0 none */

	struct event *log;              /* a copy of the newest events: a ring */
	size_t log_n, log_head;         /* count, index of the oldest */
	uint64_t log_last;              /* newest seq copied */
	size_t *idx;                    /* scratch: filtered positions */
};

/* Frees what the panes hold. */
void panes_free(struct panes *p);

/* Lines the open pane takes now (0: none open, or no room for it). */
int panes_height(const struct tui *t);

/* Draws the open pane in lines [y, y + height). */
void panes_draw(struct tui *t, int y, int height);

/* e, E, o: opens that pane (closing another), or closes it when open. */
enum tui_reaction panes_toggle(struct tui *t, enum pane_kind kind);

/* Tab: moves the movement keys between the table and the open pane.
 * Returns false when no pane is open (the key then means something else). */
bool panes_focus_toggle(struct tui *t);

/* Whether movement keys go to the pane now. */
bool panes_focused(const struct tui *t);

/* Scrolls the focused pane: +-1 a line, +-2 a page, +-3 to an end. */
void panes_scroll(struct tui *t, int how);

/* f: the log follows the selected task (its PID and threads), or stops. */
enum tui_reaction panes_follow(struct tui *t);

/* The log filter from the # prompt: a PID, or empty/0 for every event.
 * Returns false (and says why on the status line) for anything else. */
bool panes_set_log_pid(struct tui *t, const char *text);

/* The output search from the / prompt (in the focused output pane):
 * finds text, case-insensitively, from the newest line shown back. */
void panes_find(struct tui *t, const char *text);

/* n / N in the focused output pane: the next older (dir > 0) or newer match. */
void panes_find_next(struct tui *t, int dir);

/* The program whose output the pane shows: the launched program the
 * selected task descends from, else the only program; NULL if none. */
const struct program *panes_output_program(const struct tui *t);

/* The log's lines after the filter, and the seq of line i. (eventlog.c) */
size_t panes_log_count(struct tui *t);
uint64_t panes_log_seq(const struct tui *t, size_t i);

/* The index of the newest line shown of the open log/output pane (n lines,
 * pr: the output's program), from its anchor; and setting it. */
size_t panes_bottom(struct tui *t, const struct program *pr, size_t n);
void panes_set_bottom(struct tui *t, const struct program *pr, size_t n, size_t bottom);

/* Copies events that are new in the model's log; called before drawing. (eventlog.c) */
void panes_log_pull(struct tui *t);

/* Draws the event log in [y, y + height). (eventlog.c) */
void panes_log_draw(struct tui *t, int y, int height);

/* Draws the output pane in [y, y + height). (outpane.c) */
void panes_output_draw(struct tui *t, int y, int height);

/* Lines of the output pane's program. (outpane.c) */
size_t panes_output_lines(const struct tui *t, const struct program *pr);

/* Draws the pane's title bar on y: title, then hint right-aligned. */
void panes_title(const struct tui *t, int y, const char *title, const char *hint);

/* Given n lines and the index of the newest line to show (n - 1 when
 * following), the first index of a window of rows lines. */
size_t panes_window(size_t n, size_t bottom, int rows);

#endif
