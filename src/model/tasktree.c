/* tasktree.c - tasks into display rows: sort, filter, parent/child tree, summary.
 *
 * Runs on every refresh over up to ~10000 tasks, so everything is
 * O(n log n): one sort gives each task its rank, parents are found by binary
 * search, children are bucketed by a counting sort, and the tree is walked
 * with an explicit stack (a 10000-deep chain must not overflow the C stack). */
#include "model/tasktree.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/lifecycle.h"
#include "model/sigtable.h"
#include "util/util.h"

#define NONE SIZE_MAX

/* ---- sorting ---- */

struct sort_ctx {
	const struct task *tasks;
	const struct tree_opts *o;
};

static int sign_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int sign_ull(unsigned long long a, unsigned long long b)
{
	return (a > b) - (a < b);
}

/* Key (maybe reversed), then tid, then array position: a total order. */
static int compare_index(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *ctx = arg;
	size_t ia = *(const size_t *)x, ib = *(const size_t *)y;
	const struct task *a = &ctx->tasks[ia], *b = &ctx->tasks[ib];
	int c = tasksort_compare(a, b, ctx->o->sort, ctx->o->wait, ctx->o->wait_arg);

	if (ctx->o->descending)
		c = -c;
	if (c == 0)
		c = sign_ll(a->tid, b->tid);
	if (c == 0)
		c = sign_ull(ia, ib);
	return c;
}

/* The indices of the tasks to show (threads only when asked), sorted.
 * Returns a malloc'd array; its length in *m. */
static size_t *select_sorted(const struct task *tasks, size_t n, const struct tree_opts *o,
			     size_t *m)
{
	size_t *order = xmalloc(n * sizeof(*order));
	size_t k = 0;
	struct sort_ctx ctx = { tasks, o };

	for (size_t i = 0; i < n; i++)
		if ((o->threads || !task_is_thread(&tasks[i])) &&
		    (!tasks[i].exited || tasks[i].held || tasks[i].exited_at >= o->exited_after))
			order[k++] = i;
	qsort_r(order, k, sizeof(*order), compare_index, &ctx);
	*m = k;
	return order;
}

/* ---- filtering ---- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) substring test; independent of the locale. */
static bool contains(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	for (; *hay; hay++) {
		size_t i = 0;
		while (needle[i] && ascii_lower(hay[i]) == ascii_lower(needle[i]))
			i++;
		if (!needle[i])
			return true;
	}
	return false;
}

/* The text as a decimal ID, or -1 when it is not only digits. */
static long long as_id(const char *text)
{
	long long v = 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > INT_MAX)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

bool tasktree_match(const struct task *t, const char *text)
{
	if (!text || !*text)
		return true;
	long long id = as_id(text);
	if (id >= 0 && (id == t->pid || id == t->tid))
		return true;
	return contains(t->comm, text) || contains(t->cmdline, text);
}

/* ---- folding ---- */

/* A kids entry with this bit is a summary row: the rest is its tally. */
#define FOLD_MARK ((size_t)1 << (sizeof(size_t) * 8 - 1))

/* The summary rows' tallies of one build. */
struct folds {
	struct exit_tally *v;
	size_t n, cap;
	const struct tree_opts *o;
};

struct tasktree {
	struct row *rows;
	size_t rows_cap;
	struct folds fs;
};

/* Room for n tallies, none open; a tally is 1.3 KB, so the array is
 * replaced, not grown, and open tallies never move during a build. */
static void fold_reserve(struct folds *fs, size_t n)
{
	if (n > fs->cap) {
		free(fs->v);
		fs->cap = n + n / 2;
		fs->v = xmalloc(fs->cap * sizeof *fs->v);
	}
	fs->n = 0;
}

/* Opens the tally of parent's folded tasks (parent NULL: the roots'). */
static size_t fold_open(struct folds *fs, const struct task *parent)
{
	struct exit_tally *x = &fs->v[fs->n];
	memset(x, 0, sizeof *x);
	x->parent = parent;
	x->unfolded = fs->o->unfolded && fs->o->unfolded(parent, fs->o->unfolded_arg);
	x->linger = fs->o->linger > 0 ? fs->o->linger : LIFECYCLE_LINGER;
	return fs->n++;
}

