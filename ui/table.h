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

/* What a screen cell of the table mode shows (table_at). */
enum table_hit_kind { TABLE_HIT_NONE, TABLE_HIT_TITLE, TABLE_HIT_ROW };
struct table_hit {
	enum table_hit_kind what;
	size_t row;             /* TABLE_HIT_ROW: index into the rows */
	int sort;               /* TABLE_HIT_TITLE: the enum sort_key it shows, or -1 */
	const char *title;      /* TABLE_HIT_TITLE: the column's title (static) */
};

/* What (y, x) shows in the table as last drawn: a column title, a row, or
 * neither (the header, the banner, past the last row). */
struct table_hit table_at(const struct tui *t, int y, int x);

/* Column titles on line y and the rows below it, height lines in all. */
void table_draw(struct tui *t, int y, int height);

/* The table mode, at the bottom of the mode stack: the header, the
 * deadlock banner, the rows, the bottom panes and the status line; its keys
 * are the key table's (keys.h). */
extern const struct tui_mode table_mode;

#endif
