/* guardian.h - a small process that outlives concmon for one purpose: if
 * concmon dies without stopping its tree (SIGKILL, a crash), it kills every
 * process of the tree it can prove is one: concmon tells it what it sees
 * (with pidfds), and it follows forks through the proc connector itself. */
#ifndef CONCMON_GUARDIAN_H
#define CONCMON_GUARDIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct guardian;

/* Forks the guardian. cgroup: the directory of the tree's cgroup, killed
 * whole first, or NULL. Returns NULL with a message in err on failure. */
struct guardian *guardian_start(const char *cgroup, char *err, size_t errlen);

/* True when the guardian follows forks itself (it reads the kernel's proc
 * connector): what the tree forks needs no guardian_watch to be covered. */
bool guardian_follows_forks(const struct guardian *g);

/* Adds a process (PID and start time; a pidfd goes along when the kernel
 * has them) to what the guardian kills; group: also its process group (a
 * launched program, which leads one). Nothing is sent for a process that
 * is gone or whose PID now names another. Repeated calls cost a lookup. */
void guardian_watch(struct guardian *g, pid_t pid, unsigned long long start_ticks, bool group);

/* concmon reaped pid: the guardian lets go of it. Safe for any pid. */
void guardian_forget(struct guardian *g, pid_t pid);

/* Ends a refresh: what was not watched since the last sweep and is really
 * gone (its start time no longer matches) is forgotten. Not being seen is
 * not enough: the children lists snapshots come from can miss a live one. */
void guardian_sweep(struct guardian *g);

/* True when pid is the guardian (the caller reaped it: it is gone). */
bool guardian_reaped(struct guardian *g, pid_t pid);

/* The guardian's PID, or 0 once it is gone. */
pid_t guardian_pid(const struct guardian *g);

/* Tells the guardian concmon stopped its tree itself, waits for it to exit
 * and frees g. Safe on NULL. */
void guardian_dismiss(struct guardian *g);

#endif
