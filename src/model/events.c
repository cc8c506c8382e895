/* events.c - see events.h. */
#include "model/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/sigtable.h"
#include "util/escape.h"
#include "util/util.h"

struct events {
	struct event *ring;
	size_t cap, head, n;      /* head: index of the oldest */
	uint64_t seq;
	FILE *log;
};

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_SPAWNED] = "spawned", [EV_THREAD] = "thread", [EV_EXEC] = "exec",
	[EV_EXITED] = "exited", [EV_KILLED] = "killed", [EV_ZOMBIE] = "zombie",
	[EV_REAPED] = "reaped", [EV_REPARENTED] = "reparented", [EV_STOPPED] = "stopped",
	[EV_CONTINUED] = "continued", [EV_SIGNAL] = "signal",
	[EV_RESTARTED] = "restarted",
};

const char *events_kind_name(enum event_kind k)
{
	return k < EV_KIND_COUNT ? kind_names[k] : "?";
}

struct events *events_new(size_t capacity)
{
	struct events *ev = xcalloc(1, sizeof *ev);
	ev->cap = capacity ? capacity : 1;
	ev->ring = xcalloc(ev->cap, sizeof *ev->ring);
	/* Touch the whole ring now: memory use is then flat from the start,
	 * not creeping up as the log fills. */
	memset(ev->ring, 0, ev->cap * sizeof *ev->ring);
	return ev;
}

void events_free(struct events *ev)
{
	if (!ev)
		return;
	if (ev->log)
		fclose(ev->log);
	free(ev->ring);
	free(ev);
}

int events_log_to(struct events *ev, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno;
	FILE *f = fdopen(fd, "a");
	if (!f) {
		int e = errno;
		close(fd);
		return e;
	}
	if (ev->log)
		fclose(ev->log);
	ev->log = f;
	return 0;
}

void events_add_recorded(struct events *ev, struct event e)
{
	if (e.seq > ev->seq)
		ev->seq = e.seq - 1;
	events_add(ev, e);
}

void events_add(struct events *ev, struct event e)
{
	e.seq = ++ev->seq;
	if (e.time == 0)
		e.time = util_wall();
	if (ev->n == ev->cap) {
		ev->ring[ev->head] = e;
		ev->head = (ev->head + 1) % ev->cap;
	} else {
		ev->ring[(ev->head + ev->n++) % ev->cap] = e;
	}
	if (ev->log) {
		events_json(ev->log, &e);
		fputc('\n', ev->log);
	}
}

void events_flush(struct events *ev)
{
	if (ev->log)
		fflush(ev->log);
}

uint64_t events_last(const struct events *ev)
{
	return ev->seq;
}

/* Sequence numbers are consecutive, so seq s sits s - oldest slots after
 * the head: a reader pays for what it copies, not for the ring. */
size_t events_since(const struct events *ev, uint64_t after, struct event *out, size_t max)
{
	uint64_t oldest = ev->seq - ev->n + 1;
	uint64_t from = after + 1 > oldest ? after + 1 : oldest;
	if (from > ev->seq)
		return 0;
	uint64_t avail = ev->seq - from + 1;
	size_t k = avail < max ? (size_t)avail : max;
	size_t at = (ev->head + (size_t)(from - oldest)) % ev->cap;
	for (size_t i = 0; i < k; i++) {
		out[i] = ev->ring[at];
		at = at + 1 == ev->cap ? 0 : at + 1;
	}
	return k;
}

