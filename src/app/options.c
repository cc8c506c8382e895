/* options.c - one table of options; the parser and the usage text both read it. */
#include "app/options.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "export/httpd.h"
#include "model/tasksort.h"
#include "util/util.h"

enum opt_kind {
	OPT_FLAG,      /* bool, no value */
	OPT_SECONDS,   /* double, decimal seconds within [min, max] */
	OPT_COUNT,     /* long, whole number within [min, LONG_MAX] */
	OPT_DEMO,      /* appended to demos[] */
	OPT_PATH,      /* const char *, a file name */
	OPT_THEME,     /* const char *, one of option_themes */
	OPT_LISTEN,    /* const char *, an address httpd_parse_addr accepts */
	OPT_RESTART,   /* struct restart_spec, see restart_parse */
	OPT_COLUMNS,   /* const char *, a column list tasksort_parse_list accepts */
	OPT_SORT,      /* [-]COLUMN into sort and sort_desc */
};

const char *const options_themes[] = { "default", "monochrome", "projector", NULL };

struct optdef {
	char shortname;        /* 0: long form only */
	const char *longname;
	const char *argname;   /* NULL for flags */
	const char *help;
	enum opt_kind kind;
	size_t offset;         /* of the field in struct options */
	double def, min, max;  /* default and bounds (max unused for OPT_COUNT) */
};

#define FIELD(f) offsetof(struct options, f)

static const struct optdef opt_table[] = {
	{ 'd', "delay", "SECONDS",
	  "refresh interval, decimals allowed (default 1.0; 0 = as fast as possible)",
	  OPT_SECONDS, FIELD(delay), 1.0, 0.0, 3600.0 },
	{ 'a', "all", NULL,
	  "show every process on the system, not only the supervised tree",
	  OPT_FLAG, FIELD(all), 0, 0, 0 },
	{ 'b', "batch", NULL,
	  "no TUI: print a snapshot per refresh to stdout",
	  OPT_FLAG, FIELD(batch), 0, 0, 0 },
	{ 0, "json", NULL,
	  "with --batch: one JSON object per line (NDJSON)",
	  OPT_FLAG, FIELD(json), 0, 0, 0 },
	{ 'n', "iterations", "N",
	  "exit after N refreshes (then stop supervised children)",
	  OPT_COUNT, FIELD(iterations), 0, 1, 0 },
	{ 'g', "grace", "SECONDS",
	  "time between SIGTERM and SIGKILL when stopping children (default 3)",
	  OPT_SECONDS, FIELD(grace), 3.0, 0.0, 3600.0 },
	{ 0, "demo", "NAME[,KEY=VALUE...]",
	  "launch a demo workload at start, with knob values (repeatable)",
	  OPT_DEMO, FIELD(demos), 0, 0, 0 },
	{ 0, "restart", "POLICY[:MAX]",
	  "restart the --demo and COMMAND after it when they end: never, on-failure, always",
	  OPT_RESTART, FIELD(restart), 0, 0, 0 },
	{ 0, "trace", NULL,
	  "trace COMMAND's pthread locks and semaphores (preloads libconcmon-trace.so)",
	  OPT_FLAG, FIELD(trace), 0, 0, 0 },
	{ 0, "log", "FILE",
	  "append every lifecycle event to FILE as NDJSON",
	  OPT_PATH, FIELD(log), 0, 0, 0 },
	{ 0, "record", "FILE",
	  "record every snapshot and event to FILE (replay it with --replay)",
	  OPT_PATH, FIELD(record), 0, 0, 0 },
	{ 0, "replay", "FILE",
	  "show the recording FILE instead of live tasks (read-only; with -b: print it)",
	  OPT_PATH, FIELD(replay), 0, 0, 0 },
	{ 0, "listen", "[ADDR:]PORT",
	  "serve Prometheus metrics on http://ADDR:PORT/metrics (ADDR default 127.0.0.1)",
	  OPT_LISTEN, FIELD(listen), 0, 0, 0 },
	{ 0, "theme", "NAME",
	  "colours: default, monochrome (no colour), or projector (high contrast, nothing dim)",
	  OPT_THEME, FIELD(theme), 0, 0, 0 },
	{ 0, "no-mouse", NULL,
	  "ignore the mouse (else clicks and the wheel act; select text with Shift held)",
	  OPT_FLAG, FIELD(no_mouse), 0, 0, 0 },
	{ 0, "columns", "LIST",
	  "columns shown, comma-separated (names below; COMMAND always last)",
	  OPT_COLUMNS, FIELD(columns), 0, 0, 0 },
	{ 0, "sort", "[-]COLUMN",
	  "sort by COLUMN (any name below); a leading - sorts descending",
	  OPT_SORT, FIELD(sort), 0, 0, 0 },
	{ 0, "linger", "SECONDS",
	  "how long exited tasks stay listed (default 5; 0 = not at all)",
	  OPT_SECONDS, FIELD(linger), 5.0, 0.0, 86400.0 },
	{ 0, "config", "FILE",
	  "read settings from FILE instead of ~/.config/concmon/concmonrc (see README)",
	  OPT_PATH, FIELD(config), 0, 0, 0 },
	{ 0, "no-config", NULL,
	  "read no settings file: built-in defaults and this command line only",
	  OPT_FLAG, FIELD(no_config), 0, 0, 0 },
	{ 0, "no-meters", NULL,
	  "no system meters (CPU, memory, load above the table and in batch output)",
	  OPT_FLAG, FIELD(no_meters), 0, 0, 0 },
	{ 0, "list-demos", NULL,
	  "list the demo workloads and exit",
	  OPT_FLAG, FIELD(list_demos), 0, 0, 0 },
	{ 0, "list-keys", NULL,
	  "print the keys of the interface and exit",
	  OPT_FLAG, FIELD(list_keys), 0, 0, 0 },
	{ 'h', "help", NULL, "show this help and exit", OPT_FLAG, FIELD(help), 0, 0, 0 },
	{ 'V', "version", NULL, "print the version and exit", OPT_FLAG, FIELD(version), 0, 0, 0 },
};

