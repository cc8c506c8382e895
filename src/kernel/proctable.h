/* proctable.h - one snapshot of processes and threads, read from /proc. */
#ifndef CONCMON_PROCTABLE_H
#define CONCMON_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kernel/procextra.h"

/* One task as read this refresh. cmdline points into the proctable and is
 * valid until the next proctable_sample(); it is the arguments joined by
 * spaces, "[comm]" when there are none (kernel threads), "[comm] <defunct>"
 * for a zombie, and a thread carries its process's. */
struct sample {
	pid_t tid, pid, ppid;
	char state;
	char comm[64];
	const char *cmdline;
	unsigned long long ticks;        /* utime + stime */
	unsigned long long start_ticks;
	unsigned long rss_kb;
	int threads;
	int tty_nr;                      /* 0: no terminal */
	int priority, nice;
	unsigned long long vsize_kb;
	/* The facts proctable_set_extras asked for (a thread's owner, shared
	 * memory and cgroup are its process's); NULL when none was asked. */
	const struct proc_extras *extra;
};

struct proctable;

/* Creates a sampler. Returns NULL (errno set) when /proc cannot be opened. */
struct proctable *proctable_new(void);
void proctable_free(struct proctable *pt);

/* Which extra facts (enum proc_extra bits) the next refreshes read; 0, the
 * default, reads none and costs nothing. */
void proctable_set_extras(struct proctable *pt, unsigned mask);

/* Reads the tasks of root's subtree (root itself excluded, and the subtree of
 * `hide` too), or of the whole system when all is set. Threads are included
 * when threads is set. Returns the samples (owned by pt, valid until the next
 * call) and their count in *n; NULL with errno on failure. */
const struct sample *proctable_sample(struct proctable *pt, pid_t root, pid_t hide,
				      bool all, bool threads, size_t *n);

/* A process as an identity: PID and start time (clock ticks after boot),
 * with the state it was in when read. A PID alone names nothing once it may
 * have been reaped and reused. */
struct proc_id {
	pid_t pid;
	unsigned long long start;
	char state;
};

/* Collects root's descendants (processes, not threads) with their start
 * times, skipping the subtree of hide (0 = none) and whatever vanished
 * while being read. Returns a malloc'd array the caller frees, its length
 * in *n; NULL with *n = 0 when there are none. */
struct proc_id *proctable_descendants(pid_t root, pid_t hide, size_t *n);

/* Reads /proc/PID/stat of one process into st; false when it is gone. */
struct proc_stat;
bool proctable_stat(pid_t pid, struct proc_stat *st);

/* Start time of pid in clock ticks after boot, or 0 if it is gone. */
unsigned long long proctable_start_ticks(pid_t pid);

/* True when pid is stopped (state T or t). */
bool proctable_stopped(pid_t pid);

/* Boot time in unix seconds and clock ticks per second (for start_time). */
double proctable_boot_time(void);
long proctable_hz(void);

/* MemTotal of /proc/meminfo in KiB (for %MEM), 0 when unreadable. */
unsigned long long proctable_mem_total_kb(void);

#endif