void events_json(FILE *fp, const struct event *e)
{
	long long ms = (long long)(e->time * 1000.0 + 0.5);
	fprintf(fp, "{\"seq\":%llu,\"time\":%lld.%03lld,\"event\":\"%s\",\"pid\":%d,\"tid\":%d,"
		"\"comm\":", (unsigned long long)e->seq, ms / 1000, ms % 1000,
		events_kind_name(e->kind), (int)e->pid, (int)e->tid);
	escape_json_string(fp, e->comm);
	switch (e->kind) {
	case EV_SPAWNED: fprintf(fp, ",\"parent\":%d", (int)e->other); break;
	case EV_THREAD: break;
	case EV_EXITED:
		if (e->code >= 0)
			fprintf(fp, ",\"exit_code\":%d", e->code);
		else
			fputs(",\"exit_code\":null", fp);
		break;
	case EV_KILLED: fprintf(fp, ",\"signal\":%d", e->code); break;
	case EV_ZOMBIE: fprintf(fp, ",\"parent\":%d", (int)e->other); break;
	case EV_REAPED: fprintf(fp, ",\"by\":%d", (int)e->other); break;
	case EV_REPARENTED: fprintf(fp, ",\"former_parent\":%d,\"parent\":%d", (int)e->other, e->code); break;
	case EV_SIGNAL:
		fprintf(fp, ",\"signal\":%d,\"result\":", e->code);
		escape_json_string(fp, e->result ? strerror(e->result) : "ok");
		break;
	case EV_RESTARTED:
		fprintf(fp, ",\"attempt\":%d,\"backoff\":%d.%03d,\"previous\":%d", e->code,
			e->result / 1000, e->result % 1000, (int)e->other);
		break;
	default: break;
	}
	fprintf(fp, ",\"exact\":%s}", e->exact ? "true" : "false");
}

static const char *signame(int sig, char *buf, size_t len)
{
	const struct sigdesc *d = sigtable_find(sig);
	if (d)
		snprintf(buf, len, "SIG%s", d->name);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

void events_describe(const struct event *e, char *buf, size_t len)
{
	time_t sec = (time_t)e->time;
	struct tm tm;
	localtime_r(&sec, &tm);
	int ms = (int)((e->time - (double)sec) * 1000.0);
	char who[64], sig[32], comm[sizeof e->comm * 4 + 1];
	escape_text(e->comm, comm, sizeof comm);
	snprintf(who, sizeof who, "%d (%.40s)", (int)e->pid, comm);
	int n = snprintf(buf, len, "%02d:%02d:%02d.%03d ", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	if (n < 0 || (size_t)n >= len)
		return;
	buf += n;
	len -= (size_t)n;
	switch (e->kind) {
	case EV_SPAWNED: snprintf(buf, len, "spawned %s by %d", who, (int)e->other); break;
	case EV_THREAD: snprintf(buf, len, "thread %d started in %s", (int)e->tid, who); break;
	case EV_EXEC: snprintf(buf, len, "exec %s", who); break;
	case EV_EXITED:
		if (e->code >= 0)
			snprintf(buf, len, "exited %s with code %d", who, e->code);
		else
			snprintf(buf, len, "exited %s", who);
		break;
	case EV_KILLED: snprintf(buf, len, "killed %s by %s", who, signame(e->code, sig, sizeof sig)); break;
	case EV_ZOMBIE: snprintf(buf, len, "zombie %s: parent %d has not waited", who, (int)e->other); break;
	case EV_REAPED:
		if (e->other)
			snprintf(buf, len, "reaped %s by %d", who, (int)e->other);
		else
			snprintf(buf, len, "reaped %s", who);
		break;
	case EV_REPARENTED:
		snprintf(buf, len, "reparented %s: orphan of %d adopted by %d", who, (int)e->other, e->code);
		break;
	case EV_STOPPED: snprintf(buf, len, "stopped %s", who); break;
	case EV_CONTINUED: snprintf(buf, len, "continued %s", who); break;
	case EV_SIGNAL:
		snprintf(buf, len, "signal %s to %s: %s", signame(e->code, sig, sizeof sig), who,
			 e->result ? strerror(e->result) : "ok");
		break;
	case EV_RESTARTED:
		snprintf(buf, len, "restarted %s in place of %d: attempt %d after %.1fs", who,
			 (int)e->other, e->code, e->result / 1000.0);
		break;
	default: snprintf(buf, len, "? %s", who); break;
	}
}
