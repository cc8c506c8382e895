/* text.c - column-exact, clipped string drawing.
 * waddstr wraps at the right edge and counts bytes, not columns; every
 * string in concmon goes through here so a long command line or a wide
 * character can never spill onto the next row or past the screen. */
#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* Characters that are printable by wcwidth's standards but reorder or hide
 * text on a terminal: bidi controls and zero-width joiners/marks. */
static bool text_hostile(wchar_t wc)
{
	return (wc >= 0x200b && wc <= 0x200f) || (wc >= 0x202a && wc <= 0x202e) ||
	       (wc >= 0x2066 && wc <= 0x2069) || wc == 0xfeff;
}

/* Decodes one character at p (len bytes left): its byte length, its width,
 * and whether it must be replaced by '?'. Never returns a length of 0. */
static size_t text_next(const char *p, size_t left, int *width, bool *bad)
{
	unsigned char c = (unsigned char)*p;
	*bad = false;
	*width = 1;
	if (c < 0x80) {
		*bad = c < 0x20 || c == 0x7f;
		return 1;
	}
	if (MB_CUR_MAX == 1) {      /* not a UTF-8 locale: show bytes as '?' */
		*bad = true;
		return 1;
	}
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t n = mbrtowc(&wc, p, left, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*bad = true;
		return 1;
	}
	int w = wcwidth(wc);
	if (w < 0 || !iswprint((wint_t)wc) || text_hostile(wc)) {
		*bad = true;
		return n;
	}
	*width = w;
	return n;
}

/* The horizontal region x is counted in (a pane's column): its first
 * screen column and its width; width < 0: the whole screen. */
static int region_x0 = 0, region_w = -1;

void text_region(int x0, int width)
{
	region_x0 = x0 < 0 ? 0 : x0;
	region_w = width < 0 ? 0 : width;
}

void text_region_reset(void)
{
	region_x0 = 0;
	region_w = -1;
}

int text_cols(void)
{
	if (region_w < 0)
		return COLS;
	/* A region reaching past a screen that shrank ends at the screen's edge. */
	int w = COLS - region_x0;
	return region_w < w ? region_w : w > 0 ? w : 0;
}

int text_put(int y, int x, const char *s, int maxw, attr_t a)
{
	int limit = text_cols() - x;
	if (maxw < limit)
		limit = maxw;
	if (y < 0 || y >= LINES || x < 0 || limit <= 0 || !s)
		return 0;
	attrset(a);
	move(y, region_x0 + x);
	size_t left = strlen(s);
	const char *p = s;
	int used = 0;
	while (left > 0) {
		int w;
		bool bad;
		size_t n = text_next(p, left, &w, &bad);
		if (used + w > limit)
			break;
		if (bad)
			addch('?');
		else
			addnstr(p, (int)n);
		used += w;
		p += n;
		left -= n;
	}
	attrset(A_NORMAL);
	return used;
}

int text_width_n(const char *s, size_t len)
{
	int cols = 0;
	while (len > 0) {
		int w;
		bool bad;
		size_t n = text_next(s, len, &w, &bad);
		cols += w;
		s += n;
		len -= n;
	}
	return cols;
}

int text_width(const char *s)
{
	return text_width_n(s, strlen(s));
}

void text_fill(int y, int x, int n, attr_t a)
{
	int cols = text_cols();
	if (y < 0 || y >= LINES || x < 0 || x >= cols)
		return;
	if (n > cols - x)
		n = cols - x;
	if (n <= 0)
		return;
	/* hline takes the attribute with the character, not from attrset. */
	mvhline(y, region_x0 + x, (chtype)' ' | a, n);
}

void text_vline(int y, int x, int n, attr_t a)
{
	int cols = text_cols();
	if (x < 0 || x >= cols || y < 0)
		return;
	if (n > LINES - y)
		n = LINES - y;
	if (n > 0)
		mvvline(y, region_x0 + x, ACS_VLINE | a, n);
}

void text_human_kb(unsigned long kb, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)kb;
	size_t u = 0;
	while (v >= 1000.0 && u + 1 < sizeof units - 1) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%luK", kb);
	else
		snprintf(buf, len, v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

size_t text_fit(const char *s, size_t len, int width)
{
	size_t take = 0, space = 0;
	while (take < len) {
		size_t next = take + 1;
		while (next < len && ((unsigned char)s[next] & 0xc0) == 0x80)
			next++;
		if (text_width_n(s, next) > width)
			break;
		take = next;
		if (s[take - 1] == ' ')
			space = take;
	}
	return take < len && space > 0 ? space : take;
}
