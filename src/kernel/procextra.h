/* procextra.h - the per-task facts only some columns need: owner, shared
 * memory, I/O counters, wait channel, cgroup. Each is one more syscall or
 * file per task, so each is read only when its bit is asked for. */
#ifndef CONCMON_PROCEXTRA_H
#define CONCMON_PROCEXTRA_H

#include <stdbool.h>
#include <sys/types.h>

/* Bits of the extra facts a refresh reads (proctable_set_extras). */
enum proc_extra {
	PROC_EXTRA_USER = 1u << 0,   /* owner: fstatat of /proc/PID */
	PROC_EXTRA_SHR = 1u << 1,    /* shared memory: /proc/PID/statm */
	PROC_EXTRA_IO = 1u << 2,     /* rchar, wchar: /proc/PID/io (EACCES for others') */
	PROC_EXTRA_WCHAN = 1u << 3,  /* kernel function it sleeps in: /proc/PID/wchan */
	PROC_EXTRA_CGROUP = 1u << 4, /* v2 cgroup path: /proc/PID/cgroup */
};

#define PROC_WCHAN_MAX 32
#define PROC_CGROUP_MAX 256

/* What was read of one task; a field not asked for or unreadable stays at
 * its "unknown" value (NULL, -1, false, ""). */
struct proc_extras {
	const char *user;            /* owner's name (or uid in digits); interned, NULL unknown */
	long shr_kb;                 /* -1 unknown */
	bool io_known;
	unsigned long long io_rchar, io_wchar;
	char wchan[PROC_WCHAN_MAX];  /* "" unknown or running */
	char cgroup[PROC_CGROUP_MAX];/* "" unknown */
};

struct procextra;

/* Aborts on allocation failure. */
struct procextra *procextra_new(void);
void procextra_free(struct procextra *x);

/* Reads the facts of mask for task tid of process pid from dirfd, a
 * directory holding "TID/..." (/proc, or /proc/PID/task for a thread).
 * page_kb converts statm pages. Never fails: what cannot be read stays unknown. */
void procextra_read(struct procextra *x, int dirfd, pid_t tid, unsigned mask, long page_kb,
		    struct proc_extras *out);

/* The name of user uid (its digits when it has none); the string lives as
 * long as x. */
const char *procextra_user(struct procextra *x, uid_t uid);

#endif
