/* config.c - the settings table, the concmonrc parser and its atomic writer.
 * A setting is one row of config_table; adding one is a row here plus the
 * line in settings.c that applies it. */
#include "app/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/options.h"
#include "model/tasksort.h"
#include "supervise/restart.h"
#include "util/util.h"

static const char *const config_layouts[] = { "stacked", "side", "left", "right", NULL };
static const char *const config_panes[] = { "panels", "events", "explain", "output", NULL };

/* A column list as --columns takes it; kept with COMMAND moved last, as
 * the table shows it. */
static int config_check_columns(const char *value, char *norm, size_t normlen, char *err,
				size_t errlen)
{
	enum sort_key list[TASKSORT_MAX_LIST + 1];
	int n = tasksort_parse_list(value, list, TASKSORT_MAX_LIST, err, errlen);
	if (n < 0)
		return -1;
	size_t k = 0;
	for (int i = 0; i < n; i++)
		if (list[i] != SORT_COMMAND)
			list[k++] = list[i];
	list[k++] = SORT_COMMAND;
	tasksort_format_list(list, k, norm, normlen);
	return 0;
}

/* [-]COLUMN as --sort takes it, kept as the column's title. */
static int config_check_sort(const char *value, char *norm, size_t normlen, char *err,
			     size_t errlen)
{
	bool desc = value[0] == '-';
	int k = tasksort_parse(value + desc);
	if (k < 0)
		return util_fail(-1, err, errlen, "unknown column '%.40s'", value + desc);
	snprintf(norm, normlen, "%s%s", desc ? "-" : "", tasksort_column_name((enum sort_key)k));
	return 0;
}

/* POLICY[:MAX] as --restart takes it. */
static int config_check_restart(const char *value, char *norm, size_t normlen, char *err,
				size_t errlen)
{
	struct restart_spec r;
	if (restart_parse(value, &r, err, errlen) < 0)
		return -1;
	int n = snprintf(norm, normlen, "%s", restart_policy_name(r.policy));
	if (r.max && n >= 0 && (size_t)n < normlen)
		snprintf(norm + n, normlen - (size_t)n, ":%u", r.max);
	return 0;
}

/* Defaults are text, parsed as the file would be: one form to check. */
static const struct config_info config_table[] = {
	{ .name = "theme", .type = CONFIG_ENUM, .choices = options_themes, .def = "default",
	  .help = "colours: default, monochrome (no colour, like NO_COLOR) or projector "
		  "(high contrast)" },
	{ .name = "delay", .type = CONFIG_NUMBER, .min = 0, .max = 3600, .def = "1",
	  .help = "seconds between refreshes, decimals allowed; 0 = as fast as possible "
		  "(--delay)" },
	{ .name = "all", .type = CONFIG_BOOL, .def = "false",
	  .help = "show every process on the system, not only the supervised tree (--all)" },
	{ .name = "tree", .type = CONFIG_BOOL, .def = "true",
	  .help = "the table starts as a tree (true) or a flat list (false) (key t)" },
	{ .name = "threads", .type = CONFIG_BOOL, .def = "true",
	  .help = "the table starts with threads shown (key H)" },
	{ .name = "layout", .type = CONFIG_ENUM, .choices = config_layouts, .def = "stacked",
	  .help = "bottom panes: stacked, side by side, left or right wider (key |)" },
	{ .name = "panes", .type = CONFIG_LIST, .choices = config_panes, .def = "panels",
	  .help = "panes open at start, top (or left) first: panels, events, explain, "
		  "output; empty for none" },
	{ .name = "trace", .type = CONFIG_BOOL, .def = "false",
	  .help = "the launch prompt (:) starts with --trace (Ctrl-T removes it)" },
	{ .name = "columns", .type = CONFIG_TEXT, .check = config_check_columns,
	  .def = TASKSORT_DEFAULT_COLUMNS,
	  .help = "table columns in order, comma-separated; COMMAND always last (--columns; "
		  "key S)" },
	{ .name = "sort", .type = CONFIG_TEXT, .check = config_check_sort, .def = "PID",
	  .help = "the sort column; a leading - sorts descending (--sort; keys F6 > < I)" },
	{ .name = "linger", .type = CONFIG_NUMBER, .min = 0, .max = 86400, .def = "5",
	  .help = "seconds an exited task stays listed; 0 = not at all (--linger)" },
	{ .name = "mouse", .type = CONFIG_BOOL, .def = "true",
	  .help = "clicks and the wheel act (false: the mouse is left to the terminal, "
		  "--no-mouse)" },
	{ .name = "restart", .type = CONFIG_TEXT, .check = config_check_restart, .def = "never",
	  .help = "restart policy of launches that name none: never, on-failure or always, "
		  "optionally :MAX (--restart)" },
	{ .name = "meters", .type = CONFIG_BOOL, .def = "true",
	  .help = "the system meters above the header (key m, --no-meters)" },
};

