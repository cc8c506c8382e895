/* demomenu.h - the demo launch menu: the catalogue of `concmon-demo
 * --list` grouped by topic, one line each with its description; Enter
 * launches the demo under concmon through tui_actions.launch_demo. */
#ifndef CONCMON_DEMOMENU_H
#define CONCMON_DEMOMENU_H

#include <stddef.h>

#include "supervise/demolist.h"
#include "tui.h"

/* The menu's rows and cursor; free with demomenu_free. */
struct demomenu *demomenu_new(void);

/* Groups the catalogue d (n demos, kept by the caller) into the rows. */
void demomenu_set(struct demomenu *m, const struct demo_info *d, size_t n);

/* Opens the menu over the table. */
void demomenu_open(struct tui *t);

/* The open menu, over every line but the status line. Enter launches,
 * Esc, q, F10, F2 and d close it. */
extern const struct tui_mode demomenu_mode;

/* Frees the rows and m. Safe on NULL. */
void demomenu_free(struct demomenu *m);

#endif
