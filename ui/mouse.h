/* mouse.h - the mouse: what curses reports (a button-1 press, the wheel)
 * turned into one event, and where it goes. Each mode may have a mouse
 * handler (struct tui_mode.mouse); the table's is here, because it routes
 * by the screen's layout: the column titles (sort), the rows (select), the
 * bottom panes (wheel scrolls the pane under the pointer) and the key bar
 * (runs the key whose label was clicked). */
#ifndef CONCMON_MOUSE_H
#define CONCMON_MOUSE_H

#include <stdbool.h>

#include "tui.h"

enum mouse_kind { MOUSE_CLICK, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };

/* One event, in screen cells (0-based). */
struct mouse_event {
	enum mouse_kind kind;
	int y, x;
	bool message;   /* the status line showed a message (not the key bar) */
};

/* Rows the wheel moves per notch. */
#define MOUSE_WHEEL_ROWS 3

/* Asks the terminal for button-1 presses and the wheel (on), or for
 * nothing (off: the terminal's own selection works without Shift). */
void mouse_enable(bool on);

/* Reads the pending KEY_MOUSE event and gives it to the top mode's mouse
 * handler (none: ignored). A status message is dismissed as by a key. */
enum tui_reaction mouse_input(struct tui *t, const struct tui_actions *a);

/* The table mode's handler: see the file comment. */
enum tui_reaction mouse_table(struct tui *t, const struct tui_actions *a,
			      const struct mouse_event *ev);

/* Lines the wheel scrolls a full screen by: -MOUSE_WHEEL_ROWS up, else
 * down; 0 for a click (which closes help and the deadlock view, as any
 * key does). */
int mouse_wheel_step(const struct mouse_event *ev);

/* A full screen that scrolls (help, deadlocks) from line *top: the wheel
 * moves *top (not below 0; its draw clamps the end), a click closes it. */
enum tui_reaction mouse_scroll_or_close(struct tui *t, const struct mouse_event *ev, int *top);

#endif
