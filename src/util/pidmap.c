/* pidmap.c - see pidmap.h. Open addressing with linear probing; deleted
 * slots are tombstones until the next rebuild, which sizes the table by
 * what lives in it, so memory follows the population both ways. */
#include "util/pidmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define SLOT_EMPTY 0
#define SLOT_GONE (-1)
#define MIN_CAP 64

struct pidmap {
	unsigned char *slots;     /* cap elements of size bytes */
	size_t size, cap;
	size_t used, live;        /* used counts live and deleted slots */
};

static pid_t key_at(const struct pidmap *m, size_t i)
{
	pid_t pid;
	memcpy(&pid, m->slots + i * m->size, sizeof pid);
	return pid;
}

static void set_key(struct pidmap *m, size_t i, pid_t pid)
{
	memcpy(m->slots + i * m->size, &pid, sizeof pid);
}

static size_t home(pid_t pid, size_t cap)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (cap - 1);
}

struct pidmap *pidmap_new(size_t elem_size)
{
	struct pidmap *m = xcalloc(1, sizeof *m);
	m->size = elem_size < sizeof(pid_t) ? sizeof(pid_t) : elem_size;
	m->cap = MIN_CAP;
	m->slots = xcalloc(m->cap, m->size);
	return m;
}

void pidmap_free(struct pidmap *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static size_t find_slot(const struct pidmap *m, pid_t pid)
{
	for (size_t s = home(pid, m->cap);; s = (s + 1) & (m->cap - 1)) {
		pid_t k = key_at(m, s);
		if (k == pid || k == SLOT_EMPTY)
			return s;
	}
}

void *pidmap_find(const struct pidmap *m, pid_t pid)
{
	if (pid <= 0)
		return NULL;
	size_t s = find_slot(m, pid);
	return key_at(m, s) == pid ? m->slots + s * m->size : NULL;
}

/* A power of two at least MIN_CAP with n live elements at most a quarter of it. */
static void rebuild(struct pidmap *m, size_t n)
{
	size_t cap = MIN_CAP;
	while (cap < 4 * n)
		cap *= 2;
	unsigned char *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = xcalloc(cap, m->size);
	m->cap = cap;
	m->used = m->live;
	for (size_t i = 0; i < oldcap; i++) {
		unsigned char *e = old + i * m->size;
		pid_t pid;
		memcpy(&pid, e, sizeof pid);
		if (pid > 0)
			memcpy(m->slots + find_slot(m, pid) * m->size, e, m->size);
	}
	free(old);
}

void *pidmap_insert(struct pidmap *m, pid_t pid, int *added)
{
	void *e = pidmap_find(m, pid);
	if (added)
		*added = !e;
	if (e || pid <= 0)
		return e;
	/* At most half used, tombstones included; shrink when removals left it
	 * mostly empty (not right after a clear, which keeps the size). */
	if ((m->used + 1) * 2 > m->cap ||
	    (m->cap > MIN_CAP && m->used > m->live && (m->live + 1) * 16 < m->cap))
		rebuild(m, m->live + 1);
	size_t s = home(pid, m->cap);
	while (key_at(m, s) > 0)
		s = (s + 1) & (m->cap - 1);
	if (key_at(m, s) == SLOT_EMPTY)
		m->used++;
	m->live++;
	e = m->slots + s * m->size;
	memset(e, 0, m->size);
	set_key(m, s, pid);
	return e;
}

void pidmap_remove(struct pidmap *m, pid_t pid)
{
	if (pid <= 0)
		return;
	size_t s = find_slot(m, pid);
	if (key_at(m, s) == pid) {
		set_key(m, s, SLOT_GONE);
		m->live--;
	}
}

void pidmap_clear(struct pidmap *m)
{
	memset(m->slots, 0, m->cap * m->size);
	m->used = m->live = 0;
}

size_t pidmap_count(const struct pidmap *m)
{
	return m->live;
}

void *pidmap_next(const struct pidmap *m, size_t *cursor)
{
	while (*cursor < m->cap) {
		size_t i = (*cursor)++;
		if (key_at(m, i) > 0)
			return m->slots + i * m->size;
	}
	return NULL;
}
