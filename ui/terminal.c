/* terminal.c - the terminfo check. Kept apart because <term.h> defines macros
 * named lines, columns, tab... that would clash with ordinary code. */
#include "terminal.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>
#include <unistd.h>

bool terminal_usable(char *err, size_t errlen)
{
	const char *name = getenv("TERM");
	if (!isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "standard output is not a terminal (try --batch)");
		return false;
	}
	if (!isatty(STDIN_FILENO)) {
		snprintf(err, errlen, "standard input is not a terminal (try --batch)");
		return false;
	}
	if (!name || !name[0]) {
		snprintf(err, errlen, "TERM is not set (try TERM=xterm, or --batch)");
		return false;
	}
	/* With an errret pointer, setupterm reports instead of exiting. */
	int e = 0;
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK) {
		if (e == -1)
			snprintf(err, errlen, "no terminfo database found for TERM=%s", name);
		else if (e == 1)
			snprintf(err, errlen, "TERM=%s is a hardcopy terminal (try --batch)", name);
		else
			snprintf(err, errlen, "unknown terminal type TERM=%s (try TERM=xterm)", name);
		return false;
	}
	const char *cup = tigetstr("cup");
	bool moves = cup && cup != (const char *)-1;
	del_curterm(cur_term);     /* newterm loads its own */
	if (!moves) {
		snprintf(err, errlen, "terminal TERM=%s cannot move the cursor (try --batch)", name);
		return false;
	}
	return true;
}
