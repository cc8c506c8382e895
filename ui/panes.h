/* panes.h - the bottom area under the task table: the panes that are open,
 * stacked in the order they were opened (the telemetry panels p, the
 * explanation E, the event log e, the output o), how many lines each gets,
 * and which one the movement keys go to (Tab).
 *
 * A pane is a table of operations (struct pane_ops) and keeps its own state
 * behind its own header; this module only knows the list. The table keeps
 * PANES_MIN_TASK_ROWS rows (PANES_LEAST_TASK_ROWS on a short screen, for the
 * panes that allow it) and the selected row always stays on screen: the
 * table scrolls, the panes shrink or are not drawn. Side by side (|), the
 * panes share two columns, each as tall as the area. */
#ifndef CONCMON_PANES_H
#define CONCMON_PANES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui.h"

#define PANES_MIN_TASK_ROWS 8
#define PANES_LEAST_TASK_ROWS 3
/* Panes open at once: every kind there is. */
#define PANES_MAX 4
/* Side by side, each column has at least this many columns. */
#define PANES_COLUMN_MIN 40

/* What a bottom pane does. */
struct pane_ops {
	const char *name;       /* in messages: "event log" */
	bool squeeze;           /* may take the table down to PANES_LEAST_TASK_ROWS */
	/* Lines it would like now, its title included, at most room; 0 when
	 * it has nothing to show. */
	int (*want)(const struct tui *t, int room);
	/* Draws it in lines [y, y + height); focused: the movement keys go to it. */
	void (*draw)(struct tui *t, int y, int height, bool focused);
	/* Scrolls: +-1 a line, +-2 a page of page lines, +-3 to an end. NULL:
	 * the pane never takes the focus. */
	void (*scroll_by)(struct tui *t, int how, int page);
	void (*opened)(struct tui *t);  /* on opening; may be NULL */
};

/* The list of open panes, and the focus; free with panes_free. */
struct panes *panes_new(void);
void panes_free(struct panes *p);

/* Lines all open panes take now (0: none, or no room). */
int panes_height(const struct tui *t);

/* Draws the open panes in lines [y, y + height): one under the other, or
 * in two columns (see panes_split_next), each pane in its own text_region. */
void panes_draw(struct tui *t, int y, int height);

/* Opens ops (appended below the others) or closes it; returns whether it
 * is open now. Says nothing: the caller words it. */
bool panes_switch(struct tui *t, const struct pane_ops *ops);

/* e, E, o: panes_switch, then says so ("event log hidden", or that the
 * terminal is too short for it). */
enum tui_reaction panes_toggle(struct tui *t, const struct pane_ops *ops);

/* ( and ): the focused pane (else the last opened one shown) gets delta
 * lines more or fewer, at least its title and one line; what is left is
 * shared among the others. Says what happened in the status line. */
enum tui_reaction panes_resize(struct tui *t, int delta);

/* |: stacked -> side by side (equal widths) -> left wider (2/3) -> right
 * wider -> stacked. Side by side, the first half of the open panes (in
 * opening order, the odd one included) stack in the left column, the rest
 * in the right; fewer than two panes, or a screen narrower than two
 * columns of PANES_COLUMN_MIN, draw stacked without losing the choice (the
 * key refuses then, saying why). Says what happened. */
enum tui_reaction panes_split_next(struct tui *t);

/* Chooses the layout | would reach by its concmonrc name: stacked, side,
 * left (wider) or right (wider). False, nothing changed, for another name. */
bool panes_set_layout(struct tui *t, const char *key);

/* The left column's width side by side on a screen of cols columns with
 * the left taking left_sixths sixths (each column at least
 * PANES_COLUMN_MIN, one column between them); 0 when they do not fit or
 * left_sixths is 0 (stacked). */
int panes_split_width(int cols, int left_sixths);

/* Of n open panes side by side, how many go in the left column. */
size_t panes_split_left(size_t n);

/* Opens ops when it is not open yet (the log's f and #). */
void panes_open(struct tui *t, const struct pane_ops *ops);

bool panes_is_open(const struct tui *t, const struct pane_ops *ops);

/* Lines ops got at the last layout (0: closed or no room). */
int panes_lines_of(const struct tui *t, const struct pane_ops *ops);

/* Tab: the movement keys go to the next open pane that scrolls, and after
 * the last one back to the table. False when no such pane is open (the key
 * then means something else). */
bool panes_focus_next(struct tui *t);

/* The pane the movement keys go to now, or NULL: the table. */
const struct pane_ops *panes_focused(const struct tui *t);

/* Scrolls the focused pane: +-1 a line, +-2 a page, +-3 to an end. */
void panes_scroll(struct tui *t, int how);

/* The pane drawn at (y, x), y counted from the top of the area, or NULL
 * (a gap, the separator, nothing open there). */
const struct pane_ops *panes_at(const struct tui *t, int y, int x);

/* The movement keys go to ops (a click on it), or to the table (NULL, or
 * a pane that does not scroll or is not open). */
void panes_focus(struct tui *t, const struct pane_ops *ops);

/* Scrolls ops as panes_scroll does the focused pane (the wheel over it). */
void panes_scroll_pane(struct tui *t, const struct pane_ops *ops, int how);

/* Draws a pane's title bar on y: title, "[keys here]" when focused, then
 * hint right-aligned. */
void panes_title(const struct tui *t, int y, const char *title, const char *hint, bool focused);

/* What a pane of lines (log, output) would like: two fifths of the lines
 * under the column titles, at least 6. */
int panes_want_lines(const struct tui *t);

/* Lines a scroll by how (as panes_scroll) moves with pages of page lines:
 * negative up, 1 << 30 for an end. */
long panes_scroll_step(int how, int page);

/* Given n lines and the index of the newest line to show (n - 1 when
 * following), the first index of a window of rows lines. */
size_t panes_window(size_t n, size_t bottom, int rows);

/* Scrolling by sequence number, for panes over rings that drop old lines
 * and gain new ones between draws: an anchor is the seq of the newest line
 * shown, 0 follows the end. seq(ctx, i) is the seq of line i of n. */
typedef uint64_t panes_seq_fn(const void *ctx, size_t i);

/* The index of the newest line shown for anchor. */
size_t panes_anchor_bottom(uint64_t anchor, size_t n, panes_seq_fn *seq, const void *ctx);

/* The anchor that shows line bottom as the newest (0 when it is the last). */
uint64_t panes_anchor_at(size_t n, size_t bottom, panes_seq_fn *seq, const void *ctx);

/* The anchor after scrolling by how (as panes_scroll) with pages of page lines. */
uint64_t panes_anchor_scroll(uint64_t anchor, size_t n, int how, int page, panes_seq_fn *seq,
			     const void *ctx);

#endif
