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

/* The open menu, over every line but the status line, with the lesson of
 * the demo under the cursor below the list when there is room (l: the
 * lesson over the whole screen). Enter launches with the default knobs, v
 * asks for the knobs first (PROMPT_DEMO); Esc, q, F10, F2 and d close it. */
extern const struct tui_mode demomenu_mode;

/* PROMPT_DEMO's label ("Launch NAME with: ") and first text (the knobs'
 * defaults, "rate=5,sink_ms=0"). */
void demomenu_knobs_label(const struct tui *t, char *buf, size_t len);
void demomenu_knobs_prefill(const struct tui *t, char *buf, size_t len);

/* PROMPT_DEMO's Enter: checks each name=value (commas or spaces between)
 * against the catalogue, refusing an unknown knob or a value out of its
 * range with a message naming them, then launches the demo with them and
 * closes the menu. */
enum tui_reaction demomenu_launch_with(struct tui *t, const struct tui_actions *a, const char *text);

/* Frees the rows and m. Safe on NULL. */
void demomenu_free(struct demomenu *m);

#endif
