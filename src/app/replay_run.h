/* replay_run.h - concmon --replay FILE: a recording shown instead of the
 * live tree. */
#ifndef CONCMON_REPLAY_RUN_H
#define CONCMON_REPLAY_RUN_H

#include "app/options.h"

/* With --batch, prints every recorded snapshot as live batch mode would
 * have (JSON or text; -n N stops after N); returns the exit status. */
int replay_run_batch(const struct options *o);

/* Without --batch: the TUI on the recording, read-only, with keys to seek
 * (Left, Right, g, G, z, L); returns the exit status. */
int replay_run_tui(const struct options *o);

#endif
