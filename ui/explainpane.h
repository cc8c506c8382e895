/* explainpane.h - the explanation pane (E): what the selected row is, in
 * sentences (src/explain.c writes them), wrapped to the screen, with the
 * lesson of the demo it belongs to; scrolls when focused. */
#ifndef CONCMON_EXPLAINPANE_H
#define CONCMON_EXPLAINPANE_H

#include "panes.h"

/* Its scroll position; free with explainpane_free. */
struct explainpane *explainpane_new(void);
void explainpane_free(struct explainpane *e);

/* The pane, for panes_toggle. */
extern const struct pane_ops explainpane_ops;

#endif
