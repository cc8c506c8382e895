/* xorshift.h - a tiny deterministic generator for the randomised unit tests
 * (same seed, same cases: a failure can be replayed). */
#ifndef CONCMON_TEST_XORSHIFT_H
#define CONCMON_TEST_XORSHIFT_H

static inline unsigned xorshift_next(unsigned long long *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned)(*state >> 32);
}

#endif
