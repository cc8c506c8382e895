/* test_report.c - JSON that is valid for any bytes, exact snapshots, a safe sanitizer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xorshift.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/procparse.h"
#include "report/report.h"
#include "util/escape.h"
#include "util/util.h"

/* The fields from stat every task object has, for a task that left them 0. */
#define CHEAP "\"nice\":0,\"priority\":0,\"tty\":null,\"vsz_kb\":0,\"mem_pct\":0.00,\"time_s\":0.00,"

/* ---- helpers: capture output, and an independent UTF-8 and JSON checker ---- */

struct capture {
	char *text;
	size_t len;
	FILE *fp;
};

static void cap_open(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->text, &c->len);
	assert_non_null(c->fp);
}

/* Closes the stream; the text stays until free(c->text). */
static const char *cap_close(struct capture *c)
{
	fclose(c->fp);
	return c->text;
}

static char *json_of(const char *s)
{
	struct capture c;
	cap_open(&c);
	escape_json_string(c.fp, s);
	cap_close(&c);
	return c.text;
}

/* Bytes of the valid UTF-8 character at s (len bytes left), 0 if invalid. */
static size_t utf8_char(const unsigned char *s, size_t len, unsigned long *cp_out)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > len)
		return 0;
	unsigned long cp = n == 1 ? c : c & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*cp_out = cp;
	return n;
}

struct jp {
	const char *p, *end;
	int depth;
};

static bool j_value(struct jp *j);

static void j_ws(struct jp *j)
{
	while (j->p < j->end && strchr(" \t\n\r", *j->p) && *j->p)
		j->p++;
}

static bool j_lit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool j_string(struct jp *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		unsigned long cp;
		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			char e = j->p[1];
			if (e == 'u') {
				if (j->end - j->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
						return false;
				j->p += 6;
			} else if (e && strchr("\"\\/bfnrt", e)) {
				j->p += 2;
			} else {
				return false;
			}
			continue;
		}
		size_t n = utf8_char((const unsigned char *)j->p, (size_t)(j->end - j->p), &cp);
		if (n == 0)
			return false;
		j->p += n;
	}
	return false;
}

static bool j_digits(struct jp *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool j_number(struct jp *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!j_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!j_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!j_digits(j))
			return false;
	}
	return true;
}

