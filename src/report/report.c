/* report.c - --batch output: NDJSON or text.
 *
 * Command names and lines come from programs concmon does not trust: any
 * byte can appear. JSON output must stay valid for every input, and text
 * meant for a terminal must never carry a control sequence. */
#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infer/infer.h"
#include "kernel/procextra.h"
#include "kernel/procparse.h"
#include "model/sigtable.h"
#include "report/report_tel.h"
#include "util/escape.h"
#include "util/util.h"

/* Writes the decimal digits of v at p; returns the end. */
static char *put_ull(char *p, unsigned long long v)
{
	char tmp[24];
	int k = 0;
	do
		tmp[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k > 0)
		*p++ = tmp[--k];
	return p;
}

static char *put_ll(char *p, long long v)
{
	if (v < 0) {
		*p++ = '-';
		return put_ull(p, 0ULL - (unsigned long long)v);
	}
	return put_ull(p, (unsigned long long)v);
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

/* v with prec (0-6) decimals at p (room for FIXED_MAX bytes), formatted by
 * hand: printf follows LC_NUMERIC, and a decimal comma is not JSON; and
 * snprintf is slow enough to show at 10000 tasks a refresh. Returns the
 * end, or NULL when v is not finite. */
#define FIXED_MAX 48
static char *put_fixed(char *p, double v, int prec)
{
	long long scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	if (!isfinite(v))
		return NULL;
	if (fabs(v) >= 9e15 / (double)scale) {
		/* No decimal point, so no locale; cut at FIXED_MAX - 1 digits
		 * (still a number) as the 48-byte buffer always did. */
		int n = snprintf(p, FIXED_MAX, "%.0f", v);
		return p + (n < 0 ? 0 : n < FIXED_MAX ? n : FIXED_MAX - 1);
	}
	long long q = llround(v * (double)scale);
	unsigned long long a = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
	if (q < 0)
		*p++ = '-';
	p = put_ull(p, a / (unsigned long long)scale);
	if (prec > 0) {
		unsigned long long frac = a % (unsigned long long)scale;
		*p++ = '.';
		for (int i = prec - 1; i >= 0; i--, frac /= 10)
			p[i] = (char)('0' + frac % 10);
		p += prec;
	}
	return p;
}

/* The same into buf; returns buf, or NULL when v is not finite. */
static char *fmt_fixed(char *buf, size_t len, double v, int prec)
{
	char tmp[FIXED_MAX];
	char *end = put_fixed(tmp, v, prec);
	if (!end)
		return NULL;
	snprintf(buf, len, "%.*s", (int)(end - tmp), tmp);
	return buf;
}

/* A number, or null when it is not finite. */
static char *put_number(char *p, double v, int prec)
{
	char *end = put_fixed(p, v, prec);
	return end ? end : put_str(p, "null");
}

static void json_number(FILE *fp, double v, int prec)
{
	char buf[FIXED_MAX];
	char *end = put_number(buf, v, prec);
	fwrite(buf, 1, (size_t)(end - buf), fp);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* The kernel letter, X once exited, ? for anything unprintable. */
static char state_letter(const struct task *t)
{
	if (t->exited)
		return 'X';
	return t->state > ' ' && t->state < 0x7f ? t->state : '?';
}

/* One task object; the numbers are put together by hand in a buffer and
 * written with the strings in a few calls: this is most of the user time
 * of a refresh under --json. */
/* What tid waits for, by the inference or a replay's callback; NULL when none. */
static const char *task_wait(const struct report_extra *x, pid_t tid)
{
	if (!x)
		return NULL;
	return x->infer ? infer_wait(x->infer, tid) : x->wait ? x->wait(x->wait_ctx, tid) : NULL;
}

/* The fields from /proc/PID/stat, always there: nice, priority, tty,
 * vsz_kb, mem_pct, time_s. Appended at p (room for about 200 bytes). */
static char *json_task_cheap(char *p, const struct task *t)
{
	p = put_str(p, ",\"nice\":");
	p = put_ll(p, t->nice);
	p = put_str(p, ",\"priority\":");
	p = put_ll(p, t->priority);
	p = put_str(p, ",\"tty\":");
	if (t->tty_nr) {
		char name[32];  /* "pts/3", "tty1", "4:70": nothing to escape */
		procparse_tty_name(t->tty_nr, name, sizeof name);
		*p++ = '"';
		p = put_str(p, name);
		*p++ = '"';
	} else {
		p = put_str(p, "null");
	}
	p = put_str(p, ",\"vsz_kb\":");
	p = put_ull(p, t->vsize_kb);
	p = put_str(p, ",\"mem_pct\":");
	p = put_number(p, t->mem_pct, 2);
	p = put_str(p, ",\"time_s\":");
	return put_number(p, t->time_s, 2);
}

/* A number, or null when negative (unknown). */
static void json_known(FILE *fp, const char *name, double v, int prec)
{
	fprintf(fp, ",\"%s\":", name);
	if (v < 0)
		fputs("null", fp);
	else
		json_number(fp, v, prec);
}

/* The fields read only when a column names them (enum proc_extra bits). */
static void json_task_extras(FILE *fp, const struct task *t, unsigned extras)
{
	if (extras & PROC_EXTRA_USER) {
		fputs(",\"user\":", fp);
		if (t->user)
			escape_json_string(fp, t->user);
		else
			fputs("null", fp);
	}
	if (extras & PROC_EXTRA_SHR)
		json_known(fp, "shr_kb", (double)t->shr_kb, 0);
	if (extras & PROC_EXTRA_IO) {
		json_known(fp, "io_read_bps", t->io_read_bps, 0);
		json_known(fp, "io_write_bps", t->io_write_bps, 0);
	}
	if (extras & PROC_EXTRA_WCHAN) {
		fputs(",\"wchan\":", fp);
		if (t->wchan[0])
			escape_json_string(fp, t->wchan);
		else
			fputs("null", fp);
	}
	if (extras & PROC_EXTRA_CGROUP) {
		fputs(",\"cgroup\":", fp);
		if (t->cgroup)
			escape_json_string(fp, t->cgroup);
		else
			fputs("null", fp);
	}
}

static void json_task(FILE *fp, const struct row *r, const struct report_extra *x)
{
	const struct task *t = r->task;
	char buf[512], *p = buf;
	char state = state_letter(t);

	p = put_str(p, "{\"pid\":");
	p = put_ll(p, t->pid);
	p = put_str(p, ",\"tid\":");
	p = put_ll(p, t->tid);
	p = put_str(p, ",\"ppid\":");
	p = put_ll(p, t->ppid);
	p = put_str(p, ",\"tgid\":");
	p = put_ll(p, t->pid);
	p = put_str(p, ",\"state\":");
	if (state != '"' && state != '\\') {
		*p++ = '"';
		*p++ = state;
		*p++ = '"';
		state = 0;
	}
	fwrite(buf, 1, (size_t)(p - buf), fp);
	if (state) {
		char s[2] = { state, '\0' };
		escape_json_string(fp, s);
	}
	fputs(",\"comm\":", fp);
	escape_json_string(fp, t->comm);
	fputs(",\"cmdline\":", fp);
	escape_json_string(fp, t->cmdline);

	p = put_str(buf, ",\"cpu\":");
	p = put_number(p, t->cpu, 1);
	p = put_str(p, ",\"rss_kb\":");
	p = put_ull(p, t->rss_kb);
	p = put_str(p, ",\"threads\":");
	p = put_ll(p, t->threads);
	p = put_str(p, ",\"supervised\":");
	p = put_str(p, json_bool(t->supervised));
	p = put_str(p, ",\"orphan\":");
	p = put_str(p, json_bool(t->orphan));
	p = put_str(p, ",\"exited\":");
	p = put_str(p, json_bool(t->exited));
	p = put_str(p, ",\"exit_code\":");
	if (t->exited && t->exit_known && t->exit_signal == 0)
		p = put_ll(p, t->exit_code);
	else
		p = put_str(p, "null");
	p = put_str(p, ",\"exit_signal\":");
	if (t->exited && t->exit_signal != 0)
		p = put_ll(p, t->exit_signal);
	else
		p = put_str(p, "null");
	p = put_str(p, ",\"former_ppid\":");
	p = t->former_ppid > 0 ? put_ll(p, t->former_ppid) : put_str(p, "null");
	p = put_str(p, ",\"start_time\":");
	p = put_number(p, t->start_time, 2);
	p = put_str(p, ",\"depth\":");
	p = put_ll(p, r->depth);
	if (!x || !x->unrecorded)
		p = json_task_cheap(p, t);
	p = put_str(p, ",\"waiting\":");
	const char *w = !t->exited ? task_wait(x, t->tid) : NULL;
	if (!w)
		p = put_str(p, "null");
	fwrite(buf, 1, (size_t)(p - buf), fp);
	if (w)
		escape_json_string(fp, w);
	if (x && x->extras)
		json_task_extras(fp, t, x->extras);
	fputc('}', fp);
}

/* "codes":{"0":2600} or "signals":{"9":11}: the non-zero counts. */
static void json_counts(FILE *fp, const char *name, const unsigned *v, size_t n)
{
	bool first = true;
	fprintf(fp, ",\"%s\":{", name);
	for (size_t i = 0; i < n; i++) {
		if (!v[i])
			continue;
		fprintf(fp, "%s\"%zu\":%u", first ? "" : ",", i, v[i]);
		first = false;
	}
	fputc('}', fp);
}

/* ,"exited_summary":[...]: one object per summary row, in row order. */
static void json_folds(FILE *fp, const struct row *rows, size_t n)
{
	bool first = true;
	fputs(",\"exited_summary\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct exit_tally *f = rows[i].fold;
		if (!f)
			continue;
		fprintf(fp, "%s{\"parent\":%d,\"parent_start_time\":", first ? "" : ",",
			f->parent ? (int)f->parent->pid : 0);
		if (f->parent)
			json_number(fp, f->parent->start_time, 2);
		else
			fputs("null", fp);
		fprintf(fp, ",\"count\":%u", f->count);
		json_counts(fp, "codes", f->codes, TALLY_CODES);
		json_counts(fp, "signals", f->signals, TALLY_SIGNALS);
		fprintf(fp, ",\"unknown\":%u}", f->unknown);
		first = false;
	}
	fputc(']', fp);
}

void report_json(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum, const struct report_extra *x)
{
	static const struct summary none;
	bool first = true;
	if (!sum)
		sum = &none;
	fputs("{\"time\":", fp);
	json_number(fp, unix_time, 3);
	fputs(",\"tasks\":[", fp);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].task)
			continue;
		if (!first)
			fputc(',', fp);
		first = false;
		json_task(fp, &rows[i], x);
	}
	fprintf(fp, "],\"summary\":{\"processes\":%d,\"threads\":%d,\"running\":%d,"
		"\"sleeping\":%d,\"disk_sleep\":%d,\"stopped\":%d,\"zombies\":%d,"
		"\"orphans\":%d,\"exited\":%d}",
		sum->processes, sum->threads, sum->running, sum->sleeping, sum->disk,
		sum->stopped, sum->zombies, sum->orphans, sum->exited);
	if (x)
		json_folds(fp, rows, n);
	if (x && x->containment) {
		fputs(",\"containment\":", fp);
		escape_json_string(fp, x->containment);
	}
	if (x)
		report_json_programs(fp, x->programs, x->nprograms);
	if (x && x->deadlocks)
		report_json_deadlocks(fp, x->deadlocks);
	if (x && x->more)
		x->more(fp, x->more_arg);
	fputs("}\n", fp);
}

