/* task.h - one row of the model: a process or thread as concmon knows it. */
#ifndef CONCMON_TASK_H
#define CONCMON_TASK_H

#include <stdbool.h>
#include <sys/types.h>

#define TASK_COMM_MAX 64

/* A task as the model shows it. Strings are owned by the container that
 * hands the task out (lifecycle); readers never free them. */
struct task {
	pid_t tid;                 /* thread id; equals pid for a process */
	pid_t pid;                 /* thread group id */
	pid_t ppid;                /* parent process */
	pid_t former_ppid;         /* orphans: parent before adoption, 0 if unknown */
	char state;                /* kernel letter R S D T t Z X I ... */
	char comm[TASK_COMM_MAX];  /* raw bytes from the kernel, NUL-terminated */
	char *cmdline;             /* arguments joined by spaces; never NULL */
	unsigned long long start_ticks; /* clock ticks after boot (stat field 22) */
	double start_time;         /* unix seconds */
	double cpu;                /* percent of one core over the last refresh */
	unsigned long rss_kb;
	int threads;               /* threads in the process */
	bool supervised;           /* in concmon's subtree */
	bool launched;             /* started by concmon itself */
	bool orphan;               /* re-parented to concmon, not launched by it */
	bool exited;               /* gone; kept for a few seconds */
	int exit_code;             /* valid when exited and exit_known and !exit_signal */
	int exit_signal;           /* terminating signal, 0 if none */
	bool exit_known;           /* concmon reaped it (and logged so) and knows how it ended */
	bool reaped;               /* exited, reaped by its parent, and logged so */
	double exited_at;          /* monotonic seconds; a held row's release (its linger starts there) */
	bool held;                 /* exited, listed past the linger: a launched program whose
				    * restart is pending or that gave up (lifecycle_set_hold) */
	/* htop's optional columns. From /proc/PID/stat, always: */
	int tty_nr;                /* controlling terminal, 0 = none */
	int priority, nice;
	unsigned long long vsize_kb;
	double mem_pct;            /* rss_kb over the machine's memory, percent */
	unsigned long long time_ticks; /* utime + stime; TIME+ is this over hz */
	double time_s;             /* the same in seconds */
	/* Read only while a shown column needs them (proctable_set_extras): */
	const char *user;          /* owner's name; static (interned), NULL unknown */
	long shr_kb;               /* -1 unknown */
	double io_read_bps, io_write_bps; /* -1 unknown (not asked, or EACCES) */
	unsigned long long io_rchar, io_wchar; /* the counters the rates come from */
	bool io_known;             /* the counters above are from the last refresh */
	char wchan[32];            /* "" unknown or running */
	char *cgroup;              /* owned like cmdline; NULL unknown */
};

/* True when the task is a thread other than its process's main thread. */
static inline bool task_is_thread(const struct task *t) { return t->tid != t->pid; }

#endif
