/* act.c - runs the user's actions through the callbacks and says, in the
 * status line, what happened: every errno becomes a sentence. */
#include "act.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/sigtable.h"
#include "panels.h"
#include "report/report.h"
#include "tui_state.h"
#include "util/escape.h"
#include "view.h"

void act_describe(const struct task *k, char *buf, size_t len)
{
	char name[ACT_NAME_MAX];
	escape_text(k->comm, name, sizeof name);
	/* Signals go to the whole process, so name the process. */
	if (task_is_thread(k))
		snprintf(buf, len, "%d (thread %d, %s)", (int)k->pid, (int)k->tid, name);
	else
		snprintf(buf, len, "%d (%s)", (int)k->pid, name);
}

void act_signame(int sig, char *buf, size_t len)
{
	const struct sigdesc *d = sigtable_find(sig);
	if (d)
		snprintf(buf, len, "SIG%s", d->name);
	else
		snprintf(buf, len, "signal %d", sig);
}

/* What an action returns for a zombie: it has exited already, so no
 * signal can touch it; only its parent's wait() removes it. */
#define ACT_ZOMBIE (-2)

/* One action on one task. An exited row has nothing left to signal and a
 * zombie nothing left to kill: say so without bothering the supervisor. */
typedef int act_fn(const struct tui_actions *a, const struct task *k, int sig);

static int act_do_signal(const struct tui_actions *a, const struct task *k, int sig)
{
	if (k->exited)
		return ESRCH;
	if (k->state == 'Z')
		return ACT_ZOMBIE;
	return a->signal ? a->signal(a->ctx, k, sig) : ENOSYS;
}

/* A held row (a program waiting for its restart, or given up) has nothing
 * to terminate: it is dismissed, and no restart follows. */
static int act_do_terminate(const struct tui_actions *a, const struct task *k, int sig)
{
	(void)sig;
	if (k->exited && k->held && a->dismiss)
		return a->dismiss(a->ctx, k->pid);
	if (k->exited)
		return ESRCH;
	if (k->state == 'Z')
		return ACT_ZOMBIE;
	return a->terminate ? a->terminate(a->ctx, k) : ENOSYS;
}

/* "4242 (worker) is a zombie: ..., its parent 4241 (spawner) must reap it". */
static void act_zombie_message(struct tui *t, const char *what, const struct task *k)
{
	char who[ACT_WHO_MAX], parent[ACT_WHO_MAX];
	act_describe(k, who, sizeof who);
	snprintf(parent, sizeof parent, "%d", (int)k->ppid);
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].tid == k->ppid)
			act_describe(&t->tasks[i], parent, sizeof parent);
	tui_message(t, true, "%s: %s is a zombie: it has exited and cannot be killed; its parent %s "
		    "must reap it with wait(), or exit so that concmon adopts and reaps it",
		    what, who, parent);
}

/* Applies fn to every tagged task still in the model and summarises:
 * "SIGTERM sent to 3 of 4 tagged: 1 failed: No such process". */
static void act_tagged(struct tui *t, const struct tui_actions *a, act_fn *fn, int sig,
		       const char *what)
{
	size_t total = 0, ok = 0, zombies = 0;
	int first_err = 0;
	char first[ACT_WHO_MAX] = "";
	for (size_t i = 0; i < t->ntasks; i++) {
		const struct task *k = &t->tasks[i];
		if (!view_tagged(t, k))
			continue;
		total++;
		int rc = fn(a, k, sig);
		if (rc == 0) {
			ok++;
		} else if (rc == ACT_ZOMBIE) {
			zombies++;
		} else if (!first_err) {
			first_err = rc;
			act_describe(k, first, sizeof first);
		}
	}
	char skipped[96] = "";
	if (zombies)
		snprintf(skipped, sizeof skipped, "; %zu zombie%s skipped (exited: only a parent's wait() "
			 "removes one)", zombies, zombies == 1 ? "" : "s");
	if (!first_err && !zombies)
		tui_message(t, false, "%s sent to all %zu tagged", what, total);
	else if (!first_err)
		tui_message(t, false, "%s sent to %zu of %zu tagged%s", what, ok, total, skipped);
	else
		tui_message(t, true, "%s sent to %zu of %zu tagged: %zu failed: %s (first: %s)%s",
			    what, ok, total, total - ok - zombies, strerror(first_err), first, skipped);
}

/* Applies fn to the selected task; returns its errno, or -1 when there is
 * no selection (already reported). who receives "1234 (sleep)". */
static int act_one(struct tui *t, const struct tui_actions *a, act_fn *fn, int sig,
		   const char *what, char *who, size_t wholen)
{
	const struct task *k = view_selected(t);
	if (!k) {
		tui_message(t, true, "%s: no task selected", what);
		return -1;
	}
	act_describe(k, who, wholen);
	return fn(a, k, sig);
}

