/* app.h - concmon's state as one struct, shared by the two halves of the
 * program: main.c (wiring and the loop) and actions.c (what a user asks
 * for, by key or batch command). Nothing else includes it. */
#ifndef CONCMON_APP_H
#define CONCMON_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "app/options.h"
#include "kernel/sysmeter.h"
#include "model/peaks.h"
#include "supervise/supervisor.h"

/* After reading the kernel's events, the socket is left alone this long:
 * in a fork storm one wakeup then reads a batch, not a message or two,
 * while an event waits at most this (exit-to-event latency stays low). */
#define KERNEL_PAUSE 0.004

struct app {
	struct options opt;
	struct config *config;      /* concmonrc over the defaults (see settings.h) */
	char *config_path;          /* where it is saved; NULL under --no-config */
	char config_warn[512];      /* what was wrong with it, "" if nothing */
	struct supervisor *sup;
	struct supervisor_inherit inherit; /* signals as concmon's parent left them */
	struct programs *progs;     /* what concmon launched, with telemetry */
	struct relaunches *relaunches; /* restarts waiting for their old program to go */
	struct deadlocks *deadlocks;
	struct layers *layers;      /* what concmon infers of its programs' concurrency */
	struct events *events;      /* the lifecycle event log */
	struct kevents *kev;        /* exact events from the kernel, NULL without root */
	struct taskdiff *diff;      /* events derived from snapshots */
	struct peaks *peaks;        /* what the kernel saw between refreshes */
	struct peak_frame peak;     /* its account of the last refresh */
	struct sysmeter *meters;    /* the machine's meters, NULL with --no-meters */
	const struct sysmeter_reading *sys; /* their last reading, NULL before one */
	uint64_t events_watched;    /* last event whose new process the guardian knows */
	struct pollfd *fds;         /* the loop's poll set */
	size_t fds_cap;
	struct demo_info *demos;    /* the demo catalogue, for the launch menu */
	size_t ndemos;
	struct proctable *pt;
	struct lifecycle *lc;
	struct tui *tui;            /* NULL in batch mode */
	struct batch *batch;        /* batch mode's printer, NULL with the TUI */
	unsigned batch_extras;      /* batch mode: enum proc_extra its --columns name */
	struct record *rec;         /* --record or the TUI's W: where snapshots go, else NULL */
	struct httpd *httpd;        /* --listen: the /metrics endpoint, else NULL */
	struct metrics *metrics;    /* --listen: counters for it, else NULL */
	size_t heap_high;           /* heap_trim's high-water mark */
	long hz;
	pid_t self;
	int sigfd, timerfd;
	long refreshes;
	pid_t launched;             /* the last program actions_launch started */
	int quit_signal;            /* the signal that asked concmon to stop, 0 if none */
	bool quit;
	bool resample;              /* sample again before the next poll */
	bool resample_soon;         /* the TUI: sample when a frame may be drawn */
	double kernel_due;          /* util_now() when the socket is read again */
	struct reaped {             /* reaped, not yet logged (see settle_reaped) */
		pid_t pid;
		char *name;             /* what concmon launched, NULL if adopted */
		int code, sig;
	} *reaped;
	size_t nreaped, reaped_cap;
	int ctl_fd;                 /* batch mode: commands on stdin, -1 when none */
	char ctl_buf[4096];         /* a partial command line */
	size_t ctl_len;
};

/* Reads what the kernel queued about the tree (fork, exec, exit). */
void main_read_kevents(struct app *a);

/* A signal concmon sent (or could not): logged as an event. */
void main_on_signaled(void *arg, pid_t pid, int sig, int result);

#endif
