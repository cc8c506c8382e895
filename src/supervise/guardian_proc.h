/* guardian_proc.h - the guardian process's side: what concmon tells it over
 * its socket, and the loop that acts on it (see guardian.h for concmon's
 * side). */
#ifndef CONCMON_GUARDIAN_PROC_H
#define CONCMON_GUARDIAN_PROC_H

#include <sys/types.h>

enum guardian_op {
	GUARDIAN_WATCH,     /* kill this process (pidfd attached when there is one) */
	GUARDIAN_FORGET,    /* concmon reaped it, or it is gone */
	GUARDIAN_DISMISS,   /* concmon stopped the tree itself: exit */
};

/* One SEQPACKET message; a WATCH may carry the process's pidfd (SCM_RIGHTS). */
struct guardian_msg {
	int op;                     /* enum guardian_op */
	int group;                  /* WATCH: also its process group (a launched program) */
	pid_t pid;
	int unused;                 /* no padding: every byte sent is initialised */
	unsigned long long start;   /* start ticks: the identity behind pid */
};

/* The guardian's body: reads sock until concmon is gone, then kills every
 * process it can prove was of the tree (the cgroup at path cgroup first,
 * when not NULL) and exits. It first sends concmon one byte on sock: 1 when
 * it follows forks through the proc connector itself, else 0. concmon is
 * concmon's PID: it and its ancestors are never killed. */
void guardian_proc_run(int sock, const char *cgroup, pid_t concmon) __attribute__((noreturn));

#endif
