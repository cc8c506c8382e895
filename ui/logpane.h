/* logpane.h - the lifecycle event log pane (e): every event of the
 * supervised tree, newest at the bottom, following the end unless scrolled
 * back; filtered by PID (#) or following the selected task (f). */
#ifndef CONCMON_LOGPANE_H
#define CONCMON_LOGPANE_H

#include <stdbool.h>

#include "panes.h"

/* Events the pane keeps (as many as the model's ring). */
#define LOGPANE_KEEP 4096
#define LOGPANE_FIND_MAX 128

/* Its copy of the newest events, filter and scroll position; free with
 * logpane_free. */
struct logpane *logpane_new(void);
void logpane_free(struct logpane *l);

/* The pane, for panes_toggle. */
extern const struct pane_ops logpane_ops;

/* f: the log follows the selected task (its PID and threads), or stops;
 * opens the pane. */
enum tui_reaction logpane_follow(struct tui *t);

/* The filter from the # prompt: a PID, or empty/0 for every event; opens
 * the pane. Returns false (and says why on the status line) for anything
 * else. */
bool logpane_set_pid(struct tui *t, const char *text);

/* The search from the / prompt (in the focused pane): finds text,
 * case-insensitively, from the newest line shown back. */
void logpane_find(struct tui *t, const char *text);

/* n / N in the focused pane: the next older (dir > 0) or newer match. */
void logpane_find_next(struct tui *t, int dir);

/* The last search text, to start the prompt with. Owned by the pane. */
const char *logpane_find_text(const struct tui *t);

#endif
