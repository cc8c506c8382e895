/* tasktree.c - tasks into display rows: sort, filter, parent/child tree, summary.
 *
 * Runs on every refresh over up to ~10000 tasks, so everything is
 * O(n log n): one sort gives each task its rank, parents are found by binary
 * search, children are bucketed by a counting sort, and the tree is walked
 * with an explicit stack (a 10000-deep chain must not overflow the C stack). */
#include "model/tasktree.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define NONE SIZE_MAX

static const char *const sort_names[SORT_COUNT] = {
	[SORT_PID] = "PID",
	[SORT_CPU] = "CPU%",
	[SORT_RSS] = "RSS",
	[SORT_STATE] = "STATE",
	[SORT_COMMAND] = "COMMAND",
	[SORT_START] = "START",
};

const char *tasktree_sort_name(enum sort_key k)
{
	return (unsigned)k < SORT_COUNT ? sort_names[k] : "?";
}

/* ---- sorting ---- */

struct sort_ctx {
	const struct task *tasks;
	enum sort_key key;
	bool descending;
};

static int sign_ll(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int sign_ull(unsigned long long a, unsigned long long b)
{
	return (a > b) - (a < b);
}

/* NaN sorts below every number, so the order stays total. */
static int sign_double(double a, double b)
{
	bool na = a != a, nb = b != b;
	if (na || nb)
		return (int)nb - (int)na;
	return (a > b) - (a < b);
}

static int sign_str(const char *a, const char *b)
{
	int c = strcmp(a ? a : "", b ? b : "");
	return (c > 0) - (c < 0);
}

static int compare_key(const struct task *a, const struct task *b, enum sort_key k)
{
	switch (k) {
	case SORT_PID:
		return sign_ll(a->pid, b->pid);
	case SORT_CPU:
		return sign_double(a->cpu, b->cpu);
	case SORT_RSS:
		return sign_ull(a->rss_kb, b->rss_kb);
	case SORT_STATE:
		return sign_ll((unsigned char)a->state, (unsigned char)b->state);
	case SORT_COMMAND: {
		int c = sign_str(a->comm, b->comm);
		return c ? c : sign_str(a->cmdline, b->cmdline);
	}
	case SORT_START:
		return sign_ull(a->start_ticks, b->start_ticks);
	case SORT_COUNT:
		break;
	}
	return 0;
}

/* Key (maybe reversed), then tid, then array position: a total order. */
static int compare_index(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *ctx = arg;
	size_t ia = *(const size_t *)x, ib = *(const size_t *)y;
	const struct task *a = &ctx->tasks[ia], *b = &ctx->tasks[ib];
	int c = compare_key(a, b, ctx->key);

	if (ctx->descending)
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
	struct sort_ctx ctx = { tasks, o->sort, o->descending };

	for (size_t i = 0; i < n; i++)
		if (o->threads || !task_is_thread(&tasks[i]))
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

/* ---- tree ---- */

/* Node k is the task of rank k: tasks[order[k]]. */
struct forest {
	const struct task *tasks;
	const size_t *order;
	size_t m;
	size_t *parent;     /* node of the parent, NONE for a root */
	bool *keep;         /* shown: a match or an ancestor of one */
	size_t *start;      /* children of node b: kids[start[b] .. start[b+1]); b == m: roots */
	size_t *kids;
};

static const struct task *node_task(const struct forest *f, size_t k)
{
	return &f->tasks[f->order[k]];
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

/* Counting sort of kept nodes into their parent's bucket, in rank order,
 * a process's threads before its child processes (roots: rank order only). */
static void bucket_children(struct forest *f)
{
	size_t *fill = xcalloc(f->m + 1, sizeof(*fill));
	size_t m = f->m;

	memset(f->start, 0, (m + 2) * sizeof(*f->start));
	for (size_t k = 0; k < m; k++)
		if (f->keep[k])
			f->start[(f->parent[k] == NONE ? m : f->parent[k]) + 1]++;
	for (size_t b = 1; b <= m + 1; b++)
		f->start[b] += f->start[b - 1];
	memcpy(fill, f->start, (m + 1) * sizeof(*fill));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < m; k++) {
			bool early = task_is_thread(node_task(f, k)) && f->parent[k] != NONE;
			if (!f->keep[k] || early != (pass == 0))
				continue;
			size_t b = f->parent[k] == NONE ? m : f->parent[k];
			f->kids[fill[b]++] = k;
		}
	}
	free(fill);
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
	struct frame *stack = xmalloc((f->m ? f->m : 1) * sizeof(*stack));
	size_t sp = push_children(f, f->m, stack, 0, 0, 0), nrows = 0;

	while (sp > 0) {
		struct frame fr = stack[--sp];
		size_t shown = fr.depth < TREE_MAX_DEPTH ? fr.depth : TREE_MAX_DEPTH - 1;
		rows[nrows++] = (struct row){ node_task(f, fr.node), (int)shown, fr.last, fr.more };
		unsigned long long more = fr.more;
		if (!fr.last && fr.depth < 64)
			more |= 1ULL << fr.depth;
		sp = push_children(f, fr.node, stack, sp, fr.depth + 1, more);
	}
	free(stack);
	return nrows;
}

static size_t build_tree(const struct task *tasks, const size_t *order, size_t m,
			 const char *filter, struct row *rows)
{
	struct forest f = {
		.tasks = tasks,
		.order = order,
		.m = m,
		.parent = xmalloc((m ? m : 1) * sizeof(size_t)),
		.keep = xmalloc((m ? m : 1) * sizeof(bool)),
		.start = xmalloc((m + 2) * sizeof(size_t)),
		.kids = xmalloc((m ? m : 1) * sizeof(size_t)),
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

static size_t build_flat(const struct task *tasks, const size_t *order, size_t m,
			 const char *filter, struct row *rows)
{
	size_t nrows = 0;
	for (size_t k = 0; k < m; k++) {
		const struct task *t = &tasks[order[k]];
		if (tasktree_match(t, filter))
			rows[nrows++] = (struct row){ t, 0, false, 0 };
	}
	if (nrows > 0)
		rows[nrows - 1].last = true;
	return nrows;
}

size_t tasktree_build(const struct task *tasks, size_t n, const struct tree_opts *o,
		      struct row *rows)
{
	size_t m, nrows;
	if (n == 0 || !tasks)
		return 0;
	size_t *order = select_sorted(tasks, n, o, &m);
	if (o->tree)
		nrows = build_tree(tasks, order, m, o->filter, rows);
	else
		nrows = build_flat(tasks, order, m, o->filter, rows);
	free(order);
	return nrows;
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
	long long live = 0, thread_fields = 0;
	bool thread_rows = false;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &tasks[i];
		if (!all_tasks && !t->supervised)
			continue;
		if (t->exited) {
			s->exited++;
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
