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

/* + and -: moves the selected knob of pr one step (panels_knob_next)
 * through a->set_knob; a knob read only at start gets the restart offer. */
enum tui_reaction panels_knob_change(struct tui *t, const struct tui_actions *a,
				     const struct program *pr, int dir);

/* v: opens a prompt for the selected knob's value (PROMPT_KNOB). */
enum tui_reaction panels_knob_ask(struct tui *t, const struct program *pr);

/* The prompt's label ("rate [1..1000]: ") and its first text (the value). */
void panels_knob_label(const struct tui *t, char *buf, size_t len);
void panels_knob_prefill(const struct tui *t, char *buf, size_t len);

/* The prompt's Enter: sets the knob to the typed text, or refuses it
 * naming the range; a knob read only at start gets a restart offer (y/n)
 * instead, which restarts the program with the value through
 * tui_actions.restart. */
enum tui_reaction panels_knob_typed(struct tui *t, const struct tui_actions *a, const char *text);

/* Ranges up to this wide move by 1. */
#define PANELS_KNOB_FINE 32

/* The value one + (dir > 0) or - press moves a knob at value to: by 1 when
 * max - min <= PANELS_KNOB_FINE, else to the next number of the 1-2-5
 * series (0, 1, 2, 5, 10, 20, 50, ..., mirrored below 0) above or below
 * it; always kept in [min, max]. */
long panels_knob_next(long value, long min, long max, int dir);

#endif
