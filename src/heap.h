/* heap.h - concmon's use of glibc's allocator: its memory must come back
 * down after a burst of programs, not stay at the peak for good. */
#ifndef CONCMON_HEAP_H
#define CONCMON_HEAP_H

#include <stddef.h>

/* The first thing main() does. Unless the user's GLIBC_TUNABLES already
 * sets the tcache, re-executes concmon once with glibc's per-thread cache
 * of freed blocks turned off (only possible before a program starts); on
 * that second start, puts the environment and the process name back as
 * they were. Then fixes the mmap threshold at 32 KiB. Does not re-execute
 * under valgrind or a sanitizer (their allocators are not glibc's), in a
 * set-ID process, or when /proc/self/exe is gone; on any failure concmon
 * simply runs as it was started. */
void heap_setup(char **argv);

/* Gives freed heap memory back to the system once the memory in use has
 * fallen 16 KiB below its high point since the last call that did. *high
 * is the caller's high-water mark, 0 at first. */
void heap_trim(size_t *high);

#endif
