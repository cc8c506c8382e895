/* setup.h - the setup screen (S, as in htop): the table's columns and
 * their order, the sort, and the display settings, each applied at once
 * and saved to concmonrc on w through struct tui_settings_ops. */
#ifndef CONCMON_SETUP_H
#define CONCMON_SETUP_H

#include <stddef.h>

#include "tui.h"

struct setup *setup_new(void);
void setup_free(struct setup *s);

/* Opens the setup screen (or says why not: no settings in a replay). */
enum tui_reaction setup_open(struct tui *t);

/* The setup screen; Esc, q or F10 close it. */
extern const struct tui_mode setup_mode;

/* For the prompt that types a setting's value (PROMPT_SETTING): its label,
 * the value it starts with, and what Enter does with the text. */
void setup_prompt_label(const struct tui *t, char *buf, size_t len);
void setup_prompt_prefill(const struct tui *t, char *buf, size_t len);
enum tui_reaction setup_typed(struct tui *t, const char *text);

#endif
