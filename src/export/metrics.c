/* metrics.c - see metrics.h. */
#include "export/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "infer/owner.h"
#include "model/events.h"
#include "model/tasktree.h"
#include "util/escape.h"
#include "util/util.h"

/* Index of the label "other" in struct metrics' per-program arrays. */
#define OTHER METRICS_MAX_PROGRAMS
#define NLABELS (METRICS_MAX_PROGRAMS + 1)
/* Room for the named series plus one "other" per program label and source. */
#define SERIES_CAP (METRICS_MAX_SERIES + NLABELS * 3)

struct metrics {
	char labels[NLABELS][METRICS_LABEL_MAX + 1];
	size_t nlabels;                 /* named ones, before OTHER */
	uint64_t exits_code[NLABELS], exits_signal[NLABELS], restarts[NLABELS];
	uint64_t events[EV_KIND_COUNT];
	uint64_t events_seen;           /* seq of the last event counted */
	struct owners *owners;
};

/* One queue or lock series of a scrape: values of the same labels add up
 * (two programs of one name, names cut to the same prefix). */
struct series {
	int prog;
	enum tel_source source;
	char name[METRICS_LABEL_MAX + 1];
	double a, b;
};

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	snprintf(m->labels[OTHER], sizeof m->labels[OTHER], "other");
	m->owners = owners_new();
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	owners_free(m->owners);
	free(m);
}

/* Copies at most max bytes of s into out (size > max), whole characters
 * only, each invalid UTF-8 byte and control character but newline (which
 * the format escapes) as '?'. */
static void sanitize(const char *s, size_t max, char *out)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	while (*p) {
		size_t bad = 0, n = escape_utf8_seq(p, &bad);
		size_t take = n ? n : bad;
		if (o + (n ? n : 1) > max)
			break;
		if (n == 1 && *p != '\n' && (*p < 0x20 || *p == 0x7f))
			out[o++] = '?';
		else if (n)
			memcpy(out + o, p, n), o += n;
		else
			out[o++] = '?';
		p += take;
	}
	out[o] = '\0';
}

void metrics_put_label(FILE *fp, const char *s, size_t max)
{
	char clean[4 * METRICS_LABEL_MAX + 1];
	if (max > sizeof clean - 1)
		max = sizeof clean - 1;
	sanitize(s, max, clean);
	for (const char *c = clean; *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', fp);
		if (*c == '\n')
			fputs("\\n", fp);
		else
			fputc(*c, fp);
	}
}

void metrics_program_label(char *const argv[], const char *line, const char *demo, char *buf,
			   size_t len)
{
	char word[256] = "";
	if (demo) {
		snprintf(word, sizeof word, "%.*s", (int)strcspn(demo, ","), demo);
	} else {
		const char *s = argv && argv[0] ? argv[0] : line ? line : "";
		if (!argv && strncmp(s, "--trace ", 8) == 0)
			s += 8;
		s += strspn(s, " \t");
		size_t n = argv ? strlen(s) : strcspn(s, " \t");
		/* "API_KEY=xyz ./server" typed at the prompt: an environment
		 * assignment is never a label (secrets live there). */
		if (memchr(s, '=', n))
			n = 0;
		snprintf(word, sizeof word, "%.*s", (int)n, s);
	}
	char *slash = strrchr(word, '/');
	const char *base = slash && slash[1] ? slash + 1 : word;
	char clean[METRICS_LABEL_MAX + 1];
	sanitize(base[0] ? base : "?", METRICS_LABEL_MAX, clean);
	snprintf(buf, len, "%s", clean);
}

/* The index of label name: a known one, a new one while there is room,
 * else OTHER. Indices never change, so counters stay with their label. */
static int label_index(struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->nlabels; i++)
		if (strcmp(m->labels[i], name) == 0)
			return (int)i;
	if (m->nlabels == METRICS_MAX_PROGRAMS)
		return OTHER;
	snprintf(m->labels[m->nlabels], sizeof m->labels[0], "%s", name);
	return (int)m->nlabels++;
}

