/* actions.c - see actions.h. Every action goes through the supervisor with
 * the process's identity (PID and start time) the model holds. */
#include "app/actions.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/control.h"
#include "app/recorder.h"
#include "model/events.h"
#include "model/kevents.h"
#include "model/lifecycle.h"
#include "supervise/programs.h"
#include "export/metrics.h"
#include "supervise/relaunch.h"
#include "util/util.h"

/* The process a task belongs to, for its start time. */
static unsigned long long process_start(struct app *a, const struct task *t)
{
	const struct task *p = task_is_thread(t) ? lifecycle_find(a->lc, t->pid) : t;
	return p ? p->start_ticks : 0;
}

static int act_signal(void *ctx, const struct task *t, int sig)
{
	struct app *a = ctx;
	if (t->exited)
		return ESRCH;
	return supervisor_signal(a->sup, t->pid, process_start(a, t), sig);
}

static int act_terminate(void *ctx, const struct task *t)
{
	struct app *a = ctx;
	if (t->exited)
		return ESRCH;
	return supervisor_terminate(a->sup, t->pid, process_start(a, t), util_now());
}

/* The leading "--trace " and "--restart=POLICY " of a typed line (or a
 * demo spec), in any order: 0, or -1 with a bad policy's sentence in err. */
static int launch_prefixes(const char **text, bool *trace, struct restart_spec *rs, char *err,
			   size_t errlen)
{
	for (;;) {
		int r = *text ? restart_prefix(text, rs, err, errlen) : 0;
		if (r < 0)
			return -1;
		if (!r && !(*text && programs_trace_prefix(text)))
			return 0;
		*trace |= !r;
	}
}

/* Launches argv (traced with --trace), the command line line (traced when
 * it starts with "--trace "), or the demo spec demo; with policy rs, else
 * the one a "--restart=" prefix names, else the default. The kernel events
 * of the launch are read at once, so that one whose exec failed is logged
 * under the name of what it was to run. */
int actions_launch(struct app *a, char *const argv[], const char *line, const char *demo,
		   const struct restart_state *rs, char *err, size_t errlen)
{
	bool trace = argv && a->opt.trace, demo_trace = false;
	struct restart_state st = { .spec = relaunch_default_policy() };
	if (launch_prefixes(&line, &trace, &st.spec, err, errlen) < 0 ||
	    launch_prefixes(&demo, &demo_trace, &st.spec, err, errlen) < 0)
		return EINVAL;
	if (rs)
		st = *rs;
	char name[16];
	programs_launch_name(argv, line, demo, name, sizeof name);
	if (a->kev)
		kevents_name_launch(a->kev, name);
	pid_t pid = demo ? programs_launch_demo(a->progs, demo, err, errlen)
		  : programs_launch(a->progs, argv, line, NULL, trace, err, errlen);
	if (a->kev) {
		main_read_kevents(a);
		kevents_name_launch(a->kev, NULL);
	}
	if (pid < 0)
		return ENOEXEC;
	size_t n;
	struct program *list = programs_list_mut(a->progs, &n);
	list[n - 1].restart = st;       /* the launch appended it */
	a->launched = pid;
	lifecycle_note_launched(a->lc, pid);
	return 0;
}

static int act_launch(void *ctx, const char *line, char *err, size_t errlen)
{
	struct app *a = ctx;
	int rc = actions_launch(a, NULL, line, NULL, NULL, err, errlen);
	if (!rc) {
		tui_status(a->tui, "launched: %s", line);
		a->resample = true; /* after the view has finished with its input */
	}
	return rc;
}

static int act_launch_demo(void *ctx, const char *spec, char *err, size_t errlen)
{
	struct app *a = ctx;
	int rc = actions_launch(a, NULL, NULL, spec, NULL, err, errlen);
	if (!rc) {
		tui_status(a->tui, "launched demo %s", spec);
		a->resample = true;
	}
	return rc;
}