static void tally_add(struct exit_tally *x, const struct task *t)
{
	x->count++;
	if (t->exit_signal != 0)
		x->signals[t->exit_signal > 0 && t->exit_signal < TALLY_SIGNALS ? t->exit_signal : 0]++;
	else if (t->exit_known)
		x->codes[(unsigned)t->exit_code & 0xffu]++;
	else
		x->unknown++;
}

/* ---- tree ---- */

/* Node k is the task of rank k: tasks[order[k]]. Bucket b holds the
 * children of node b; bucket m holds the roots. */
struct forest {
	const struct task *tasks;
	const size_t *order;
	size_t m;
	size_t *parent;     /* node of the parent, NONE for a root */
	bool *keep;         /* shown: a match or an ancestor of one */
	size_t *start;      /* bucket b's entries: kids[start[b] .. start[b+1]) */
	size_t *kids;       /* nodes, and FOLD_MARK | tally for a summary row */
	struct folds *fs;   /* NULL: nothing folds */
};

static const struct task *node_task(const struct forest *f, size_t k)
{
	return &f->tasks[f->order[k]];
}

static size_t bucket_of(const struct forest *f, size_t k)
{
	return f->parent[k] == NONE ? f->m : f->parent[k];
}
struct pid_node {
	pid_t pid;
	size_t node;
};

static int compare_pid_node(const void *x, const void *y)
{
	const struct pid_node *a = x, *b = y;
	int c = sign_ll(a->pid, b->pid);
	return c ? c : sign_ull(a->node, b->node);
}

/* The node of process pid (the lowest-ranked one if listed twice), or NONE. */
static size_t find_process(const struct pid_node *procs, size_t np, pid_t pid)
{
	size_t lo = 0, hi = np;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < np && procs[lo].pid == pid ? procs[lo].node : NONE;
}

/* A thread hangs under its process, a process under its parent process. */
static void link_parents(struct forest *f)
{
	struct pid_node *procs = xmalloc(f->m * sizeof(*procs));
	size_t np = 0;

	for (size_t k = 0; k < f->m; k++)
		if (!task_is_thread(node_task(f, k)))
			procs[np++] = (struct pid_node){ node_task(f, k)->pid, k };
	qsort(procs, np, sizeof(*procs), compare_pid_node);
	for (size_t k = 0; k < f->m; k++) {
		const struct task *t = node_task(f, k);
		size_t p = find_process(procs, np, task_is_thread(t) ? t->pid : t->ppid);
		f->parent[k] = p == k ? NONE : p;
	}
	free(procs);
}

/* Parent links from /proc are read at different instants and can form a
 * loop (or come from a hostile test). Each loop loses the link of its
 * lowest-TID member, which becomes a root. O(n): every node is walked once. */
static void break_cycles(struct forest *f)
{
	unsigned char *color = xcalloc(f->m ? f->m : 1, 1);  /* 0 new, 1 on path, 2 done */
	size_t *path = xmalloc(f->m * sizeof(*path));

	for (size_t s = 0; s < f->m; s++) {
		size_t len = 0, k = s;
		while (k != NONE && color[k] == 0) {
			color[k] = 1;
			path[len++] = k;
			k = f->parent[k];
		}
		if (k != NONE && color[k] == 1) {
			size_t best = k;
			for (size_t c = f->parent[k]; c != k; c = f->parent[c])
				if (node_task(f, c)->tid < node_task(f, best)->tid)
					best = c;
			f->parent[best] = NONE;
		}
		for (size_t i = 0; i < len; i++)
			color[path[i]] = 2;
	}
	free(path);
	free(color);
}

/* Keeps the matches and their ancestors; keep stays closed under "parent
 * of", so each walk up stops at the first node already kept. */
