/* restart.h - restart policies for launched programs (never, on-failure,
 * always), their exponential backoff and their limit. The decision is a
 * pure function: the caller keeps the counts and the clock. */
#ifndef CONCMON_RESTART_H
#define CONCMON_RESTART_H

#include <stdbool.h>
#include <stddef.h>

enum restart_policy { RESTART_NEVER, RESTART_ON_FAILURE, RESTART_ALWAYS };

/* The first wait before a restart, its ceiling (it doubles each time), and
 * how long a program must have run for the next wait to start over. */
#define RESTART_BACKOFF_FIRST 1.0
#define RESTART_BACKOFF_MAX 60.0
#define RESTART_STABLE 10.0

/* A policy and its limit: at most max restarts, 0 for no limit. */
struct restart_spec {
	enum restart_policy policy;
	unsigned max;
};

/* A program's policy and what it has used of it: restarts so far, and
 * streak, the restarts since it last ran stably (the backoff's exponent). */
struct restart_state {
	struct restart_spec spec;
	unsigned restarts;
	unsigned streak;
};

/* "never", "on-failure" or "always", each with an optional ":MAX" (a
 * whole number from 1 to 1000000): 0, or -1 with a sentence in err. */
int restart_parse(const char *text, struct restart_spec *out, char *err, size_t errlen);

/* The policy's name as restart_parse reads it and JSON writes it. */
const char *restart_policy_name(enum restart_policy p);

/* A launch line that starts with "--restart=POLICY[:MAX] ": *line moves
 * past it, out gets the policy, 1. Not that prefix: 0. A bad policy: -1
 * with a sentence in err. */
int restart_prefix(const char **line, struct restart_spec *out, char *err, size_t errlen);

/* What to do when a program ended. */
struct restart_decision {
	bool restart;          /* launch it again after delay seconds */
	bool given_up;         /* it would have been restarted but has used up its max */
	double delay;
	unsigned streak;       /* the program's streak from now on */
};

/* The decision for a program of policy s that ended with exit code code
 * (or was killed by signal sig, then code is -1), by_user when concmon
 * stopped it (a user's terminate, kill or quit: never restarted), after
 * restarts restarts, streak of them since it last ran stably, and having
 * run ran seconds this time. */
struct restart_decision restart_decide(const struct restart_spec *s, int code, int sig,
				       bool by_user, unsigned restarts, unsigned streak, double ran);

#endif
