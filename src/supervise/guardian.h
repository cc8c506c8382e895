/* guardian.h - a small process that outlives concmon for one purpose: if
 * concmon dies without stopping its tree (SIGKILL, a crash), it kills every
 * process concmon told it about. */
#ifndef CONCMON_GUARDIAN_H
#define CONCMON_GUARDIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct guardian;

/* Forks the guardian. cgroup: the directory of the tree's cgroup, killed
 * whole first, or NULL. Returns NULL with a message in err on failure. */
struct guardian *guardian_start(const char *cgroup, char *err, size_t errlen);

/* Adds a process (identified by PID and start time, so a recycled PID is
 * never hit) to what the guardian kills; group: also kill its process group.
 * Repeated calls for the same process cost nothing. */
void guardian_watch(struct guardian *g, pid_t pid, unsigned long long start_ticks, bool group);

/* Forgets what was not watched since the last sweep (gone, or no longer
 * ours): the record of what was sent follows the live tree, not the
 * history. Forgotten PIDs are sent again if watched again (harmless). */
void guardian_sweep(struct guardian *g);

/* True when pid is the guardian (the caller reaped it: it is gone). */
bool guardian_reaped(struct guardian *g, pid_t pid);

/* The guardian's PID, or 0 once it is gone. */
pid_t guardian_pid(const struct guardian *g);

/* Tells the guardian concmon stopped its tree itself, waits for it to exit
 * and frees g. Safe on NULL. */
void guardian_dismiss(struct guardian *g);

#endif
