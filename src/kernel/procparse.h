/* procparse.h - pure parsers for the /proc text concmon reads itself. */
#ifndef CONCMON_PROCPARSE_H
#define CONCMON_PROCPARSE_H

#include <stddef.h>
#include <sys/types.h>

struct proc_stat {
	pid_t pid;
	char comm[64];
	char state;
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	unsigned long long utime, stime;
	long num_threads;
	unsigned long long start_ticks;
	long rss_pages;
	int tty_nr;                  /* field 7: controlling terminal, 0 = none */
	long priority, nice;         /* fields 18-19 */
	unsigned long long vsize;    /* field 23, bytes */
	/* Where the argument block lies (fields 48-49): it moves when the
	 * process execs. 0 when the kernel hides it (another user's process)
	 * or the line is shorter (kernels before 3.5). */
	unsigned long long arg_start, arg_end;
};

/* Parses one /proc/PID/stat line of len bytes (need not be NUL-terminated).
 * comm may contain spaces and parentheses: the last ')' ends it. The line
 * may end after rss (field 24); later fields are then 0.
 * Returns 0, or -1 when the text is malformed (out is then unspecified). */
int procparse_stat(const char *buf, size_t len, struct proc_stat *out);

/* The same, up to rss (field 24) only: arg_start and arg_end stay 0. Half
 * the work, for threads, whose argument block is their process's. */
int procparse_stat_head(const char *buf, size_t len, struct proc_stat *out);

/* Parses a space-separated list of decimal PIDs (the format of
 * /proc/PID/task/TID/children). Appends at most max PIDs to out.
 * Returns how many were stored, or -1 on a malformed token. */
int procparse_pid_list(const char *buf, size_t len, pid_t *out, size_t max);

/* Turns a NUL-separated argv block (/proc/PID/cmdline) into one line with
 * spaces, in place; trailing NULs are dropped (programs that rewrite their
 * argv pad it with them). Returns the new length. */
size_t procparse_cmdline(char *buf, size_t len);

/* The name of a tty_nr as ps shows it: "pts/3", "tty1", "ttyS0", "?" for
 * none, "MAJ:MIN" for another device. */
void procparse_tty_name(int tty_nr, char *buf, size_t len);

/* rchar and wchar of a /proc/PID/io text (bytes through read and write
 * calls, pipes and sockets included). Returns 0, or -1 when either is missing. */
int procparse_io(const char *buf, size_t len, unsigned long long *rchar,
		 unsigned long long *wchar);

/* The cgroup v2 path ("0::/user.slice/...") of a /proc/PID/cgroup text into
 * out (truncated to len). Returns 0, or -1 when there is no v2 line. */
int procparse_cgroup(const char *buf, size_t len, char *out, size_t outlen);

/* The third field of /proc/PID/statm (resident shared pages). -1 on error. */
long procparse_statm_shared(const char *buf, size_t len);

#endif
