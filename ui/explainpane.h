/* explainpane.h - the explanation pane (E): what the selected row is, in
 * sentences (src/explain.c writes them), wrapped to the screen, with the
 * lesson of the demo it belongs to; scrolls when focused. */
#ifndef CONCMON_EXPLAINPANE_H
#define CONCMON_EXPLAINPANE_H

#include <stddef.h>

#include "panes.h"

/* Its scroll position; free with explainpane_free. */
struct explainpane *explainpane_new(void);
void explainpane_free(struct explainpane *e);

/* Sanitizes each paragraph of text, wraps it to width columns (at spaces)
 * and calls fn (which may be NULL: counting) for each screen line; returns
 * the number of lines. The demo menu shows lessons with it too. */
typedef void explainpane_wrap_fn(void *arg, int line, const char *s, size_t len);
int explainpane_wrap(const char *text, int width, explainpane_wrap_fn *fn, void *arg);

/* The pane, for panes_toggle. */
extern const struct pane_ops explainpane_ops;

#endif