#define CONFIG_COUNT (sizeof config_table / sizeof config_table[0])

struct config_value {
	bool set;                   /* by the file or config_set */
	bool b;
	double number;
	size_t choice;              /* ENUM: index into choices */
	unsigned char list[CONFIG_LIST_MAX];   /* LIST: indexes into choices, in order */
	size_t nlist;
	char text[CONFIG_TEXT_MAX];   /* TEXT: the normal form */
};

struct config {
	struct config_value v[CONFIG_COUNT];
};

size_t config_count(void)
{
	return CONFIG_COUNT;
}

const struct config_info *config_info(size_t i)
{
	return i < CONFIG_COUNT ? &config_table[i] : NULL;
}

/* A broken invariant (a bad default, a name not in the table): a bug. */
static void config_bug(const char *what, const char *name)
{
	fprintf(stderr, "concmon: config: %s '%s'\n", what, name);
	abort();
}

static long config_index(const char *name, size_t len)
{
	for (size_t i = 0; i < CONFIG_COUNT; i++)
		if (strlen(config_table[i].name) == len &&
		    memcmp(config_table[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

static long config_choice(const char *const *choices, const char *s, size_t len)
{
	for (size_t i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && memcmp(choices[i], s, len) == 0)
			return (long)i;
	return -1;
}

/* "a, b or c" for messages. */
static void config_choices_text(const char *const *choices, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; choices[i]; i++) {
		size_t at = strlen(buf);
		snprintf(buf + at, len - at, "%s%s", i == 0 ? "" : choices[i + 1] ? ", " : " or ",
			 choices[i]);
	}
}

static bool config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, true;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

/* Comma-separated choices into v (spaces around items allowed). */
static int config_parse_list(const struct config_info *in, const char *s, struct config_value *v,
			     char *err, size_t errlen)
{
	v->nlist = 0;
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		long k = config_choice(in->choices, s, len);
		char names[256];
		config_choices_text(in->choices, names, sizeof names);
		if (k < 0)
			return util_fail(-1, err, errlen, "unknown item '%.*s' in %s (expected %s)",
					 (int)(len > 40 ? 40 : len), s, in->name, names);
		for (size_t i = 0; i < v->nlist; i++)
			if (v->list[i] == k)
				return util_fail(-1, err, errlen, "%s lists '%s' twice", in->name,
						 in->choices[k]);
		if (v->nlist == CONFIG_LIST_MAX)
			return util_fail(-1, err, errlen, "too many items in %s", in->name);
		v->list[v->nlist++] = (unsigned char)k;
		if (!end)
			break;
		s = end + 1;
	}
	return 0;
}

/* Parses value for setting i into v (a copy; the caller keeps it on success). */
static int config_value_parse(size_t i, const char *value, struct config_value *v, char *err,
			      size_t errlen)
{
	const struct config_info *in = &config_table[i];
	char names[256], why[200];
	long k;
	switch (in->type) {
	case CONFIG_BOOL:
		if (!config_parse_bool(value, &v->b))
			return util_fail(-1, err, errlen, "invalid value '%.40s' for %s: expected "
					 "true or false", value, in->name);
		return 0;
	case CONFIG_NUMBER:
		if (options_parse_seconds(value, &v->number) < 0 || v->number < in->min ||
		    v->number > in->max)
			return util_fail(-1, err, errlen, "invalid value '%.40s' for %s: expected a "
					 "number from %g to %g", value, in->name, in->min, in->max);
		return 0;
	case CONFIG_ENUM:
		k = config_choice(in->choices, value, strlen(value));
		if (k < 0) {
			config_choices_text(in->choices, names, sizeof names);
			return util_fail(-1, err, errlen, "invalid value '%.40s' for %s: expected %s",
					 value, in->name, names);
		}
		v->choice = (size_t)k;
		return 0;
	case CONFIG_LIST:
		return config_parse_list(in, value, v, err, errlen);
	case CONFIG_TEXT:
		if (strlen(value) >= CONFIG_TEXT_MAX)
			return util_fail(-1, err, errlen, "value of %s longer than %d bytes", in->name,
					 CONFIG_TEXT_MAX - 1);
		if (in->check(value, v->text, sizeof v->text, why, sizeof why) < 0)
			return util_fail(-1, err, errlen, "invalid value for %s: %s", in->name, why);
		return 0;
	}
	return util_fail(-1, err, errlen, "internal error: bad setting type");
}

struct config *config_new(void)
{
	struct config *c = xcalloc(1, sizeof *c);
	char err[256];
	for (size_t i = 0; i < CONFIG_COUNT; i++) {
		if (config_value_parse(i, config_table[i].def, &c->v[i], err, sizeof err) < 0)
			config_bug("bad default", err);
		c->v[i].set = false;
	}
	return c;
}

void config_free(struct config *c)
{
	free(c);
}

int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen)
{
	long i = config_index(name, strlen(name));
	if (i < 0)
		return util_fail(-1, err, errlen, "unknown setting '%.40s'", name);
	struct config_value v = c->v[i];
	if (config_value_parse((size_t)i, value, &v, err, errlen) < 0)
		return -1;
	v.set = true;
	c->v[i] = v;
	return 0;
}

/* A number as the file writes it, the same under every locale: up to six
 * decimals, trailing zeros dropped. */
static void config_number_text(double x, char *buf, size_t len)
{
	long whole = (long)x;
	long frac = (long)((x - (double)whole) * 1e6 + 0.5);
	if (frac >= 1000000)
		whole++, frac -= 1000000;
	int n = snprintf(buf, len, "%ld.%06ld", whole, frac);
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && (size_t)n < len && buf[n - 1] == '.')
		buf[--n] = '\0';
}