static void mark_kept(struct forest *f, const char *filter)
{
	bool all = !filter || !*filter;
	for (size_t k = 0; k < f->m; k++)
		f->keep[k] = all;
	if (all)
		return;
	for (size_t k = 0; k < f->m; k++) {
		if (!tasktree_match(node_task(f, k), filter))
			continue;
		for (size_t p = k; p != NONE && !f->keep[p]; p = f->parent[p])
			f->keep[p] = true;
	}
}

/* Where node k goes among its siblings: pass 0 a process's threads, 1 its
 * child processes; when folding, exited leaves come after the live (2, 3):
 * an exited task with kept children stays in place to hold them, and a
 * held one (a program's row waiting for its restart) is never folded. */
static int sibling_pass(const struct forest *f, size_t k, const size_t *nkids)
{
	const struct task *t = node_task(f, k);
	int pass = task_is_thread(t) && f->parent[k] != NONE ? 0 : 1;
	if (f->fs && t->exited && !t->held && nkids[k] == 0)
		pass += 2;
	return pass;
}

/* Opens a tally for each bucket with more exited leaves than the cap and
 * shrinks its size by the leaves it hides, plus one for its summary row. */
static void plan_folds(struct forest *f, const size_t *nkids, size_t *size, size_t *tally)
{
	size_t m = f->m, cap = f->fs->o->exited_cap, need = 0;
	size_t *leaves = xcalloc(m + 1, sizeof *leaves);

	for (size_t k = 0; k < m; k++)
		if (f->keep[k] && sibling_pass(f, k, nkids) >= 2)
			leaves[bucket_of(f, k)]++;
	for (size_t b = 0; b <= m; b++)
		need += leaves[b] > cap;
	fold_reserve(f->fs, need);
	for (size_t i = 0; i <= m; i++) {
		size_t b = i == 0 ? m : i - 1;    /* the roots' tally first */
		if (leaves[b] <= cap)
			continue;
		tally[b] = fold_open(f->fs, b == m ? NULL : node_task(f, b));
		if (!f->fs->v[tally[b]].unfolded)
			size[b] -= leaves[b] - cap;
		size[b]++;
	}
	free(leaves);
}

/* Counting sort of kept nodes into their parent's bucket, in rank order by
 * sibling_pass; folded leaves go into their bucket's tally instead, and
 * the summary row closes its bucket. */
static void bucket_children(struct forest *f)
{
	size_t m = f->m, cap = f->fs ? f->fs->o->exited_cap : 0;
	size_t *nkids = xcalloc(m + 1, sizeof *nkids), *size = xmalloc((m + 1) * sizeof *size);
	size_t *tally = xmalloc((m + 1) * sizeof *tally), *shown = xcalloc(m + 1, sizeof *shown);

	for (size_t k = 0; k < m; k++)
		if (f->keep[k])
			nkids[bucket_of(f, k)]++;
	memcpy(size, nkids, (m + 1) * sizeof *size);
	for (size_t b = 0; b <= m; b++)
		tally[b] = NONE;
	if (f->fs)
		plan_folds(f, nkids, size, tally);
	f->start[0] = 0;
	for (size_t b = 0; b <= m; b++)
		f->start[b + 1] = f->start[b] + size[b];
	f->kids = xmalloc((f->start[m + 1] ? f->start[m + 1] : 1) * sizeof *f->kids);
	size_t *fill = size;    /* reused: the next free entry of each bucket */
	memcpy(fill, f->start, (m + 1) * sizeof *fill);
	for (int pass = 0; pass < (f->fs ? 4 : 2); pass++) {
		for (size_t k = 0; k < m; k++) {
			if (!f->keep[k] || sibling_pass(f, k, nkids) != pass)
				continue;
			size_t b = bucket_of(f, k);
			if (pass >= 2 && tally[b] != NONE && shown[b]++ >= cap) {
				tally_add(&f->fs->v[tally[b]], node_task(f, k));
				if (!f->fs->v[tally[b]].unfolded)
					continue;
			}
			f->kids[fill[b]++] = k;
		}
	}
	for (size_t b = 0; b <= m; b++)
		if (tally[b] != NONE)
			f->kids[fill[b]++] = FOLD_MARK | tally[b];
	free(nkids);
	free(size);
	free(tally);
	free(shown);
}

