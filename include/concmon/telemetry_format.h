/* telemetry_format.h - the shared-memory segment a probed program writes
 * (libconcmon-probe) and concmon reads (telemetry.c). Fixed size, fixed
 * layout, versioned: change anything here and bump CM_TELEMETRY_VERSION.
 *
 * Protocol. concmon creates the segment (a sealed memfd), writes the header
 * (magic .. name_max) and passes the fd number in CM_TELEMETRY_ENV. Writers
 * (any process of the program, possibly forked from one another) use C11
 * atomics only, never a lock of their own. A record is claimed by a CAS of
 * its state from CM_REC_FREE to CM_REC_CLAIMED, filled, and made visible by
 * a release store of CM_REC_LIVE; the table's count (a high-water mark) is
 * raised before that. Counters only grow while a record is live. Strings are
 * fixed-size and their last byte is always NUL, even while being rewritten.
 * concmon writes only cm_knob_rec.value. The reader trusts nothing: see
 * telemetry_validate(). */
#ifndef CONCMON_TELEMETRY_FORMAT_H
#define CONCMON_TELEMETRY_FORMAT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define CM_TELEMETRY_ENV "CONCMON_TELEMETRY_FD"
#define CM_TELEMETRY_MAGIC UINT64_C(0x314d454c4554434d) /* "MCTELEM1" little-endian */
#define CM_TELEMETRY_VERSION 2u /* 2: cm_knob_rec.flags */

#define CM_NAME_MAX 32          /* bytes, NUL included (same as cmprobe.h) */
#define CM_MAX_QUEUES 32
#define CM_MAX_LOCKS 64
#define CM_MAX_THREADS 256
#define CM_MAX_KNOBS 32
#define CM_MAX_VALUES 32
#define CM_MAX_HOLDERS 8        /* holder TIDs listed per lock (semaphores may have more) */
#define CM_TID_MAX 4194304      /* PID_MAX_LIMIT: no pid or tid is larger */
#define CM_QUEUE_CAPACITY_MAX (1u << 24)
#define CM_PERMITS_MAX 2147483647u /* SEM_VALUE_MAX: bounds permits, value, holder_count */

enum cm_rec_state {
	CM_REC_FREE = 0,
	CM_REC_CLAIMED = 1,     /* being filled by its writer: readers skip it */
	CM_REC_LIVE = 2,
};

enum cm_rec_flags {
	CM_REC_SHARED = 1u << 0, /* the object lives in memory shared across fork */
	CM_REC_TRACED = 1u << 1, /* written by the preloaded tracer, not by the program's own calls */
};
#define CM_REC_FLAGS_ALL (CM_REC_SHARED | CM_REC_TRACED)

enum cm_knob_flags {
	CM_KNOB_AT_START = 1u << 0, /* the program reads it once, at start: a change needs a restart */
};
#define CM_KNOB_FLAGS_ALL CM_KNOB_AT_START

enum cm_lock_kind {
	CM_LOCK_MUTEX = 1,
	CM_LOCK_RECURSIVE = 2,
	CM_LOCK_SEMAPHORE = 3,
	CM_LOCK_CONDITION = 4,
	CM_LOCK_EVENT = 5,
	CM_LOCK_FILE = 6,
};
#define CM_LOCK_KIND_MAX CM_LOCK_FILE

enum cm_wait_kind {
	CM_WAIT_NONE = 0,
	CM_WAIT_LOCK = 1,       /* wait_index is a slot of locks[] */
	CM_WAIT_QUEUE_PUT = 2,  /* slot of queues[]: waiting for room */
	CM_WAIT_QUEUE_GET = 3,  /* slot of queues[]: waiting for an item */
};
#define CM_WAIT_KIND_MAX CM_WAIT_QUEUE_GET

struct cm_header {
	uint64_t magic;
	uint32_t version;
	uint32_t size;                  /* sizeof(struct cm_segment) */
	uint32_t cap_queues, cap_locks, cap_threads, cap_knobs, cap_values;
	uint32_t cap_holders, name_max;
	_Atomic uint32_t attaches;      /* processes that mapped it (cm_init) */
	/* High-water marks: slots [0, n) may be in use, the rest never were. */
	_Atomic uint32_t n_queues, n_locks, n_threads, n_knobs, n_values;
	_Atomic uint32_t traced;        /* processes where the tracer (libconcmon-trace) attached */
};

