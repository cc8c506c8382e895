/* heap.h - concmon's use of glibc's allocator: its memory must come back
 * down after a burst of programs, not stay at the peak for good. */
#ifndef CONCMON_HEAP_H
#define CONCMON_HEAP_H

#include <stddef.h>

/* The first thing main() does: fixes glibc's mmap threshold, so big blocks
 * are mapped on their own and freeing one returns its pages at once. */
void heap_setup(void);

/* Gives freed heap memory back to the system once the memory in use has
 * fallen 16 KiB below its high point since the last call that did. *high
 * is the caller's high-water mark, 0 at first. */
void heap_trim(size_t *high);

#endif