/* ---- text ---- */

/* Writes s sanitized; the buffer is sized for the worst case (4 bytes out
 * for each byte in). */
static void put_sanitized(FILE *fp, const char *s)
{
	size_t len = strlen(s ? s : "") * 4 + 1;
	char *buf = xmalloc(len);
	fputs(escape_text(s, buf, len), fp);
	free(buf);
}

/* How an exited task ended, or how an orphan came to be. */
static void put_note(FILE *fp, const struct task *t)
{
	if (t->orphan && !t->exited) {
		if (t->former_ppid > 0)
			fprintf(fp, "  [orphan of %d]", (int)t->former_ppid);
		else
			fputs("  [orphan]", fp);
	}
	if (!t->exited)
		return;
	if (t->exit_signal != 0) {
		const struct sigdesc *d = sigtable_find(t->exit_signal);
		if (d)
			fprintf(fp, "  [killed by SIG%s]", d->name);
		else
			fprintf(fp, "  [killed by signal %d]", t->exit_signal);
	} else if (t->exit_known) {
		fprintf(fp, "  [exit code %d]", t->exit_code);
	} else {
		fputs("  [exited]", fp);
	}
}

/* A process shows its command line ([comm] when it has none, like a kernel
 * thread); a thread shows its own name in braces, as pstree does. */
