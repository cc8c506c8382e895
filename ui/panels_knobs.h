/* panels_knobs.h - the knob line of the panels and the keys that select a
 * knob ([ ]) and turn it (+ -). The view never writes a knob itself: it
 * asks tui_actions.set_knob and says what came of it. */
#ifndef CONCMON_PANELS_KNOBS_H
#define CONCMON_PANELS_KNOBS_H

#include <stdbool.h>

#include "supervise/programs.h"
#include "tui.h"

/* The selected knob (by name) and the value last set; free with
 * panels_knobs_free. */
struct panels_knobs *panels_knobs_new(void);
void panels_knobs_free(struct panels_knobs *k);

/* Lays the knobs of pr out from line y over at most lines lines, wrapping,
 * and draws them when draw is set. Returns the lines used (all of them
 * needed when lines is large enough). */
int panels_knob_lines(const struct tui *t, const struct program *pr, int y, int lines, bool draw);

/* [ and ]: selects the previous (dir < 0) or next knob of pr (the
 * program the panels show; NULL says there is none). */
enum tui_reaction panels_knob_select(struct tui *t, const struct program *pr, int dir);

/* + and -: changes the selected knob of pr by one step (1, or about a
 * tenth of its range when the range is over 100) through a->set_knob. */
enum tui_reaction panels_knob_change(struct tui *t, const struct tui_actions *a,
				     const struct program *pr, int dir);

/* The knob step for [min, max]: 1 up to a range of 100, else a tenth of
 * the range rounded to 1, 2 or 5 times a power of ten. */
long panels_knob_step(long min, long max);

#endif
