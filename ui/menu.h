/* menu.h - pick-one-of-a-list overlays: the signal menu and the sort menu. */
#ifndef CONCMON_MENU_H
#define CONCMON_MENU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "act.h"
#include "tui.h"

enum menu_kind { MENU_SIGNAL, MENU_SORT, MENU_KIND_COUNT };

#define MENU_JUMP_MAX 16

/* An open menu: which one, where its cursor is, and what was typed to
 * jump (a signal number or a name prefix). The signal menu keeps the task
 * it was opened on: if that task is gone when a signal is chosen, the
 * signal goes nowhere, never to the row that took its place. */
struct menu {
	enum menu_kind kind;
	size_t cur, top;
	char jump[MENU_JUMP_MAX];
	size_t jlen;
	bool targeted;                  /* opened on the selected task, nothing tagged */
	pid_t target_tid;
	unsigned long long target_start;
	char target_who[ACT_WHO_MAX];   /* "1234 (sleep)" */
};

/* Opens a menu over the table; the cursor starts on SIGTERM or on the
 * current sort key. */
void menu_open(struct tui *t, enum menu_kind kind);

/* The open menu, a centred box over the table: keys move, jump, choose
 * or cancel. Pushed by menu_open. */
extern const struct tui_mode menu_mode;

#endif