static int program_index(struct metrics *m, const struct program *p)
{
	char label[METRICS_LABEL_MAX + 1];
	metrics_program_label(p->argv, p->argv ? NULL : p->name, p->demo, label, sizeof label);
	return label_index(m, label);
}

void metrics_observe(struct metrics *m, const struct events *ev)
{
	struct event buf[64];
	size_t n;
	while ((n = events_since(ev, m->events_seen, buf, 64)) > 0) {
		for (size_t i = 0; i < n; i++)
			if (buf[i].kind < EV_KIND_COUNT)
				m->events[buf[i].kind]++;
		m->events_seen = buf[n - 1].seq;
	}
}

void metrics_note_exit(struct metrics *m, const struct program *p, int sig)
{
	int i = program_index(m, p);
	if (sig)
		m->exits_signal[i]++;
	else
		m->exits_code[i]++;
}

void metrics_note_restart(struct metrics *m, char *const argv[], const char *line,
			  const char *demo)
{
	char label[METRICS_LABEL_MAX + 1];
	metrics_program_label(argv, line, demo, label, sizeof label);
	m->restarts[label_index(m, label)]++;
}

/* "# HELP name help\n# TYPE name type\n". */
static void family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A number as the format wants it, without the locale. */
static void put_value(FILE *fp, double v)
{
	char buf[64];
	if (v < 1e15 && v > -1e15 && v == (double)(int64_t)v)   /* NaN fails the bounds */
		snprintf(buf, sizeof buf, "%lld", (long long)v);
	else
		snprintf(buf, sizeof buf, "%.6f", v);
	char *comma = strchr(buf, ','); /* a locale's decimal comma */
	if (comma)
		*comma = '.';
	fprintf(fp, " %s\n", buf);
}

/* ---- the families ---- */

static const char task_states[] = "RSDTtZXI";

static void put_tasks(FILE *fp, const struct metrics_input *in)
{
	unsigned counts[sizeof task_states - 1] = { 0 }, other = 0;
	for (size_t i = 0; i < in->ntasks; i++) {
		const struct task *t = &in->tasks[i];
		if ((!in->all && !t->supervised) || t->exited)
			continue;
		const char *at = t->state ? strchr(task_states, t->state) : NULL;
		if (at)
			counts[at - task_states]++;
		else
			other++;
	}
	family(fp, "concmon_tasks", "gauge",
	       "Live tasks (processes and threads as sampled) by kernel state letter.");
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		fprintf(fp, "concmon_tasks{state=\"%c\"}", task_states[i]);
		put_value(fp, counts[i]);
	}
	fputs("concmon_tasks{state=\"other\"}", fp);
	put_value(fp, other);
	struct summary s;
	tasktree_summary(in->tasks, in->ntasks, in->all, &s);
	family(fp, "concmon_processes", "gauge", "Live processes in the monitored tree.");
	fputs("concmon_processes", fp);
	put_value(fp, s.processes);
	family(fp, "concmon_zombies", "gauge", "Processes that exited and wait to be reaped.");
	fputs("concmon_zombies", fp);
	put_value(fp, s.zombies);
	family(fp, "concmon_orphans", "gauge", "Live processes re-parented to concmon.");
	fputs("concmon_orphans", fp);
	put_value(fp, s.orphans);
}

/* Per-program gauges of one scrape, by label index. */
struct prog_gauges {
	double cpu[NLABELS], rss[NLABELS], threads[NLABELS], procs[NLABELS];
};

