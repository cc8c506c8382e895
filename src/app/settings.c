/* settings.c - concmonrc at start: read it, then apply each setting where
 * the command line's option for it goes (the command line wins). A new
 * setting is a row in config.c plus one line here. */
#include "app/settings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app/config.h"
#include "model/lifecycle.h"
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
		.meters = config_bool(c, "meters"),   /* --no-meters reads none at all */
	};
	s.npanes = config_list(c, "panes", s.panes, sizeof s.panes / sizeof s.panes[0]);
	const char *bad;
	if (!tui_configure(t, &s, &bad))
		tui_status(t, "concmonrc: the view has no '%s' (internal mismatch)", bad);
}

/* ---- the setup screen's view of the settings ---------------------------- */

/* One TUI per run: its settings, the file, and what the model keeps. */
static struct {
	struct config *config;
	const char *path;
	struct options *opt;
	struct lifecycle *lc;
} settings_live;

static const struct config_info *settings_info_of(const char *name)
{
	for (size_t i = 0; i < config_count(); i++)
		if (strcmp(config_info(i)->name, name) == 0)
			return config_info(i);
	return NULL;
}

static bool settings_info(void *ctx, const char *name, struct tui_setting_info *out)
{
	(void)ctx;
	const struct config_info *in = settings_info_of(name);
	static const enum tui_setting_type types[] = {
		[CONFIG_BOOL] = TUI_SETTING_BOOL, [CONFIG_NUMBER] = TUI_SETTING_NUMBER,
		[CONFIG_ENUM] = TUI_SETTING_ENUM, [CONFIG_LIST] = TUI_SETTING_TEXT,
		[CONFIG_TEXT] = TUI_SETTING_TEXT,
	};
	if (!in)
		return false;
	*out = (struct tui_setting_info){ types[in->type], in->choices, in->min, in->max, in->help };
	return true;
}

static bool settings_get(void *ctx, const char *name, char *buf, size_t len)
{
	(void)ctx;
	return config_get(settings_live.config, name, buf, len);
}

/* The model's part of a change: the view does the rest (ui/setup.c). */
static int settings_set(void *ctx, const char *name, const char *value, char *err, size_t errlen)
{
	(void)ctx;
	if (config_set(settings_live.config, name, value, err, errlen) < 0)
		return -1;
	if (strcmp(name, "linger") == 0) {
		settings_live.opt->linger = config_number(settings_live.config, "linger");
		lifecycle_set_linger(settings_live.lc, settings_live.opt->linger);
	} else if (strcmp(name, "restart") == 0) {
		struct restart_spec r;
		if (restart_parse(config_text(settings_live.config, "restart"), &r, err, errlen) == 0)
			relaunch_set_default_policy(&r);
	}
	return 0;
}

static int settings_save(void *ctx, char *msg, size_t len)
{
	(void)ctx;
	char err[512];
	if (!settings_live.path)
		return util_fail(-1, msg, len, "%s", settings_live.opt->no_config ?
				 "--no-config: not saved (the changes stay for this session)" :
				 "not saved: no place for concmonrc (neither XDG_CONFIG_HOME nor "
				 "HOME is set)");
	if (config_save(settings_live.config, settings_live.path, err, sizeof err) < 0)
		return util_fail(-1, msg, len, "not saved: %s", err);
	snprintf(msg, len, "settings saved to %s", settings_live.path);
	return 0;
}

void settings_attach(struct tui *t, struct config *c, const char *path, struct options *o,
		     struct lifecycle *lc)
{
	static const struct tui_settings_ops ops = {
		.info = settings_info, .get = settings_get, .set = settings_set,
		.save = settings_save,
	};
	settings_live.config = c;
	settings_live.path = path;
	settings_live.opt = o;
	settings_live.lc = lc;
	tui_set_settings(t, &ops);
}