/* An object ('{') or array ('['): members separated by commas. */
static bool j_container(struct jp *j, char open, char close)
{
	if (++j->depth > 64)
		return false;
	j->p++;
	j_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (open == '{') {
			if (!j_string(j))
				return false;
			j_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!j_value(j))
			return false;
		j_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool j_value(struct jp *j)
{
	j_ws(j);
	if (j->p >= j->end)
		return false;
	bool ok;
	switch (*j->p) {
	case '{':
		ok = j_container(j, '{', '}');
		break;
	case '[':
		ok = j_container(j, '[', ']');
		break;
	case '"':
		ok = j_string(j);
		break;
	case 't':
		ok = j_lit(j, "true");
		break;
	case 'f':
		ok = j_lit(j, "false");
		break;
	case 'n':
		ok = j_lit(j, "null");
		break;
	default:
		ok = j_number(j);
	}
	j_ws(j);
	return ok;
}

/* True when text (len bytes) is exactly one JSON value. */
static bool json_valid(const char *text, size_t len)
{
	struct jp j = { text, text + len, 0 };
	return j_value(&j) && j.p == j.end;
}

static void test_validator_rejects(void **state)
{
	(void)state;
	/* the checker itself must be able to say no */
	static const char *bad[] = { "\"\x01\"", "\"\\x41\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
				     "\"abc", "{\"a\":}", "[1,]", "01", "1.", "tru", "\"\\u12G4\"",
				     "{\"a\" 1}", "\"\xf4\x90\x80\x80\"", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(json_valid(bad[i], strlen(bad[i])));
	const char *good = "{\"a\":[1,-2.5e3,true,null,\"\\u00e9\xc3\xa9\"]}\n";
	assert_true(json_valid(good, strlen(good)));
}

/* ---- escape_json_string ---- */

static void expect_json(const char *in, const char *want)
{
	char *got = json_of(in);
	if (strcmp(got, want) != 0)
		fail_msg("json of '%s': got %s, want %s", in, got, want);
	assert_true(json_valid(got, strlen(got)));
	free(got);
}

static void test_json_string_escapes(void **state)
{
	(void)state;
	expect_json("", "\"\"");
	expect_json(NULL, "\"\"");
	expect_json("sleep 5", "\"sleep 5\"");
	expect_json("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"");
	expect_json("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	expect_json("\x01\x1b[31m\x1f\x7f", "\"\\u0001\\u001b[31m\\u001f\\u007f\"");
	expect_json(" ~", "\" ~\"");
}

static void test_json_string_utf8(void **state)
{
	(void)state;
	/* valid: 2, 3 and 4 bytes, the edges of each range */
	expect_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	expect_json("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
		    "\"\xc2\xa0\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
	/* C1 controls are valid UTF-8 but act on terminals: escaped */
	expect_json("\xc2\x80\xc2\x9b" "31m\xc2\x9f", "\"\\u0080\\u009b31m\\u009f\"");
	expect_json("\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\"");  /* around surrogates */

	/* invalid: one U+FFFD per maximal invalid subpart */
	expect_json("\x80", "\"\\ufffd\"");
	expect_json("a\xbf" "b", "\"a\\ufffdb\"");
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");               /* overlong '/' */
	expect_json("\xc1\xbf", "\"\\ufffd\\ufffd\"");
	expect_json("\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"");    /* overlong 3-byte */
	expect_json("\xf0\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");    /* surrogate D800 */
	expect_json("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");    /* surrogate DFFF */
	expect_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  /* > U+10FFFF */
	expect_json("\xf5\xff\xfe", "\"\\ufffd\\ufffd\\ufffd\"");
	expect_json("\xe2\x82", "\"\\ufffd\"");                       /* truncated at the end */
	expect_json("\xe2\x82" "A", "\"\\ufffdA\"");                  /* truncated mid-string */
	expect_json("\xf0\x9f\x98" "\"", "\"\\ufffd\\\"\"");
	expect_json("\xc3", "\"\\ufffd\"");
	expect_json("\xc3\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}

static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static unsigned next_rand(void) { return xorshift_next(&rng); }

/* Random bytes, biased towards UTF-8 lead and continuation bytes. */
static size_t random_bytes(char *buf, size_t max)
{
	static const unsigned char pick[] = { 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
					      0xf4, 0xf5, 0x9b, 0x1b, '"', '\\', 0x7f, 'a' };
	size_t len = next_rand() % max;
	for (size_t i = 0; i < len; i++) {
		unsigned r = next_rand();
		unsigned char c = r % 3 == 0 ? pick[(r >> 8) % sizeof(pick)] : (unsigned char)(r >> 16);
		buf[i] = c ? (char)c : 'z';
	}
	buf[len] = '\0';
	return len;
}

static void test_json_string_any_bytes_is_valid(void **state)
{
	(void)state;
	char in[64];
	for (int i = 0; i < 50000; i++) {
		random_bytes(in, sizeof(in) - 1);
		char *got = json_of(in);
		if (!json_valid(got, strlen(got))) {
			char hex[200] = "";
			for (size_t k = 0; in[k] && k < 60; k++)
				snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x ",
					 (unsigned char)in[k]);
			fail_msg("invalid JSON for bytes %s: %s", hex, got);
		}
		free(got);
	}
}

/* ---- report_json ---- */

static struct task mk(pid_t tid, pid_t pid, pid_t ppid, char state, const char *comm,
		      const char *cmdline)
{
	struct task t;
	memset(&t, 0, sizeof(t));
	t.tid = tid;
	t.pid = pid;
	t.ppid = ppid;
	t.state = state;
	size_t n = strlen(comm) < sizeof(t.comm) ? strlen(comm) : sizeof(t.comm) - 1;
	memcpy(t.comm, comm, n);
	t.comm[n] = '\0';
	t.cmdline = (char *)cmdline;
	t.threads = 1;
	t.supervised = true;
	return t;
}

static void test_json_snapshot_exact(void **state)
{
	(void)state;
	struct task t[3] = {
		mk(100, 100, 1, 'S', "sleep", "sleep 5"),
		mk(101, 100, 1, 'R', "work\"er", "sleep 5"),
		mk(102, 102, 100, 'Z', "sh", ""),
	};
	t[0].cpu = 12.34;
	t[0].rss_kb = 2048;
	t[0].threads = 2;
	t[0].start_time = 1700000000.256;
	t[1].cpu = 0.05;
	t[1].threads = 2;
	t[2].orphan = true;
	t[2].former_ppid = 77;
	t[2].supervised = false;
	struct row rows[3] = { { &t[0], 0, true, 0, NULL }, { &t[1], 1, false, 0, NULL }, { &t[2], 1, true, 0, NULL } };
	struct summary s = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct capture c;
	cap_open(&c);
	report_json(c.fp, 1700000001.5, rows, 3, &s, NULL);
	const char *got = cap_close(&c);
	const char *want =
		"{\"time\":1700000001.500,\"tasks\":["
		"{\"pid\":100,\"tid\":100,\"ppid\":1,\"tgid\":100,\"state\":\"S\",\"comm\":\"sleep\","
		"\"cmdline\":\"sleep 5\",\"cpu\":12.3,\"rss_kb\":2048,\"threads\":2,"
		"\"supervised\":true,\"orphan\":false,\"exited\":false,\"exit_code\":null,"
		"\"exit_signal\":null,\"former_ppid\":null,\"start_time\":1700000000.26,\"depth\":0," CHEAP "\"waiting\":null},"
		"{\"pid\":100,\"tid\":101,\"ppid\":1,\"tgid\":100,\"state\":\"R\",\"comm\":\"work\\\"er\","
		"\"cmdline\":\"sleep 5\",\"cpu\":0.1,\"rss_kb\":0,\"threads\":2,"
		"\"supervised\":true,\"orphan\":false,\"exited\":false,\"exit_code\":null,"
		"\"exit_signal\":null,\"former_ppid\":null,\"start_time\":0.00,\"depth\":1," CHEAP "\"waiting\":null},"
		"{\"pid\":102,\"tid\":102,\"ppid\":100,\"tgid\":102,\"state\":\"Z\",\"comm\":\"sh\","
		"\"cmdline\":\"\",\"cpu\":0.0,\"rss_kb\":0,\"threads\":1,"
		"\"supervised\":false,\"orphan\":true,\"exited\":false,\"exit_code\":null,"
		"\"exit_signal\":null,\"former_ppid\":77,\"start_time\":0.00,\"depth\":1," CHEAP "\"waiting\":null}],"
		"\"summary\":{\"processes\":1,\"threads\":2,\"running\":3,\"sleeping\":4,"
		"\"disk_sleep\":5,\"stopped\":6,\"zombies\":7,\"orphans\":8,\"exited\":9}}\n";
	assert_string_equal(got, want);
	assert_true(json_valid(got, strlen(got)));
	assert_int_equal(strchr(got, '\n') - got, (long)strlen(got) - 1);  /* one line */
	free(c.text);
}

/* A summary row is no task: it goes to "exited_summary" (with x), and
 * the text table shows its tally under its parent. */
static void test_folded_rows(void **state)
{
	(void)state;
	struct task t = mk(10, 10, 1, 'S', "storm", "storm -n 9");
	t.start_time = 1700000000.5;
	struct exit_tally x;
	memset(&x, 0, sizeof x);
	x.parent = &t;
	x.count = 2611;
	x.codes[0] = 2600;
	x.codes[3] = 1;
	x.signals[9] = 10;
	struct exit_tally roots;
	memset(&roots, 0, sizeof roots);
	roots.count = 2;
	roots.unknown = 2;
	struct row rows[3] = { { &t, 0, false, 0, NULL }, { NULL, 1, true, 0, &x },
			       { NULL, 0, true, 0, &roots } };
	struct report_extra extra;
	memset(&extra, 0, sizeof extra);
	struct capture c;
	cap_open(&c);
	report_json(c.fp, 0, rows, 3, NULL, &extra);
	const char *got = cap_close(&c);
	assert_true(json_valid(got, strlen(got)));
	assert_non_null(strstr(got, "\"tasks\":[{\"pid\":10,"));
	assert_non_null(strstr(got, "\"depth\":0," CHEAP "\"waiting\":null}],\"summary\""));
	assert_non_null(strstr(got, ",\"exited_summary\":[{\"parent\":10,\"parent_start_time\":"
			    "1700000000.50,\"count\":2611,\"codes\":{\"0\":2600,\"3\":1},"
			    "\"signals\":{\"9\":10},\"unknown\":0},{\"parent\":0,\"parent_start_time\":"
			    "null,\"count\":2,\"codes\":{},\"signals\":{},\"unknown\":2}]"));
	free(c.text);

	cap_open(&c);
	report_text(c.fp, 0, rows, 3, NULL);
	got = cap_close(&c);
	assert_non_null(strstr(got, "\n                     10 +                        +2,611 exited "
			       "in the last 5 s: 2,600 code 0, 10 SIGKILL, 1 code 3\n"));
	assert_non_null(strstr(got, "\n                      0 +                      +2 exited in "
			       "the last 5 s: 2 status unknown\n"));
	free(c.text);
}

/* Exit fields: code only when known and not by a signal; signal when there is one. */
static void test_json_exit_fields(void **state)
{
	(void)state;
	static const struct {
		bool exited, known;
		int code, sig;
		const char *want;
	} cases[] = {
		{ false, false, 0, 0, "\"state\":\"S\"" },
		{ false, true, 3, 0, "\"exit_code\":null,\"exit_signal\":null" },
		{ true, true, 3, 0, "\"exit_code\":3,\"exit_signal\":null" },
		{ true, true, 0, 0, "\"exit_code\":0,\"exit_signal\":null" },
		{ true, true, -1, 9, "\"exit_code\":null,\"exit_signal\":9" },
		{ true, false, 0, 0, "\"exit_code\":null,\"exit_signal\":null" },
		{ true, false, 0, 15, "\"exit_code\":null,\"exit_signal\":15" },
		{ true, false, 0, 0, "\"state\":\"X\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct task t = mk(5, 5, 1, 'S', "x", "x");
		t.exited = cases[i].exited;
		t.exit_known = cases[i].known;
		t.exit_code = cases[i].code;
		t.exit_signal = cases[i].sig;
		struct row r = { &t, 0, true, 0, NULL };
		struct capture c;
		cap_open(&c);
		report_json(c.fp, 0, &r, 1, NULL, NULL);
		const char *got = cap_close(&c);
		if (!strstr(got, cases[i].want))
			fail_msg("case %zu: %s lacks %s", i, got, cases[i].want);
		assert_true(json_valid(got, strlen(got)));
		free(c.text);
	}
}

static void test_json_numbers(void **state)
{
	(void)state;
	struct task t = mk(5, 5, 1, 'S', "x", "x");
	struct row r = { &t, 0, true, 0, NULL };
	static const struct {
		double cpu;
		const char *want;
	} cases[] = {
		{ NAN, "\"cpu\":null" }, { INFINITY, "\"cpu\":null" }, { -0.0, "\"cpu\":0.0" },
		{ -0.04, "\"cpu\":0.0" }, { -2.5, "\"cpu\":-2.5" }, { 399.96, "\"cpu\":400.0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t.cpu = cases[i].cpu;
		struct capture c;
		cap_open(&c);
		report_json(c.fp, NAN, &r, 1, NULL, NULL);
		const char *got = cap_close(&c);
		if (!strstr(got, cases[i].want))
			fail_msg("cpu %g: %s lacks %s", cases[i].cpu, got, cases[i].want);
		assert_non_null(strstr(got, "{\"time\":null,"));
		assert_true(json_valid(got, strlen(got)));
		free(c.text);
	}
	/* huge values are written whole, still valid JSON */
	t.cpu = 1e300;
	struct capture c;
	cap_open(&c);
	report_json(c.fp, 1e20, &r, 1, NULL, NULL);
	const char *got = cap_close(&c);
	assert_non_null(strstr(got, "{\"time\":100000000000000000000,"));
	assert_true(json_valid(got, strlen(got)));
	free(c.text);
}

static void test_json_random_snapshots_valid(void **state)
{
	(void)state;
	enum { M = 20 };
	char comm[M][64], cmd[M][128];
	struct task t[M];
	struct row rows[M];
	for (int round = 0; round < 500; round++) {
		for (int i = 0; i < M; i++) {
			random_bytes(comm[i], sizeof(comm[i]) - 1);
			random_bytes(cmd[i], sizeof(cmd[i]) - 1);
			t[i] = mk(i + 1, i + 1, 0, (char)(next_rand() & 0xff), comm[i], cmd[i]);
			t[i].exited = next_rand() % 3 == 0;
			t[i].exit_signal = (int)(next_rand() % 3);
			t[i].cpu = (double)next_rand() / 1000.0;
			rows[i] = (struct row){ &t[i], i % 5, false, 0, NULL };
		}
		struct capture c;
		cap_open(&c);
		report_json(c.fp, 1700000000.0 + round, rows, M, NULL, NULL);
		const char *got = cap_close(&c);
		assert_true(json_valid(got, strlen(got)));
		assert_ptr_equal(strchr(got, '\n'), got + strlen(got) - 1);
		free(c.text);
	}
}

/* ---- the writer as it was before it was made fast (printf and one
 * fputc a byte): the fast one must print exactly the same bytes ---- */

/* The reference judges UTF-8 its own way, not with report.c's byte
 * ranges: it decodes, and a prefix is cut off as soon as no code point its
 * sequence length may carry (no overlong form, no surrogate, nothing past
 * U+10FFFF) can still start with it. */
static bool ref_viable(unsigned cp, size_t rest, size_t n)
{
	static const unsigned least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	static const unsigned most[] = { 0, 0, 0x7ff, 0xffff, 0x10ffff };
	unsigned lo = cp << (6 * rest), hi = lo | ((1u << (6 * rest)) - 1);
	return hi >= least[n] && lo <= most[n] && !(lo >= 0xd800 && hi <= 0xdfff);
}

static size_t ref_utf8_seq(const unsigned char *p, size_t *bad)
{
	*bad = 1;
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xf8 ? 0 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (n == 0)
		return 0;
	unsigned cp = p[0] & (0x7fu >> n);
	if (!ref_viable(cp, n - 1, n))
		return 0;
	for (size_t i = 1; i < n; i++) {
		cp = cp << 6 | (p[i] & 0x3fu);
		if ((p[i] & 0xc0) != 0x80 || !ref_viable(cp, n - 1 - i, n)) {
			*bad = i;
			return 0;
		}
	}
	return n;
}

static void ref_json_ascii(FILE *fp, unsigned char c)
{
	static const char raw[] = "\"\\\b\f\n\r\t", named[] = "\"\\bfnrt";
	const char *at = c ? strchr(raw, c) : NULL;
	if (at)
		fprintf(fp, "\\%c", named[at - raw]);
	else if (c < 0x20 || c == 0x7f)
		fprintf(fp, "\\u%04x", c);
	else
		fputc(c, fp);
}

static void ref_escape_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', fp);
	while (*p) {
		size_t bad, n = ref_utf8_seq(p, &bad);
		if (n == 0) {
			fputs("\\ufffd", fp);
			p += bad;
		} else if (n == 1) {
			ref_json_ascii(fp, *p++);
		} else if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
			fprintf(fp, "\\u%04x", p[1]);
			p += 2;
		} else {
			fwrite(p, 1, n, fp);
			p += n;
		}
	}
	fputc('"', fp);
}

static char *ref_fmt_fixed(char *buf, size_t len, double v, int prec)
{
	long long scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	if (!isfinite(v))
		return NULL;
	if (fabs(v) >= 9e15 / (double)scale) {
		snprintf(buf, len, "%.0f", v);  /* no decimal point, so no locale */
		return buf;
	}
	long long q = llround(v * (double)scale);
	unsigned long long a = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
	if (prec == 0)
		snprintf(buf, len, "%s%llu", q < 0 ? "-" : "", a);
	else
		snprintf(buf, len, "%s%llu.%0*llu", q < 0 ? "-" : "", a / (unsigned long long)scale,
			 prec, a % (unsigned long long)scale);
	return buf;
}

static void ref_json_number(FILE *fp, double v, int prec)
{
	char buf[48];
	fputs(ref_fmt_fixed(buf, sizeof(buf), v, prec) ? buf : "null", fp);
}

static const char *ref_json_bool(bool b)
{
	return b ? "true" : "false";
}

static char ref_state_letter(const struct task *t)
{
	if (t->exited)
		return 'X';
	return t->state > ' ' && t->state < 0x7f ? t->state : '?';
}

static void ref_json_task(FILE *fp, const struct row *r)
{
	const struct task *t = r->task;
	char state[2] = { ref_state_letter(t), '\0' };

	fprintf(fp, "{\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"tgid\":%d,\"state\":",
		(int)t->pid, (int)t->tid, (int)t->ppid, (int)t->pid);
	ref_escape_json_string(fp, state);
	fputs(",\"comm\":", fp);
	ref_escape_json_string(fp, t->comm);
	fputs(",\"cmdline\":", fp);
	ref_escape_json_string(fp, t->cmdline);
	fputs(",\"cpu\":", fp);
	ref_json_number(fp, t->cpu, 1);
	fprintf(fp, ",\"rss_kb\":%lu,\"threads\":%d,\"supervised\":%s,\"orphan\":%s,\"exited\":%s",
		t->rss_kb, t->threads, ref_json_bool(t->supervised), ref_json_bool(t->orphan),
		ref_json_bool(t->exited));
	if (t->exited && t->exit_known && t->exit_signal == 0)
		fprintf(fp, ",\"exit_code\":%d", t->exit_code);
	else
		fputs(",\"exit_code\":null", fp);
	if (t->exited && t->exit_signal != 0)
		fprintf(fp, ",\"exit_signal\":%d", t->exit_signal);
	else
		fputs(",\"exit_signal\":null", fp);
	if (t->former_ppid > 0)
		fprintf(fp, ",\"former_ppid\":%d,\"start_time\":", (int)t->former_ppid);
	else
		fputs(",\"former_ppid\":null,\"start_time\":", fp);
	ref_json_number(fp, t->start_time, 2);
	fprintf(fp, ",\"depth\":%d,\"nice\":%d,\"priority\":%d,\"tty\":", r->depth, t->nice,
		t->priority);
	if (t->tty_nr) {
		char tty[32];
		procparse_tty_name(t->tty_nr, tty, sizeof tty);
		fprintf(fp, "\"%s\"", tty);
	} else {
		fputs("null", fp);
	}
	fprintf(fp, ",\"vsz_kb\":%llu,\"mem_pct\":", t->vsize_kb);
	ref_json_number(fp, t->mem_pct, 2);
	fputs(",\"time_s\":", fp);
	ref_json_number(fp, t->time_s, 2);
	fputs(",\"waiting\":null}", fp);
}

static void test_json_matches_reference(void **state)
{
	(void)state;
	enum { M = 16 };
	char comm[M][64], cmd[M][200];
	struct task t[M];
	struct row rows[M];
	static const double specials[] = { 0.0, -0.0, 0.05, 0.04999, -0.05, 99.95, 1e15, 9e14,
					   -9e14, 1e300, -1e300, NAN, INFINITY, -INFINITY, 1e-9 };
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < M; i++) {
			random_bytes(comm[i], sizeof(comm[i]) - 1);
			if (round % 2)   /* mostly printable, as real names are */
				for (size_t k = 0; comm[i][k]; k++)
					comm[i][k] = (char)(' ' + (unsigned char)comm[i][k] % 95);
			random_bytes(cmd[i], sizeof(cmd[i]) - 1);
			pid_t pid = (pid_t)(next_rand() % 4194304) + 1;
			t[i] = mk((pid_t)(next_rand() % 4194304) + 1, pid, (pid_t)(next_rand() % 5000),
				  (char)(next_rand() & 0xff), comm[i], cmd[i]);
			t[i].exited = next_rand() % 3 == 0;
			t[i].exit_known = next_rand() % 2;
			t[i].exit_code = (int)(next_rand() % 512) - 256;
			t[i].exit_signal = (int)(next_rand() % 3);
			t[i].orphan = next_rand() % 2;
			t[i].supervised = next_rand() % 2;
			t[i].former_ppid = (pid_t)(next_rand() % 100);
			t[i].threads = (int)(next_rand() % 100000) - 10;
			t[i].rss_kb = (unsigned long)next_rand() * (next_rand() % 1000);
			unsigned pick = next_rand();
			t[i].cpu = pick % 4 == 0 ? specials[pick / 4 % (sizeof specials / sizeof *specials)]
				 : ((double)next_rand() - 2147483648.0) / (double)(1u << (next_rand() % 30));
			t[i].start_time = pick % 5 == 0 ? specials[pick / 5 % (sizeof specials / sizeof *specials)]
					: 1.7e9 + (double)next_rand() / 997.0;
			t[i].nice = (int)(next_rand() % 40) - 20;
			t[i].priority = (int)(next_rand() % 140) - 100;
			t[i].tty_nr = next_rand() % 3 ? 0 : (int)next_rand();
			t[i].vsize_kb = (unsigned long long)next_rand() * next_rand();
			t[i].mem_pct = pick % 7 == 0 ? specials[pick / 7 % (sizeof specials / sizeof *specials)]
				     : (double)(next_rand() % 100000) / 1000.0;
			t[i].time_s = (double)next_rand() / 100.0;
			rows[i] = (struct row){ &t[i], (int)(next_rand() % 70), false, 0, NULL };
		}
		struct capture got, want;
		cap_open(&got);
		report_json(got.fp, 0, rows, M, NULL, NULL);
		cap_close(&got);
		cap_open(&want);
		fputs("{\"time\":0.000,\"tasks\":[", want.fp);
		for (int i = 0; i < M; i++) {
			if (i > 0)
				fputc(',', want.fp);
			ref_json_task(want.fp, &rows[i]);
		}
		fputs("],", want.fp);
		cap_close(&want);
		if (strncmp(got.text, want.text, want.len) != 0) {
			size_t k = 0;
			while (got.text[k] == want.text[k])
				k++;
			fail_msg("differs at byte %zu:\n got: %.80s\nwant: %.80s", k, got.text + k,
				 want.text + k);
		}
		free(got.text);
		free(want.text);
	}
}

/* ---- report_text ---- */

static void test_text_snapshot_exact(void **state)
{
	(void)state;
	struct task t[5] = {
		mk(100, 100, 1, 'S', "sleep", "sleep 5"),
		mk(101, 100, 1, 'R', "work\x1b[31m", "sleep 5"),
		mk(102, 102, 100, 'Z', "sh", ""),
		mk(103, 103, 100, 'S', "yes", "yes\nno"),
		mk(104, 104, 1, 'S', "false", "false"),
	};
	t[0].cpu = 12.34;
	t[0].rss_kb = 2048;
	t[0].threads = 2;
	t[1].cpu = 99.96;
	t[1].threads = 2;
	t[2].orphan = true;
	t[2].former_ppid = 77;
	t[3].exited = true;
	t[3].exit_signal = 9;
	t[4].exited = true;
	t[4].exit_known = true;
	t[4].exit_code = 3;
	struct row rows[5] = { { &t[0], 0, false, 0, NULL }, { &t[1], 1, false, 1, NULL },
			       { &t[2], 1, false, 1, NULL }, { &t[3], 1, true, 1, NULL },
			       { &t[4], 0, true, 0, NULL } };
	struct summary s = { 3, 4, 1, 1, 0, 0, 1, 1, 2 };
	setenv("TZ", "UTC", 1);
	tzset();
	struct capture c;
	cap_open(&c);
	report_text(c.fp, 1700000000.9, rows, 5, &s);
	const char *got = cap_close(&c);
	const char *want =
		"22:13:20  processes: 3, threads: 4, running: 1, sleeping: 1, disk: 0, stopped: 0, "
		"zombies: 1, orphans: 1, exited: 2\n"
		"    PID     TID    PPID S  CPU%    RSS_KB  THR COMMAND\n"
		"    100     100       1 S  12.3      2048    2 sleep 5\n"
		"    100     101       1 R 100.0         0    2   {work\\e[31m}\n"
		"    102     102     100 Z   0.0         0    1   [sh]  [orphan of 77]\n"
		"    103     103     100 X   0.0         0    1   yes\\nno  [killed by SIGKILL]\n"
		"    104     104       1 X   0.0         0    1 false  [exit code 3]\n"
		"\n";
	assert_string_equal(got, want);
	free(c.text);
}

/* ---- escape_text ---- */

static void expect_sanitized(const char *in, const char *want)
{
	char out[256];
	memset(out, 'Q', sizeof(out));
	assert_ptr_equal(escape_text(in, out, sizeof(out)), out);
	if (strcmp(out, want) != 0)
		fail_msg("sanitize: got '%s', want '%s'", out, want);
}

static void test_sanitize_cases(void **state)
{
	(void)state;
	expect_sanitized("", "");
	expect_sanitized(NULL, "");
	expect_sanitized("plain text", "plain text");
	expect_sanitized("a\x1b[2Jb", "a\\e[2Jb");
	expect_sanitized("l1\nl2\tx\ry", "l1\\nl2\\tx\\ry");
	expect_sanitized("\x01\x07\x08\x1f\x7f", "\\x01\\x07\\x08\\x1f\\x7f");
	expect_sanitized("\xc2\x9b" "31m", "\\x9b31m");               /* C1 CSI */
	expect_sanitized("\xc2\x80\xc2\x9f\xc2\xa0", "\\x80\\x9f\xc2\xa0");
	expect_sanitized("\x9b", "\\x9b");                            /* raw 8-bit CSI */
	expect_sanitized("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
			 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect_sanitized("\xc0\xaf", "\\xc0\\xaf");
	expect_sanitized("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_sanitized("\xe2\x82" "A", "\\xe2\\x82A");
	expect_sanitized("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_sanitized("\xff", "\\xff");
	expect_sanitized("back\\slash", "back\\slash");
	/* bidi override, isolate, zero-width space, BOM; not their neighbours */
	expect_sanitized("a\xe2\x80\xae" "b\xe2\x81\xa6\xe2\x80\x8b\xef\xbb\xbf",
			 "a\\u202eb\\u2066\\u200b\\ufeff");
	expect_sanitized("\xe2\x80\x90\xe2\x80\xaf", "\xe2\x80\x90\xe2\x80\xaf");
}

static void test_sanitize_truncates_cleanly(void **state)
{
	(void)state;
	char out[16];

	memset(out, 'Q', sizeof(out));
	assert_ptr_equal(escape_text("abc", out, 0), out);
	assert_int_equal(out[0], 'Q');                                /* nothing written */
	escape_text("abc", out, 1);
	assert_string_equal(out, "");
	escape_text("abc", out, 3);
	assert_string_equal(out, "ab");
	escape_text("abc", out, 4);
	assert_string_equal(out, "abc");
	escape_text("a\x1b", out, 3);                             /* "\e" needs 2 + NUL */
	assert_string_equal(out, "a");
	escape_text("a\x1b", out, 4);
	assert_string_equal(out, "a\\e");
	escape_text("a\x01", out, 5);                             /* "\x01" needs 4 */
	assert_string_equal(out, "a");
	escape_text("a\x01", out, 6);
	assert_string_equal(out, "a\\x01");
	escape_text("a\xe2\x82\xac", out, 4);                     /* euro needs 3 */
	assert_string_equal(out, "a");
	escape_text("a\xe2\x82\xac", out, 5);
	assert_string_equal(out, "a\xe2\x82\xac");
	escape_text("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", out, 8);
	assert_string_equal(out, "\xf0\x9f\x98\x80");
}

/* Random input: the output is printable UTF-8 without C0, DEL or C1, fits,
 * and a shorter buffer gives a prefix cut between whole units. */
static void check_terminal_safe(const char *out)
{
	const unsigned char *p = (const unsigned char *)out;
	size_t len = strlen(out);
	while (*p) {
		unsigned long cp;
		size_t n = utf8_char(p, len - (size_t)(p - (const unsigned char *)out), &cp);
		if (n == 0)
			fail_msg("invalid UTF-8 in sanitized output");
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			fail_msg("control character U+%04lx in sanitized output", cp);
		p += n;
	}
}

static void test_sanitize_random(void **state)
{
	(void)state;
	char in[64], full[64 * 4 + 1], part[64 * 4 + 1];
	for (int i = 0; i < 20000; i++) {
		size_t len = random_bytes(in, sizeof(in) - 1);
		for (size_t k = 0; k < len; k++)    /* no backslashes: see the boundary check */
			if (in[k] == '\\')
				in[k] = '/';
		escape_text(in, full, 4 * len + 1);
		check_terminal_safe(full);
		size_t flen = strlen(full);
		/* 4 * len + 1 suffices: nothing was cut */
		char big[64 * 4 + 64];
		escape_text(in, big, sizeof(big));
		assert_string_equal(full, big);

		size_t cut = 1 + next_rand() % (flen + 1);
		memset(part, 'Q', sizeof(part));
		escape_text(in, part, cut);
		size_t plen = strlen(part);
		assert_true(plen < cut);
		assert_memory_equal(part, full, plen);
		check_terminal_safe(part);
		/* never ends inside an escape */
		if (plen >= 1 && part[plen - 1] == '\\')
			fail_msg("cut after a lone backslash");
		if (plen >= 2 && part[plen - 2] == '\\' && part[plen - 1] == 'x')
			fail_msg("cut inside \\x");
		if (plen >= 3 && part[plen - 3] == '\\' && part[plen - 2] == 'x')
			fail_msg("cut inside \\xN");
		/* and cut as late as possible: the next unit did not fit */
		if (plen < flen) {
			size_t next = full[plen] == '\\' ? (full[plen + 1] == 'x' ? 4 : 2) : 0;
			if (next == 0) {
				unsigned long cp;
				next = utf8_char((const unsigned char *)full + plen, flen - plen, &cp);
			}
			assert_true(plen + next >= cut);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_rejects),
		cmocka_unit_test(test_json_string_escapes),
		cmocka_unit_test(test_json_string_utf8),
		cmocka_unit_test(test_json_string_any_bytes_is_valid),
		cmocka_unit_test(test_json_snapshot_exact),
		cmocka_unit_test(test_folded_rows),
		cmocka_unit_test(test_json_exit_fields),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_random_snapshots_valid),
		cmocka_unit_test(test_json_matches_reference),
		cmocka_unit_test(test_text_snapshot_exact),
		cmocka_unit_test(test_sanitize_cases),
		cmocka_unit_test(test_sanitize_truncates_cleanly),
		cmocka_unit_test(test_sanitize_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
