/* test_config.c - concmonrc: each type, bounds, bad lines and their line
 * numbers, hostile files, the atomic 0600 save and the file's place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config.h"
#include "app/options.h"

static char warn[512];
static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_config.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int parse(struct config *c, const char *text)
{
	memset(warn, 'x', sizeof warn);
	return config_parse(c, text, strlen(text), "rc", warn, sizeof warn);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config *c = config_new();
	const char *panes[8];
	assert_string_equal(config_enum(c, "theme"), "default");
	assert_true(config_number(c, "delay") == 1.0);
	assert_false(config_bool(c, "all"));
	assert_true(config_bool(c, "tree"));
	assert_true(config_bool(c, "threads"));
	assert_false(config_bool(c, "trace"));
	assert_string_equal(config_enum(c, "layout"), "stacked");
	assert_int_equal(config_list(c, "panes", panes, 8), 1);
	assert_string_equal(panes[0], "panels");
	assert_false(config_is_set(c, "delay"));
	config_free(c);
}

/* Every type from its text forms. */
static void test_types(void **state)
{
	(void)state;
	struct config *c = config_new();
	const char *panes[8];
	assert_int_equal(parse(c, "theme=projector\ndelay=0.25\nall=yes\ntree=off\nthreads=0\n"
				  "layout=right\npanes= output , events\ntrace=TRUE\n"), 0);
	assert_string_equal(warn, "");
	assert_string_equal(config_enum(c, "theme"), "projector");
	assert_true(config_number(c, "delay") == 0.25);
	assert_true(config_bool(c, "all"));
	assert_false(config_bool(c, "tree"));
	assert_false(config_bool(c, "threads"));
	assert_true(config_bool(c, "trace"));
	assert_string_equal(config_enum(c, "layout"), "right");
	assert_int_equal(config_list(c, "panes", panes, 8), 2);
	assert_string_equal(panes[0], "output");
	assert_string_equal(panes[1], "events");
	assert_true(config_is_set(c, "delay"));
	assert_int_equal(parse(c, "panes=\ntheme=monochrome\n"), 0);
	assert_int_equal(config_list(c, "panes", panes, 8), 0);
	assert_string_equal(config_enum(c, "theme"), "monochrome");
	config_free(c);
}

/* Each theme the file accepts, --theme accepts too (one list). */
static void test_themes_match_options(void **state)
{
	(void)state;
	const struct config_info *in = config_info(0);
	assert_string_equal(in->name, "theme");
	for (size_t i = 0; in->choices[i]; i++) {
		char *argv[] = { "concmon", "--theme", (char *)in->choices[i], NULL };
		struct options o;
		char err[256];
		assert_int_equal(options_parse(3, argv, &o, err, sizeof err), OPTIONS_OK);
	}
}

/* Out of range or malformed: the line is reported, the value stays. */
static void test_bounds(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(parse(c, "delay=3600\n"), 0);
	assert_true(config_number(c, "delay") == 3600);
	assert_int_equal(parse(c, "delay=0\n"), 0);
	assert_true(config_number(c, "delay") == 0);
	static const char *const bad[] = { "delay=3600.5", "delay=-1", "delay=1e3", "delay=inf",
					   "delay=", "delay=0x10", "delay=nan" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(c, bad[i]), 1);
		assert_non_null(strstr(warn, "rc:1: invalid value"));
		assert_non_null(strstr(warn, "expected a number from 0 to 3600"));
		assert_true(config_number(c, "delay") == 0);
	}
	assert_int_equal(parse(c, "tree=maybe"), 1);
	assert_string_equal(warn, "rc:1: invalid value 'maybe' for tree: expected true or false");
	assert_int_equal(parse(c, "layout=top"), 1);
	assert_string_equal(warn, "rc:1: invalid value 'top' for layout: expected stacked, side, "
			    "left or right");
	assert_int_equal(parse(c, "panes=events,nope"), 1);
	assert_non_null(strstr(warn, "unknown item 'nope' in panes"));
	assert_int_equal(parse(c, "panes=events,events"), 1);
	assert_string_equal(warn, "rc:1: panes lists 'events' twice");
	const char *panes[8];
	assert_int_equal(config_list(c, "panes", panes, 8), 1);   /* unchanged: the default */
	config_free(c);
}

