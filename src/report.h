/* report.h - snapshots for --batch: NDJSON or an aligned text table. */
#ifndef CONCMON_REPORT_H
#define CONCMON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tasktree.h"

/* Writes s as a JSON string (with quotes), escaping control characters
 * (C0, DEL and C1), quotes and backslashes; each maximal invalid UTF-8 subpart (overlong,
 * surrogate, truncated, past U+10FFFF, stray byte) becomes \ufffd, so the
 * result is valid JSON for any bytes. NULL is written as "". */
void report_json_string(FILE *fp, const char *s);

/* What a snapshot carries besides tasks: the launched programs and their
 * telemetry. */
struct program;
struct deadlocks;
struct report_extra {
	const struct program *programs;
	size_t nprograms;
	const struct deadlocks *deadlocks;  /* NULL: none searched */
	const char *containment;            /* "cgroup", "process-groups"; NULL: not written */
	void (*more)(FILE *fp, void *arg);  /* writes further ,"key":value members */
	void *more_arg;
};

/* One JSON object on one line: time, tasks (in row order), summary, and
 * with x the programs' telemetry (see report_json_programs). Numbers are
 * written without the locale; a non-finite one is null. */
void report_json(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum, const struct report_extra *x);

/* Writes ,"programs":[...],"queues":[...],"locks":[...],"probe_threads":[...],
 * "knobs":[...],"values":[...] for the n programs; every record carries the
 * PID of the program it belongs to. Defined in report_tel.c. */
void report_json_programs(FILE *fp, const struct program *p, size_t n);

/* Writes ,"deadlocks":[{"cycle":[{"pid","tid","role","lock","holder",
 * "holder_role"}...]}...]. Defined in report_tel.c. */
void report_json_deadlocks(FILE *fp, const struct deadlocks *d);

/* One line a program wrote, as text: "[4242 stderr] text", the text
 * sanitized, then a newline. */
void report_text_output(FILE *fp, pid_t pid, bool err, const char *text);

/* The same snapshot as text: a summary line (local time), the column
 * header, one aligned row per task with sanitized strings, a blank line. */
void report_text(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum);

/* Copies s into out (size outlen) with every control character, escape
 * sequence byte and invalid UTF-8 byte made visible (\e, \n, \x9b...), so
 * the result is safe to print on a terminal: ESC, LF, TAB, CR as \e \n \t
 * \r; other C0 and DEL as \xNN; C1 (U+0080..U+009F) as \x80..\x9f; bidi
 * controls, zero-width marks and the BOM as \uNNNN; each invalid UTF-8
 * byte as \xNN. Always NUL-terminated when outlen > 0; cut
 * short only between whole escapes or characters. s and out must not
 * overlap; 4 * strlen(s) + 1 bytes always suffice. Returns out. */
char *report_sanitize(const char *s, char *out, size_t outlen);

#endif
