/* demomenu.h - the demo launch menu: the catalogue of `concmon-demo
 * --list` grouped by topic, one line each with its description; Enter
 * launches the demo under concmon through tui_actions.launch_demo. */
#ifndef CONCMON_DEMOMENU_H
#define CONCMON_DEMOMENU_H

#include <stddef.h>

#include "tui.h"

/* The menu's rows and cursor. A row >= 0 is a demo index; a row < 0 is
 * the heading of the group of demo -row - 1. */
struct demomenu {
	long *rows;
	size_t nrows;
	size_t cur, top;        /* cur is always a demo row when there is one */
};

/* Opens the menu over the table. */
void demomenu_open(struct tui *t);

/* Handles one key while the menu is open. */
enum tui_reaction demomenu_key(struct tui *t, const struct tui_actions *a, int ch);

/* Draws the menu over every line but the status line. */
void demomenu_draw(struct tui *t);

/* Frees the rows. */
void demomenu_free(struct demomenu *m);

#endif
