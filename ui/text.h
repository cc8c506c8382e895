/* text.h - drawing strings by screen columns, clipped, never wrapping. */
#ifndef CONCMON_TEXT_H
#define CONCMON_TEXT_H

#include <curses.h>
#include <stddef.h>

/* Draws s at (y, x) with attribute a, using at most maxw columns and never
 * past the right edge of the screen (of the region, see text_region).
 * Anything a terminal could interpret (control characters, invalid UTF-8,
 * bidi overrides) is drawn as '?'.
 * Returns the columns used; off-screen positions draw nothing. */
int text_put(int y, int x, const char *s, int maxw, attr_t a);

/* From now on x counts from screen column x0 and the right edge is
 * x0 + width (a pane in a column); text_region_reset: the whole screen. */
void text_region(int x0, int width);
void text_region_reset(void);

/* Width of the region drawn in: COLS when none is set. */
int text_cols(void);

/* Draws a vertical line of n rows from (y, x) in attribute a, clipped. */
void text_vline(int y, int x, int n, attr_t a);

/* Columns s would take when drawn by text_put (no limit). */
int text_width(const char *s);

/* Columns the first len bytes of s take. */
int text_width_n(const char *s, size_t len);

/* Fills n columns from (y, x) with spaces in attribute a, clipped. */
void text_fill(int y, int x, int n, attr_t a);

/* How many of the first len bytes of s fit in width columns, broken after
 * the last space when not all fit (mid-word when a word is wider than the
 * line); 0 when even the first character is wider. */
size_t text_fit(const char *s, size_t len, int width);

/* Formats a size in KiB as "812K", "12.3M", "1.2G" into buf. */
void text_human_kb(unsigned long kb, char *buf, size_t len);

#endif
