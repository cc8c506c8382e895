/* layers.h - the inferred layers together, as the loop runs them each
 * refresh: kernel queues between supervised processes (fdscan), then why
 * each thread waits and whose mutex it waits for (infer, which names fds
 * through fdscan), then each program's sight (probe, traced, inferred,
 * none). */
#ifndef CONCMON_LAYERS_H
#define CONCMON_LAYERS_H

#include <stddef.h>
#include <sys/types.h>

#include "infer/infer.h"
#include "model/task.h"
#include "supervise/programs.h"

struct layers;

/* Both layers, wired together. Aborts on allocation failure. */
struct layers *layers_new(void);
void layers_free(struct layers *l);

/* After programs_read: appends what the layers find to the programs'
 * snapshots and sets each program's sight. */
void layers_update(struct layers *l, struct programs *progs, const struct task *t, size_t n);

/* The waits of the last update (for batch JSON). */
const struct infer *layers_infer(const struct layers *l);

/* Why tid waits, or NULL; ctx is the struct layers (the TUI's callback). */
const char *layers_wait(const void *ctx, pid_t tid);

#endif
