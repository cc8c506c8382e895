/* cgroup.h - a cgroup (v2) of concmon's own for everything it launches:
 * whatever the tree does (setsid, double fork), its processes stay in the
 * cgroup, and cgroup.kill ends them all at once. Needs a writable cgroup2
 * hierarchy (root, or a delegated subtree); concmon works without it. */
#ifndef CONCMON_CGROUP_H
#define CONCMON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup;

/* Creates <cgroup2 mount><own cgroup>/concmon-<self>. NULL with a reason
 * in err when there is no cgroup2 hierarchy or it is not writable. */
struct cgroup *cgroup_create(pid_t self, char *err, size_t errlen);

/* An fd of cgroup.procs (close-on-exec): a child writes "0" to it between
 * fork and exec to move itself in. Owned by cg. */
int cgroup_procs_fd(const struct cgroup *cg);

/* The cgroup's directory (for the guardian). */
const char *cgroup_path(const struct cgroup *cg);

/* Kills every process in the cgroup at once. 0 or an errno value. */
int cgroup_kill(const struct cgroup *cg);

/* True when no process is left in the cgroup. */
bool cgroup_empty(const struct cgroup *cg);

/* Removes the (empty) cgroup and frees cg. Safe on NULL. */
void cgroup_free(struct cgroup *cg);

/* The same three steps by path, for the guardian, which has only the path:
 * kill everything, wait up to timeout seconds for it to be gone, remove it. */
void cgroup_kill_path(const char *path, double timeout);

#endif
