/* options.h - the command line: a table of options, parsed into a struct. */
#ifndef CONCMON_OPTIONS_H
#define CONCMON_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "supervise/restart.h"

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
	/* --restart POLICY[:MAX]: restart is the last one given (never before
	 * any); each --demo and the COMMAND keep the one given before them. */
	struct restart_spec restart;
	struct restart_spec demo_restart[OPTIONS_MAX_DEMOS];
	struct restart_spec command_restart;
	bool trace;         /* --trace: preload libconcmon-trace.so into COMMAND */
	bool no_mouse;      /* --no-mouse: the TUI asks the terminal for no mouse events */
	const char *theme;  /* --theme: one of options_themes (static strings) */
	const char *config; /* --config FILE: the settings file; NULL = the default place */
	bool no_config;     /* --no-config: read no settings file */
	unsigned long long given; /* which options the command line gave (see options_given) */
	bool no_meters;     /* --no-meters: no system meters (header, batch "system") */
	const char *log;    /* --log FILE: append lifecycle events as NDJSON; NULL = none */
	const char *record; /* --record FILE: write every snapshot and event; NULL = none */
	const char *replay; /* --replay FILE: show a recording instead of live tasks */
	const char *listen; /* --listen [ADDR:]PORT: serve /metrics there; NULL = none */
	const char *columns; /* --columns LIST, checked; NULL = the default set */
	int sort;           /* --sort: enum sort_key, -1 = the default (PID) */
	bool sort_desc;     /* --sort -COLUMN */
	double linger;      /* --linger: seconds exited rows show */
	char **command;     /* argv after "--", NULL-terminated; NULL if none. Points into argv. */
};

enum { OPTIONS_OK = 0, OPTIONS_EXIT = 1, OPTIONS_ERROR = 2 };

/* Fills o from argv. Returns OPTIONS_OK, or OPTIONS_ERROR with a one-line
 * reason in err. Never prints, never exits; argv is not modified. */
int options_parse(int argc, char *const argv[], struct options *o, char *err, size_t errlen);

/* The TUI's colour themes (ui/color.c draws them), NULL-terminated; the
 * first is the default. */
extern const char *const options_themes[];

/* Whether the command line gave --longname (it then wins over concmonrc). */
bool options_given(const struct options *o, const char *longname);

/* Decimal seconds, the same under every locale: "1", "0.5", ".5"; no sign,
 * exponent, hex, inf or nan. 0, or -1 for anything else. */
int options_parse_seconds(const char *s, double *out);

/* Writes the usage text, generated from the option table. */
void options_usage(FILE *fp, const char *prog);

#endif
