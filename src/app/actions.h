/* actions.h - what a user asks concmon to do, by key (the TUI's actions)
 * or by batch command on stdin: signal, terminate, launch, restart, turn a
 * knob, record. */
#ifndef CONCMON_ACTIONS_H
#define CONCMON_ACTIONS_H

#include <stddef.h>

#include "app/app.h"
#include "supervise/restart.h"
#include "tui.h"

/* The TUI's actions, each working on a. */
void actions_fill(struct app *a, struct tui_actions *out);

/* Launches argv (traced with --trace), the command line line (traced when
 * it starts with "--trace "), or the demo spec demo, with restart policy
 * rs (NULL: a leading "--restart=POLICY[:MAX] " of line or demo, else the
 * default): 0, or ENOEXEC or EINVAL (a bad policy) with the reason in err. */
int actions_launch(struct app *a, char *const argv[], const char *line, const char *demo,
		   const struct restart_state *rs, char *err, size_t errlen);

/* Launches the restarts of restart policies that are due; returns seconds
 * until the next one, -1 when none is planned. */
double actions_restart_due(struct app *a);

/* Launches the restarts whose old program has now been reaped. */
void actions_relaunch_due(struct app *a);

/* Batch mode: runs every complete command line waiting on stdin. */
void actions_read_commands(struct app *a);

#endif
