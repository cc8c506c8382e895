/* config.h - saved settings (concmonrc): one table of settings with types,
 * bounds and defaults; a parser that survives any file, and an atomic
 * writer. Pure C: knows nothing of curses or /proc; src/app/settings.c
 * applies the values where the command line's options go. */
#ifndef CONCMON_CONFIG_H
#define CONCMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Files larger than this are read this far only (the rest is warned about). */
#define CONFIG_MAX_BYTES (64 * 1024)
/* A longer line is bad (its setting keeps its default). */
#define CONFIG_MAX_LINE 1024
/* Items a list setting holds at most. */
#define CONFIG_LIST_MAX 32

enum config_type {
	CONFIG_BOOL,    /* true/false (also yes/no, on/off, 1/0) */
	CONFIG_NUMBER,  /* decimal within [min, max] */
	CONFIG_ENUM,    /* one of choices */
	CONFIG_LIST,    /* comma-separated choices, each at most once, in order */
	CONFIG_TEXT,    /* free text its check accepts (column lists, policies) */
};

/* Longest CONFIG_TEXT value, in bytes with the NUL. */
#define CONFIG_TEXT_MAX 256

/* Checks a CONFIG_TEXT value and writes its normal form (what the file
 * keeps) into norm: 0, or -1 with the reason in err. */
typedef int config_check_fn(const char *value, char *norm, size_t normlen, char *err,
			    size_t errlen);

/* What the setup screen and the writer know of one setting (static data). */
struct config_info {
	const char *name;
	enum config_type type;
	const char *const *choices;   /* ENUM, LIST: NULL-terminated names */
	double min, max;              /* NUMBER */
	config_check_fn *check;       /* TEXT */
	const char *def;              /* the default, as written in the file */
	const char *help;             /* one line, the comment above it in the file */
};

struct config;

/* Every setting at its default; free with config_free. Never NULL. */
struct config *config_new(void);
void config_free(struct config *c);

/* How many settings there are, and the i-th's description (i < count). */
size_t config_count(void);
const struct config_info *config_info(size_t i);

/* Sets name from its text form; 0, or -1 with the reason in err (value out
 * of range, unknown name or choice), c unchanged then. */
int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen);

/* Writes name's value in its text form into buf; false for an unknown name. */
bool config_get(const struct config *c, const char *name, char *buf, size_t len);

/* Whether the file (or config_set) set name, rather than the default. */
bool config_is_set(const struct config *c, const char *name);

/* Typed reads; a name not in the table, or of another type, is a bug
 * (aborts). config_list fills out[] with the chosen names in order and
 * returns how many (at most max). */
bool config_bool(const struct config *c, const char *name);
double config_number(const struct config *c, const char *name);
const char *config_enum(const struct config *c, const char *name);
size_t config_list(const struct config *c, const char *name, const char **out, size_t max);
const char *config_text(const struct config *c, const char *name);

/* Parses len bytes of "name=value" lines over c (which = the file's name,
 * for the message). Bad lines leave their setting as it was. Returns the
 * number of problems; for the first, one message in warn naming which and
 * the line ("FILE:LINE: why; N more problems"); "" when none. */
int config_parse(struct config *c, const char *text, size_t len, const char *which, char *warn,
		 size_t warnlen);

/* Reads path over c. A missing file is no problem (0, warn ""). Never
 * blocks (FIFOs, devices and directories are refused, not read), reads at
 * most CONFIG_MAX_BYTES. Returns the number of problems, warn as for
 * config_parse. */
int config_load(struct config *c, const char *path, char *warn, size_t warnlen);

/* Writes every setting with its help as a comment to path, atomically: a
 * temporary file (mode 0600) in the same directory, fsync, rename. Makes
 * the directory (0700) when missing. 0, or -1 with the reason in err. */
int config_save(const struct config *c, const char *path, char *err, size_t errlen);

/* The file's place: $XDG_CONFIG_HOME/concmon/concmonrc when that is set to
 * an absolute path, else $HOME/.config/concmon/concmonrc. 0, or -1 when
 * neither is known (or buf is too small). */
int config_default_path(char *buf, size_t len);

#endif
