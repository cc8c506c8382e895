/* options.h - the command line: a table of options, parsed into a struct. */
#ifndef CONCMON_OPTIONS_H
#define CONCMON_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* How many --demo options one command line may carry. */
#define OPTIONS_MAX_DEMOS 16

struct options {
	double delay;       /* seconds between refreshes; 0 = as fast as possible */
	bool all;           /* every process on the system */
	bool batch;
	bool json;
	long iterations;    /* 0 = unlimited */
	double grace;       /* seconds between SIGTERM and SIGKILL */
	bool help;
	bool version;
	bool list_keys;     /* print the TUI key table and exit */
	bool list_demos;    /* print the demo workloads and exit */
	const char *demos[OPTIONS_MAX_DEMOS]; /* --demo NAME[,key=value...], in order; point into argv */
	size_t ndemos;
	bool trace;         /* --trace: preload libconcmon-trace.so into COMMAND */
	const char *theme;  /* --theme: "default" or "projector" (static strings) */
	bool no_meters;     /* --no-meters: no system meters (header, batch "system") */
	const char *log;    /* --log FILE: append lifecycle events as NDJSON; NULL = none */
	const char *record; /* --record FILE: write every snapshot and event; NULL = none */
	const char *replay; /* --replay FILE: show a recording instead of live tasks */
	char **command;     /* argv after "--", NULL-terminated; NULL if none. Points into argv. */
};

enum { OPTIONS_OK = 0, OPTIONS_EXIT = 1, OPTIONS_ERROR = 2 };

/* Fills o from argv. Returns OPTIONS_OK, or OPTIONS_ERROR with a one-line
 * reason in err. Never prints, never exits; argv is not modified. */
int options_parse(int argc, char *const argv[], struct options *o, char *err, size_t errlen);

/* Writes the usage text, generated from the option table. */
void options_usage(FILE *fp, const char *prog);

#endif
