/* settings.c - concmonrc at start: read it, then apply each setting where
 * the command line's option for it goes (the command line wins). A new
 * setting is a row in config.c plus one line here. */
#include "app/settings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/config.h"
#include "model/tasksort.h"
#include "supervise/relaunch.h"
#include "supervise/restart.h"
#include "tui.h"
#include "util/util.h"

struct config *settings_load(const struct options *o, char **path, char *warn, size_t len)
{
	struct config *c = config_new();
	char where[4096];
	*path = NULL;
	warn[0] = '\0';
	if (o->no_config)
		return c;
	if (o->config)
		snprintf(where, sizeof where, "%s", o->config);
	else if (config_default_path(where, sizeof where) < 0)
		return c;   /* no HOME: nowhere to read or save */
	*path = xstrdup(where);
	struct stat st;
	/* The default file is optional; one named on the command line should exist. */
	if (o->config && stat(where, &st) < 0 && errno == ENOENT) {
		snprintf(warn, len, "%s: no such file (defaults used; saving would create it)", where);
		return c;
	}
	config_load(c, where, warn, len);
	return c;
}

/* o->columns points here when the file gave the list (one options per run). */
static char settings_columns[CONFIG_TEXT_MAX];

/* columns and sort, as --columns and --sort would set them. The defaults
 * stay "not given" (NULL, -1), so that batch mode reads no extra facts. */
static void settings_apply_table(const struct config *c, struct options *o)
{
	if (!options_given(o, "columns") && config_is_set(c, "columns")) {
		snprintf(settings_columns, sizeof settings_columns, "%s", config_text(c, "columns"));
		o->columns = settings_columns;
	}
	if (!options_given(o, "sort") && config_is_set(c, "sort")) {
		const char *s = config_text(c, "sort");   /* checked: [-]COLUMN */
		o->sort_desc = s[0] == '-';
		o->sort = tasksort_parse(s + o->sort_desc);
	}
}

/* The file's policy is the default of every launch that names none: the
 * TUI's and the control socket's, and, when the command line gave no
 * --restart, its --demo and COMMAND. */
static void settings_apply_restart(const struct config *c, struct options *o)
{
	struct restart_spec r;
	char err[256];
	if (restart_parse(config_text(c, "restart"), &r, err, sizeof err) < 0)
		return;   /* config checked it: cannot happen */
	relaunch_set_default_policy(&r);
	if (options_given(o, "restart"))
		return;
	o->restart = o->command_restart = r;
	for (size_t i = 0; i < o->ndemos; i++)
		o->demo_restart[i] = r;
}

void settings_apply_options(const struct config *c, struct options *o)
{
	if (!options_given(o, "delay"))
		o->delay = config_number(c, "delay");
	if (!options_given(o, "all"))
		o->all = config_bool(c, "all");
	if (!options_given(o, "theme"))
		o->theme = config_enum(c, "theme");
	if (!options_given(o, "linger"))
		o->linger = config_number(c, "linger");
	if (!options_given(o, "no-mouse"))
		o->no_mouse = !config_bool(c, "mouse");
	if (!options_given(o, "no-meters"))
		o->no_meters = !config_bool(c, "meters");
	settings_apply_table(c, o);
	settings_apply_restart(c, o);
}

void settings_apply_tui(const struct config *c, struct tui *t)
{
	struct tui_start s = {
		.tree = config_bool(c, "tree"),
		.threads = config_bool(c, "threads"),
		.trace = config_bool(c, "trace"),
		.layout = config_enum(c, "layout"),
	};
	s.npanes = config_list(c, "panes", s.panes, sizeof s.panes / sizeof s.panes[0]);
	const char *bad;
	if (!tui_configure(t, &s, &bad))
		tui_status(t, "concmonrc: the view has no '%s' (internal mismatch)", bad);
}
