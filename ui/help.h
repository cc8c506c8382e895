/* help.h - the full-screen help, generated from the key table and the
 * state table. */
#ifndef CONCMON_HELP_H
#define CONCMON_HELP_H

#include "tui.h"

/* The full-screen help: scroll keys scroll when it is taller than the
 * screen; any other key closes it. */
extern const struct tui_mode help_mode;

#endif
