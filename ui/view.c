/* view.c - rows, selection, scrolling and tags over the model's tasks. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "model/lifecycle.h"
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

/* A task row: its task. A summary row: its parent, {0, 0} for the roots'. */
static struct tui_ident view_row_ident(const struct row *r)
{
	static const struct tui_ident roots;
	if (r->task)
		return view_ident(r->task);
	return r->fold->parent ? view_ident(r->fold->parent) : roots;
}

/* The row with this identity, a summary row when fold; or nrows. */
static size_t view_find_row(const struct tui *t, struct tui_ident id, bool fold)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		if (fold != !r->task)
			continue;
		struct tui_ident ri = view_row_ident(r);
		if (view_ident_cmp(&ri, &id) == 0)
			return i;
	}
	return t->nrows;
}

size_t view_index_of(const struct tui *t, pid_t tid, unsigned long long start)
{
	return view_find_row(t, (struct tui_ident){ tid, start }, false);
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
	t->sel_id = view_row_ident(&t->rows[i]);
	t->sel_fold = !t->rows[i].task;
	t->sel_known = true;
}

static struct tui_ident *view_unfolded_find(const struct tui *t, struct tui_ident id)
{
	if (t->nunfolded == 0)
		return NULL;
	return bsearch(&id, t->unfolded, t->nunfolded, sizeof *t->unfolded, view_ident_cmp);
}

/* The tree's question: are this parent's exited tasks listed in full? */
static bool view_is_unfolded(const struct task *parent, void *arg)
{
	static const struct tui_ident roots;
	return view_unfolded_find(arg, parent ? view_ident(parent) : roots) != NULL;
}

/* Forgets unfolded parents that have no summary row any more: their
 * storm is over, and the next one starts folded. */
static void view_prune_unfolded(struct tui *t)
{
	size_t kept = 0;
	if (t->nunfolded == 0)
		return;
	for (size_t i = 0; i < t->nrows && kept < t->nunfolded; i++)
		if (t->rows[i].fold && t->rows[i].fold->unfolded)
			t->unfolded[kept++] = view_row_ident(&t->rows[i]);
	t->nunfolded = kept;
	qsort(t->unfolded, t->nunfolded, sizeof *t->unfolded, view_ident_cmp);
}

/* The WAITING sort key's text: what the column shows. */
static const char *view_wait_text(pid_t tid, void *arg)
{
	return tui_wait(arg, tid);
}

void view_rebuild(struct tui *t)
{
	if (!t->tree)
		t->tree = tasktree_new();
	t->opts.filter = t->filter[0] ? t->filter : NULL;
	t->opts.exited_cap = TASKTREE_EXITED_CAP;
	t->opts.unfolded = view_is_unfolded;
	t->opts.unfolded_arg = t;
	t->opts.wait = view_wait_text;
	t->opts.wait_arg = t;
	t->opts.linger = t->linger;
	/* The model keeps exited tasks LIFECYCLE_LINGER seconds at least; a
	 * shorter linger hides them sooner (0: at once). A replay keeps the
	 * default: its times are its own and it shows what it recorded. */
	t->opts.exited_after = t->linger < LIFECYCLE_LINGER ?
			       util_now() - t->linger + (t->linger > 0 ? 0 : 1e-3) : 0;
	t->rows = tasktree_rows(t->tree, t->tasks, t->ntasks, &t->opts, &t->nrows);
	view_prune_unfolded(t);
	size_t i = t->sel;
	if (t->sel_known) {
		size_t found = view_find_row(t, t->sel_id, t->sel_fold);
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

const struct exit_tally *view_selected_fold(const struct tui *t)
{
	return t->sel < t->nrows ? t->rows[t->sel].fold : NULL;
}

bool view_fold_toggle(struct tui *t)
{
	if (t->sel >= t->nrows || t->rows[t->sel].task)
		return false;
	struct tui_ident id = view_row_ident(&t->rows[t->sel]);
	struct tui_ident *hit = view_unfolded_find(t, id);
	if (hit) {
		size_t i = (size_t)(hit - t->unfolded);
		memmove(hit, hit + 1, (t->nunfolded - i - 1) * sizeof *hit);
		t->nunfolded--;
	} else {
		if (t->nunfolded == t->unfolded_cap) {
			t->unfolded_cap = t->unfolded_cap ? t->unfolded_cap * 2 : 8;
			t->unfolded = xrealloc(t->unfolded, t->unfolded_cap * sizeof *t->unfolded);
		}
		t->unfolded[t->nunfolded++] = id;
		qsort(t->unfolded, t->nunfolded, sizeof *t->unfolded, view_ident_cmp);
	}
	view_rebuild(t);
	return true;
}

void view_free(struct tui *t)
{
	tasktree_free(t->tree);
	free(t->unfolded);
	free(t->tags);
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
		if (t->rows[i].task && tasktree_match(t->rows[i].task, text)) {
			view_select(t, i);
			return true;
		}
		i = dir < 0 ? (i == 0 ? t->nrows - 1 : i - 1) : (i + 1) % t->nrows;
	}
	return false;
}
