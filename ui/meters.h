/* meters.h - the system meters above the header, as htop draws them: a
 * bar per core (user, system, iowait, steal coloured), Mem and Swp bars,
 * tasks, load average and uptime. On a small screen they shrink to one
 * compact line, on a very short one they hide; m hides them too. The view
 * keeps a copy of the model's reading (ui/ never reads /proc). */
#ifndef CONCMON_METERS_H
#define CONCMON_METERS_H

#include <stdbool.h>

#include "kernel/sysmeter.h"

struct meters;
struct tui;

/* Aborts on allocation failure. */
struct meters *meters_new(void);
void meters_free(struct meters *m);

/* Copies reading r (NULL: no meters, they take no line). */
void meters_set(struct meters *m, const struct sysmeter_reading *r);

/* Whether there is a reading to show (none with --no-meters). */
bool meters_available(const struct meters *m);

/* Shows or hides the meters; returns whether they are shown now. */
bool meters_toggle(struct meters *m);

/* Whether they are shown (not hidden by m or the setup screen). */
bool meters_shown(const struct meters *m);

/* Lines the meters take at the present screen size (0: hidden). */
int meters_lines(const struct tui *t);

/* Draws them on lines y .. y + meters_lines() - 1. */
void meters_draw(const struct tui *t, int y);

#endif
