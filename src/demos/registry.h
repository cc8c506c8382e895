/* registry.h - the table of demos: name, topic, one-line description,
 * entry function and knobs (name, default, bounds). --list, --help, the
 * knob parser and concmon's launch menu all come from this one table. */
#ifndef CONCMON_DEMO_REGISTRY_H
#define CONCMON_DEMO_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

struct cm_knob;

#define DEMO_KNOBS_MAX 8

struct demo_knob_def {
	const char *name;       /* NULL ends the list */
	long value, min, max;   /* default and bounds */
	const char *help;
	bool at_start;          /* read once, at start (cm_knob_new_at_start) */
};

struct demo_ctx;

struct demo_def {
	const char *name;
	const char *group;      /* topic the launch menu groups by */
	const char *desc;       /* one line */
	bool ends;              /* finishes by itself (the lesson is an ending) */
	int (*run)(struct demo_ctx *ctx);   /* exit status of the program */
	struct demo_knob_def knobs[DEMO_KNOBS_MAX];
};

/* What a running demo gets: its definition and its knobs, created with
 * cm_knob_new from the defaults or the key=value arguments. */
struct demo_ctx {
	const struct demo_def *def;
	struct cm_knob *knobs[DEMO_KNOBS_MAX];
};

/* The whole table (*n entries), in catalog order. */
const struct demo_def *demo_table(size_t *n);

/* The demo called name, or NULL. */
const struct demo_def *demo_find(const char *name);

/* The knob definition called name in def, or NULL. */
const struct demo_knob_def *demo_knob_def(const struct demo_def *def, const char *name);

/* The live knob called name; a name missing from the table is a bug (abort). */
struct cm_knob *demo_knob(const struct demo_ctx *ctx, const char *name);

/* Its current value (cm_knob_get). */
long demo_knob_value(const struct demo_ctx *ctx, const char *name);

/* The entry points, one per demo_<name>.c. */
int demo_spawn_join(struct demo_ctx *ctx);
int demo_subprocess_timeout(struct demo_ctx *ctx);
int demo_pipeline_procs(struct demo_ctx *ctx);
int demo_washer_dryer_threads(struct demo_ctx *ctx);
int demo_washer_dryer_procs(struct demo_ctx *ctx);
int demo_pipeline_threads(struct demo_ctx *ctx);
int demo_race_counter(struct demo_ctx *ctx);
int demo_deadlock(struct demo_ctx *ctx);
int demo_recursive_lock(struct demo_ctx *ctx);
int demo_semaphore(struct demo_ctx *ctx);
int demo_event_gate(struct demo_ctx *ctx);
int demo_condition_queue(struct demo_ctx *ctx);
int demo_pool_cpu(struct demo_ctx *ctx);
int demo_zombies(struct demo_ctx *ctx);
int demo_orphans(struct demo_ctx *ctx);
int demo_daemon(struct demo_ctx *ctx);
int demo_graceful_shutdown(struct demo_ctx *ctx);
int demo_ticket_lock(struct demo_ctx *ctx);
int demo_blocking_vs_eventloop(struct demo_ctx *ctx);
int demo_fanout_threads(struct demo_ctx *ctx);
int demo_joinable_queue(struct demo_ctx *ctx);
int demo_memory_isolation(struct demo_ctx *ctx);
int demo_busy_poll_vs_select(struct demo_ctx *ctx);
int demo_exit_semantics(struct demo_ctx *ctx);
int demo_pool_map(struct demo_ctx *ctx);
int demo_timeouts(struct demo_ctx *ctx);
int demo_coroutines(struct demo_ctx *ctx);
int demo_futures(struct demo_ctx *ctx);
int demo_subprocess_output(struct demo_ctx *ctx);

#endif
