/* settings.c - concmonrc at start: read it, then apply each setting where
 * the command line's option for it goes (the command line wins). A new
 * setting is a row in config.c plus one line here. */
#include "app/settings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/config.h"
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

void settings_apply_options(const struct config *c, struct options *o)
{
	if (!options_given(o, "delay"))
		o->delay = config_number(c, "delay");
	if (!options_given(o, "all"))
		o->all = config_bool(c, "all");
	if (!options_given(o, "theme"))
		o->theme = config_enum(c, "theme");
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
