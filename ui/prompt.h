/* prompt.h - a one-line editor on the status line, for launching a command
 * (:), searching (/), filtering (\), finding in the output pane (/ there)
 * the event log's PID filter (#), a knob's value (v) and a demo's knobs
 * before its launch (v in the demo menu), a setting's value (setup screen). */
#ifndef CONCMON_PROMPT_H
#define CONCMON_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tui.h"

enum prompt_kind { PROMPT_LAUNCH, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_FIND, PROMPT_LOGPID,
		   PROMPT_LOGFIND, PROMPT_KNOB, PROMPT_DEMO, PROMPT_SETTING, PROMPT_KIND_COUNT };

#define PROMPT_MAX 1024
#define PROMPT_HISTORY 32
/* The prefix Ctrl-T adds to a launch line: trace its locks. */
#define PROMPT_TRACE "--trace "

/* What one key did to the line being edited. */
enum prompt_edit {
	EDIT_NONE,      /* key not for the editor */
	EDIT_MOVED,     /* cursor moved, text unchanged */
	EDIT_CHANGED,   /* text changed */
	EDIT_ENTER,
	EDIT_CANCEL,
};

/* The line being edited and the launch history; free with prompt_free. */
struct prompt *prompt_new(void);

/* Opens the prompt of that kind on the status line. */
void prompt_open(struct tui *t, enum prompt_kind kind);

/* The open prompt, on the status line over the table. Pushed by
 * prompt_open; Enter and Esc close it. */
extern const struct tui_mode prompt_mode;

/* Applies one key to the line (insert, delete, move, history). Pure
 * editing: knows nothing of what the line is for. */
enum prompt_edit prompt_edit(struct prompt *p, int ch);

/* on: the launch prompt opens with PROMPT_TRACE typed (concmonrc trace=). */
void prompt_set_trace(struct prompt *p, bool on);

/* Frees the history and p. Safe on NULL. */
void prompt_free(struct prompt *p);

#endif
