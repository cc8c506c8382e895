/* view.c - rows, selection, scrolling and tags over the model's tasks. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "tui_state.h"
#include "util/util.h"

static int view_ident_cmp(const void *a, const void *b)
{
	const struct tui_ident *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

static struct tui_ident view_ident(const struct task *k)
{
	struct tui_ident id = { k->tid, k->start_ticks };
	return id;
}

size_t view_index_of(const struct tui *t, pid_t tid, unsigned long long start)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct task *k = t->rows[i].task;
		if (k->tid == tid && k->start_ticks == start)
			return i;
	}
	return t->nrows;
}

void view_select(struct tui *t, size_t i)
{
	if (t->nrows == 0) {
		t->sel = 0;
		t->sel_known = false;
		return;
	}
	if (i >= t->nrows)
		i = t->nrows - 1;
	t->sel = i;
	t->sel_id = view_ident(t->rows[i].task);
	t->sel_known = true;
}

void view_rebuild(struct tui *t)
{
	if (t->ntasks > t->rows_cap) {
		/* Grow with slack so a slowly growing tree does not realloc
		 * on every refresh. */
		t->rows_cap = t->ntasks + t->ntasks / 2 + 16;
		t->rows = xrealloc(t->rows, t->rows_cap * sizeof *t->rows);
	}
	t->opts.filter = t->filter[0] ? t->filter : NULL;
	t->nrows = t->ntasks ? tasktree_build(t->tasks, t->ntasks, &t->opts, t->rows) : 0;
	size_t i = t->sel;
	if (t->sel_known) {
		size_t found = view_index_of(t, t->sel_id.tid, t->sel_id.start);
		if (found < t->nrows)
			i = found;
	}
	view_select(t, i);
	t->dirty = true;
}

const struct task *view_selected(const struct tui *t)
{
	return t->sel < t->nrows ? t->rows[t->sel].task : NULL;
}

void view_move(struct tui *t, long delta)
{
	if (t->nrows == 0)
		return;
	long i = (long)t->sel + delta;
	if (i < 0)
		i = 0;
	view_select(t, (size_t)i);
}

void view_scroll(struct tui *t, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + h)
		t->top = t->sel - h + 1;
	/* After rows vanish or the terminal grows, do not leave the bottom
	 * of the screen empty while rows above are hidden. */
	if (t->nrows <= h)
		t->top = 0;
	else if (t->top > t->nrows - h)
		t->top = t->nrows - h;
}

bool view_tagged(const struct tui *t, const struct task *k)
{
	if (t->ntags == 0)
		return false;
	struct tui_ident id = view_ident(k);
	return bsearch(&id, t->tags, t->ntags, sizeof *t->tags, view_ident_cmp) != NULL;
}

void view_tag_toggle(struct tui *t, const struct task *k)
{
	struct tui_ident id = view_ident(k);
	struct tui_ident *hit = t->ntags ?
		bsearch(&id, t->tags, t->ntags, sizeof *t->tags, view_ident_cmp) : NULL;
	if (hit) {
		size_t i = (size_t)(hit - t->tags);
		memmove(hit, hit + 1, (t->ntags - i - 1) * sizeof *hit);
		t->ntags--;
		return;
	}
	if (t->ntags == t->tags_cap) {
		t->tags_cap = t->tags_cap ? t->tags_cap * 2 : 16;
		t->tags = xrealloc(t->tags, t->tags_cap * sizeof *t->tags);
	}
	t->tags[t->ntags++] = id;
	qsort(t->tags, t->ntags, sizeof *t->tags, view_ident_cmp);
}

void view_untag_all(struct tui *t)
{
	t->ntags = 0;
}

void view_prune_tags(struct tui *t)
{
	if (t->ntags == 0)
		return;
	/* Mark the tags still backed by a task, then keep only those: one
	 * pass over the tasks, a binary search each. */
	bool *seen = xcalloc(t->ntags, sizeof *seen);
	for (size_t i = 0; i < t->ntasks; i++) {
		struct tui_ident id = view_ident(&t->tasks[i]);
		struct tui_ident *hit =
			bsearch(&id, t->tags, t->ntags, sizeof *t->tags, view_ident_cmp);
		if (hit)
			seen[hit - t->tags] = true;
	}
	size_t kept = 0;
	for (size_t i = 0; i < t->ntags; i++)
		if (seen[i])
			t->tags[kept++] = t->tags[i];
	t->ntags = kept;
	free(seen);
}

bool view_find(struct tui *t, const char *text, size_t from, int dir)
{
	if (t->nrows == 0 || !text || !text[0])
		return false;
	if (from >= t->nrows)
		from = 0;
	size_t i = from;
	for (size_t n = 0; n < t->nrows; n++) {
		if (tasktree_match(t->rows[i].task, text)) {
			view_select(t, i);
			return true;
		}
		i = dir < 0 ? (i == 0 ? t->nrows - 1 : i - 1) : (i + 1) % t->nrows;
	}
	return false;
}