static void put_command(FILE *fp, const struct row *r)
{
	const struct task *t = r->task;
	for (int i = 0; i < r->depth; i++)
		fputs("  ", fp);
	if (task_is_thread(t)) {
		fputc('{', fp);
		put_sanitized(fp, t->comm);
		fputc('}', fp);
	} else if (t->cmdline && t->cmdline[0]) {
		put_sanitized(fp, t->cmdline);
	} else {
		fputc('[', fp);
		put_sanitized(fp, t->comm);
		fputc(']', fp);
	}
	put_note(fp, t);
}

/* A summary row: its parent in the PPID column, then the tally. */
static void put_fold(FILE *fp, const struct row *r)
{
	char text[512];
	const struct task *p = r->fold->parent;
	fprintf(fp, "%7s %7s %7d %c %5s %9s %4s ", "", "", p ? (int)p->pid : 0, '+', "", "", "");
	for (int i = 0; i < r->depth; i++)
		fputs("  ", fp);
	tasktree_fold_text(r->fold, text, sizeof text);
	fprintf(fp, "%s\n", text);
}

static void put_summary(FILE *fp, double unix_time, const struct summary *s)
{
	char clock[16] = "--:--:--";
	struct tm tm;
	if (isfinite(unix_time) && unix_time >= 0 && unix_time < 1e15) {
		time_t when = (time_t)unix_time;
		if (localtime_r(&when, &tm))
			strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	}
	fprintf(fp, "%s  processes: %d, threads: %d, running: %d, sleeping: %d, disk: %d, "
		"stopped: %d, zombies: %d, orphans: %d, exited: %d\n",
		clock, s->processes, s->threads, s->running, s->sleeping, s->disk, s->stopped,
		s->zombies, s->orphans, s->exited);
}

void report_text_output(FILE *fp, pid_t pid, bool err, const char *text)
{
	fprintf(fp, "[%d %s] ", (int)pid, err ? "stderr" : "stdout");
	put_sanitized(fp, text);
	fputc('\n', fp);
}

void report_text(FILE *fp, double unix_time, const struct row *rows, size_t n,
		 const struct summary *sum)
{
	static const struct summary none;
	put_summary(fp, unix_time, sum ? sum : &none);
	fprintf(fp, "%7s %7s %7s %s %5s %9s %4s %s\n",
		"PID", "TID", "PPID", "S", "CPU%", "RSS_KB", "THR", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		const struct task *t = rows[i].task;
		char cpu[48];
		if (!t) {
			put_fold(fp, &rows[i]);
			continue;
		}
		if (!fmt_fixed(cpu, sizeof(cpu), t->cpu, 1))
			snprintf(cpu, sizeof(cpu), "-");
		fprintf(fp, "%7d %7d %7d %c %5s %9lu %4d ", (int)t->pid, (int)t->tid, (int)t->ppid,
			state_letter(t), cpu, t->rss_kb, t->threads);
		put_command(fp, &rows[i]);
		fputc('\n', fp);
	}
	fputc('\n', fp);
}
