/* layers.c - see layers.h. */
#include "infer/layers.h"

#include <stdlib.h>

#include "infer/fdscan.h"
#include "util/util.h"

struct layers {
	struct fdscan *fdscan;      /* kernel queues between supervised processes */
	struct infer *infer;        /* why supervised threads wait, inferred locks */
};

struct layers *layers_new(void)
{
	struct layers *l = xcalloc(1, sizeof *l);
	l->fdscan = fdscan_new();
	l->infer = infer_new();
	infer_set_fd_namer(l->infer, fdscan_describe, l->fdscan);
	return l;
}

void layers_free(struct layers *l)
{
	if (!l)
		return;
	fdscan_free(l->fdscan);
	infer_free(l->infer);
	free(l);
}

/* programs_sight's question: could the inferred layer read pid's threads? */
static bool inferred_ok(void *ctx, pid_t pid, const char **why)
{
	return infer_sight(ctx, pid, why) == INFER_SEEN;
}

void layers_update(struct layers *l, struct programs *progs, const struct task *t, size_t n)
{
	size_t np;
	struct program *p = programs_list_mut(progs, &np);
	/* fdscan first: infer names the fds of this refresh through it. */
	fdscan_update(l->fdscan, t, n, p, np);
	infer_update(l->infer, t, n, p, np);
	programs_sight(progs, inferred_ok, l->infer);
}

const struct infer *layers_infer(const struct layers *l)
{
	return l->infer;
}

const char *layers_wait(const void *ctx, pid_t tid)
{
	const struct layers *l = ctx;
	return infer_wait(l->infer, tid);
}
