/* libFuzzer: a recording read back (--replay) is input from elsewhere: the
 * reader must refuse or read it, never read past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct replay *r = replay_open_mem(data, size, err, sizeof err);
	if (!r)
		return 0;
	size_t n = replay_count(r);
	for (size_t i = 0; i < n; i++) {
		struct replay_frame f;
		if (replay_frame(r, i, &f, err, sizeof err) < 0)
			continue;
		for (size_t k = 0; k < f.ntasks; k++) {
			const char *w = replay_wait(r, f.tasks[k].tid);
			volatile size_t len = (w ? strlen(w) : 0) + strlen(f.tasks[k].cmdline) +
					      strlen(f.tasks[k].comm);
			(void)len;
		}
		/* The programs and rings as a replay hands them on. */
		for (size_t k = 0; k < f.nprograms; k++) {
			const struct program *p = &f.programs[k];
			volatile size_t len = strlen(p->name) + (p->demo ? strlen(p->demo) : 0) +
					      strlen(p->sight) + strlen(p->sight_why) + strlen(p->error);
			(void)len;
		}
		struct deadlocks *d = deadlocks_new();
		deadlocks_load(d, f.programs, f.nprograms, f.links, f.cycle_start, f.ncycles);
		deadlocks_free(d);
	}
	if (n)
		replay_seek_mark(r, n / 2, -1, RECORD_MARK_ZOMBIE);
	replay_free(r);
	return 0;
}
