/* report_sys.h - the system meters in a batch snapshot: a "system" JSON
 * member, or one text line. */
#ifndef CONCMON_REPORT_SYS_H
#define CONCMON_REPORT_SYS_H

#include <stdio.h>

#include "kernel/sysmeter.h"

/* Writes ,"system":{cpu, memory, swap, load, uptime_s, tasks}; a meter
 * that could not be read is null. */
void report_sys_json(FILE *fp, const struct sysmeter_reading *r);

/* Writes "system: cpu 12.3% ... tasks 230, 2 running, 0 blocked\n";
 * what could not be read is "?". */
void report_sys_text(FILE *fp, const struct sysmeter_reading *r);

#endif