static void gather_programs(struct metrics *m, const struct metrics_input *in, int *index,
			    struct prog_gauges *g)
{
	for (size_t i = 0; i < in->nprogs; i++)
		index[i] = program_index(m, &in->progs[i]);
	owners_update(m->owners, in->tasks, in->ntasks, in->progs, in->nprogs);
	for (size_t i = 0; i < in->ntasks; i++) {
		const struct task *t = &in->tasks[i];
		if (!t->supervised || t->exited || task_is_thread(t))
			continue;
		int p = owners_of(m->owners, t->pid);
		if (p < 0 || (size_t)p >= in->nprogs)
			continue;
		int l = index[p];
		g->cpu[l] += t->cpu / 100.0;
		g->rss[l] += (double)t->rss_kb * 1024.0;
		g->threads[l] += t->threads > 0 ? t->threads : 1;
		g->procs[l] += 1;
	}
}

/* One line per program label seen so far (and "other" once used). */
static void put_per_program(FILE *fp, const struct metrics *m, const char *name,
			    const double *v, const char *cause)
{
	for (size_t i = 0; i < NLABELS; i++) {
		if (i >= m->nlabels && i != OTHER)
			continue;
		if (i == OTHER && m->nlabels < METRICS_MAX_PROGRAMS)
			continue;
		fprintf(fp, "%s{program=\"", name);
		metrics_put_label(fp, m->labels[i], METRICS_LABEL_MAX);
		fprintf(fp, cause ? "\",cause=\"%s\"}" : "\"}", cause);
		put_value(fp, v[i]);
	}
}

static void put_programs(FILE *fp, struct metrics *m, const struct metrics_input *in)
{
	int *index = xcalloc(in->nprogs + 1, sizeof *index);
	struct prog_gauges *g = xcalloc(1, sizeof *g);
	gather_programs(m, in, index, g);
	free(index);
	double v[NLABELS];
	family(fp, "concmon_program_processes", "gauge", "Live processes of each launched program.");
	put_per_program(fp, m, "concmon_program_processes", g->procs, NULL);
	family(fp, "concmon_program_cpu_cores", "gauge",
	       "CPU used over the last refresh, in cores (1 = one core busy).");
	put_per_program(fp, m, "concmon_program_cpu_cores", g->cpu, NULL);
	family(fp, "concmon_program_resident_memory_bytes", "gauge", "Resident memory (RSS) summed over the processes.");
	put_per_program(fp, m, "concmon_program_resident_memory_bytes", g->rss, NULL);
	family(fp, "concmon_program_threads", "gauge", "Threads summed over the processes.");
	put_per_program(fp, m, "concmon_program_threads", g->threads, NULL);
	free(g);
	for (size_t i = 0; i < NLABELS; i++)
		v[i] = (double)m->restarts[i];
	family(fp, "concmon_program_restarts_total", "counter",
	       "Times a program was launched again by concmon (R, a knob read at start).");
	put_per_program(fp, m, "concmon_program_restarts_total", v, NULL);
	family(fp, "concmon_program_exits_total", "counter",
	       "Launched programs that ended, by exit code or by signal.");
	for (size_t i = 0; i < NLABELS; i++)
		v[i] = (double)m->exits_code[i];
	put_per_program(fp, m, "concmon_program_exits_total", v, "code");
	for (size_t i = 0; i < NLABELS; i++)
		v[i] = (double)m->exits_signal[i];
	put_per_program(fp, m, "concmon_program_exits_total", v, "signal");
}

/* Adds (a, b) to the series of these labels; past the cap, to "other". */
static void series_add(struct series *s, size_t *n, int prog, enum tel_source src,
		       const char *name, double a, double b)
{
	char clean[METRICS_LABEL_MAX + 1];
	sanitize(name, METRICS_LABEL_MAX, clean);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < *n; i++) {
			if (s[i].prog == prog && s[i].source == src && strcmp(s[i].name, clean) == 0) {
				s[i].a += a;
				s[i].b += b;
				return;
			}
		}
		if (*n < METRICS_MAX_SERIES || (pass == 1 && *n < SERIES_CAP))
			break;
		snprintf(clean, sizeof clean, "other");
	}
	s[*n] = (struct series){ .prog = prog, .source = src, .a = a, .b = b };
	snprintf(s[*n].name, sizeof s[*n].name, "%s", clean);
	(*n)++;
}

