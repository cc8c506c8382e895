/* trace_site.h - a traced lock's name: where it was first used, as
 * "symbol+0xoff" or "file+0xoff" (an offset in that object, for addr2line). */
#ifndef CONCMON_TRACE_SITE_H
#define CONCMON_TRACE_SITE_H

#include <stddef.h>
#include <stdint.h>

/* Writes "sym+0xoff" (sym non-empty) or "base+0xoff" (base: file's last
 * path component; "?" when file is empty) into out (size len), shortening
 * the name, never the offset, to fit. */
void trace_site_format(char *out, size_t len, const char *sym, const char *file, uintptr_t off);

/* Names the code address site (dladdr: symbol when exported, else the
 * object file; the main program without a name is the program's). */
void trace_site_name(char *out, size_t len, uintptr_t site);

#endif
