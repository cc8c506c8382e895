/* tasksort.c - one table of sort keys: each key's name, comparator and
 * the extra /proc facts it needs, so a new column is one line here. */
#include "model/tasksort.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kernel/procextra.h"
#include "kernel/procparse.h"

struct key_def {
	const char *name;     /* sort name */
	const char *column;   /* column title */
	int (*cmp)(const struct task *a, const struct task *b);  /* NULL: WAITING */
	unsigned extras;      /* enum proc_extra */
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

static int by_pid(const struct task *a, const struct task *b) { return sign_ll(a->pid, b->pid); }
static int by_tid(const struct task *a, const struct task *b) { return sign_ll(a->tid, b->tid); }
static int by_ppid(const struct task *a, const struct task *b) { return sign_ll(a->ppid, b->ppid); }
static int by_cpu(const struct task *a, const struct task *b) { return sign_double(a->cpu, b->cpu); }
static int by_rss(const struct task *a, const struct task *b) { return sign_ull(a->rss_kb, b->rss_kb); }
static int by_thr(const struct task *a, const struct task *b) { return sign_ll(a->threads, b->threads); }
static int by_nice(const struct task *a, const struct task *b) { return sign_ll(a->nice, b->nice); }
static int by_pri(const struct task *a, const struct task *b) { return sign_ll(a->priority, b->priority); }
static int by_virt(const struct task *a, const struct task *b) { return sign_ull(a->vsize_kb, b->vsize_kb); }
static int by_shr(const struct task *a, const struct task *b) { return sign_ll(a->shr_kb, b->shr_kb); }
static int by_mem(const struct task *a, const struct task *b) { return sign_double(a->mem_pct, b->mem_pct); }
static int by_time(const struct task *a, const struct task *b) { return sign_ull(a->time_ticks, b->time_ticks); }
static int by_io_r(const struct task *a, const struct task *b) { return sign_double(a->io_read_bps, b->io_read_bps); }
static int by_io_w(const struct task *a, const struct task *b) { return sign_double(a->io_write_bps, b->io_write_bps); }
static int by_user(const struct task *a, const struct task *b) { return sign_str(a->user, b->user); }
static int by_wchan(const struct task *a, const struct task *b) { return sign_str(a->wchan, b->wchan); }
static int by_cgroup(const struct task *a, const struct task *b) { return sign_str(a->cgroup, b->cgroup); }
static int by_start(const struct task *a, const struct task *b) { return sign_ull(a->start_ticks, b->start_ticks); }

static int by_state(const struct task *a, const struct task *b)
{
	return sign_ll((unsigned char)a->state, (unsigned char)b->state);
}

static int by_command(const struct task *a, const struct task *b)
{
	int c = sign_str(a->comm, b->comm);
	return c ? c : sign_str(a->cmdline, b->cmdline);
}

/* TTY by its name as shown ("?" for none, "pts/10" before "pts/9"), as
 * a reader scanning the column sees it. */
static int by_tty(const struct task *a, const struct task *b)
{
	char na[32], nb[32];
	if (a->tty_nr == b->tty_nr)
		return 0;
	procparse_tty_name(a->tty_nr, na, sizeof na);
	procparse_tty_name(b->tty_nr, nb, sizeof nb);
	return sign_str(na, nb);
}

static const struct key_def keys[SORT_COUNT] = {
	[SORT_PID] = { "PID", "PID", by_pid, 0 },
	[SORT_CPU] = { "CPU%", "CPU%", by_cpu, 0 },
	[SORT_RSS] = { "RSS", "RSS", by_rss, 0 },
	[SORT_STATE] = { "STATE", "S", by_state, 0 },
	[SORT_COMMAND] = { "COMMAND", "COMMAND", by_command, 0 },
	[SORT_START] = { "START", "START", by_start, 0 },
	[SORT_TID] = { "TID", "TID", by_tid, 0 },
	[SORT_PPID] = { "PPID", "PPID", by_ppid, 0 },
	[SORT_THR] = { "THR", "THR", by_thr, 0 },
	[SORT_WAIT] = { "WAITING", "WAITING", NULL, 0 },
	[SORT_USER] = { "USER", "USER", by_user, PROC_EXTRA_USER },
	[SORT_NICE] = { "NI", "NI", by_nice, 0 },
	[SORT_PRI] = { "PRI", "PRI", by_pri, 0 },
	[SORT_TTY] = { "TTY", "TTY", by_tty, 0 },
	[SORT_VIRT] = { "VIRT", "VIRT", by_virt, 0 },
	[SORT_SHR] = { "SHR", "SHR", by_shr, PROC_EXTRA_SHR },
	[SORT_MEM] = { "MEM%", "MEM%", by_mem, 0 },
	[SORT_TIME] = { "TIME+", "TIME+", by_time, 0 },
	[SORT_IO_R] = { "IO_R", "IO_R", by_io_r, PROC_EXTRA_IO },
	[SORT_IO_W] = { "IO_W", "IO_W", by_io_w, PROC_EXTRA_IO },
	[SORT_WCHAN] = { "WCHAN", "WCHAN", by_wchan, PROC_EXTRA_WCHAN },
	[SORT_CGROUP] = { "CGROUP", "CGROUP", by_cgroup, PROC_EXTRA_CGROUP },
};

const char *tasktree_sort_name(enum sort_key k)
{
	return (unsigned)k < SORT_COUNT ? keys[k].name : "?";
}

const char *tasksort_column_name(enum sort_key k)
{
	return (unsigned)k < SORT_COUNT ? keys[k].column : "?";
}

int tasksort_parse(const char *name)
{
	/* htop spells it %MEM; concmon's CPU% set the pattern. */
	if (name && strcasecmp(name, "%MEM") == 0)
		return SORT_MEM;
	for (int k = 0; name && k < SORT_COUNT; k++)
		if (strcasecmp(name, keys[k].name) == 0 || strcasecmp(name, keys[k].column) == 0)
			return k;
	return -1;
}

int tasksort_compare(const struct task *a, const struct task *b, enum sort_key k,
		     tasksort_wait_fn *wait, void *wait_arg)
{
	if ((unsigned)k >= SORT_COUNT)
		return 0;
	if (keys[k].cmp)
		return keys[k].cmp(a, b);
	/* WAITING: by the text; only live tasks wait. */
	const char *wa = wait && !a->exited ? wait(a->tid, wait_arg) : NULL;
	const char *wb = wait && !b->exited ? wait(b->tid, wait_arg) : NULL;
	return sign_str(wa, wb);
}

unsigned tasksort_extras(const enum sort_key *list, size_t n)
{
	unsigned m = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned)list[i] < SORT_COUNT)
			m |= keys[list[i]].extras;
	return m;
}

