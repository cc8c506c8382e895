/* demolist.h - the catalogue of demo workloads, as `concmon-demo --list`
 * prints it: one "name<TAB>group<TAB>description[<TAB>knobs]" line per
 * demo, knobs as "name=default:min..max" joined by commas ('*' after a
 * knob read only at start; "-" for none). */
#ifndef CONCMON_DEMOLIST_H
#define CONCMON_DEMOLIST_H

#include <stdbool.h>
#include <stddef.h>

#define DEMO_INFO_KNOBS 8

struct demo_knob_info {
	char name[32];
	long value, min, max;   /* default and bounds, min <= value <= max */
	bool at_start;          /* the demo reads it once, at start */
};

struct demo_info {
	char name[48];
	char group[48];
	char description[160];
	struct demo_knob_info knobs[DEMO_INFO_KNOBS];
	size_t nknobs;
};

/* Parses the listing in text (len bytes, need not be NUL-terminated) into
 * at most max entries; lines without three tab-separated non-empty fields
 * are skipped, and so are knobs that do not parse or whose default is out
 * of their bounds. Returns the count. */
size_t demolist_parse(const char *text, size_t len, struct demo_info *out, size_t max);

/* Runs `demo_path --list` and parses its output. Returns a malloc'd array
 * (caller frees) and its length in *n; NULL with *n = 0 if the program
 * could not run or listed nothing. */
struct demo_info *demolist_load(const char *demo_path, size_t *n);

#endif
