/* eventlog.c - the lifecycle event log view. */
#include "tui.h"
#include "tui_state.h"

void tui_set_events(struct tui *t, const struct events *ev)
{
	t->events = ev;
}

void tui_events_changed(struct tui *t)
{
	if (t->events)
		t->dirty = true;
}