int tasksort_parse_list(const char *text, enum sort_key *out, size_t max, char *err,
			size_t errlen)
{
	size_t n = 0;
	const char *p = text ? text : "";
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[32];
		if (len == 0) {
			snprintf(err, errlen, "empty column name in '%s'", text ? text : "");
			return -1;
		}
		if (len >= sizeof name) {
			snprintf(err, errlen, "unknown column '%.*s'", (int)len, p);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		int k = tasksort_parse(name);
		if (k < 0) {
			snprintf(err, errlen, "unknown column '%s'", name);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (out[i] == (enum sort_key)k) {
				snprintf(err, errlen, "column '%s' named twice", name);
				return -1;
			}
		}
		if (n == max) {
			snprintf(err, errlen, "too many columns");
			return -1;
		}
		out[n++] = (enum sort_key)k;
		if (!p[len])
			return (int)n;
		p += len + 1;
	}
}

void tasksort_format_list(const enum sort_key *list, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "", tasksort_column_name(list[i]));
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

void tasksort_all_names(char *buf, size_t len)
{
	/* The default columns in their order, then the optional ones. */
	static const enum sort_key all[SORT_COUNT] = {
		SORT_PID, SORT_TID, SORT_PPID, SORT_STATE, SORT_CPU, SORT_RSS, SORT_THR,
		SORT_START, SORT_WAIT, SORT_COMMAND, SORT_USER, SORT_NICE, SORT_PRI, SORT_TTY,
		SORT_VIRT, SORT_SHR, SORT_MEM, SORT_TIME, SORT_IO_R, SORT_IO_W, SORT_WCHAN,
		SORT_CGROUP,
	};
	tasksort_format_list(all, SORT_COUNT, buf, len);
}