#define OPT_COUNT_OF (sizeof(opt_table) / sizeof(opt_table[0]))
_Static_assert(OPT_COUNT_OF <= 64, "options_given keeps one bit per option");

/* Width of the "  -d, --delay SECONDS" column in the usage text. */
#define USAGE_COLUMN 24

static void *field(struct options *o, const struct optdef *d)
{
	return (char *)o + d->offset;
}

static void set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < OPT_COUNT_OF; i++) {
		const struct optdef *d = &opt_table[i];
		if (d->kind == OPT_SECONDS)
			*(double *)field(o, d) = d->def;
		else if (d->kind == OPT_COUNT)
			*(long *)field(o, d) = (long)d->def;
	}
	o->command = NULL;
	o->theme = options_themes[0];
	o->sort = -1;
}

/* Decimal seconds, parsed by hand so that "0.5" means the same under every
 * LC_NUMERIC (curses programs call setlocale). Accepts "1", "1.", ".5",
 * "0.25"; rejects signs, exponents, hex, inf, nan and empty text. */
int options_parse_seconds(const char *s, double *out)
{
	double whole = 0.0, frac = 0.0, scale = 1.0;
	int digits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++)
		whole = whole * 10.0 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (scale < 1e15) {  /* further digits are below double precision */
				frac = frac * 10.0 + (*p - '0');
				scale *= 10.0;
			}
		}
	}
	if (*p != '\0' || digits == 0)
		return -1;
	*out = whole + frac / scale;
	return 0;
}

