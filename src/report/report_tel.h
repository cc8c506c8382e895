/* report_tel.h - the telemetry part of a --batch --json snapshot: what the
 * launched programs publish about their queues, locks, threads and knobs,
 * and the deadlocks found in it. */
#ifndef CONCMON_REPORT_TEL_H
#define CONCMON_REPORT_TEL_H

#include <stddef.h>
#include <stdio.h>

struct program;
struct deadlocks;

/* Writes ,"programs":[...],"queues":[...],"locks":[...],"probe_threads":[...],
 * "knobs":[...],"values":[...] for the n programs; every record carries the
 * PID of the program it belongs to. */
void report_json_programs(FILE *fp, const struct program *p, size_t n);

/* Writes ,"deadlocks":[{"cycle":[{"pid","tid","role","lock","holder",
 * "holder_role"}...]}...]. */
void report_json_deadlocks(FILE *fp, const struct deadlocks *d);

#endif
