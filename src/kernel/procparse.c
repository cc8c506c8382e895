/* procparse.c - bounded parsers for /proc text: never read past len, trust nothing. */
#include "kernel/procparse.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A cursor over len bytes that need not be NUL-terminated. */
struct cursor {
	const char *p, *end;
};

/* Runs on every stat line of every refresh (10000 a refresh with -a), so
 * each byte is looked at once: tokens are parsed as they are scanned. */
static inline bool is_space(char c)
{
	return (unsigned char)c <= ' ' && (c == ' ' || c == '\n' || c == '\t');
}

static inline void skip_space(struct cursor *c)
{
	while (c->p < c->end && is_space(*c->p))
		c->p++;
}

/* Next run of non-space bytes; false at the end of the text. */
static bool next_token(struct cursor *c, const char **tok, size_t *len)
{
	skip_space(c);
	if (c->p >= c->end)
		return false;
	*tok = c->p;
	while (c->p < c->end && !is_space(*c->p))
		c->p++;
	*len = (size_t)(c->p - *tok);
	return true;
}

/* Digits at s (up to end or a space) into *v, failing past limit or on a
 * non-digit; at least one digit. Returns where the digits stopped. */
static const char *digits(const char *s, const char *end, unsigned long long limit,
			  unsigned long long *v)
{
	unsigned long long x = 0;
	const char *p = s;
	for (; p < end && !is_space(*p); p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';
		if (d > 9 || x > (limit - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	if (p == s)
		return NULL;
	*v = x;
	return p;
}

/* Decimal integer with an optional '-', within [lo, hi]; no overflow. */
static bool parse_ll(const char *s, size_t len, long long lo, long long hi, long long *out)
{
	bool neg = len > 0 && s[0] == '-';
	unsigned long long v;
	unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	if (digits(s + neg, s + len, limit, &v) != s + len)
		return false;
	long long r;
	if (neg)
		r = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
	else
		r = (long long)v;
	if (r < lo || r > hi)
		return false;
	*out = r;
	return true;
}

/* Reads the next token as an integer in [lo, hi]. */
static bool take_ll(struct cursor *c, long long lo, long long hi, long long *out)
{
	const char *tok;
	size_t len;
	return next_token(c, &tok, &len) && parse_ll(tok, len, lo, hi, out);
}

/* The next token as an unsigned decimal, no sign, no overflow. */
static bool take_ull(struct cursor *c, unsigned long long *out)
{
	skip_space(c);
	const char *p = digits(c->p, c->end, ULLONG_MAX, out);
	if (!p)
		return false;
	c->p = p;
	return true;
}

/* The next token as an unsigned integer, or 0 at the end of the text;
 * false only for a token that is not a number. */
static bool take_optional_ull(struct cursor *c, unsigned long long *out)
{
	*out = 0;
	skip_space(c);
	return c->p >= c->end || take_ull(c, out);
}

static bool skip_tokens(struct cursor *c, int n)
{
	const char *tok;
	size_t len;
	while (n-- > 0)
		if (!next_token(c, &tok, &len))
			return false;
	return true;
}

/* "PID (COMM) " up to the state field: comm is everything between the first
 * '(' and the last ')', since a program may name itself "a) b (c". */
static bool parse_pid_comm(const char *buf, size_t len, struct proc_stat *out,
			   struct cursor *rest)
{
	const char *open = memchr(buf, '(', len);
	const char *close = memrchr(buf, ')', len);
	long long pid;

	if (!open || !close || close < open || open < buf + 2 || open[-1] != ' ')
		return false;
	if (!parse_ll(buf, (size_t)(open - 1 - buf), 1, INT_MAX, &pid))
		return false;
	out->pid = (pid_t)pid;

	size_t n = (size_t)(close - open - 1);
	if (n > sizeof(out->comm) - 1)
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';

	rest->p = close + 1;
	rest->end = buf + len;
	return rest->p < rest->end && *rest->p == ' ';
}

static int parse_stat(const char *buf, size_t len, struct proc_stat *out, bool args)
{
	struct cursor c;
	const char *tok;
	size_t toklen;
	long long ppid, pgrp, session, threads, rss, tty, prio, nice;

	if (!buf || !out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!parse_pid_comm(buf, len, out, &c))
		return -1;
	/* field 3: state, one letter */
	if (!next_token(&c, &tok, &toklen) || toklen != 1)
		return -1;
	out->state = tok[0];
	/* fields 4-6: ppid pgrp session (pgrp/session may be 0) */
	if (!take_ll(&c, 0, INT_MAX, &ppid) || !take_ll(&c, INT_MIN, INT_MAX, &pgrp) ||
	    !take_ll(&c, INT_MIN, INT_MAX, &session))
		return -1;
	/* field 7: tty_nr; 8-13: tpgid flags minflt cminflt majflt cmajflt */
	if (!take_ll(&c, INT_MIN, INT_MAX, &tty) || !skip_tokens(&c, 6))
		return -1;
	/* fields 14-15: utime stime */
	if (!take_ull(&c, &out->utime) || !take_ull(&c, &out->stime))
		return -1;
	/* fields 16-19: cutime cstime priority nice */
	if (!skip_tokens(&c, 2) || !take_ll(&c, LONG_MIN, LONG_MAX, &prio) ||
	    !take_ll(&c, -100, 100, &nice))
		return -1;
	/* field 20: num_threads, 21: itrealvalue, 22: starttime */
	if (!take_ll(&c, 0, LONG_MAX, &threads) || !skip_tokens(&c, 1) ||
	    !take_ull(&c, &out->start_ticks))
		return -1;
	/* field 23: vsize, 24: rss (pages; the kernel prints it signed) */
	if (!take_ull(&c, &out->vsize) || !take_ll(&c, LONG_MIN, LONG_MAX, &rss))
		return -1;
	/* fields 25-47, then 48-49: arg_start arg_end, when the line has them */
	if (args && skip_tokens(&c, 23) && (!take_optional_ull(&c, &out->arg_start) ||
					    !take_optional_ull(&c, &out->arg_end)))
		return -1;

	out->ppid = (pid_t)ppid;
	out->pgrp = (pid_t)pgrp;
	out->session = (pid_t)session;
	out->num_threads = (long)threads;
	out->rss_pages = (long)rss;
	out->tty_nr = (int)tty;
	out->priority = (long)prio;
	out->nice = (long)nice;
	return 0;
}

int procparse_stat(const char *buf, size_t len, struct proc_stat *out)
{
	return parse_stat(buf, len, out, true);
}

int procparse_stat_head(const char *buf, size_t len, struct proc_stat *out)
{
	return parse_stat(buf, len, out, false);
}

int procparse_pid_list(const char *buf, size_t len, pid_t *out, size_t max)
{
	struct cursor c = { buf, buf ? buf + len : NULL };
	const char *tok;
	size_t toklen;
	int stored = 0;

	if (!buf)
		return len ? -1 : 0;
	if (max > INT_MAX)
		max = INT_MAX;
	/* every token is checked, even past max, so garbage is always reported */
	while (next_token(&c, &tok, &toklen)) {
		long long pid;
		if (!parse_ll(tok, toklen, 1, INT_MAX, &pid))
			return -1;
		if ((size_t)stored < max)
			out[stored++] = (pid_t)pid;
	}
	return stored;
}

size_t procparse_cmdline(char *buf, size_t len)
{
	if (!buf)
		return 0;
	/* programs that rewrite their argv often pad it with NULs: drop them all */
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return len;
}

/* Majors from the kernel's devices.txt: the terminals ps names. */
void procparse_tty_name(int tty_nr, char *buf, size_t len)
{
	unsigned dev = (unsigned)tty_nr;
	unsigned major = (dev >> 8) & 0xfff, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	if (tty_nr == 0)
		snprintf(buf, len, "?");
	else if (major >= 136 && major <= 143)
		snprintf(buf, len, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, len, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, len, "ttyS%u", minor - 64);
	else
		snprintf(buf, len, "%u:%u", major, minor);
}

/* The value after "name: " on one of the lines of buf. */
static bool keyed_ull(const char *buf, size_t len, const char *name, unsigned long long *v)
{
	size_t nl = strlen(name);
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		if ((size_t)(stop - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == ':') {
			struct cursor c = { p + nl + 1, stop };
			return take_ull(&c, v);
		}
		p = stop + 1;
	}
	return false;
}

int procparse_io(const char *buf, size_t len, unsigned long long *rchar, unsigned long long *wchar)
{
	if (!buf || !keyed_ull(buf, len, "rchar", rchar) || !keyed_ull(buf, len, "wchar", wchar))
		return -1;
	return 0;
}

int procparse_cgroup(const char *buf, size_t len, char *out, size_t outlen)
{
	const char *p = buf, *end = buf ? buf + len : NULL;
	if (!buf || outlen == 0)
		return -1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		if (stop - p >= 3 && memcmp(p, "0::", 3) == 0) {
			size_t n = (size_t)(stop - p - 3);
			if (n > outlen - 1)
				n = outlen - 1;
			memcpy(out, p + 3, n);
			out[n] = '\0';
			return 0;
		}
		p = stop + 1;
	}
	return -1;
}

long procparse_statm_shared(const char *buf, size_t len)
{
	struct cursor c = { buf, buf ? buf + len : NULL };
	unsigned long long v;
	if (!buf || !skip_tokens(&c, 2) || !take_ull(&c, &v) || v > LONG_MAX)
		return -1;
	return (long)v;
}