struct frame {
	size_t node;
	size_t depth;
	bool last;
	unsigned long long more;
};

/* Pushes the children of bucket b, last one first, so they pop in order. */
static size_t push_children(const struct forest *f, size_t b, struct frame *stack, size_t sp,
			    size_t depth, unsigned long long more)
{
	size_t first = f->start[b], end = f->start[b + 1];
	for (size_t j = end; j-- > first;)
		stack[sp++] = (struct frame){ f->kids[j], depth, j == end - 1, more };
	return sp;
}

/* Pre-order walk with an explicit stack; depth is clamped, never recursed. */
static size_t walk(const struct forest *f, struct row *rows)
{
	size_t entries = f->start[f->m + 1];
	struct frame *stack = xmalloc((entries ? entries : 1) * sizeof(*stack));
	size_t sp = push_children(f, f->m, stack, 0, 0, 0), nrows = 0;

	while (sp > 0) {
		struct frame fr = stack[--sp];
		size_t shown = fr.depth < TREE_MAX_DEPTH ? fr.depth : TREE_MAX_DEPTH - 1;
		if (fr.node & FOLD_MARK) {
			rows[nrows++] = (struct row){ NULL, (int)shown, fr.last, fr.more,
						      &f->fs->v[fr.node & ~FOLD_MARK] };
			continue;
		}
		rows[nrows++] = (struct row){ node_task(f, fr.node), (int)shown, fr.last, fr.more,
					      NULL };
		unsigned long long more = fr.more;
		if (!fr.last && fr.depth < 64)
			more |= 1ULL << fr.depth;
		sp = push_children(f, fr.node, stack, sp, fr.depth + 1, more);
	}
	free(stack);
	return nrows;
}

static size_t build_tree(const struct task *tasks, const size_t *order, size_t m,
			 const char *filter, struct folds *fs, struct row *rows)
{
	struct forest f = {
		.tasks = tasks,
		.order = order,
		.m = m,
		.parent = xmalloc((m ? m : 1) * sizeof(size_t)),
		.keep = xmalloc((m ? m : 1) * sizeof(bool)),
		.start = xmalloc((m + 2) * sizeof(size_t)),
		.fs = fs,
	};
	link_parents(&f);
	break_cycles(&f);
	mark_kept(&f, filter);
	bucket_children(&f);
	size_t nrows = walk(&f, rows);
	free(f.parent);
	free(f.keep);
	free(f.start);
	free(f.kids);
	return nrows;
}

/* ---- flat ---- */

static size_t build_flat(const struct task *tasks, const size_t *order, size_t m,
			 const char *filter, struct row *rows)
{
	size_t nrows = 0;
	for (size_t k = 0; k < m; k++) {
		const struct task *t = &tasks[order[k]];
		if (tasktree_match(t, filter))
			rows[nrows++] = (struct row){ t, 0, false, 0, NULL };
	}
	if (nrows > 0)
		rows[nrows - 1].last = true;
	return nrows;
}

/* Opens a tally for each parent (bucket) with more matching exited tasks
 * than the cap: the roots' first, then in rank order. */
static void plan_flat_folds(struct forest *f, const bool *match, size_t *tally)
{
	size_t m = f->m, cap = f->fs->o->exited_cap, need = 0;
	size_t *count = xcalloc(m + 1, sizeof *count);
	for (size_t k = 0; k < m; k++)
		if (match[k] && node_task(f, k)->exited && !node_task(f, k)->held)
			count[bucket_of(f, k)]++;
	for (size_t b = 0; b <= m; b++)
		need += count[b] > cap;
	fold_reserve(f->fs, need);
	for (size_t i = 0; i <= m; i++) {
		size_t b = i == 0 ? m : i - 1;
		tally[b] = count[b] > cap ? fold_open(f->fs, b == m ? NULL : node_task(f, b)) : NONE;
	}
	free(count);
}

