/* color.c - resolves colour roles to curses attributes, once at start:
 * the default table, the themes' changes to it, and NO_COLOR. */
#include "color.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
	[UI_METER_USER] = { COLOR_GREEN, BG_DEFAULT, A_BOLD, A_BOLD },
	[UI_METER_SYSTEM] = { COLOR_RED, BG_DEFAULT, A_BOLD, A_REVERSE },
	[UI_METER_IOWAIT] = { COLOR_BLUE, BG_DEFAULT, A_BOLD, A_UNDERLINE },
	[UI_METER_STEAL] = { COLOR_CYAN, BG_DEFAULT, A_NORMAL, A_NORMAL },
	[UI_METER_CACHE] = { COLOR_YELLOW, BG_DEFAULT, A_NORMAL, A_NORMAL },
};

/* A theme is the default table with some roles changed. */
struct color_change {
	enum ui_color role;
	struct color_def def;
};

/* projector: nothing faint. Grey text (command lines, exited rows) and the
 * mode are drawn in the terminal's own colour; yellow and cyan, which wash
 * out on a light screen, become bold default text or blue. */
static const struct color_change color_projector[] = {
	{ UI_HEADER, { FG_DEFAULT, BG_DEFAULT, A_BOLD, A_BOLD } },
	{ UI_HEADER_MODE, { FG_DEFAULT, BG_DEFAULT, A_BOLD, A_BOLD } },
	{ UI_TAGGED, { FG_DEFAULT, BG_DEFAULT, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE } },
	{ UI_STOP, { COLOR_BLUE, BG_DEFAULT, A_BOLD, A_BOLD } },
	{ UI_GREY, { FG_DEFAULT, BG_DEFAULT, A_NORMAL, A_NORMAL } },
	{ UI_THREAD, { COLOR_GREEN, BG_DEFAULT, A_BOLD, A_BOLD } },
	{ UI_METER_STEAL, { COLOR_BLUE, BG_DEFAULT, A_NORMAL, A_NORMAL } },
	{ UI_METER_CACHE, { COLOR_MAGENTA, BG_DEFAULT, A_NORMAL, A_NORMAL } },
};

static const struct color_theme {
	const char *name;
	const struct color_change *changes;
	size_t n;
	bool mono;      /* no colour pairs at all, as under NO_COLOR */
} color_themes[] = {
	{ "default", NULL, 0, false },
	{ "monochrome", NULL, 0, true },
	{ "projector", color_projector, sizeof color_projector / sizeof color_projector[0], false },
};

static const struct color_theme *color_theme_find(const char *name)
{
	for (size_t i = 0; i < sizeof color_themes / sizeof color_themes[0]; i++)
		if (strcmp(color_themes[i].name, name) == 0)
			return &color_themes[i];
	return NULL;
}

/* The look of role i under theme th. */
static const struct color_def *color_def_of(const struct color_theme *th, int i)
{
	for (size_t k = 0; k < th->n; k++)
		if ((int)th->changes[k].role == i)
			return &th->changes[k].def;
	return &color_table[i];
}

/* https://no-color.org: set and not empty means no colour. */
static bool color_refused(void)
{
	const char *v = getenv("NO_COLOR");
	return v && v[0];
}

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

bool color_init(attr_t out[UI_COLOR_COUNT], const char *theme)
{
	const struct color_theme *th = color_theme_find(theme ? theme : "default");
	if (!th)
		return false;
	bool colour = !th->mono && !color_refused() && has_colors() && start_color() == OK &&
		      COLOR_PAIRS > UI_COLOR_COUNT;
	bool defaults = colour && use_default_colors() == OK;

	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		const struct color_def *d = color_def_of(th, i);
		if (!colour || i == UI_NORMAL) {
			out[i] = colour ? A_NORMAL : d->mono;
			continue;
		}
		short fg = color_resolve(d->fg, defaults, true);
		short bg = color_resolve(d->bg, defaults, false);
		attr_t extra = d->attr;
		/* On 8 colours, grey is "bright black": needs bold to show. */
		if (d->fg == FG_GREY && COLORS < 16)
			extra |= A_BOLD;
		init_pair((short)i, fg, bg);
		out[i] = COLOR_PAIR(i) | extra;
	}
	return true;
}