bool config_get(const struct config *c, const char *name, char *buf, size_t len)
{
	long i = config_index(name, strlen(name));
	if (i < 0 || len == 0)
		return false;
	const struct config_info *in = &config_table[i];
	const struct config_value *v = &c->v[i];
	buf[0] = '\0';
	switch (in->type) {
	case CONFIG_BOOL:
		snprintf(buf, len, "%s", v->b ? "true" : "false");
		break;
	case CONFIG_NUMBER:
		config_number_text(v->number, buf, len);
		break;
	case CONFIG_ENUM:
		snprintf(buf, len, "%s", in->choices[v->choice]);
		break;
	case CONFIG_LIST:
		for (size_t k = 0; k < v->nlist; k++) {
			size_t at = strlen(buf);
			snprintf(buf + at, len - at, "%s%s", k ? "," : "", in->choices[v->list[k]]);
		}
		break;
	case CONFIG_TEXT:
		snprintf(buf, len, "%s", v->text);
		break;
	}
	return true;
}

bool config_is_set(const struct config *c, const char *name)
{
	long i = config_index(name, strlen(name));
	return i >= 0 && c->v[i].set;
}

/* The value of name, which must be of type t. */
static const struct config_value *config_typed(const struct config *c, const char *name,
					       enum config_type t)
{
	long i = config_index(name, strlen(name));
	if (i < 0 || config_table[i].type != t)
		config_bug("no setting of that type", name);
	return &c->v[i];
}

bool config_bool(const struct config *c, const char *name)
{
	return config_typed(c, name, CONFIG_BOOL)->b;
}

double config_number(const struct config *c, const char *name)
{
	return config_typed(c, name, CONFIG_NUMBER)->number;
}

const char *config_enum(const struct config *c, const char *name)
{
	const struct config_value *v = config_typed(c, name, CONFIG_ENUM);
	return config_table[v - c->v].choices[v->choice];
}

