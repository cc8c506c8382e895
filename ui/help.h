/* help.h - the full-screen help, generated from the key table and the
 * state table. */
#ifndef CONCMON_HELP_H
#define CONCMON_HELP_H

#include "tui.h"

/* Draws the help over the whole screen. */
void help_draw(struct tui *t);

/* Scroll keys scroll when the help is taller than the screen; any other
 * key closes it. */
enum tui_reaction help_key(struct tui *t, int ch);

#endif
