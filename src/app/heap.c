/* heap.c - see heap.h. Why: a burst (a hundred programs launched and ended
 * in a row, each with its output, telemetry copy and tasks) grows the heap.
 * Once they are gone, concmon uses what it used before, but glibc's mmap
 * threshold rises after each big block is freed, so later big arrays land
 * in the heap, above the small blocks placed after them, and no trim can
 * return what lies below those. A fixed threshold of 16 KiB puts every big
 * block in a mapping of its own: a program's telemetry copy (32 KiB) and
 * snapshot (30 KiB) among them, so freeing them returns their pages at
 * once. malloc_trim() returns the rest once the use has fallen. What
 * glibc's per-thread cache keeps is bounded (7 blocks of each small size):
 * tests/integration/test_soak.py checks that memory reaches a plateau
 * rather than growing with the number of programs. */
#include "app/heap.h"

#include <malloc.h>

void heap_setup(void)
{
	mallopt(M_MMAP_THRESHOLD, 16 * 1024);
}

void heap_trim(size_t *high)
{
	struct mallinfo2 mi = mallinfo2();
	if (mi.uordblks >= *high) {
		*high = mi.uordblks;
	} else if (*high - mi.uordblks >= 16 * 1024) {
		malloc_trim(0);
		*high = mi.uordblks;
	}
}
