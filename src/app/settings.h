/* settings.h - concmonrc at start: where it is, reading it, and giving each
 * setting to the place its command-line option (or key) goes. The order is
 * built-in defaults < concmonrc < command line. */
#ifndef CONCMON_SETTINGS_H
#define CONCMON_SETTINGS_H

#include <stddef.h>

#include "app/options.h"

struct config;
struct lifecycle;
struct tui;

/* Reads the settings file (--config FILE, else the default place) over the
 * defaults; with --no-config reads nothing. Never NULL: free with
 * config_free. *path gets the file's name to save to (malloc'd; NULL with
 * --no-config or when no place is known). warn gets one message for
 * everything wrong with the file, "" when nothing is. */
struct config *settings_load(const struct options *o, char **path, char *warn, size_t len);

/* The options the command line did not give take the file's values
 * (delay, all, theme, linger, mouse, columns, sort, restart); the
 * file's restart policy becomes the default of later launches too. */
void settings_apply_options(const struct config *c, struct options *o);

/* The view starts as the file says (tree, threads, layout, panes, trace,
 * meters shown or hidden);
 * a mismatch between the two name lists is said in the status line. */
void settings_apply_tui(const struct config *c, struct tui *t);

/* Gives the TUI's setup screen (S) the settings c: a change goes to c and
 * to what the model keeps of it (o->linger, lc, the default restart
 * policy); saving writes c to path (NULL: says why not). Everything must
 * outlive t. */
void settings_attach(struct tui *t, struct config *c, const char *path, struct options *o,
		     struct lifecycle *lc);

#endif
