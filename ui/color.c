/* color.c - resolves colour roles to curses attributes, once at start. */
#include "color.h"

#include <stdbool.h>

/* The terminal's own foreground/background (use_default_colors), and grey,
 * which is colour 8 on 16+ colour terminals and bold black on 8. */
#define FG_DEFAULT (-1)
#define BG_DEFAULT (-1)
#define FG_GREY (-2)

struct color_def {
	short fg, bg;
	attr_t attr;    /* added to the colour pair */
	attr_t mono;    /* used instead when there is no colour */
};

static const struct color_def color_table[UI_COLOR_COUNT] = {
	[UI_NORMAL] = { FG_DEFAULT, BG_DEFAULT, A_NORMAL, A_NORMAL },
	[UI_HEADER] = { COLOR_CYAN, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_HEADER_MODE] = { COLOR_YELLOW, BG_DEFAULT, A_NORMAL, A_NORMAL },
	[UI_TITLE] = { COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
	[UI_TITLE_SORT] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD },
	[UI_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[UI_TAGGED] = { COLOR_YELLOW, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_RUN] = { COLOR_GREEN, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_DISK] = { COLOR_MAGENTA, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_STOP] = { COLOR_YELLOW, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_ZOMBIE] = { COLOR_RED, BG_DEFAULT, A_BOLD, A_BOLD | A_UNDERLINE },
	[UI_GREY] = { FG_GREY, BG_DEFAULT, A_NORMAL, A_DIM },
	[UI_THREAD] = { COLOR_GREEN, BG_DEFAULT, A_NORMAL, A_NORMAL },
	[UI_ORPHAN] = { COLOR_MAGENTA, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_ERROR] = { COLOR_RED, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_BAR_KEY] = { FG_DEFAULT, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_BAR_LABEL] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[UI_MENU] = { FG_DEFAULT, BG_DEFAULT, A_NORMAL, A_NORMAL },
	[UI_MENU_SEL] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
};

/* Without use_default_colors "-1" is not a colour: fall back to white on
 * black, which is what most terminals show by default anyway. */
static short color_resolve(short c, bool defaults, bool fg)
{
	if (c == FG_GREY)
		return COLORS >= 16 ? 8 : COLOR_BLACK;
	if (c < 0 && !defaults)
		return fg ? COLOR_WHITE : COLOR_BLACK;
	return c;
}

void color_init(attr_t out[UI_COLOR_COUNT])
{
	bool colour = has_colors() && start_color() == OK && COLOR_PAIRS > UI_COLOR_COUNT;
	bool defaults = colour && use_default_colors() == OK;

	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		const struct color_def *d = &color_table[i];
		if (!colour) {
			out[i] = d->mono;
			continue;
		}
		short fg = color_resolve(d->fg, defaults, true);
		short bg = color_resolve(d->bg, defaults, false);
		attr_t extra = d->attr;
		/* On 8 colours, grey is "bright black": needs bold to show. */
		if (d->fg == FG_GREY && COLORS < 16)
			extra |= A_BOLD;
		if (i == UI_NORMAL) {
			out[i] = A_NORMAL;
			continue;
		}
		init_pair((short)i, fg, bg);
		out[i] = COLOR_PAIR(i) | extra;
	}
}