static void put_series(FILE *fp, const struct metrics *m, const char *metric, const char *key,
		       const struct series *s, size_t n, bool second)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s{program=\"", metric);
		metrics_put_label(fp, m->labels[s[i].prog], METRICS_LABEL_MAX);
		fprintf(fp, "\",%s=\"", key);
		metrics_put_label(fp, s[i].name, METRICS_LABEL_MAX);
		fprintf(fp, "\",source=\"%s\"}", telemetry_source_name(s[i].source));
		put_value(fp, second ? s[i].b : s[i].a);
	}
}

static void put_telemetry(FILE *fp, struct metrics *m, const struct metrics_input *in)
{
	struct series *q = xcalloc(SERIES_CAP, sizeof *q), *l = xcalloc(SERIES_CAP, sizeof *l);
	size_t nq = 0, nl = 0;
	for (size_t i = 0; i < in->nprogs; i++) {
		const struct telemetry_snapshot *snap = in->progs[i].snap;
		if (!snap || in->progs[i].ended)
			continue;
		int p = program_index(m, &in->progs[i]);
		for (size_t k = 0; k < snap->n_queues; k++)
			series_add(q, &nq, p, snap->queues[k].source, snap->queues[k].name,
				   (double)snap->queues[k].depth, 0);
		for (size_t k = 0; k < snap->n_locks; k++)
			if (snap->locks[k].source != TEL_INFERRED) /* no counters from outside */
				series_add(l, &nl, p, snap->locks[k].source, snap->locks[k].name,
					   (double)snap->locks[k].contended,
					   (double)snap->locks[k].wait_ns_total / 1e9);
	}
	family(fp, "concmon_queue_depth", "gauge",
	       "Items (kernel queues: bytes or messages) waiting in each queue; source says how it is known.");
	put_series(fp, m, "concmon_queue_depth", "queue", q, nq, false);
	family(fp, "concmon_lock_contended_total", "counter",
	       "Acquisitions of each lock that had to wait (probe or tracer counters).");
	put_series(fp, m, "concmon_lock_contended_total", "lock", l, nl, false);
	family(fp, "concmon_lock_wait_seconds_total", "counter",
	       "Time threads spent waiting for each lock (probe or tracer counters).");
	put_series(fp, m, "concmon_lock_wait_seconds_total", "lock", l, nl, true);
	free(q);
	free(l);
}

/* Out of memory building the text: as an allocation failure, abort. */
static void fail(const char *why)
{
	fprintf(stderr, "concmon: %s\n", why);
	abort();
}

char *metrics_render(struct metrics *m, const struct metrics_input *in, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);
	if (!fp)
		fail("cannot open a memory stream");
	family(fp, "concmon_up", "gauge", "1 while concmon serves these metrics.");
	fputs("concmon_up 1\n", fp);
	family(fp, "concmon_build_info", "gauge", "concmon's version, as a label; the value is 1.");
	fputs("concmon_build_info{version=\"", fp);
	metrics_put_label(fp, in->version ? in->version : "unknown", METRICS_LABEL_MAX);
	fputs("\"} 1\n", fp);
	put_tasks(fp, in);
	put_programs(fp, m, in);
	put_telemetry(fp, m, in);
	family(fp, "concmon_deadlocks", "gauge", "Lock cycles found in the launched programs.");
	fputs("concmon_deadlocks", fp);
	put_value(fp, (double)in->deadlocks);
	family(fp, "concmon_events_total", "counter", "Lifecycle events logged, by kind.");
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		fprintf(fp, "concmon_events_total{kind=\"%s\"}", events_kind_name(k));
		put_value(fp, (double)m->events[k]);
	}
	if (fclose(fp) != 0)
		fail("out of memory writing the metrics");
	*len = size;
	return text;
}