enum tui_reaction act_signal(struct tui *t, const struct tui_actions *a, int sig)
{
	char name[32], who[ACT_WHO_MAX];
	act_signame(sig, name, sizeof name);
	if (t->ntags) {
		act_tagged(t, a, act_do_signal, sig, name);
	} else {
		int rc = act_one(t, a, act_do_signal, sig, name, who, sizeof who);
		if (rc == ACT_ZOMBIE)
			act_zombie_message(t, name, view_selected(t));
		else if (rc > 0)
			tui_message(t, true, "%s to %s: %s", name, who, strerror(rc));
		else if (rc == 0)
			tui_message(t, false, "sent %s to %s", name, who);
	}
	/* Read /proc again now so the new state (T, gone...) shows at once. */
	return TUI_REDRAW | TUI_RESAMPLE;
}

enum tui_reaction act_terminate(struct tui *t, const struct tui_actions *a)
{
	char who[ACT_WHO_MAX];
	if (t->ntags) {
		act_tagged(t, a, act_do_terminate, 0, "terminate (SIGTERM, then SIGKILL)");
	} else {
		const struct task *k = view_selected(t);
		bool held = k && k->exited && k->held;
		int rc = act_one(t, a, act_do_terminate, 0, "terminate", who, sizeof who);
		if (rc == ACT_ZOMBIE)
			act_zombie_message(t, "terminate", view_selected(t));
		else if (rc > 0)
			tui_message(t, true, "terminate %s: %s", who, strerror(rc));
		else if (rc == 0 && held)
			tui_message(t, false, "dismissed %s: no restart follows", who);
		else if (rc == 0)
			tui_message(t, false, "terminating %s: SIGTERM sent, SIGKILL after the grace period",
				    who);
	}
	return TUI_REDRAW | TUI_RESAMPLE;
}

/* Launches a command line (demo NULL) or a demo; says how it went unless
 * the caller said something itself. Returns 0 or an errno value. */
static int act_launch_any(struct tui *t, const struct tui_actions *a, const char *line,
			  const char *demo)
{
	char err[TUI_TEXT_MAX] = "";
	if (demo ? !a->launch_demo : !a->launch) {
		tui_message(t, true, "launching %sis not available here", demo ? "demos " : "");
		return ENOSYS;
	}
	unsigned gen = t->status_gen;
	panels_launching(t);
	tui_model_moving(t);
	int rc = demo ? a->launch_demo(a->ctx, demo, err, sizeof err) :
		 a->launch(a->ctx, line, err, sizeof err);
	const char *why = err[0] ? err : strerror(rc);
	if (rc)
		panels_launch_failed(t);
	if (rc && demo)
		tui_message(t, true, "cannot launch demo %s: %s", demo, why);
	else if (rc)
		tui_message(t, true, "cannot launch \"%s\": %s", line, why);
	else if (gen == t->status_gen && demo)   /* the caller said nothing itself */
		tui_message(t, false, "launched demo %s", demo);
	else if (gen == t->status_gen)
		tui_message(t, false, "launched: %s", line);
	return rc;
}

enum tui_reaction act_launch(struct tui *t, const struct tui_actions *a, const char *line)
{
	act_launch_any(t, a, line, NULL);
	return a->launch ? TUI_REDRAW | TUI_RESAMPLE : TUI_REDRAW;
}

int act_launch_demo(struct tui *t, const struct tui_actions *a, const char *name)
{
	return act_launch_any(t, a, NULL, name);
}

int act_restart_program(struct tui *t, const struct tui_actions *a, pid_t pid, const char *what,
			const char *knob, long value)
{
	char err[TUI_TEXT_MAX] = "";
	if (!a->restart) {
		tui_message(t, true, "restarting is not available here");
		return ENOSYS;
	}
	panels_launching(t);    /* the new program's row gets selected: the lesson stays */
	tui_model_moving(t);
	int rc = a->restart(a->ctx, pid, knob, value, err, sizeof err);
	if (rc == EINPROGRESS)
		tui_message(t, false, "restarting %s: stopping %d first, then the same command%s",
			    what, (int)pid, knob ? " with the new value" : "");
	else if (rc)
		tui_message(t, true, "cannot restart %s: %s", what, err[0] ? err : strerror(rc));
	if (rc && rc != EINPROGRESS)
		panels_launch_failed(t);
	return rc == EINPROGRESS ? 0 : rc;
}

enum tui_reaction act_restart(struct tui *t, const struct tui_actions *a)
{
	const struct program *pr = panels_owner(t);
	if (!pr) {
		tui_message(t, true, "restart: the selected row is not a program concmon launched "
			    "(: or F2 launches one)");
		return TUI_REDRAW;
	}
	char what[ACT_NAME_MAX + 16];
	char safe[ACT_NAME_MAX];
	escape_text(pr->demo ? pr->demo : pr->name, safe, sizeof safe);
	snprintf(what, sizeof what, "%s%s", pr->demo ? "demo " : "", safe);
	act_restart_program(t, a, pr->pid, what, NULL, 0);
	return TUI_REDRAW | TUI_RESAMPLE;
}