/* Logs the launch of r, an automatic restart, as pid. */
static void restarted_event(struct app *a, const struct relaunch *r, pid_t pid)
{
	struct event e = { .kind = EV_RESTARTED, .pid = pid, .tid = pid, .other = r->old,
			   .code = (int)r->restart.restarts, .result = (int)(r->backoff * 1000 + 0.5) };
	programs_launch_name(r->argv, r->line, r->demo, e.comm, sizeof e.comm);
	events_add(a->events, e);
}

/* Launches r (a restart) and says so in the status line. */
static int relaunch_now(struct app *a, struct relaunch *r, char *err, size_t errlen)
{
	int rc = actions_launch(a, r->argv, r->line, r->demo, &r->restart, err, errlen);
	if (!rc && a->metrics)
		metrics_note_restart(a->metrics, r->argv, r->line, r->demo);
	if (!rc && r->backoff > 0)
		restarted_event(a, r, a->launched);
	if (a->tui) {
		tui_programs_moved(a->tui);
		if (rc)
			tui_status(a->tui, "cannot restart: %s", err);
		else
			tui_status(a->tui, "restarted %s", r->demo ? r->demo : r->line ? r->line
										: r->argv[0]);
	}
	relaunch_clear(r);
	a->resample = true;
	return rc;
}

/* The restarts whose old program has now been reaped. */
void actions_relaunch_due(struct app *a)
{
	struct relaunch r;
	char err[512];
	while (relaunches_due(a->relaunches, &r))
		if (a->quit)
			relaunch_clear(&r);     /* shutting down: nothing new starts */
		else if (relaunch_now(a, &r, err, sizeof err) && !a->tui)
			fprintf(stderr, "concmon: cannot restart %s\n", err);
}

double actions_restart_due(struct app *a)
{
	struct relaunch r;
	char err[512];
	while (!a->quit && relaunch_take_due(a->progs, util_now(), &r))
		if (relaunch_now(a, &r, err, sizeof err) && !a->tui)
			fprintf(stderr, "concmon: cannot restart %s\n", err);
	return a->quit ? -1 : relaunch_next(a->progs, util_now());
}

/* tui_actions.restart: see relaunches_request. */
static int act_restart(void *ctx, pid_t program, const char *knob, long value, char *err,
		       size_t errlen)
{
	struct app *a = ctx;
	const struct task *t = lifecycle_find(a->lc, program);
	unsigned long long start = t && !t->exited && t->state != 'Z' ? t->start_ticks : 0;
	struct relaunch now;
	int rc = relaunches_request(a->relaunches, a->progs, a->sup, program, start, knob, value,
				    &now, err, errlen);
	return rc ? rc : relaunch_now(a, &now, err, errlen);
}

/* tui_actions.dismiss (and a batch terminate of a held program): see
 * relaunch_dismiss and lifecycle_dismiss. */
static int act_dismiss(void *ctx, pid_t program)
{
	struct app *a = ctx;
	if (!relaunch_dismiss(a->progs, program))
		return ESRCH;
	lifecycle_dismiss(a->lc, program);
	a->resample = true;
	return 0;
}

static int act_set_knob(void *ctx, pid_t program, const char *knob, long value)
{
	struct app *a = ctx;
	int rc = programs_set_knob(a->progs, program, knob, value);
	if (!rc)
		a->resample = true;
	return rc;
}

static int act_record(void *ctx, char *msg, size_t len)
{
	struct app *a = ctx;
	const char *cont = supervisor_containment_name(supervisor_containment(a->sup, NULL));
	return a->rec ? recorder_stop(&a->rec, msg, len)
		      : recorder_start(&a->rec, NULL, a->opt.all, cont, msg, len);
}

/* The start time of process pid as the model knows it, or 0 when it is
 * not a live process of the model: the command then gets ESRCH and never
 * reaches whatever process holds that PID now. */
/* Whether a live process (not an exited row) has pid now. */
static bool live_pid(struct app *a, pid_t pid)
{
	size_t n;
	const struct task *t = lifecycle_tasks(a->lc, &n);
	for (size_t i = 0; i < n; i++)
		if (t[i].tid == pid && !t[i].exited)
			return true;
	return false;
}

