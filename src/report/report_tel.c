/* report_tel.c - see report_tel.h. */
#include "report/report_tel.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/deadlock.h"
#include "report/report.h"
#include "supervise/programs.h"
#include "util/escape.h"
#include "util/util.h"

static const char *lock_kind_name(enum cm_lock_kind k)
{
	static const char *const names[] = {
		[CM_LOCK_MUTEX] = "mutex", [CM_LOCK_RECURSIVE] = "recursive",
		[CM_LOCK_SEMAPHORE] = "semaphore", [CM_LOCK_CONDITION] = "condition",
		[CM_LOCK_EVENT] = "event", [CM_LOCK_FILE] = "file",
	};
	return k >= 1 && k <= CM_LOCK_KIND_MAX ? names[k] : "unknown";
}

/* How a record is known, as JSON "source" says it. */
static const char *wait_kind_name(enum cm_wait_kind k)
{
	switch (k) {
	case CM_WAIT_LOCK: return "lock";
	case CM_WAIT_QUEUE_PUT: return "queue_put";
	case CM_WAIT_QUEUE_GET: return "queue_get";
	default: return "none";
	}
}

/* Opens an array member; *first tracks the separator across programs. */
static void sep(FILE *fp, int *first)
{
	if (!*first)
		fputc(',', fp);
	*first = 0;
}

/* "restart_policy", "restart_max" (null: no limit), "restarts",
 * "next_restart_in" (seconds, null when none is planned), "restart_given_up". */
static void json_restart(FILE *fp, const struct program *pr, double now)
{
	fprintf(fp, ",\"restart_policy\":\"%s\",\"restart_max\":",
		restart_policy_name(pr->restart.spec.policy));
	if (pr->restart.spec.max)
		fprintf(fp, "%u", pr->restart.spec.max);
	else
		fputs("null", fp);
	fprintf(fp, ",\"restarts\":%u,\"next_restart_in\":", pr->restart.restarts);
	if (pr->restart_at > 0)
		fprintf(fp, "%.3f", pr->restart_at > now ? pr->restart_at - now : 0.0);
	else
		fputs("null", fp);
	fprintf(fp, ",\"restart_given_up\":%s", pr->given_up ? "true" : "false");
}

static void json_programs(FILE *fp, const struct program *p, size_t n)
{
	double now = util_now();
	fputs(",\"programs\":[", fp);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s{\"pid\":%d,\"name\":", i ? "," : "", (int)p[i].pid);
		escape_json_string(fp, p[i].name);
		fputs(",\"demo\":", fp);
		if (p[i].demo)
			escape_json_string(fp, p[i].demo);
		else
			fputs("null", fp);
		fprintf(fp, ",\"ended\":%s,\"telemetry\":\"%s\",\"telemetry_reason\":",
			p[i].ended ? "true" : "false", p[i].sight ? p[i].sight : "none");
		escape_json_string(fp, p[i].sight_why);
		fputs(",\"error\":", fp);
		if (p[i].error[0])
			escape_json_string(fp, p[i].error);
		else
			fputs("null", fp);
		json_restart(fp, &p[i], now);
		fputc('}', fp);
	}
	fputc(']', fp);
}

/* A queue's kind and the unit of its depth and capacity. */
static void queue_kind(const struct telemetry_queue *r, const char **kind, const char **unit)
{
	static const struct {
		const char *kind, *unit;
	} kinds[] = {
		[TEL_QUEUE_ITEMS] = { .kind = "items", .unit = "items" },
		[TEL_QUEUE_PIPE] = { .kind = "pipe", .unit = "bytes" },
		[TEL_QUEUE_UNIX] = { .kind = "unix", .unit = "bytes" },
		[TEL_QUEUE_TCP] = { .kind = "tcp", .unit = "bytes" },
		[TEL_QUEUE_MQUEUE] = { .kind = "mqueue", .unit = "messages" },
	};
	bool known = (unsigned)r->kind < sizeof kinds / sizeof kinds[0];
	*kind = known ? kinds[r->kind].kind : "unknown";
	*unit = r->listener ? "connections" : known ? kinds[r->kind].unit : "unknown";
}

