/* mouse.c - see mouse.h. Only button-1 presses and the wheel are asked
 * for: a press acts at once (no click timing, mouseinterval 0), and
 * neither drags nor motion reports are wanted, so a terminal that sends
 * them costs nothing. */
#include "mouse.h"

#include "explainpane.h"
#include "keys.h"
#include "panes.h"
#include "table.h"
#include "tui_state.h"
#include "view.h"

void mouse_enable(bool on)
{
	mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
	want |= BUTTON5_PRESSED;
#endif
	mousemask(on ? want : 0, NULL);
	mouseinterval(0);
}

/* What curses reported as one of ours; false for anything else. */
static bool mouse_decode(const MEVENT *me, struct mouse_event *ev)
{
	ev->y = me->y;
	ev->x = me->x;
	if (me->bstate & BUTTON1_PRESSED)
		ev->kind = MOUSE_CLICK;
	else if (me->bstate & BUTTON4_PRESSED)
		ev->kind = MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	else if (me->bstate & BUTTON5_PRESSED)
		ev->kind = MOUSE_WHEEL_DOWN;
#endif
	else
		return false;
	return true;
}

enum tui_reaction mouse_input(struct tui *t, const struct tui_actions *a)
{
	MEVENT me;
	struct mouse_event ev;
	if (getmouse(&me) != OK || !mouse_decode(&me, &ev))
		return TUI_NONE;
	ev.message = t->status[0] != '\0';
	t->status[0] = '\0';
	const struct tui_mode *m = tui_mode_top(t);
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES || !m->mouse)
		return TUI_REDRAW;
	return m->mouse(t, a, &ev) | TUI_REDRAW;
}

int mouse_wheel_step(const struct mouse_event *ev)
{
	return ev->kind == MOUSE_CLICK ? 0 : ev->kind == MOUSE_WHEEL_UP ? -MOUSE_WHEEL_ROWS :
	       MOUSE_WHEEL_ROWS;
}

enum tui_reaction mouse_scroll_or_close(struct tui *t, const struct mouse_event *ev, int *top)
{
	int step = mouse_wheel_step(ev);
	if (!step) {
		tui_mode_pop(t);
		return TUI_REDRAW;
	}
	*top += step;
	*top = *top < 0 ? 0 : *top;
	return TUI_REDRAW;    /* the draw clamps the end */
}

/* A click on a column title: sorts by its key; on the current one, the
 * order turns round (as I does). */
static enum tui_reaction mouse_sort(struct tui *t, const struct table_hit *h)
{
	if (h->sort < 0)      /* every column sorts: a title without one is a bug */
		return TUI_NONE;
	if ((int)t->opts.sort == h->sort)
		t->opts.descending = !t->opts.descending;
	else
		t->opts.sort = (enum sort_key)h->sort;
	view_rebuild(t);
	tui_message(t, false, "sorted by %s, %s (click %s again to invert)",
		    tasktree_sort_name(t->opts.sort), t->opts.descending ? "descending" : "ascending",
		    h->title);
	return TUI_REDRAW;
}

/* A click on a row selects it; on the row already selected, it opens the
 * explanation of it (E). The keys go back to the table. */
static enum tui_reaction mouse_row(struct tui *t, size_t row)
{
	bool again = row == t->sel;
	view_select(t, row);
	panes_focus(t, NULL);
	if (again && !panes_is_open(t, &explainpane_ops))
		return panes_toggle(t, &explainpane_ops);
	return TUI_REDRAW;
}

/* The bottom panes, from line top: the wheel scrolls the one under the
 * pointer, a click gives it the keys (as Tab would). */
static enum tui_reaction mouse_panes(struct tui *t, const struct mouse_event *ev, int top)
{
	const struct pane_ops *p = panes_at(t, ev->y - top, ev->x);
	if (!p || !p->scroll_by)
		return TUI_NONE;
	if (ev->kind == MOUSE_CLICK) {
		panes_focus(t, p);
		tui_message(t, false, "keys go to the %s (Tab: the next pane, then the table)",
			    p->name);
		return TUI_REDRAW;
	}
	for (int i = 0; i < MOUSE_WHEEL_ROWS; i++)
		panes_scroll_pane(t, p, ev->kind == MOUSE_WHEEL_UP ? -1 : 1);
	return TUI_REDRAW;
}

enum tui_reaction mouse_table(struct tui *t, const struct tui_actions *a,
			      const struct mouse_event *ev)
{
	int ph = panes_height(t), panes_top = LINES - TUI_FOOTER_LINES - ph;
	if (ev->y >= panes_top && ev->y < LINES - TUI_FOOTER_LINES)
		return mouse_panes(t, ev, panes_top);
	if (ev->kind != MOUSE_CLICK) {     /* the wheel elsewhere moves the table */
		view_move(t, ev->kind == MOUSE_WHEEL_UP ? -MOUSE_WHEEL_ROWS : MOUSE_WHEEL_ROWS);
		return TUI_REDRAW;
	}
	if (ev->y == LINES - 1) {          /* a message there: the click dismissed it */
		int key = ev->message ? 0 : keys_bar_at(ev->x);
		return key ? keys_dispatch(t, a, key) : TUI_REDRAW;
	}
	struct table_hit h = table_at(t, ev->y, ev->x);
	if (h.what == TABLE_HIT_TITLE)
		return mouse_sort(t, &h);
	if (h.what == TABLE_HIT_ROW)
		return mouse_row(t, h.row);
	return TUI_NONE;
}
