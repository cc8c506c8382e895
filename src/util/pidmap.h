/* pidmap.h - a hash map keyed by PID: O(1) insert, lookup and delete, for
 * tables that follow every process of a fork storm. */
#ifndef CONCMON_PIDMAP_H
#define CONCMON_PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct pidmap;

/* A map of elements of elem_size bytes whose first member is their pid_t
 * key (set by pidmap_insert, never changed by the caller). */
struct pidmap *pidmap_new(size_t elem_size);
void pidmap_free(struct pidmap *m);

/* The element for pid, or NULL. Valid until the next insert. */
void *pidmap_find(const struct pidmap *m, pid_t pid);

/* The element for pid (pid > 0), added zeroed but for its key when absent;
 * *added says which (may be NULL). Moves elements: pointers from earlier
 * calls are stale after it. */
void *pidmap_insert(struct pidmap *m, pid_t pid, int *added);

/* Removes pid's element if present. Never moves others, so it is safe
 * while walking with pidmap_next. */
void pidmap_remove(struct pidmap *m, pid_t pid);

size_t pidmap_count(const struct pidmap *m);

/* Removes every element but keeps the table's size: refilling it with
 * about as many (the next refresh) allocates nothing. */
void pidmap_clear(struct pidmap *m);

/* Walks the elements: start with *cursor = 0; NULL at the end. Inserting
 * during a walk ends its guarantees. */
void *pidmap_next(const struct pidmap *m, size_t *cursor);

#endif
