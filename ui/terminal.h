/* terminal.h - can curses drive this terminal? Checked before newterm so a
 * bad TERM is a message, not a dead program. */
#ifndef CONCMON_TERMINAL_H
#define CONCMON_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

/* True when stdin and stdout are terminals and TERM names a terminal that
 * can move the cursor; else false with the reason in err. Leaves the
 * terminal untouched either way. */
bool terminal_usable(char *err, size_t errlen);

#endif
