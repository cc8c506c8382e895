/* sysmeter.c - see sysmeter.h. libproc2 reads the files; the shares are
 * computed here from its raw tick counts (sysmeter_cpu_shares), so the
 * arithmetic is ours to test and a core is followed by its id, not by its
 * place in /proc/stat (hotplug moves places). */
#include "kernel/sysmeter.h"

#include <libproc2/meminfo.h>
#include <libproc2/misc.h>
#include <libproc2/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "util/util.h"

/* What the stat context is asked for, in this order; the tick items
 * land at the offsets of struct sysmeter_ticks listed beside them. */
static enum stat_item sysmeter_stat_items[] = {
	STAT_TIC_ID, STAT_SYS_PROC_RUNNING, STAT_SYS_PROC_BLOCKED,
	STAT_TIC_USER, STAT_TIC_NICE, STAT_TIC_SYSTEM, STAT_TIC_IDLE,
	STAT_TIC_IOWAIT, STAT_TIC_IRQ, STAT_TIC_SOFTIRQ, STAT_TIC_STOLEN,
};
enum { SM_ID, SM_RUNNING, SM_BLOCKED, SM_FIRST_TIC };
static const size_t sysmeter_tic_offsets[] = {
	offsetof(struct sysmeter_ticks, user), offsetof(struct sysmeter_ticks, nice),
	offsetof(struct sysmeter_ticks, system), offsetof(struct sysmeter_ticks, idle),
	offsetof(struct sysmeter_ticks, iowait), offsetof(struct sysmeter_ticks, irq),
	offsetof(struct sysmeter_ticks, softirq), offsetof(struct sysmeter_ticks, steal),
};
#define SM_NITEMS (sizeof sysmeter_stat_items / sizeof sysmeter_stat_items[0])
#define SM_NTICS (sizeof sysmeter_tic_offsets / sizeof sysmeter_tic_offsets[0])

static enum meminfo_item sysmeter_mem_items[] = {
	MEMINFO_MEM_TOTAL, MEMINFO_MEM_USED, MEMINFO_MEM_AVAILABLE, MEMINFO_MEM_BUFFERS,
	MEMINFO_MEM_CACHED_ALL, MEMINFO_SWAP_TOTAL, MEMINFO_SWAP_USED,
};
enum { SM_MEM_TOTAL, SM_MEM_USED, SM_MEM_AVAIL, SM_MEM_BUFFERS, SM_MEM_CACHED, SM_SWAP_TOTAL,
       SM_SWAP_USED };
#define SM_NMEM (sizeof sysmeter_mem_items / sizeof sysmeter_mem_items[0])

/* A core as last read: its ticks then, and the shares they gave. */
struct sysmeter_core {
	struct sysmeter_ticks ticks;
	struct sysmeter_cpu cpu;
};

struct sysmeter {
	struct stat_info *stat;         /* NULL until it opens */
	struct meminfo_info *mem;
	struct sysmeter_ticks total_ticks;
	struct sysmeter_core *core[2];  /* the last read's and this one's, flipped */
	size_t ncore[2], cap;
	int cur;
	struct sysmeter_cpu *cpus;      /* the reading's array, by id */
	struct sysmeter_reading r;
};

struct sysmeter *sysmeter_new(void)
{
	struct sysmeter *m = xcalloc(1, sizeof *m);
	m->r.total.id = -1;
	return m;
}

void sysmeter_free(struct sysmeter *m)
{
	if (!m)
		return;
	if (m->stat)
		procps_stat_unref(&m->stat);
	if (m->mem)
		procps_meminfo_unref(&m->mem);
	free(m->core[0]);
	free(m->core[1]);
	free(m->cpus);
	free(m);
}

static unsigned long long sysmeter_delta(unsigned long long prev, unsigned long long cur)
{
	return cur > prev ? cur - prev : 0;
}

/* Field off of ticks t. */
static unsigned long long *sysmeter_tic(struct sysmeter_ticks *t, size_t off)
{
	return (unsigned long long *)(void *)((char *)t + off);
}

bool sysmeter_cpu_shares(const struct sysmeter_ticks *prev, const struct sysmeter_ticks *cur,
			 struct sysmeter_cpu *out)
{
	struct sysmeter_ticks p = *prev, c = *cur, t;   /* t: the deltas */
	unsigned long long sum = 0;
	for (size_t i = 0; i < SM_NTICS; i++) {
		size_t off = sysmeter_tic_offsets[i];
		*sysmeter_tic(&t, off) = sysmeter_delta(*sysmeter_tic(&p, off), *sysmeter_tic(&c, off));
		sum += *sysmeter_tic(&t, off);
	}
	if (sum == 0)
		return false;
	double pct = 100.0 / (double)sum;
	out->user = (double)(t.user + t.nice) * pct;
	out->system = (double)(t.system + t.irq + t.softirq) * pct;
	out->iowait = (double)t.iowait * pct;
	out->steal = (double)t.steal * pct;
	out->idle = (double)t.idle * pct;
	return true;
}

double sysmeter_busy(const struct sysmeter_cpu *c)
{
	double b = 100.0 - c->idle;
	return b < 0 ? 0 : b;
}

void sysmeter_uptime_text(double seconds, char *buf, size_t len)
{
	unsigned long long s = seconds > 0 ? (unsigned long long)seconds : 0;
	unsigned long long days = s / 86400;
	unsigned h = (unsigned)(s / 3600 % 24), mi = (unsigned)(s / 60 % 60), se = (unsigned)(s % 60);
	if (days)
		snprintf(buf, len, "%llu day%s, %02u:%02u:%02u", days, days == 1 ? "" : "s", h, mi, se);
	else
		snprintf(buf, len, "%02u:%02u:%02u", h, mi, se);
}

