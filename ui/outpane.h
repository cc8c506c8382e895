/* outpane.h - the output pane (o): what the selected row's program wrote,
 * newest at the bottom, stderr lines marked, scrollback and search. */
#ifndef CONCMON_OUTPANE_H
#define CONCMON_OUTPANE_H

#include "panes.h"

#define OUTPANE_FIND_MAX 256

/* Its scroll position and search; free with outpane_free. */
struct outpane *outpane_new(void);
void outpane_free(struct outpane *o);

/* The pane, for panes_toggle. */
extern const struct pane_ops outpane_ops;

/* The search from the / prompt (in the focused pane): finds text,
 * case-insensitively, from the newest line shown back. */
void outpane_find(struct tui *t, const char *text);

/* n / N in the focused pane: the next older (dir > 0) or newer match. */
void outpane_find_next(struct tui *t, int dir);

/* The last search text, to start the prompt with. Owned by the pane. */
const char *outpane_find_text(const struct tui *t);

#endif