/* Flat with folding: the live matches, the exited ones within their
 * parent's cap (or unfolded), then one summary row per folding parent. */
static size_t build_flat_folded(const struct task *tasks, const size_t *order, size_t m,
				const char *filter, struct folds *fs, struct row *rows)
{
	struct forest f = { .tasks = tasks, .order = order, .m = m, .fs = fs,
			    .parent = xmalloc((m ? m : 1) * sizeof(size_t)) };
	bool *match = xmalloc((m ? m : 1) * sizeof *match);
	size_t *tally = xmalloc((m + 1) * sizeof *tally), *shown = xcalloc(m + 1, sizeof *shown);
	size_t nrows = 0, cap = fs->o->exited_cap;

	link_parents(&f);
	for (size_t k = 0; k < m; k++)
		match[k] = tasktree_match(node_task(&f, k), filter);
	plan_flat_folds(&f, match, tally);
	for (int exited = 0; exited < 2; exited++) {
		for (size_t k = 0; k < m; k++) {
			const struct task *t = node_task(&f, k);
			if (!match[k] || t->exited != (bool)exited)
				continue;
			size_t b = bucket_of(&f, k);
			if (exited && !t->held && tally[b] != NONE && shown[b]++ >= cap) {
				tally_add(&fs->v[tally[b]], t);
				if (!fs->v[tally[b]].unfolded)
					continue;
			}
			rows[nrows++] = (struct row){ t, 0, false, 0, NULL };
		}
	}
	for (size_t i = 0; i < fs->n; i++)
		rows[nrows++] = (struct row){ NULL, 0, false, 0, &fs->v[i] };
	if (nrows > 0)
		rows[nrows - 1].last = true;
	free(f.parent);
	free(match);
	free(tally);
	free(shown);
	return nrows;
}

static size_t build(const struct task *tasks, size_t n, const struct tree_opts *o,
		    struct folds *fs, struct row *rows)
{
	size_t m, nrows;
	if (n == 0 || !tasks)
		return 0;
	size_t *order = select_sorted(tasks, n, o, &m);
	if (o->tree)
		nrows = build_tree(tasks, order, m, o->filter, fs, rows);
	else if (fs)
		nrows = build_flat_folded(tasks, order, m, o->filter, fs, rows);
	else
		nrows = build_flat(tasks, order, m, o->filter, rows);
	free(order);
	return nrows;
}

size_t tasktree_build(const struct task *tasks, size_t n, const struct tree_opts *o,
		      struct row *rows)
{
	return build(tasks, n, o, NULL, rows);
}

struct tasktree *tasktree_new(void)
{
	return xcalloc(1, sizeof(struct tasktree));
}

void tasktree_free(struct tasktree *tt)
{
	if (!tt)
		return;
	free(tt->rows);
	free(tt->fs.v);
	free(tt);
}

const struct row *tasktree_rows(struct tasktree *tt, const struct task *tasks, size_t n,
				const struct tree_opts *o, size_t *nrows)
{
	size_t cap = o->exited_cap;
	/* A summary row stands for more than cap tasks, so n rows and one per
	 * cap + 1 tasks are enough, even with every summary unfolded. */
	size_t want = n + (cap ? n / (cap + 1) : 0) + 1;
	if (want > tt->rows_cap) {
		tt->rows_cap = want + want / 2;
		free(tt->rows);
		tt->rows = xmalloc(tt->rows_cap * sizeof *tt->rows);
	}
	tt->fs.o = o;
	tt->fs.n = 0;
	*nrows = build(tasks, n, o, cap ? &tt->fs : NULL, tt->rows);
	return tt->rows;
}

/* ---- summary ---- */

