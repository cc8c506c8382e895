/* panels.h - the telemetry panels, a bottom pane (p): queues, locks, knobs
 * and published values of the program the selected task belongs to. The
 * panels draw what tui_set_programs handed over and a minute of queue
 * history they keep themselves; knobs are in panels_knobs.h, locks in
 * panels_locks.h. Open when concmon starts. */
#ifndef CONCMON_PANELS_H
#define CONCMON_PANELS_H

#include "panes.h"
#include "supervise/programs.h"

/* Queue history and the launch being waited for; free with panels_free. */
struct panels *panels_new(void);
void panels_free(struct panels *p);

/* The pane, for panes_switch. */
extern const struct pane_ops panels_ops;

/* p: opens or closes the panels and says what that shows. */
enum tui_reaction panels_toggle(struct tui *t);

/* After each tui_set_programs: queue history, and the row of a program
 * launched from the view gets selected once it shows up. */
void panels_published(struct tui *t);

/* Called before a launch (the newest program so far tells the new one
 * apart), and after one that failed. */
void panels_launching(struct tui *t);
void panels_launch_failed(struct tui *t);

/* The launched program the selected task descends from (through adopted
 * orphans' former parents too), or NULL. Valid until the next publish. */
const struct program *panels_owner(const struct tui *t);

/* The program whose panels are shown: the launched program the selected
 * task descends from, else the only program with telemetry, else NULL. */
const struct program *panels_program(const struct tui *t);

#endif
