/* peaks.c - see peaks.h. The kernel tells how many threads started and
 * ended, not how many there were: the previous snapshot's count is the
 * base the rise is added to. */
#include "model/peaks.h"

#include <stdlib.h>

#include "model/tasktree.h"
#include "util/util.h"

struct peaks {
	bool started;             /* a refresh has been seen */
	int threads, zombies;     /* the previous snapshot's counts */
	double time;              /* and when it was taken */
};

struct peaks *peaks_new(void)
{
	return xcalloc(1, sizeof(struct peaks));
}

void peaks_free(struct peaks *p)
{
	free(p);
}

static int most(int a, int b)
{
	return a > b ? a : b;
}

void peaks_refresh(struct peaks *p, const struct task *tasks, size_t n,
		   const struct kevents_peaks *k, double now, struct peak_frame *out)
{
	struct summary s;
	tasktree_summary(tasks, n, false, &s);
	*out = (struct peak_frame){ .known = k && p->started };
	if (out->known) {
		double span = now - p->time;
		out->threads = most(most(p->threads + k->thread_rise, s.threads), p->threads);
		out->zombies = most(most(k->zombies, s.zombies), p->zombies);
		out->forks_per_s = span > 0 ? k->forks / span : 0;
		out->exits_per_s = span > 0 ? k->exits / span : 0;
	}
	p->started = true;
	p->threads = s.threads;
	p->zombies = s.zombies;
	p->time = now;
}
