/* explain.h - plain-language explanations of what a row shows (zombie,
 * orphan, stopped, blocked on a lock, full queue, deadlock) and the lesson
 * of the running demo, filled in with the row's own numbers. The texts are
 * the .md files of assets/explain and assets/demos, built into the binary. */
#ifndef CONCMON_EXPLAIN_H
#define CONCMON_EXPLAIN_H

#include <stddef.h>

#include "model/deadlock.h"
#include "model/task.h"
#include "supervise/programs.h"

struct explain_text {
	const char *name;       /* "zombie", "demo:washer-dryer-threads"... */
	const char *text;       /* with {placeholders} */
};

extern const struct explain_text explain_texts[];
extern const size_t explain_texts_count;

/* The raw text called name, or NULL. */
const char *explain_find(const char *name);

/* Writes the explanation for task t into out (always NUL-terminated):
 * what its state means with its PIDs filled in, then, when prog is a demo,
 * the demo's lesson. prog is the launched program t belongs to (NULL if
 * none), d the current deadlocks (NULL if none). Returns the length. */
size_t explain_task(const struct task *t, const struct program *prog, const struct deadlocks *d,
		    char *out, size_t len);

#endif
