/* futex.h - glibc's pthread_mutex_t seen from outside: which futex waits
 * may be a mutex, and who owns a mutex, from its words (glibc 2.36 x86-64:
 * int __lock; unsigned __count; int __owner; unsigned __nusers; int __kind).
 * Pure: the caller reads the words (process_vm_readv). */
#ifndef CONCMON_FUTEX_H
#define CONCMON_FUTEX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes of a mutex futex_decode reads, from the futex address on. */
#define FUTEX_MUTEX_BYTES 20

/* True when a futex system call with op and val is how glibc waits for a
 * mutex: FUTEX_WAIT(_BITSET) with 2 (lll_lock_wait), with a TID and the
 * waiters bit (robust), or FUTEX_LOCK_PI(2). Condition variables, joins,
 * semaphores and rwlocks wait with other values; futex_decode still checks. */
bool futex_may_be_mutex(uint64_t op, uint64_t val);

/* True when op is one of the plain waits (FUTEX_WAIT, FUTEX_WAIT_BITSET). */
bool futex_is_wait(uint64_t op);

struct futex_mutex {
	pid_t owner;          /* TID holding it */
	bool recursive;
	unsigned depth;       /* times locked: __count for a recursive mutex, else 1 */
};

/* Decodes FUTEX_MUTEX_BYTES bytes of a mutex; false when they do not look
 * like a held glibc mutex (unknown kind bits, free, no owner). The caller
 * still checks that the owner is a live thread of the process. */
bool futex_decode(const unsigned char *bytes, struct futex_mutex *out);

#endif
