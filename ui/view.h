/* view.h - which rows are shown, which one is selected, which are tagged.
 * Selection and tags name tasks by identity (tid + start time), so they
 * follow a task across refreshes and resorts instead of a row index. */
#ifndef CONCMON_VIEW_H
#define CONCMON_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"
#include "model/tasktree.h"

struct tui;

/* Orders t->tasks into t->rows with t->opts, exited tasks past
 * TASKTREE_EXITED_CAP per parent folded into summary rows unless unfolded,
 * then finds the selected row again; if it is gone the selection stays at
 * the same row index. */
void view_rebuild(struct tui *t);

/* Drops tags of tasks no longer in t->tasks. */
void view_prune_tags(struct tui *t);

/* The selected task, or NULL when there are no rows or a summary row of
 * exited tasks is selected. */
const struct task *view_selected(const struct tui *t);

/* The selected summary row's tally, or NULL when a task (or nothing) is
 * selected. */
const struct exit_tally *view_selected_fold(const struct tui *t);

/* On a summary row of exited tasks: lists them in full, or folds them
 * again, and rebuilds the rows (the summary row stays selected). False
 * when no summary row is selected. */
bool view_fold_toggle(struct tui *t);

/* Frees what the view owns: its rows, tags and unfolded parents. */
void view_free(struct tui *t);

/* Selects row i (clamped) and remembers its task. */
void view_select(struct tui *t, size_t i);

/* Moves the selection by delta rows, clamped to the table. */
void view_move(struct tui *t, long delta);

/* Adjusts t->top so the selection is visible in height rows. */
void view_scroll(struct tui *t, int height);

bool view_tagged(const struct tui *t, const struct task *k);
void view_tag_toggle(struct tui *t, const struct task *k);
void view_untag_all(struct tui *t);

/* Selects the next row matching text, looking from row from in direction
 * dir (+1/-1) and wrapping; from itself is included. False if none. */
bool view_find(struct tui *t, const char *text, size_t from, int dir);

/* Index of the row showing the task with this identity, or nrows. */
size_t view_index_of(const struct tui *t, pid_t tid, unsigned long long start);

#endif