static void json_queues(FILE *fp, const struct program *p, size_t n)
{
	int first = 1;
	fputs(",\"queues\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = p[i].snap;
		for (size_t q = 0; s && q < s->n_queues; q++) {
			const struct telemetry_queue *r = &s->queues[q];
			sep(fp, &first);
			fprintf(fp, "{\"pid\":%d,\"writer_pid\":%d,\"name\":", (int)p[i].pid, (int)r->pid);
			escape_json_string(fp, r->name);
			const char *kind, *unit;
			queue_kind(r, &kind, &unit);
			fprintf(fp, ",\"source\":\"%s\",\"kind\":\"%s\",\"unit\":\"%s\",\"reader_pid\":",
				telemetry_source_name(r->source), kind, unit);
			if (r->reader > 0)
				fprintf(fp, "%d", (int)r->reader);
			else
				fputs("null", fp);
			fprintf(fp, ",\"capacity\":%" PRIu64 ",\"depth\":%" PRIu64 ",\"puts\":%" PRIu64
				",\"gets\":%" PRIu64 ",\"blocked_producers\":%u,\"blocked_consumers\":%u"
				",\"closed\":%s}",
				r->capacity, r->depth, r->puts, r->gets, r->blocked_put, r->blocked_get,
				r->closed ? "true" : "false");
		}
	}
	fputc(']', fp);
}

/* TIDs of the threads the snapshot says wait for lock index l. */
static void json_waiters(FILE *fp, const struct telemetry_snapshot *s, size_t l)
{
	int first = 1;
	fputc('[', fp);
	for (size_t t = 0; t < s->n_threads; t++) {
		const struct telemetry_thread *th = &s->threads[t];
		if (th->wait_kind == CM_WAIT_LOCK && th->wait == (int)l) {
			sep(fp, &first);
			fprintf(fp, "%d", (int)th->tid);
		}
	}
	fputc(']', fp);
}

static void json_lock(FILE *fp, pid_t owner, const struct telemetry_snapshot *s, size_t l)
{
	const struct telemetry_lock *r = &s->locks[l];
	fprintf(fp, "{\"pid\":%d,\"writer_pid\":%d,\"name\":", (int)owner, (int)r->pid);
	escape_json_string(fp, r->name);
	fprintf(fp, ",\"source\":\"%s\",\"address\":", telemetry_source_name(r->source));
	if (r->addr)
		fprintf(fp, "\"%#" PRIx64 "\"", r->addr);
	else
		fputs("null", fp);
	fprintf(fp, ",\"kind\":\"%s\",\"holders\":[", lock_kind_name(r->kind));
	for (unsigned h = 0; h < r->n_holders; h++)
		fprintf(fp, "%s%d", h ? "," : "", (int)r->holders[h]);
	fprintf(fp, "],\"holder_count\":%u,\"waiters\":", r->holder_count);
	json_waiters(fp, s, l);
	fprintf(fp, ",\"waiting\":%u,\"permits\":%u,\"value\":%u,\"depth\":%u", r->waiters,
		r->permits, r->value, r->depth);
	if (r->source == TEL_INFERRED) {
		/* Seen from outside at one instant: no history to count. */
		fputs(",\"acquisitions\":null,\"contended\":null,\"contended_pct\":null,"
		      "\"wait_ns_total\":null,\"wait_ns_max\":null,\"hold_ns_total\":null}", fp);
		return;
	}
	double pct = r->acquisitions ? 100.0 * (double)r->contended / (double)r->acquisitions : 0;
	fprintf(fp, ",\"acquisitions\":%" PRIu64 ",\"contended\":%" PRIu64 ",\"contended_pct\":%d"
		",\"wait_ns_total\":%" PRIu64 ",\"wait_ns_max\":%" PRIu64 ",\"hold_ns_total\":%" PRIu64 "}",
		r->acquisitions, r->contended, (int)(pct + 0.5), r->wait_ns_total, r->wait_ns_max,
		r->hold_ns_total);
}

