/* owner.c - see owner.h. */
#include "infer/owner.h"

#include <stdlib.h>

#include "util/pidmap.h"
#include "util/util.h"

struct proc_entry {
	pid_t pid;                      /* pidmap key */
	pid_t ppid;
	int program;                    /* -2: not resolved yet */
};

struct owners {
	struct pidmap *procs;
};

struct owners *owners_new(void)
{
	struct owners *o = xcalloc(1, sizeof *o);
	o->procs = pidmap_new(sizeof(struct proc_entry));
	return o;
}

void owners_free(struct owners *o)
{
	if (!o)
		return;
	pidmap_free(o->procs);
	free(o);
}

/* Follows parents up to a launched program, remembering the answer along
 * the way; a chain longer than the map (a loop in stale data) is cut. */
static int resolve(struct owners *o, struct proc_entry *e)
{
	size_t steps = pidmap_count(o->procs);
	struct proc_entry *cur = e;
	int found = -1;
	while (cur && steps-- > 0) {
		if (cur->program != -2) {
			found = cur->program;
			break;
		}
		cur = pidmap_find(o->procs, cur->ppid);
	}
	/* Second walk: write the answer into every entry passed. */
	steps = pidmap_count(o->procs);
	for (cur = e; cur && cur->program == -2 && steps-- > 0; cur = pidmap_find(o->procs, cur->ppid))
		cur->program = found;
	return found;
}

void owners_update(struct owners *o, const struct task *t, size_t n, const struct program *p,
		   size_t np)
{
	pidmap_clear(o->procs);
	for (size_t i = 0; i < n; i++) {
		if (!t[i].supervised || t[i].exited || task_is_thread(&t[i]))
			continue;
		struct proc_entry *e = pidmap_insert(o->procs, t[i].pid, NULL);
		e->ppid = t[i].ppid;
		e->program = -2;
	}
	for (size_t i = 0; i < np; i++) {
		struct proc_entry *e = p[i].ended ? NULL : pidmap_find(o->procs, p[i].pid);
		if (e)
			e->program = (int)i;
	}
	size_t cursor = 0;
	struct proc_entry *e;
	while ((e = pidmap_next(o->procs, &cursor)))
		if (e->program == -2)
			resolve(o, e);
}

int owners_of(const struct owners *o, pid_t pid)
{
	const struct proc_entry *e = pidmap_find(o->procs, pid);
	return e ? e->program : -1;
}