static unsigned long long command_target(struct app *a, pid_t pid, int sig)
{
	const struct task *t = lifecycle_find(a->lc, pid);
	if (t && !t->exited && !task_is_thread(t) && t->start_ticks)
		return t->start_ticks;
	main_on_signaled(a, pid, sig, ESRCH);
	return 0;
}

/* A zombie has exited already: no signal can touch it. Says so (on
 * stderr, batch mode) and returns true. */
static bool zombie_refused(struct app *a, pid_t pid, const char *line)
{
	const struct task *t = lifecycle_find(a->lc, pid);
	if (!t || t->exited || t->state != 'Z')
		return false;
	fprintf(stderr, "concmon: %s: %d is a zombie: it has exited and cannot be killed; its parent "
		"%d must reap it with wait(), or exit so that concmon adopts and reaps it\n",
		line, (int)pid, (int)t->ppid);
	return true;
}

static void run_command(struct app *a, const char *line)
{
	struct control_cmd c;
	char err[512] = "";
	int rc = 0;
	unsigned long long start;
	if (control_parse(line, &c, err, sizeof err) < 0) {
		fprintf(stderr, "concmon: %s\n", err);
		return;
	}
	if ((c.op == CONTROL_SIGNAL || c.op == CONTROL_TERMINATE) && zombie_refused(a, c.pid, line))
		return;
	switch (c.op) {
	case CONTROL_NONE:
		return;
	case CONTROL_KNOB:
		rc = programs_set_knob(a->progs, c.pid, c.name, c.value);
		break;
	case CONTROL_SIGNAL:
		start = command_target(a, c.pid, c.sig);
		rc = start ? supervisor_signal(a->sup, c.pid, start, c.sig) : ESRCH;
		break;
	case CONTROL_TERMINATE:
		/* A held program's row is dismissed, unless a live process has
		 * its PID now: that one is the target. */
		if (!live_pid(a, c.pid) && act_dismiss(a, c.pid) == 0)
			break;
		start = command_target(a, c.pid, SIGTERM);
		rc = start ? supervisor_terminate(a->sup, c.pid, start, util_now()) : ESRCH;
		break;
	case CONTROL_LAUNCH:
	case CONTROL_DEMO:
		if (actions_launch(a, NULL, c.op == CONTROL_LAUNCH ? c.rest : NULL,
			   c.op == CONTROL_DEMO ? c.rest : NULL, NULL, err, sizeof err) != 0)
			fprintf(stderr, "concmon: cannot launch %s\n", err);
		break;
	}
	if (rc)
		fprintf(stderr, "concmon: %s: %s\n", line,
			c.op == CONTROL_KNOB ? programs_knob_error(rc) : strerror(rc));
	a->resample = true;
}

/* Batch mode: runs every complete line waiting on stdin. */
void actions_read_commands(struct app *a)
{
	ssize_t r = read(a->ctl_fd, a->ctl_buf + a->ctl_len, sizeof a->ctl_buf - 1 - a->ctl_len);
	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0) {
		a->ctl_fd = -1; /* end of input: nothing more will come */
		return;
	}
	a->ctl_len += (size_t)r;
	a->ctl_buf[a->ctl_len] = '\0';
	char *line = a->ctl_buf, *nl;
	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		run_command(a, line);
		line = nl + 1;
	}
	a->ctl_len -= (size_t)(line - a->ctl_buf);
	memmove(a->ctl_buf, line, a->ctl_len);
	if (a->ctl_len == sizeof a->ctl_buf - 1) {
		fprintf(stderr, "concmon: command line too long, ignored\n");
		a->ctl_len = 0;
	}
}

void actions_fill(struct app *a, struct tui_actions *out)
{
	*out = (struct tui_actions){
		.ctx = a, .signal = act_signal, .terminate = act_terminate, .launch = act_launch,
		.launch_demo = act_launch_demo, .set_knob = act_set_knob, .record = act_record,
		.restart = act_restart, .dismiss = act_dismiss,
	};
}