/* One warning, for the first problem, with its line; counts the rest. */
static void test_bad_lines(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(parse(c, "# fine\n\n  delay = 2  \r\nnovalue\nfoo=1\ntree=false\n"), 2);
	assert_string_equal(warn, "rc:4: expected name=value (and 1 more problem; defaults used)");
	assert_true(config_number(c, "delay") == 2);
	assert_false(config_bool(c, "tree"));
	assert_int_equal(parse(c, "\n\nfoo=1\n"), 1);
	assert_string_equal(warn, "rc:3: unknown setting 'foo' (ignored)");
	char junk[] = "theme=projector\nab\0cd=1\ndelay=3\n";
	memset(warn, 'x', sizeof warn);
	assert_int_equal(config_parse(c, junk, sizeof junk - 1, "rc", warn, sizeof warn), 1);
	assert_string_equal(warn, "rc:2: binary data, not a setting");
	assert_true(config_number(c, "delay") == 3);
	char *huge = malloc(CONFIG_MAX_LINE + 20);
	memset(huge, 'a', CONFIG_MAX_LINE + 19);
	memcpy(huge, "delay=", 6);
	huge[CONFIG_MAX_LINE + 19] = '\0';
	assert_int_equal(parse(c, huge), 1);
	assert_non_null(strstr(warn, "rc:1: line longer than"));
	free(huge);
	assert_int_equal(parse(c, "a\nb\nc\n"), 3);
	assert_string_equal(warn, "rc:1: expected name=value (and 2 more problems; defaults used)");
	config_free(c);
}

/* A name twice: said, and the last one counts. */
static void test_duplicates(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(parse(c, "delay=2\ntree=false\ndelay=3\n"), 1);
	assert_string_equal(warn, "rc:3: delay set again (first on line 1); this one counts");
	assert_true(config_number(c, "delay") == 3);
	config_free(c);
}

static void test_set_get(void **state)
{
	(void)state;
	struct config *c = config_new();
	char buf[256], err[256];
	assert_int_equal(config_set(c, "delay", "0.05", err, sizeof err), 0);
	assert_true(config_get(c, "delay", buf, sizeof buf));
	assert_string_equal(buf, "0.05");
	assert_int_equal(config_set(c, "delay", "abc", err, sizeof err), -1);
	assert_true(config_get(c, "delay", buf, sizeof buf));
	assert_string_equal(buf, "0.05");
	assert_int_equal(config_set(c, "nope", "1", err, sizeof err), -1);
	assert_string_equal(err, "unknown setting 'nope'");
	assert_false(config_get(c, "nope", buf, sizeof buf));
	assert_int_equal(config_set(c, "panes", "explain,panels", err, sizeof err), 0);
	assert_true(config_get(c, "panes", buf, sizeof buf));
	assert_string_equal(buf, "explain,panels");
	config_free(c);
}

/* Sets name to value: the normal form kept, or "ERR" when refused. */
static const char *kept(struct config *c, const char *name, const char *value)
{
	static char buf[CONFIG_TEXT_MAX];
	char err[256];
	if (config_set(c, name, value, err, sizeof err) < 0)
		return "ERR";
	assert_true(config_get(c, name, buf, sizeof buf));
	return buf;
}

/* The rows of the other parts: columns, sort, linger, mouse, restart,
 * meters, each as its option reads it, kept in one normal form. */
