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

#endif