size_t config_list(const struct config *c, const char *name, const char **out, size_t max)
{
	const struct config_value *v = config_typed(c, name, CONFIG_LIST);
	const char *const *choices = config_table[v - c->v].choices;
	size_t n = v->nlist < max ? v->nlist : max;
	for (size_t k = 0; k < n; k++)
		out[k] = choices[v->list[k]];
	return n;
}

const char *config_text(const struct config *c, const char *name)
{
	return config_typed(c, name, CONFIG_TEXT)->text;
}

/* The problems of one file: how many, and the first in words. */
struct config_problems {
	int n;
	char *warn;
	size_t warnlen;
	const char *which;
};

static void config_problem(struct config_problems *p, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void config_problem(struct config_problems *p, size_t line, const char *fmt, ...)
{
	if (p->n++ || !p->warn || !p->warnlen)
		return;
	int at = line ? snprintf(p->warn, p->warnlen, "%s:%zu: ", p->which, line)
		      : snprintf(p->warn, p->warnlen, "%s: ", p->which);
	if (at < 0 || (size_t)at >= p->warnlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->warn + at, p->warnlen - (size_t)at, fmt, ap);
	va_end(ap);
}

/* Ends the warning with how many more problems there were. */
static int config_problems_end(struct config_problems *p)
{
	if (p->n > 1 && p->warn && p->warnlen) {
		size_t at = strlen(p->warn);
		snprintf(p->warn + at, p->warnlen - at, " (and %d more problem%s; defaults used)",
			 p->n - 1, p->n > 2 ? "s" : "");
	}
	return p->n;
}

static bool config_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One line (len bytes, no newline) of the file, line number no. */
static void config_line(struct config *c, const char *s, size_t len, size_t no,
			size_t first_line[CONFIG_COUNT], struct config_problems *p)
{
	while (len && config_blank(*s))
		s++, len--;
	while (len && config_blank(s[len - 1]))
		len--;
	if (len == 0 || s[0] == '#')
		return;
	if (memchr(s, '\0', len))
		return config_problem(p, no, "binary data, not a setting");
	if (len >= CONFIG_MAX_LINE)
		return config_problem(p, no, "line longer than %d bytes", CONFIG_MAX_LINE);
	const char *eq = memchr(s, '=', len);
	if (!eq)
		return config_problem(p, no, "expected name=value");
	size_t nlen = (size_t)(eq - s);
	while (nlen && config_blank(s[nlen - 1]))
		nlen--;
	long i = config_index(s, nlen);
	if (i < 0)
		return config_problem(p, no, "unknown setting '%.*s' (ignored)",
				      (int)(nlen > 40 ? 40 : nlen), s);
	char value[CONFIG_MAX_LINE], err[512];
	const char *v = eq + 1;
	size_t vlen = len - (size_t)(v - s);
	while (vlen && config_blank(*v))
		v++, vlen--;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	if (config_set(c, config_table[i].name, value, err, sizeof err) < 0)
		return config_problem(p, no, "%s", err);
	if (first_line[i])
		config_problem(p, no, "%s set again (first on line %zu); this one counts",
			       config_table[i].name, first_line[i]);
	first_line[i] = no;
}

/* Every line of text, problems added to p. */
static void config_lines(struct config *c, const char *text, size_t len,
			 struct config_problems *p)
{
	size_t first_line[CONFIG_COUNT] = { 0 };
	size_t no = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		config_line(c, text + at, end - at, ++no, first_line, p);
		at = end + 1;
	}
}

int config_parse(struct config *c, const char *text, size_t len, const char *which, char *warn,
		 size_t warnlen)
{
	struct config_problems p = { .warn = warn, .warnlen = warnlen, .which = which };
	if (warn && warnlen)
		warn[0] = '\0';
	config_lines(c, text, len, &p);
	return config_problems_end(&p);
}

