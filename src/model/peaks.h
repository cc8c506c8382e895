/* peaks.h - what happened between two refreshes that a snapshot alone
 * misses: the most threads and unreaped zombies of the tree at once, and
 * forks and exits per second, from the kernel's events (kevents) anchored
 * on the snapshots. Without kernel events nothing is known, and nothing is
 * guessed. */
#ifndef CONCMON_PEAKS_H
#define CONCMON_PEAKS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/kevents.h"
#include "model/task.h"

/* One refresh's account of the time since the previous refresh. */
struct peak_frame {
	bool known;                     /* false: no kernel events, the rest is 0 */
	int threads, zombies;           /* most at once, never below either snapshot's */
	double forks_per_s, exits_per_s; /* processes */
};

struct peaks;

/* The account between refreshes. Aborts on allocation failure. */
struct peaks *peaks_new(void);
void peaks_free(struct peaks *p);

/* A refresh at now (monotonic seconds) whose snapshot holds tasks (the
 * supervised ones count); k: the kernel's period since the previous
 * refresh, NULL without kernel events. Fills out. */
void peaks_refresh(struct peaks *p, const struct task *tasks, size_t n,
		   const struct kevents_peaks *k, double now, struct peak_frame *out);

#endif
