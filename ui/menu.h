/* menu.h - pick-one-of-a-list overlays: the signal menu and the sort menu. */
#ifndef CONCMON_MENU_H
#define CONCMON_MENU_H

#include "tui.h"

enum menu_kind { MENU_SIGNAL, MENU_SORT, MENU_KIND_COUNT };

/* What an open menu keeps; free with menu_free. */
struct menu *menu_new(void);
void menu_free(struct menu *m);

/* Opens a menu over the table; the cursor starts on SIGTERM or on the
 * current sort key. */
void menu_open(struct tui *t, enum menu_kind kind);

/* The open menu, a centred box over the table: keys move, jump, choose
 * or cancel. Pushed by menu_open. */
extern const struct tui_mode menu_mode;

#endif
