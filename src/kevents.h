/* kevents.h - exact fork/exec/exit events of the supervised tree from the
 * kernel's proc connector (netlink; needs CAP_NET_ADMIN, i.e. root). Short
 * processes that live between two snapshots are still seen. Without it,
 * concmon derives events from snapshots (taskdiff). */
#ifndef CONCMON_KEVENTS_H
#define CONCMON_KEVENTS_H

#include <stddef.h>
#include <sys/types.h>

#include "events.h"

struct kevents;

/* Subscribes to the proc connector. Events about descendants of self are
 * added to ev. NULL with a reason in err when not permitted or supported. */
struct kevents *kevents_open(pid_t self, struct events *ev, char *err, size_t errlen);
void kevents_close(struct kevents *k);

/* The socket to poll for input. */
int kevents_fd(const struct kevents *k);

/* Handles every pending message. Returns how many events were lost to a
 * full socket buffer since the last call (0 normally). */
unsigned kevents_read(struct kevents *k);

/* Marks pid as part of the tree (from a snapshot), so what it forks is
 * followed even if its own fork was missed. hide is never followed. */
void kevents_track(struct kevents *k, pid_t pid);
void kevents_ignore(struct kevents *k, pid_t hide);

#endif
