/* table.h - the header line, the column titles and the task rows. */
#ifndef CONCMON_TABLE_H
#define CONCMON_TABLE_H

#include <stddef.h>

#include "color.h"

struct tui;

/* One kernel state letter: how it is coloured and what it means. The same
 * table colours the S column and writes the legend in the help screen. */
struct table_state {
	char letter;
	enum ui_color color;
	const char *what;
};

/* The state table; *n receives its length. Static storage. */
const struct table_state *table_states(size_t *n);

/* Line 0: "concmon", the counts, the view mode and the refresh delay. */
void table_draw_header(const struct tui *t, int y);

/* Column titles on line y and the rows below it, height lines in all. */
void table_draw(struct tui *t, int y, int height);

/* The table mode, at the bottom of the mode stack: the header, the
 * deadlock banner, the rows, the bottom panes and the status line; its keys
 * are the key table's (keys.h). */
extern const struct tui_mode table_mode;

#endif
