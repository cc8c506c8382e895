/* owner.h - which launched program a supervised process belongs to: the
 * program itself, or the nearest launched ancestor, through the parent
 * links of one refresh's tasks. The inferred layers (waits, kernel queues)
 * file what they find under that program. */
#ifndef CONCMON_OWNER_H
#define CONCMON_OWNER_H

#include <stddef.h>
#include <sys/types.h>

#include "model/task.h"
#include "supervise/programs.h"

struct owners;

/* An empty map. Aborts on allocation failure. */
struct owners *owners_new(void);
void owners_free(struct owners *o);

/* Rebuilds the map from this refresh's tasks and the programs (live ones
 * only); linear in tasks. */
void owners_update(struct owners *o, const struct task *t, size_t n, const struct program *p,
		   size_t np);

/* Index into the programs of the last update that process pid belongs to,
 * or -1: not supervised, exited, or not under any live launched program
 * (an orphan adopted by concmon after its program ended). */
int owners_of(const struct owners *o, pid_t pid);

#endif