static void test_table_rows(void **state)
{
	(void)state;
	struct config *c = config_new();
	char err[256];
	assert_string_equal(config_text(c, "columns"), "PID,TID,PPID,S,CPU%,RSS,THR,START,WAITING,COMMAND");
	assert_string_equal(config_text(c, "sort"), "PID");
	assert_true(config_number(c, "linger") == 5.0);
	assert_true(config_bool(c, "mouse"));
	assert_true(config_bool(c, "meters"));
	assert_string_equal(config_text(c, "restart"), "never");
	/* COMMAND moves last (added when missing); names in any case. */
	assert_string_equal(kept(c, "columns", "command,pid,user"), "PID,USER,COMMAND");
	assert_string_equal(kept(c, "columns", "PID,STATE,TIME+"), "PID,S,TIME+,COMMAND");
	assert_string_equal(kept(c, "columns", "PID,NOPE"), "ERR");
	assert_string_equal(kept(c, "columns", "PID,PID"), "ERR");
	assert_string_equal(kept(c, "columns", ""), "ERR");
	assert_string_equal(config_text(c, "columns"), "PID,S,TIME+,COMMAND");
	assert_string_equal(kept(c, "sort", "-cpu%"), "-CPU%");
	assert_string_equal(kept(c, "sort", "STATE"), "S");
	assert_string_equal(kept(c, "sort", "--PID"), "ERR");
	assert_string_equal(kept(c, "sort", ""), "ERR");
	assert_string_equal(kept(c, "linger", "0"), "0");
	assert_string_equal(kept(c, "linger", "86400"), "86400");
	assert_string_equal(kept(c, "linger", "86401"), "ERR");
	assert_string_equal(kept(c, "linger", "-1"), "ERR");
	assert_string_equal(kept(c, "mouse", "off"), "false");
	assert_string_equal(kept(c, "meters", "no"), "false");
	assert_string_equal(kept(c, "meters", "maybe"), "ERR");
	assert_string_equal(kept(c, "restart", "on-failure:5"), "on-failure:5");
	assert_string_equal(kept(c, "restart", "always"), "always");
	assert_string_equal(kept(c, "restart", "never:3"), "ERR");
	assert_string_equal(kept(c, "restart", "sometimes"), "ERR");
	assert_int_equal(config_set(c, "restart", "always:0", err, sizeof err), -1);
	assert_non_null(strstr(err, "restart"));
	assert_string_equal(config_text(c, "restart"), "always");
	/* From a file, with the line of a bad one. */
	assert_int_equal(parse(c, "columns=PID,USER\nsort=-MEM%\nlinger=0\nmouse=false\n"
				  "restart=on-failure\nmeters=off\ncolumns=PID,BOGUS\n"), 1);
	assert_non_null(strstr(warn, "rc:7: "));
	assert_non_null(strstr(warn, "BOGUS"));
	assert_string_equal(config_text(c, "columns"), "PID,USER,COMMAND");
	assert_string_equal(config_text(c, "sort"), "-MEM%");
	assert_true(config_number(c, "linger") == 0);
	assert_false(config_bool(c, "mouse"));
	assert_false(config_bool(c, "meters"));
	assert_string_equal(config_text(c, "restart"), "on-failure");
	/* Longer than a TEXT value holds: refused, not cut. */
	char big[CONFIG_TEXT_MAX + 8];
	memset(big, 'P', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_string_equal(kept(c, "columns", big), "ERR");
	config_free(c);
}

static size_t entries(const char *d)
{
	DIR *dp = opendir(d);
	assert_non_null(dp);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(dp));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

/* Save then load gives the same values; no temporary file stays; 0600;
 * the missing directories are made 0700; every setting has a comment. */
static void test_save_load(void **state)
{
	(void)state;
	char sub[128], path[192], err[256];
	snprintf(sub, sizeof sub, "%s/a/concmon", dir);
	snprintf(path, sizeof path, "%s/concmonrc", sub);
	struct config *c = config_new();
	assert_int_equal(parse(c, "theme=projector\ndelay=0.125\ntree=false\nlayout=side\n"
				  "panes=events,output\ntrace=true\nall=true\nthreads=false\n"), 0);
	mode_t old = umask(0);   /* the modes must not depend on the umask */
	assert_int_equal(config_save(c, path, err, sizeof err), 0);
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(entries(sub), 1);
	/* Saved again over the old file: still one file. */
	assert_int_equal(config_save(c, path, err, sizeof err), 0);
	assert_int_equal(entries(sub), 1);

	struct config *d = config_new();
	assert_int_equal(config_load(d, path, warn, sizeof warn), 0);
	assert_string_equal(warn, "");
	for (size_t i = 0; i < config_count(); i++) {
		char a[256], b[256];
		const char *name = config_info(i)->name;
		assert_true(config_get(c, name, a, sizeof a));
		assert_true(config_get(d, name, b, sizeof b));
		assert_string_equal(a, b);
	}
	FILE *f = fopen(path, "r");
	char text[8192];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	for (size_t i = 0; i < config_count(); i++) {
		char line[128];
		snprintf(line, sizeof line, "\n%s=", config_info(i)->name);
		char *at = strstr(text, line);
		assert_non_null(at);
		/* The line before it is its help, a comment. */
		char *prev = at - 1;
		while (prev > text && prev[-1] != '\n')
			prev--;
		assert_int_equal(*prev, '#');
	}
	config_free(c);
	config_free(d);
}

/* A directory in the way: the save fails with a message, leaves nothing. */
static void test_save_fails_cleanly(void **state)
{
	(void)state;
	char sub[128], path[160], err[256];
	snprintf(sub, sizeof sub, "%s/blocked", dir);
	snprintf(path, sizeof path, "%s/concmonrc", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	struct config *c = config_new();
	assert_int_equal(config_save(c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "is not a regular file"));
	assert_int_equal(entries(sub), 1);
	/* A FIFO (or a device: --config /dev/null) stays what it is. */
	char fifo[160];
	snprintf(fifo, sizeof fifo, "%s/fifo", sub);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(config_save(c, fifo, err, sizeof err), -1);
	assert_non_null(strstr(err, "not saved"));
	struct stat st;
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(entries(sub), 2);
	unlink(fifo);
	config_free(c);
}

/* Files that are not settings files: one message, no hang, defaults. */
static void test_hostile_files(void **state)
{
	(void)state;
	char path[192];
	struct config *c = config_new();

	assert_int_equal(config_load(c, "/nonexistent/concmonrc", warn, sizeof warn), 0);
	assert_string_equal(warn, "");

	snprintf(path, sizeof path, "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(config_load(c, path, warn, sizeof warn), 1);
	assert_non_null(strstr(warn, "fifo: not a regular file"));

	assert_int_equal(config_load(c, dir, warn, sizeof warn), 1);
	assert_non_null(strstr(warn, "not a regular file"));

	snprintf(path, sizeof path, "%s/zero", dir);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(config_load(c, path, warn, sizeof warn), 1);
	assert_non_null(strstr(warn, "zero: not a regular file"));

	/* 10 MB: only the first 64 KiB is read; a setting there counts. */
	snprintf(path, sizeof path, "%s/big", dir);
	size_t big = 10 << 20;
	char *data = malloc(big);
	memset(data, '#', big);
	for (size_t i = 80; i < big; i += 81)
		data[i] = '\n';
	memcpy(data, "delay=7\n", 8);
	write_file(path, data, big);
	free(data);
	assert_int_equal(config_load(c, path, warn, sizeof warn), 1);
	assert_non_null(strstr(warn, "big: larger than 64 KiB"));
	assert_true(config_number(c, "delay") == 7);

	snprintf(path, sizeof path, "%s/unreadable", dir);
	write_file(path, "delay=2\n", 8);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {   /* root reads it anyway */
		assert_int_equal(config_load(c, path, warn, sizeof warn), 1);
		assert_non_null(strstr(warn, "cannot read"));
	}
	config_free(c);
}

static void test_default_path(void **state)
{
	(void)state;
	char buf[256];
	setenv("HOME", "/home/u", 1);
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	assert_int_equal(config_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/x/cfg/concmon/concmonrc");
	setenv("XDG_CONFIG_HOME", "relative/cfg", 1);   /* invalid per the spec */
	assert_int_equal(config_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/u/.config/concmon/concmonrc");
	setenv("XDG_CONFIG_HOME", "", 1);
	assert_int_equal(config_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/u/.config/concmon/concmonrc");
	unsetenv("XDG_CONFIG_HOME");
	assert_int_equal(config_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/u/.config/concmon/concmonrc");
	unsetenv("HOME");
	assert_int_equal(config_default_path(buf, sizeof buf), -1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(config_default_path(buf, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_themes_match_options),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_set_get),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_save_fails_cleanly),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