static void json_locks(FILE *fp, const struct program *p, size_t n)
{
	int first = 1;
	fputs(",\"locks\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = p[i].snap;
		for (size_t l = 0; s && l < s->n_locks; l++) {
			sep(fp, &first);
			json_lock(fp, p[i].pid, s, l);
		}
	}
	fputc(']', fp);
}

static void json_threads(FILE *fp, const struct program *p, size_t n)
{
	int first = 1;
	fputs(",\"probe_threads\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = p[i].snap;
		for (size_t t = 0; s && t < s->n_threads; t++) {
			const struct telemetry_thread *th = &s->threads[t];
			sep(fp, &first);
			fprintf(fp, "{\"pid\":%d,\"writer_pid\":%d,\"tid\":%d,\"role\":", (int)p[i].pid,
				(int)th->pid, (int)th->tid);
			escape_json_string(fp, th->role);
			fprintf(fp, ",\"source\":\"%s\",\"wait_kind\":\"%s\",\"wait_on\":",
				telemetry_source_name(th->source), wait_kind_name(th->wait_kind));
			const char *on = NULL;
			if (th->wait >= 0 && th->wait_kind == CM_WAIT_LOCK)
				on = s->locks[th->wait].name;
			else if (th->wait >= 0 && th->wait_kind != CM_WAIT_NONE)
				on = s->queues[th->wait].name;
			if (on)
				escape_json_string(fp, on);
			else
				fputs("null", fp);
			fputc('}', fp);
		}
	}
	fputc(']', fp);
}

static void json_knobs_values(FILE *fp, const struct program *p, size_t n)
{
	int first = 1;
	fputs(",\"knobs\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = p[i].snap;
		for (size_t k = 0; s && k < s->n_knobs; k++) {
			sep(fp, &first);
			fprintf(fp, "{\"pid\":%d,\"name\":", (int)p[i].pid);
			escape_json_string(fp, s->knobs[k].name);
			fprintf(fp, ",\"value\":%ld,\"min\":%ld,\"max\":%ld,\"at_start\":%s}",
				s->knobs[k].value, s->knobs[k].min, s->knobs[k].max,
				s->knobs[k].at_start ? "true" : "false");
		}
	}
	first = 1;
	fputs("],\"values\":[", fp);
	for (size_t i = 0; i < n; i++) {
		const struct telemetry_snapshot *s = p[i].snap;
		for (size_t v = 0; s && v < s->n_values; v++) {
			sep(fp, &first);
			fprintf(fp, "{\"pid\":%d,\"name\":", (int)p[i].pid);
			escape_json_string(fp, s->values[v].name);
			fprintf(fp, ",\"value\":%ld}", s->values[v].value);
		}
	}
	fputc(']', fp);
}

void report_json_programs(FILE *fp, const struct program *p, size_t n)
{
	json_programs(fp, p, n);
	json_queues(fp, p, n);
	json_locks(fp, p, n);
	json_threads(fp, p, n);
	json_knobs_values(fp, p, n);
}

void report_json_deadlocks(FILE *fp, const struct deadlocks *d)
{
	fputs(",\"deadlocks\":[", fp);
	for (size_t i = 0; i < deadlocks_count(d); i++) {
		struct deadlock c = deadlocks_get(d, i);
		fputs(i ? ",{\"cycle\":[" : "{\"cycle\":[", fp);
		for (size_t k = 0; k < c.n; k++) {
			const struct deadlock_link *l = &c.links[k];
			fprintf(fp, "%s{\"pid\":%d,\"tid\":%d,\"role\":", k ? "," : "", (int)l->program,
				(int)l->tid);
			escape_json_string(fp, l->role);
			fputs(",\"lock\":", fp);
			escape_json_string(fp, l->lock);
			fprintf(fp, ",\"holder\":%d,\"holder_role\":", (int)l->holder);
			escape_json_string(fp, l->holder_role);
			fputc('}', fp);
		}
		fputs("]}", fp);
	}
	fputc(']', fp);
}
