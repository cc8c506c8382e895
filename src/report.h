/* report.h - snapshots for --batch: NDJSON or an aligned text table. */
#ifndef CONCMON_REPORT_H
#define CONCMON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tasktree.h"

/* Writes s as a JSON string (with quotes), escaping control characters,
 * quotes, backslashes and invalid UTF-8 (as \ufffd). */
void report_json_string(FILE *fp, const char *s);

/* One JSON object on one line: time, tasks (in row order), summary. */
void report_json(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum);

/* The same snapshot as a text table with a summary line, then a blank line. */
void report_text(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum);

/* Copies s into out (size outlen) with every control character, escape
 * sequence byte and invalid UTF-8 byte made visible (\e, \n, \x9b...), so
 * the result is safe to print on a terminal. Returns out. */
char *report_sanitize(const char *s, char *out, size_t outlen);

#endif