/* A whole number from 0 to LONG_MAX, digits only. */
static int parse_count(const char *s, long *out)
{
	long v = 0;
	if (*s == '\0')
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		int d = *p - '0';
		if (v > (LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* --columns LIST and --sort [-]COLUMN: names checked here, so a typo ends
 * the program with the list of names. */
static int apply_columns(const struct optdef *d, const char *name, const char *value,
			 struct options *o, char *err, size_t errlen)
{
	char why[128], names[512];
	enum sort_key list[TASKSORT_MAX_LIST];
	tasksort_all_names(names, sizeof names);
	if (d->kind == OPT_COLUMNS) {
		if (tasksort_parse_list(value, list, TASKSORT_MAX_LIST, why, sizeof why) < 0)
			return util_fail(OPTIONS_ERROR, err, errlen, "%s: %s (columns: %s)", name, why,
					 names);
		o->columns = value;
		return OPTIONS_OK;
	}
	bool desc = value[0] == '-';
	int k = tasksort_parse(value + desc);
	if (k < 0)
		return util_fail(OPTIONS_ERROR, err, errlen, "%s: unknown column '%s' (columns: %s)",
				 name, value + desc, names);
	o->sort = k;
	o->sort_desc = desc;
	return OPTIONS_OK;
}

/* Stores value (NULL for a flag) into the field of d; name is the option as
 * the user spelled it, for the message. */
static int apply(const struct optdef *d, const char *name, const char *value,
		 struct options *o, char *err, size_t errlen)
{
	double secs;
	long count;

	o->given |= 1ull << (d - opt_table);
	switch (d->kind) {
	case OPT_FLAG:
		*(bool *)field(o, d) = true;
		return OPTIONS_OK;
	case OPT_SECONDS:
		if (options_parse_seconds(value, &secs) < 0 || secs < d->min || secs > d->max)
			return util_fail(OPTIONS_ERROR, err, errlen,
				    "invalid value '%s' for %s: expected seconds from %g to %g",
				    value, name, d->min, d->max);
		*(double *)field(o, d) = secs;
		return OPTIONS_OK;
	case OPT_COUNT:
		if (parse_count(value, &count) < 0 || count < (long)d->min)
			return util_fail(OPTIONS_ERROR, err, errlen,
				    "invalid value '%s' for %s: expected a whole number from %ld to %ld",
				    value, name, (long)d->min, LONG_MAX);
		*(long *)field(o, d) = count;
		return OPTIONS_OK;
	case OPT_PATH:
		if (!value[0])
			return util_fail(OPTIONS_ERROR, err, errlen, "option %s needs a file name", name);
		*(const char **)field(o, d) = value;
		return OPTIONS_OK;
	case OPT_THEME:
		for (size_t i = 0; options_themes[i]; i++) {
			if (strcmp(value, options_themes[i]) == 0) {
				*(const char **)field(o, d) = options_themes[i];
				return OPTIONS_OK;
			}
		}
		return util_fail(OPTIONS_ERROR, err, errlen, "invalid value '%s' for %s: expected "
				 "default, monochrome or projector", value, name);
	case OPT_LISTEN: {
		struct httpd_addr addr;
		char why[192];
		if (httpd_parse_addr(value, &addr, why, sizeof why) < 0)
			return util_fail(OPTIONS_ERROR, err, errlen, "invalid value for %s: %s", name, why);
		*(const char **)field(o, d) = value;
		return OPTIONS_OK;
	}
	case OPT_COLUMNS:
	case OPT_SORT:
		return apply_columns(d, name, value, o, err, errlen);
	case OPT_DEMO:
		if (!value[0] || value[0] == ',')
			return util_fail(OPTIONS_ERROR, err, errlen, "option %s needs a demo name", name);
		if (o->ndemos == OPTIONS_MAX_DEMOS)
			return util_fail(OPTIONS_ERROR, err, errlen, "at most %d %s options", OPTIONS_MAX_DEMOS, name);
		o->demo_restart[o->ndemos] = o->restart;
		o->demos[o->ndemos++] = value;
		return OPTIONS_OK;
	case OPT_RESTART: {
		char why[200];
		if (restart_parse(value, (struct restart_spec *)field(o, d), why, sizeof why) < 0)
			return util_fail(OPTIONS_ERROR, err, errlen, "%s: %s", name, why);
		return OPTIONS_OK;
	}
	}
	return util_fail(OPTIONS_ERROR, err, errlen, "internal error: bad option kind");
}

static const struct optdef *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < OPT_COUNT_OF; i++) {
		const char *l = opt_table[i].longname;
		if (strlen(l) == len && memcmp(l, name, len) == 0)
			return &opt_table[i];
	}
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t i = 0; i < OPT_COUNT_OF; i++)
		if (opt_table[i].shortname && opt_table[i].shortname == c)
			return &opt_table[i];
	return NULL;
}

/* "--name", "--name=value" or "--name value"; *i advances past a value. */
static int parse_long(int argc, char *const argv[], int *i, struct options *o,
		      char *err, size_t errlen)
{
	const char *a = argv[*i];
	const char *name = a + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct optdef *d = find_long(name, len);
	char shown[64];

	if (!d)
		return util_fail(OPTIONS_ERROR, err, errlen, "unknown option '--%.*s'", (int)len, name);
	snprintf(shown, sizeof(shown), "--%s", d->longname);
	if (!d->argname) {
		if (eq)
			return util_fail(OPTIONS_ERROR, err, errlen, "option '%s' takes no value", shown);
		return apply(d, shown, NULL, o, err, errlen);
	}
	if (eq)
		return apply(d, shown, eq + 1, o, err, errlen);
	if (*i + 1 >= argc || !argv[*i + 1])
		return util_fail(OPTIONS_ERROR, err, errlen, "option '%s' needs a value (%s)", shown, d->argname);
	*i += 1;
	return apply(d, shown, argv[*i], o, err, errlen);
}

