/* connector.h - the kernel's proc connector (netlink): every fork, exec,
 * exit and rename on the machine, as the kernel reports them. Readers
 * decide what concerns them (model/kevents.h, the guardian). */
#ifndef CONCMON_CONNECTOR_H
#define CONCMON_CONNECTOR_H

#include <stdbool.h>
#include <stddef.h>

/* Subscribes: a non-blocking, close-on-exec proc connector socket with a big
 * receive buffer; forks_only: the kernel passes only forks and exits of
 * processes (no threads, execs or renames). -1 with a reason in err. */
int connector_subscribe(bool forks_only, char *err, size_t errlen);

/* Ends the subscription and closes fd. Safe on -1. */
void connector_unsubscribe(int fd);

/* Calls fn for each event waiting on fd, in the kernel's order, reading at
 * most max datagrams (0: until none is waiting). Returns how many it read;
 * adds those lost to a full socket buffer to *lost. */
struct proc_event;
typedef void (*connector_fn)(void *arg, const struct proc_event *pe);
size_t connector_receive(int fd, size_t max, unsigned *lost, connector_fn fn, void *arg);

#endif
