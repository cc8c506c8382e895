/* act.h - actions on tasks through struct tui_actions, with the outcome
 * reported in the status line ("sent SIGSTOP to 1234 (sleep)", or why not). */
#ifndef CONCMON_ACT_H
#define CONCMON_ACT_H

#include <stddef.h>

#include "model/task.h"
#include "tui.h"

/* Sends sig to every tagged task, or to the selected one when none is
 * tagged. */
enum tui_reaction act_signal(struct tui *t, const struct tui_actions *a, int sig);

/* Terminates (SIGTERM, SIGKILL after the grace period) the tagged tasks,
 * or the selected one. */
enum tui_reaction act_terminate(struct tui *t, const struct tui_actions *a);

/* Launches a command line typed by the user. */
enum tui_reaction act_launch(struct tui *t, const struct tui_actions *a, const char *line);

/* Launches the demo called name; returns 0 or an errno value (said on the
 * status line either way). */
int act_launch_demo(struct tui *t, const struct tui_actions *a, const char *name);

/* R: restarts the selected row's launched program with the same arguments
 * (a demo with its knobs' current values) through a->restart. */
enum tui_reaction act_restart(struct tui *t, const struct tui_actions *a);

/* Restarts program pid (what names it in messages), knob (unless NULL) at
 * value; says how it went. 0 (launched or under way) or an errno value. */
int act_restart_program(struct tui *t, const struct tui_actions *a, pid_t pid, const char *what,
			const char *knob, long value);

/* Room for a sanitized comm (each byte may become \xNN) and for
 * "1234 (name)" built from it. */
#define ACT_NAME_MAX (4 * TASK_COMM_MAX + 8)
#define ACT_WHO_MAX (ACT_NAME_MAX + 24)

/* "1234 (sleep)" with the name made safe to print; buf of ACT_WHO_MAX. */
void act_describe(const struct task *k, char *buf, size_t len);

/* "SIGTERM", or "signal 42" for a number missing from the table. */
void act_signame(int sig, char *buf, size_t len);

#endif
