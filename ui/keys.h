/* keys.h - THE key table: every key of the table view, its label, what it
 * does, and its handler. The help screen, the key bar and tui_print_keys
 * are all generated from it. */
#ifndef CONCMON_KEYS_H
#define CONCMON_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "tui.h"

/* Handles one key in the table view (no menu, prompt or help open). */
enum tui_reaction keys_dispatch(struct tui *t, const struct tui_actions *a, int ch);

/* Prints the key table, one help line per key (--list-keys, the man page). */
void keys_print(FILE *fp);

/* Number of entries in the key table. */
size_t keys_count(void);

/* Entry i as one help line: "F9 K          Kill      signal menu...". */
void keys_help_line(size_t i, char *buf, size_t len);

/* Draws the bottom key bar ("F1Help F3Search ...") on line y. */
void keys_draw_bar(const struct tui *t, int y);

/* The key whose entry the bar (as keys_draw_bar draws it) shows at column
 * x, or 0: a click there runs it. */
int keys_bar_at(int x);

/* A key code as the help writes it: "F9", "Up", "Ctrl-L", "Space", "q". */
void keys_name(int ch, char *buf, size_t len);

#endif