/* Reads at most CONFIG_MAX_BYTES + 1 bytes of fd into buf. -1 on error. */
static ssize_t config_read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int config_load(struct config *c, const char *path, char *warn, size_t warnlen)
{
	struct config_problems p = { .warn = warn, .warnlen = warnlen, .which = path };
	if (warn && warnlen)
		warn[0] = '\0';
	/* O_NONBLOCK: opening a FIFO with no writer must not wait for one. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		config_problem(&p, 0, "cannot read: %s (defaults used)", strerror(errno));
		return config_problems_end(&p);
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		config_problem(&p, 0, "not a regular file (ignored, defaults used)");
		return config_problems_end(&p);
	}
	char *buf = xmalloc(CONFIG_MAX_BYTES + 1);
	ssize_t n = config_read_all(fd, buf, CONFIG_MAX_BYTES + 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		free(buf);
		config_problem(&p, 0, "cannot read: %s (defaults used)", strerror(e));
		return config_problems_end(&p);
	}
	size_t len = (size_t)n;
	bool cut = len > CONFIG_MAX_BYTES;
	if (cut) {  /* only whole lines within the limit */
		char *nl = memrchr(buf, '\n', CONFIG_MAX_BYTES);
		len = nl ? (size_t)(nl - buf) : 0;
	}
	config_lines(c, buf, len, &p);
	free(buf);
	if (cut)
		config_problem(&p, 0, "larger than %d KiB: only the first %d KiB read",
			       CONFIG_MAX_BYTES / 1024, CONFIG_MAX_BYTES / 1024);
	return config_problems_end(&p);
}

int config_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;
	/* The XDG spec: a relative path there is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/concmon/concmonrc", xdg);
	else if (home && home[0])
		n = snprintf(buf, len, "%s/.config/concmon/concmonrc", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Makes every missing directory of path's parent, mode 0700. */
static int config_mkdirs(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *q = dir + 1;; q++) {
		bool last = *q == '\0';
		if (*q != '/' && !last)
			continue;
		*q = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return util_fail(-1, err, errlen, "cannot make %s: %s", dir, strerror(errno));
		if (last)
			return 0;
		*q = '/';
	}
}

/* The whole file: a header, then each setting under its help. */
static char *config_file_text(const struct config *c, size_t *len)
{
	size_t cap = 512 + CONFIG_COUNT * 1024, at = 0;
	char *buf = xmalloc(cap);
	at += (size_t)snprintf(buf, cap, "# concmon settings (concmonrc): name=value lines, "
			       "# comments.\n# Written by concmon; the command line wins over "
			       "this file, --no-config skips it.\n");
	for (size_t i = 0; i < CONFIG_COUNT; i++) {
		char value[CONFIG_MAX_LINE];
		config_get(c, config_table[i].name, value, sizeof value);
		int n = snprintf(buf + at, cap - at, "\n# %s (default: %s)\n%s=%s\n",
				 config_table[i].help, config_table[i].def,
				 config_table[i].name, value);
		if (n > 0 && (size_t)n < cap - at)
			at += (size_t)n;
	}
	*len = at;
	return buf;
}

static int config_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Flushes the directory holding path, so that the rename survives a crash. */
static void config_sync_dir(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int config_save(const struct config *c, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return util_fail(-1, err, errlen, "file name too long");
	if (config_mkdirs(path, err, errlen) < 0)
		return -1;
	/* The rename would replace whatever is there: a device (--config
	 * /dev/null) or a FIFO must stay what it is. A symlink is replaced by
	 * the file, not followed. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return util_fail(-1, err, errlen, "not saved: %s is not a regular file", path);
	int fd = mkostemp(tmp, O_CLOEXEC);   /* mode 0600 */
	if (fd < 0)
		return util_fail(-1, err, errlen, "cannot write in the directory of %s: %s", path,
				 strerror(errno));
	size_t len;
	char *text = config_file_text(c, &len);
	int rc = fchmod(fd, 0600) < 0 || config_write_all(fd, text, len) < 0 || fsync(fd) < 0;
	int e = errno;
	free(text);
	if (close(fd) < 0 && !rc)
		rc = 1, e = errno;
	if (!rc && rename(tmp, path) < 0)
		rc = 1, e = errno;
	if (rc) {
		unlink(tmp);
		return util_fail(-1, err, errlen, "cannot save %s: %s", path, strerror(e));
	}
	config_sync_dir(path);
	return 0;
}
