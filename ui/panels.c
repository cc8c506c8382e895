/* panels.c - the telemetry panels (queues, locks, knobs) of the program the
 * selected task belongs to, and the demo launch menu. */
#include "tui.h"
#include "tui_state.h"

void tui_set_programs(struct tui *t, const struct program *p, size_t n)
{
	t->programs = p;
	t->nprograms = n;
	t->dirty = true;
}

void tui_set_demos(struct tui *t, const struct demo_info *d, size_t n)
{
	t->demos = d;
	t->ndemos = n;
}
