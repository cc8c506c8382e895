/* probe_seg.c - the probe's end of the telemetry segment: mapping it from
 * the environment, claiming and freeing records, and the small helpers
 * every primitive uses. */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "concmon/cmprobe.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static _Atomic(struct cm_segment *) segment;

_Noreturn void probe_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("concmon-probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *probe_alloc(size_t size, int flags)
{
	void *p;
	if (flags & CM_SHARED) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			probe_fatal("mmap of %zu shared bytes: %s", size, strerror(errno));
	} else if (!(p = calloc(1, size))) {
		probe_fatal("out of memory (%zu bytes)", size);
	}
	return p;
}

void probe_dealloc(void *p, size_t size, int flags)
{
	if (flags & CM_SHARED)
		munmap(p, size);
	else
		free(p);
}

void probe_name(char dst[CM_NAME_MAX], const char *src)
{
	size_t n = 0;
	if (src) {
		while (n < CM_NAME_MAX - 1 && src[n])
			n++;
		/* Truncated inside a UTF-8 sequence: drop the partial character. */
		if (src[n])
			while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
				n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	memset(dst + n, 0, CM_NAME_MAX - n);
}

void probe_max(_Atomic uint64_t *max, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(max, memory_order_relaxed);
	while (cur < v && !atomic_compare_exchange_weak_explicit(max, &cur, v, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

/* ---- mapping ---- */

static bool header_ok(const struct cm_header *h)
{
	return h->magic == CM_TELEMETRY_MAGIC && h->version == CM_TELEMETRY_VERSION &&
	       h->size == sizeof(struct cm_segment) && h->cap_queues == CM_MAX_QUEUES &&
	       h->cap_locks == CM_MAX_LOCKS && h->cap_threads == CM_MAX_THREADS &&
	       h->cap_knobs == CM_MAX_KNOBS && h->cap_values == CM_MAX_VALUES &&
	       h->cap_holders == CM_MAX_HOLDERS && h->name_max == CM_NAME_MAX;
}

/* Maps the segment named by the environment into *out (NULL if there is
 * none); returns why it could not, or NULL. */
static const char *map_segment(const char *env, struct cm_segment **out)
{
	char *end;
	errno = 0;
	long fd = strtol(env, &end, 10);
	if (!isdigit((unsigned char)*env) || *end || errno || fd > INT_MAX)
		return "not a file descriptor number";
	struct stat st;
	if (fstat((int)fd, &st) < 0)
		return "not an open file descriptor";
	if (!S_ISREG(st.st_mode) || st.st_size != (off_t)sizeof(struct cm_segment))
		return "not a segment of the expected size";
	/* Unsealed, someone could shrink it under us: SIGBUS. */
	int seals = fcntl((int)fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK))
		return "not sealed against shrinking";
	void *p = mmap(NULL, sizeof(struct cm_segment), PROT_READ | PROT_WRITE, MAP_SHARED,
		       (int)fd, 0);
	if (p == MAP_FAILED)
		return "cannot map it";
	if (!header_ok(p)) {
		munmap(p, sizeof(struct cm_segment));
		return "bad header (a different concmon version?)";
	}
	*out = p;
	return NULL;
}

static void at_exit(void);

static void init(void)
{
	probe_thread_init();
	const char *env = getenv(CM_TELEMETRY_ENV);
	struct cm_segment *s = NULL;
	if (env) {
		const char *why = map_segment(env, &s);
		if (why)
			fprintf(stderr, "concmon-probe: %s=%s: %s; not publishing\n",
				CM_TELEMETRY_ENV, env, why);
	}
	if (s) {
		atomic_fetch_add_explicit(&s->hdr.attaches, 1, memory_order_relaxed);
		atexit(at_exit);
	}
	atomic_store_explicit(&segment, s, memory_order_release);
}

bool cm_init(void)
{
	pthread_once(&init_once, init);
	return probe_segment() != NULL;
}

struct cm_segment *probe_segment(void)
{
	return atomic_load_explicit(&segment, memory_order_acquire);
}

/* ---- records ---- */

_Static_assert(offsetof(struct cm_queue_rec, state) == 0 && offsetof(struct cm_lock_rec, state) == 0 &&
	       offsetof(struct cm_thread_rec, state) == 0 && offsetof(struct cm_knob_rec, state) == 0 &&
	       offsetof(struct cm_value_rec, state) == 0, "state comes first in every record");
_Static_assert(offsetof(struct cm_queue_rec, pid) == 4 && offsetof(struct cm_lock_rec, pid) == 4 &&
	       offsetof(struct cm_thread_rec, pid) == 4 && offsetof(struct cm_knob_rec, pid) == 4 &&
	       offsetof(struct cm_value_rec, pid) == 4, "pid comes second in every record");
#define PID_OFF 4

static _Atomic int32_t *rec_pid(void *rec)
{
	return (_Atomic int32_t *)((char *)rec + PID_OFF);
}

static bool process_gone(pid_t pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

static bool queue_stale(void *rec)
{
	struct cm_queue_rec *r = rec;
	return !(RLD(r->flags) & CM_REC_SHARED) && process_gone(RLD(r->pid));
}

static bool lock_stale(void *rec)
{
	struct cm_lock_rec *r = rec;
	return !(RLD(r->flags) & CM_REC_SHARED) && process_gone(RLD(r->pid));
}

static bool thread_stale(void *rec)
{
	struct cm_thread_rec *r = rec;
	return syscall(SYS_tgkill, (pid_t)RLD(r->pid), (pid_t)RLD(r->tid), 0) < 0 && errno == ESRCH;
}

static bool pid_stale(void *rec)
{
	return process_gone(RLD(*rec_pid(rec)));
}

static const struct table {
	size_t off, size, count_off;
	unsigned cap;
	bool (*stale)(void *rec);       /* its owner is gone: the slot may be taken */
} tables[] = {
	[PROBE_QUEUES] = { offsetof(struct cm_segment, queues), sizeof(struct cm_queue_rec),
			   offsetof(struct cm_segment, hdr.n_queues), CM_MAX_QUEUES, queue_stale },
	[PROBE_LOCKS] = { offsetof(struct cm_segment, locks), sizeof(struct cm_lock_rec),
			  offsetof(struct cm_segment, hdr.n_locks), CM_MAX_LOCKS, lock_stale },
	[PROBE_THREADS] = { offsetof(struct cm_segment, threads), sizeof(struct cm_thread_rec),
			    offsetof(struct cm_segment, hdr.n_threads), CM_MAX_THREADS, thread_stale },
	[PROBE_KNOBS] = { offsetof(struct cm_segment, knobs), sizeof(struct cm_knob_rec),
			  offsetof(struct cm_segment, hdr.n_knobs), CM_MAX_KNOBS, pid_stale },
	[PROBE_VALUES] = { offsetof(struct cm_segment, values), sizeof(struct cm_value_rec),
			   offsetof(struct cm_segment, hdr.n_values), CM_MAX_VALUES, pid_stale },
};

static void *slot_rec(struct cm_segment *s, const struct table *t, unsigned i)
{
	return (char *)s + t->off + (size_t)i * t->size;
}

static void raise_count(struct cm_segment *s, const struct table *t, uint32_t n)
{
	_Atomic uint32_t *count = (_Atomic uint32_t *)((char *)s + t->count_off);
	uint32_t cur = RLD(*count);
	while (cur < n && !atomic_compare_exchange_weak_explicit(count, &cur, n, memory_order_relaxed,
								 memory_order_relaxed))
		;
}

void *probe_claim(enum probe_table table, unsigned *slot)
{
	struct cm_segment *s = probe_segment();
	if (!s)
		return NULL;
	const struct table *t = &tables[table];
	/* First a free slot; when there is none, one whose owner is gone. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < t->cap; i++) {
			void *rec = slot_rec(s, t, i);
			_Atomic uint32_t *state = rec;
			uint32_t want = pass == 0 ? CM_REC_FREE : CM_REC_LIVE;
			if (RLD(*state) != want || (pass == 1 && !t->stale(rec)))
				continue;
			if (!atomic_compare_exchange_strong_explicit(state, &want, CM_REC_CLAIMED,
								     memory_order_acquire,
								     memory_order_relaxed))
				continue;
			raise_count(s, t, i + 1);
			RST(*rec_pid(rec), (int32_t)getpid());
			*slot = i;
			return rec;
		}
	}
	return NULL;
}

void probe_publish(void *rec)
{
	atomic_store_explicit((_Atomic uint32_t *)rec, CM_REC_LIVE, memory_order_release);
}

void probe_unpublish(void *rec)
{
	atomic_store_explicit((_Atomic uint32_t *)rec, CM_REC_FREE, memory_order_release);
}

/* A process that ends frees its thread records and those of its private
 * locks and queues; shared objects, knobs and values may still be used by
 * its forked relatives (their slots are reclaimed once all are gone). */
static void at_exit(void)
{
	struct cm_segment *s = probe_segment();
	int32_t me = (int32_t)getpid();
	for (unsigned i = 0; i < CM_MAX_THREADS; i++) {
		struct cm_thread_rec *r = &s->threads[i];
		if (RLD(r->state) == CM_REC_LIVE && RLD(r->pid) == me)
			probe_unpublish(r);
	}
	for (unsigned i = 0; i < CM_MAX_LOCKS; i++) {
		struct cm_lock_rec *r = &s->locks[i];
		if (RLD(r->state) == CM_REC_LIVE && RLD(r->pid) == me &&
		    !(RLD(r->flags) & CM_REC_SHARED))
			probe_unpublish(r);
	}
	for (unsigned i = 0; i < CM_MAX_QUEUES; i++) {
		struct cm_queue_rec *r = &s->queues[i];
		if (RLD(r->state) == CM_REC_LIVE && RLD(r->pid) == me &&
		    !(RLD(r->flags) & CM_REC_SHARED))
			probe_unpublish(r);
	}
}