/* "-ab", "-d0.5", "-d 0.5", "-abd0.5"; *i advances past a separate value. */
static int parse_short(int argc, char *const argv[], int *i, struct options *o,
		       char *err, size_t errlen)
{
	const char *a = argv[*i];

	for (size_t j = 1; a[j]; j++) {
		const struct optdef *d = find_short(a[j]);
		char shown[3] = { '-', a[j], '\0' };
		if (!d)
			return util_fail(OPTIONS_ERROR, err, errlen, "unknown option '%s'", shown);
		if (!d->argname) {
			apply(d, shown, NULL, o, err, errlen);
			continue;
		}
		if (a[j + 1])
			return apply(d, shown, a + j + 1, o, err, errlen);
		if (*i + 1 >= argc || !argv[*i + 1])
			return util_fail(OPTIONS_ERROR, err, errlen, "option '%s' needs a value (%s)", shown, d->argname);
		*i += 1;
		return apply(d, shown, argv[*i], o, err, errlen);
	}
	return OPTIONS_OK;
}

int options_parse(int argc, char *const argv[], struct options *o, char *err, size_t errlen)
{
	set_defaults(o);
	if (err && errlen)
		err[0] = '\0';
	for (int i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i];
		int r;
		if (strcmp(a, "--") == 0) {
			if (i + 1 < argc && argv[i + 1])
				o->command = (char **)&argv[i + 1];
			o->command_restart = o->restart;
			break;
		}
		if (a[0] == '-' && a[1] == '-')
			r = parse_long(argc, argv, &i, o, err, errlen);
		else if (a[0] == '-' && a[1] != '\0')
			r = parse_short(argc, argv, &i, o, err, errlen);
		else
			r = util_fail(OPTIONS_ERROR, err, errlen, "unexpected argument '%s' (put the command after --)", a);
		if (r != OPTIONS_OK)
			return r;
	}
	/* Requests that end the program at once win over combination rules. */
	if (o->help || o->version || o->list_keys || o->list_demos)
		return OPTIONS_OK;
	if (o->json && !o->batch)
		return util_fail(OPTIONS_ERROR, err, errlen, "--json works only with --batch");
	if (o->replay && (o->command || o->ndemos || o->record || o->trace || o->log || o->listen))
		return util_fail(OPTIONS_ERROR, err, errlen,
				 "--replay shows a recording: it launches nothing, records nothing and "
				 "serves nothing (no COMMAND, --demo, --trace, --record, --log or --listen)");
	return OPTIONS_OK;
}

bool options_given(const struct options *o, const char *longname)
{
	const struct optdef *d = find_long(longname, strlen(longname));
	return d && (o->given & (1ull << (d - opt_table)));
}

void options_usage(FILE *fp, const char *prog)
{
	fprintf(fp, "usage: %s [OPTIONS] [-- COMMAND [ARGS...]]\n", prog ? prog : "concmon");
	fputs("Launches COMMAND, if given, and shows its processes and threads live.\n\n"
	      "options:\n", fp);
	for (size_t i = 0; i < OPT_COUNT_OF; i++) {
		const struct optdef *d = &opt_table[i];
		char left[64];
		int len;
		if (d->shortname)
			len = snprintf(left, sizeof(left), "  -%c, --%s", d->shortname, d->longname);
		else
			len = snprintf(left, sizeof(left), "      --%s", d->longname);
		if (d->argname && len >= 0 && (size_t)len < sizeof(left))
			snprintf(left + len, sizeof(left) - (size_t)len, " %s", d->argname);
		if (strlen(left) <= USAGE_COLUMN)
			fprintf(fp, "%-*s  %s\n", USAGE_COLUMN, left, d->help);
		else
			fprintf(fp, "%s\n%*s  %s\n", left, USAGE_COLUMN, "", d->help);
	}
	char names[512];
	tasksort_all_names(names, sizeof names);
	fprintf(fp, "\ncolumns: %s\n", names);
}
