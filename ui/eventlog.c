/* eventlog.c - the lifecycle event log view. */
#include "tui.h"
#include "tui_state.h"

void tui_set_events(struct tui *t, const struct events *ev)
{
	t->events = ev;
}

void tui_events_changed(struct tui *t)
{
	/* The connector reports the whole machine: redraw only for our events. */
	if (t->events && events_last(t->events) != t->events_seen) {
		t->events_seen = events_last(t->events);
		t->dirty = true;
	}
}

void tui_set_deadlocks(struct tui *t, const struct deadlocks *d)
{
	t->deadlocks = d;
}