struct cm_queue_rec {
	_Atomic uint32_t state;         /* enum cm_rec_state */
	_Atomic int32_t pid;            /* process that created it */
	_Atomic uint32_t flags;         /* enum cm_rec_flags */
	_Atomic uint32_t closed;        /* 0 or 1 */
	char name[CM_NAME_MAX];
	_Atomic uint64_t capacity;      /* >= 1, fixed while live */
	_Atomic uint64_t depth;         /* <= capacity */
	_Atomic uint64_t puts, gets;
	_Atomic uint32_t blocked_put, blocked_get; /* threads waiting for room / an item */
};

struct cm_lock_rec {
	_Atomic uint32_t state;
	_Atomic int32_t pid;
	_Atomic uint32_t flags;
	_Atomic uint32_t kind;          /* enum cm_lock_kind */
	char name[CM_NAME_MAX];
	_Atomic uint32_t permits;       /* semaphores: initial permits; else 0 */
	_Atomic uint32_t value;         /* semaphores: permits free now; events: 1 when set */
	_Atomic uint32_t holder_count;  /* semaphores: permits taken; else 0 (see holders) */
	_Atomic uint32_t depth;         /* recursive mutexes: recursion depth; else 0 */
	_Atomic uint32_t waiters;       /* threads blocked on it now */
	_Atomic uint32_t reserved;
	_Atomic int32_t holders[CM_MAX_HOLDERS]; /* TIDs, 0 = empty; mutexes use [0] only */
	_Atomic uint64_t acquisitions;  /* mutex/sem: acquired; cond/event: waits that returned */
	_Atomic uint64_t contended;     /* acquisitions that had to wait */
	_Atomic uint64_t wait_ns_total, wait_ns_max;
	_Atomic uint64_t hold_ns_total; /* mutexes: coarse clock, sampled for short holds */
};

struct cm_thread_rec {
	_Atomic uint32_t state;
	_Atomic int32_t pid;
	_Atomic int32_t tid;
	_Atomic uint32_t wait_kind;     /* enum cm_wait_kind */
	_Atomic uint32_t wait_index;    /* slot in locks[] or queues[] */
	_Atomic uint32_t flags;         /* enum cm_rec_flags: CM_REC_TRACED only */
	_Atomic uint64_t wait_since_ns; /* CLOCK_MONOTONIC */
	char role[CM_NAME_MAX];
};

struct cm_knob_rec {
	_Atomic uint32_t state;
	_Atomic int32_t pid;
	char name[CM_NAME_MAX];
	_Atomic int64_t value;          /* written by the program and by concmon; in [min, max] */
	_Atomic int64_t min, max;       /* fixed while live */
	_Atomic uint32_t flags;         /* enum cm_knob_flags, fixed while live */
	_Atomic uint32_t reserved;
};

struct cm_value_rec {
	_Atomic uint32_t state;
	_Atomic int32_t pid;
	char name[CM_NAME_MAX];
	_Atomic int64_t value;
};

struct cm_segment {
	struct cm_header hdr;
	struct cm_queue_rec queues[CM_MAX_QUEUES];
	struct cm_lock_rec locks[CM_MAX_LOCKS];
	struct cm_thread_rec threads[CM_MAX_THREADS];
	struct cm_knob_rec knobs[CM_MAX_KNOBS];
	struct cm_value_rec values[CM_MAX_VALUES];
};

/* The layout is shared by separately built programs: pin it down. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
	       "telemetry needs lock-free 32- and 64-bit atomics");
_Static_assert(sizeof(_Atomic uint64_t) == 8 && sizeof(_Atomic uint32_t) == 4,
	       "atomics must have the size of their plain types");
_Static_assert(sizeof(struct cm_header) == 72, "cm_header layout");
_Static_assert(sizeof(struct cm_queue_rec) == 88, "cm_queue_rec layout");
_Static_assert(sizeof(struct cm_lock_rec) == 144, "cm_lock_rec layout");
_Static_assert(sizeof(struct cm_thread_rec) == 64, "cm_thread_rec layout");
_Static_assert(sizeof(struct cm_knob_rec) == 72, "cm_knob_rec layout");
_Static_assert(sizeof(struct cm_value_rec) == 48, "cm_value_rec layout");
_Static_assert(sizeof(struct cm_segment) == 72 + 32 * 88 + 64 * 144 + 256 * 64 + 32 * 72 + 32 * 48,
	       "cm_segment layout");

#endif
