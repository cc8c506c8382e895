/* futex.c - see futex.h. */
#include "infer/futex.h"

#include <linux/futex.h>
#include <string.h>

/* glibc's __kind bits: the kind proper (normal, recursive, errorcheck,
 * adaptive), robust, priority inheritance, priority protection, shared,
 * and the elision hints. Anything else is not a mutex. */
#define KIND_TYPE 3
#define KIND_ROBUST 16
#define KIND_PI 32
#define KIND_PP 64
#define KIND_KNOWN 0x3ff

bool futex_is_wait(uint64_t op)
{
	unsigned cmd = (unsigned)op & FUTEX_CMD_MASK;
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;
}

bool futex_may_be_mutex(uint64_t op, uint64_t val)
{
	unsigned cmd = (unsigned)op & FUTEX_CMD_MASK;
	if (cmd == FUTEX_LOCK_PI || cmd == 13 /* FUTEX_LOCK_PI2 */)
		return true;
	if (!futex_is_wait(op))
		return false;
	uint32_t v = (uint32_t)val;
	return v == 2 || ((v & FUTEX_WAITERS) && (v & FUTEX_TID_MASK) != 0);
}

bool futex_decode(const unsigned char *bytes, struct futex_mutex *out)
{
	int32_t lock, owner, kind;
	uint32_t count;
	memcpy(&lock, bytes, 4);
	memcpy(&count, bytes + 4, 4);
	memcpy(&owner, bytes + 8, 4);
	memcpy(&kind, bytes + 16, 4);
	memset(out, 0, sizeof *out);
	if (lock == 0 || kind < 0 || (kind & ~KIND_KNOWN) != 0)
		return false;
	if (kind & (KIND_ROBUST | KIND_PI))
		owner = (int32_t)((uint32_t)lock & FUTEX_TID_MASK);
	if (owner <= 0)
		return false;
	out->owner = owner;
	out->recursive = (kind & KIND_TYPE) == 1;
	out->depth = out->recursive && count > 0 ? count : 1;
	return true;
}