/* The ticks of one libproc2 stack. */
static struct sysmeter_ticks sysmeter_stack_ticks(struct stat_stack *s)
{
	struct sysmeter_ticks t;
	for (size_t i = 0; i < SM_NTICS; i++)
		*sysmeter_tic(&t, sysmeter_tic_offsets[i]) = s->head[SM_FIRST_TIC + i].result.ull_int;
	return t;
}

/* The last read's core with this id (looked for at hint first), or NULL. */
static const struct sysmeter_core *sysmeter_old_core(const struct sysmeter *m, int id, size_t hint)
{
	const struct sysmeter_core *old = m->core[!m->cur];
	size_t n = m->ncore[!m->cur];
	if (hint < n && old[hint].cpu.id == id)
		return &old[hint];
	for (size_t i = 0; i < n; i++)
		if (old[i].cpu.id == id)
			return &old[i];
	return NULL;
}

/* One core read now: its shares since the last read (a new core: since boot). */
static void sysmeter_core_update(struct sysmeter *m, struct stat_stack *s, size_t i)
{
	struct sysmeter_core *c = &m->core[m->cur][i];
	struct sysmeter_ticks now = sysmeter_stack_ticks(s);
	int id = s->head[SM_ID].result.s_int;
	const struct sysmeter_core *old = sysmeter_old_core(m, id, i);
	if (old)
		*c = *old;
	else
		memset(c, 0, sizeof *c);
	c->cpu.id = id;
	if (sysmeter_cpu_shares(&c->ticks, &now, &c->cpu))
		c->ticks = now;
}

static int sysmeter_cpu_cmp(const void *a, const void *b)
{
	const struct sysmeter_cpu *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/* The CPU meters and the running/blocked counts, from /proc/stat. */
static void sysmeter_read_stat(struct sysmeter *m)
{
	m->r.cpu_known = false;
	if (!m->stat && procps_stat_new(&m->stat) < 0) {
		m->stat = NULL;
		return;
	}
	struct stat_reaped *rp = procps_stat_reap(m->stat, STAT_REAP_CPUS_ONLY, sysmeter_stat_items,
						   (int)SM_NITEMS);
	if (!rp || !rp->summary || !rp->cpus)
		return;
	struct stat_stack *sum = rp->summary;
	struct sysmeter_ticks now = sysmeter_stack_ticks(sum);
	if (sysmeter_cpu_shares(&m->total_ticks, &now, &m->r.total))
		m->total_ticks = now;
	m->r.tasks_running = sum->head[SM_RUNNING].result.ul_int;
	m->r.tasks_blocked = sum->head[SM_BLOCKED].result.ul_int;
	size_t n = rp->cpus->total > 0 ? (size_t)rp->cpus->total : 0;
	if (n > m->cap) {
		m->cap = n;
		for (int k = 0; k < 2; k++)
			m->core[k] = xrealloc(m->core[k], n * sizeof *m->core[k]);
		m->cpus = xrealloc(m->cpus, n * sizeof *m->cpus);
	}
	m->cur = !m->cur;
	for (size_t i = 0; i < n; i++) {
		sysmeter_core_update(m, rp->cpus->stacks[i], i);
		m->cpus[i] = m->core[m->cur][i].cpu;
	}
	m->ncore[m->cur] = n;
	qsort(m->cpus, n, sizeof *m->cpus, sysmeter_cpu_cmp);
	m->r.cpus = m->cpus;
	m->r.ncpus = n;
	m->r.cpu_known = true;
}

/* Memory and swap, from /proc/meminfo (select reads it every time; get
 * would answer from a read up to a second old). */
static void sysmeter_read_mem(struct sysmeter *m)
{
	m->r.mem_known = false;
	if (!m->mem && procps_meminfo_new(&m->mem) < 0) {
		m->mem = NULL;
		return;
	}
	struct meminfo_stack *s = procps_meminfo_select(m->mem, sysmeter_mem_items, (int)SM_NMEM);
	if (!s)
		return;
	m->r.mem_total_kb = s->head[SM_MEM_TOTAL].result.ul_int;
	m->r.mem_used_kb = s->head[SM_MEM_USED].result.ul_int;
	m->r.mem_available_kb = s->head[SM_MEM_AVAIL].result.ul_int;
	m->r.mem_buffers_cache_kb = s->head[SM_MEM_BUFFERS].result.ul_int +
				    s->head[SM_MEM_CACHED].result.ul_int;
	m->r.swap_total_kb = s->head[SM_SWAP_TOTAL].result.ul_int;
	m->r.swap_used_kb = s->head[SM_SWAP_USED].result.ul_int;
	m->r.mem_known = m->r.mem_total_kb > 0;
}

const struct sysmeter_reading *sysmeter_read(struct sysmeter *m)
{
	sysmeter_read_stat(m);
	sysmeter_read_mem(m);
	m->r.load_known = procps_loadavg(&m->r.load[0], &m->r.load[1], &m->r.load[2]) >= 0;
	double idle;
	m->r.uptime_known = procps_uptime(&m->r.uptime_s, &idle) >= 0;
	/* libproc2 counts no tasks; the kernel's own count is one syscall. */
	struct sysinfo si;
	m->r.tasks_known = m->r.cpu_known && sysinfo(&si) == 0;
	m->r.tasks_total = m->r.tasks_known ? si.procs : 0;
	return &m->r;
}
