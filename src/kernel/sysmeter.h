/* sysmeter.h - the machine's meters, as htop shows them above its table:
 * CPU per core and in total (busy shares over the last refresh, from
 * /proc/stat), memory and swap (/proc/meminfo), load average, uptime and
 * task counts. Read through procps-ng's libproc2 (stat, meminfo, misc);
 * the supervised tasks keep concmon's own /proc reader, which costs less
 * per refresh. Nothing here draws; the view gets a struct sysmeter_reading.
 * A meter that cannot be read says so (its *_known is false): never fatal. */
#ifndef CONCMON_SYSMETER_H
#define CONCMON_SYSMETER_H

#include <stdbool.h>
#include <stddef.h>

/* One CPU's (or the total's) jiffies since boot, as /proc/stat counts them. */
struct sysmeter_ticks {
	unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
};

/* Shares of one CPU's time over an interval, in percent (they sum to 100):
 * user includes nice, system includes irq and softirq. */
struct sysmeter_cpu {
	int id;                 /* N of /proc/stat's cpuN; -1 for the total */
	double user, system, iowait, steal, idle;
};

struct sysmeter_reading {
	bool cpu_known;
	struct sysmeter_cpu total;
	const struct sysmeter_cpu *cpus;  /* per core, by id; owned by the sysmeter */
	size_t ncpus;
	bool mem_known;
	unsigned long mem_total_kb, mem_used_kb, mem_available_kb, mem_buffers_cache_kb;
	unsigned long swap_total_kb, swap_used_kb;
	bool load_known;
	double load[3];                   /* 1, 5 and 15 minutes */
	bool uptime_known;
	double uptime_s;
	bool tasks_known;
	unsigned long tasks_total;        /* threads the kernel schedules (sysinfo) */
	unsigned long tasks_running, tasks_blocked;  /* runnable, in D (/proc/stat) */
};

struct sysmeter;

/* Opens the libproc2 contexts; a context that cannot open is retried at
 * each read, its meters unknown until then. Aborts on allocation failure. */
struct sysmeter *sysmeter_new(void);
void sysmeter_free(struct sysmeter *m);

/* Reads every meter now. The CPU shares cover the time since the previous
 * read (the first: since boot). The returned reading and its cpus array
 * are owned by m and valid until the next read or free. */
const struct sysmeter_reading *sysmeter_read(struct sysmeter *m);

/* The shares of the interval from prev to cur into out (id untouched).
 * A counter that went backwards counts 0. False, out untouched, when no
 * tick passed: the caller keeps the previous shares and prev. */
bool sysmeter_cpu_shares(const struct sysmeter_ticks *prev, const struct sysmeter_ticks *cur,
			 struct sysmeter_cpu *out);

/* The busy share of c (100 - idle), in percent. */
double sysmeter_busy(const struct sysmeter_cpu *c);

/* Uptime as htop writes it: "03:12:44", "1 day, 03:12:44", "12 days, ...". */
void sysmeter_uptime_text(double seconds, char *buf, size_t len);

#endif
