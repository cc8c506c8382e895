/* demolist.h - the catalogue of demo workloads, as `concmon-demo --list`
 * prints it: one "name<TAB>group<TAB>description" line per demo. */
#ifndef CONCMON_DEMOLIST_H
#define CONCMON_DEMOLIST_H

#include <stddef.h>

struct demo_info {
	char name[48];
	char group[48];
	char description[160];
};

/* Parses the listing in text (len bytes, need not be NUL-terminated) into
 * at most max entries; lines that are not three tab-separated non-empty
 * fields are skipped. Returns the count. */
size_t demolist_parse(const char *text, size_t len, struct demo_info *out, size_t max);

/* Runs `demo_path --list` and parses its output. Returns a malloc'd array
 * (caller frees) and its length in *n; NULL with *n = 0 if the program
 * could not run or listed nothing. */
struct demo_info *demolist_load(const char *demo_path, size_t *n);

#endif