static void count_state(struct summary *s, char state)
{
	switch (state) {
	case 'R':
		s->running++;
		break;
	case 'S':
	case 'I':
		s->sleeping++;
		break;
	case 'D':
		s->disk++;
		break;
	case 'T':
	case 't':
		s->stopped++;
		break;
	case 'Z':
		s->zombies++;
		break;
	default:
		break;
	}
}

void tasktree_summary(const struct task *tasks, size_t n, bool all_tasks, struct summary *s)
{
	tasktree_summary_shown(tasks, n, all_tasks, 0, s);
}

void tasktree_summary_shown(const struct task *tasks, size_t n, bool all_tasks,
			    double exited_after, struct summary *s)
{
	long long live = 0, thread_fields = 0;
	bool thread_rows = false;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &tasks[i];
		if (!all_tasks && !t->supervised)
			continue;
		if (t->exited) {
			s->exited += t->held || t->exited_at >= exited_after;
			continue;
		}
		live++;
		count_state(s, t->state);
		if (task_is_thread(t)) {
			thread_rows = true;
			continue;
		}
		s->processes++;
		thread_fields += t->threads > 0 ? t->threads : 1;
		if (t->orphan)
			s->orphans++;
	}
	long long threads = thread_rows ? live : thread_fields;
	s->threads = threads > INT_MAX ? INT_MAX : (int)threads;
}

/* ---- summary rows ---- */

/* n with a comma every three digits ("2,611"), whatever the locale. */
static void grouped(unsigned n, char *buf, size_t len)
{
	char digits[16];
	int nd = snprintf(digits, sizeof digits, "%u", n);
	size_t o = 0;
	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

struct way {
	unsigned count;
	int code;           /* >= 0: exit code; -1 - s: signal s; INT_MIN: unknown */
};

static int compare_way(const void *x, const void *y)
{
	const struct way *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return sign_ll(b->code, a->code);
}

/* How the folded tasks ended, most common first: at most max of them. */
static size_t tally_ways(const struct exit_tally *x, struct way *w, size_t max)
{
	struct way all[TALLY_CODES + TALLY_SIGNALS + 1];
	size_t n = 0;
	for (int c = 0; c < TALLY_CODES; c++)
		if (x->codes[c])
			all[n++] = (struct way){ x->codes[c], c };
	for (int s = 0; s < TALLY_SIGNALS; s++)
		if (x->signals[s])
			all[n++] = (struct way){ x->signals[s], -1 - s };
	if (x->unknown)
		all[n++] = (struct way){ x->unknown, INT_MIN };
	qsort(all, n, sizeof *all, compare_way);
	if (n > max)
		n = max;
	memcpy(w, all, n * sizeof *w);
	return n;
}

static void way_text(const struct way *w, char *buf, size_t len)
{
	char num[24];
	grouped(w->count, num, sizeof num);
	if (w->code == INT_MIN) {
		snprintf(buf, len, "%s status unknown", num);
	} else if (w->code >= 0) {
		snprintf(buf, len, "%s code %d", num, w->code);
	} else {
		const struct sigdesc *d = sigtable_find(-1 - w->code);
		if (d)
			snprintf(buf, len, "%s SIG%s", num, d->name);
		else
			snprintf(buf, len, "%s signal %d", num, -1 - w->code);
	}
}

void tasktree_fold_text(const struct exit_tally *x, char *buf, size_t len)
{
	struct way w[4];
	char num[24], part[64];
	size_t n = tally_ways(x, w, 4), used;
	unsigned shown = 0;

	grouped(x->count, num, sizeof num);
	snprintf(buf, len, "%s%s exited in the last %g s%s:", x->unfolded ? "" : "+", num,
		 x->linger > 0 ? x->linger : LIFECYCLE_LINGER, x->unfolded ? ", listed above" : "");
	for (size_t i = 0; i < n; i++) {
		way_text(&w[i], part, sizeof part);
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s %s", i ? "," : "", part);
		shown += w[i].count;
	}
	used = strlen(buf);
	if (shown < x->count)
		snprintf(buf + used, len - used, ", %u otherwise", x->count - shown);
}
