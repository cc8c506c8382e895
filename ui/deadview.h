/* deadview.h - deadlocks on screen: the red banner naming the first cycle
 * and the full-screen view (D) of every cycle. Draws t->deadlocks only. */
#ifndef CONCMON_DEADVIEW_H
#define CONCMON_DEADVIEW_H

#include <stddef.h>

#include "model/deadlock.h"
#include "tui.h"

/* Cycles found at the last refresh (0 when none or none searched). */
size_t deadview_count(const struct tui *t);

/* One cycle as a sentence: "T 4512 (philosopher-1) holds fork-1, waits for
 * fork-2 <- held by T 4513 (philosopher-2), which waits for fork-1". Raw
 * names from the program: draw it with text_put. Always NUL-terminated. */
void deadview_sentence(const struct deadlock *c, char *buf, size_t len);

/* Lines the banner takes now: 0 without a deadlock, 2 when the sentence
 * is wider than the screen (and the screen tall enough), else 1. */
int deadview_banner_lines(const struct tui *t);

/* Draws the banner from line y (red, deadview_banner_lines of them): the
 * first cycle, wrapped at a space, then "(+N more, press D)". */
void deadview_banner(const struct tui *t, int y);

/* D: the full-screen view of every cycle. Up/Down/PgUp/PgDn scroll, any
 * other key closes it. */
extern const struct tui_mode deadview_mode;

#endif
