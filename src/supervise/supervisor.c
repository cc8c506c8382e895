/* supervisor.c - the parent side of concmon: fork/exec with hygiene, pidfds,
 * reaping as subreaper, TERM-then-KILL escalation, and the guardian that
 * kills the tree if concmon itself is killed with SIGKILL. */
#include "supervise/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "kernel/cgroup.h"
#include "kernel/proctable.h"
#include "supervise/guardian.h"
#include "util/util.h"

struct child {
	pid_t pid;
	int pidfd;
	char *name;
};

struct kill_due {
	pid_t pid;
	unsigned long long start;
	double due;
};

struct supervisor {
	double grace;
	struct supervisor_inherit inherit;
	pid_t self;
	struct guardian *guardian;
	struct cgroup *cg;          /* NULL when no cgroup could be made */
	char cg_why[160];
	struct child *kids;
	size_t nkids, capkids;
	struct kill_due *due;
	size_t ndue, capdue;
	supervisor_signaled_fn on_signal;
	void *on_signal_arg;
};

void supervisor_on_signal(struct supervisor *s, supervisor_signaled_fn fn, void *arg)
{
	s->on_signal = fn;
	s->on_signal_arg = arg;
}

struct supervisor *supervisor_new(double grace, const struct supervisor_inherit *in, char *err,
				  size_t errlen)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		snprintf(err, errlen, "cannot become a child subreaper: %s", strerror(errno));
		return NULL;
	}
	struct supervisor *s = xcalloc(1, sizeof *s);
	s->grace = grace;
	s->inherit = *in;
	s->self = getpid();
	s->cg = cgroup_create(s->self, s->cg_why, sizeof s->cg_why);
	s->guardian = guardian_start(s->cg ? cgroup_path(s->cg) : NULL, err, errlen);
	if (!s->guardian) {
		cgroup_free(s->cg);
		free(s);
		return NULL;
	}
	return s;
}

void supervisor_free(struct supervisor *s)
{
	if (!s)
		return;
	guardian_dismiss(s->guardian);
	cgroup_free(s->cg);
	for (size_t i = 0; i < s->nkids; i++) {
		if (s->kids[i].pidfd >= 0) /* -1 when pidfd_open failed */
			close(s->kids[i].pidfd);
		free(s->kids[i].name);
	}
	free(s->kids);
	free(s->due);
	free(s);
}

pid_t supervisor_guardian(const struct supervisor *s)
{
	return guardian_pid(s->guardian);
}

bool supervisor_forks_followed(const struct supervisor *s)
{
	return guardian_follows_forks(s->guardian);
}

void supervisor_watch(struct supervisor *s, pid_t pid, unsigned long long start_ticks)
{
	guardian_watch(s->guardian, pid, start_ticks, false);
}

void supervisor_watch_done(struct supervisor *s)
{
	guardian_sweep(s->guardian);
}

/* Whether var ("NAME=value") is named in the list add. */
static bool env_replaced(const char *var, const char *const *add)
{
	for (size_t j = 0; add && add[j]; j++) {
		size_t namelen = strcspn(add[j], "=") + 1;
		if (strncmp(var, add[j], namelen) == 0)
			return true;
	}
	return false;
}

/* The environment for a child: ours, with x->env added or replacing their
 * namesakes. Built before fork; the strings stay owned by environ and x. */
static char **child_env(const struct launch_extra *x)
{
	extern char **environ;
	const char *const *add = x ? x->env : NULL;
	size_t n = 0, m = 0;
	while (environ[n])
		n++;
	while (add && add[m])
		m++;
	char **env = xmalloc((n + m + 1) * sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!env_replaced(environ[i], add))
			env[k++] = environ[i];
	for (size_t j = 0; j < m; j++)
		env[k++] = (char *)add[j];
	env[k] = NULL;
	return env;
}

void supervisor_inherited(struct supervisor_inherit *in)
{
	sigemptyset(&in->ignored);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&in->ignored, sig);
	}
	sigprocmask(SIG_SETMASK, NULL, &in->mask);
}

/* Why a child did not run its program: the step that failed and errno. */
enum child_step { STEP_NULL, STEP_CGROUP, STEP_EXEC };

struct child_verdict {
	int step;
	int err;
};

/* Reports a failed step through the verdict pipe and exits. */
static void __attribute__((noreturn)) child_fail(int errfd, enum child_step step)
{
	struct child_verdict v = { step, errno };
	ssize_t w = write(errfd, &v, sizeof v);
	(void)w;
	_exit(127);
}

/* Signals as concmon found them at start (what the user ignored, with nohup
 * say, stays ignored), everything else default. */
static void restore_signals(const struct supervisor_inherit *in)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, sigismember(&in->ignored, sig) == 1 ? &ign : &dfl, NULL);
	sigprocmask(SIG_SETMASK, &in->mask, NULL);
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void __attribute__((noreturn)) exec_child(const struct supervisor *s, char *const argv[],
						 char **env, const struct launch_extra *x, int errfd)
{
	restore_signals(&s->inherit);
	setpgid(0, 0);
	/* Into concmon's cgroup: what it forks, however it hides, stays there.
	 * A child outside it would make the claim of containment false. */
	int cgfd = s->cg ? cgroup_procs_fd(s->cg) : -1;
	if (cgfd >= 0 && write(cgfd, "0", 1) != 1)
		child_fail(errfd, STEP_CGROUP);
	/* Dies with concmon; and concmon may already be gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != s->self)
		_exit(127);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		child_fail(errfd, STEP_NULL);
	dup2(null, 0);
	dup2(x && x->out_fd >= 0 ? x->out_fd : null, 1);
	dup2(x && x->err_fd >= 0 ? x->err_fd : null, 2);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (x && x->keep_fd >= 0)
		fcntl(x->keep_fd, F_SETFD, 0);
	execvpe(argv[0], argv, env);
	child_fail(errfd, STEP_EXEC);
}

static void add_child(struct supervisor *s, pid_t pid, const char *name)
{
	if (s->nkids == s->capkids) {
		s->capkids = s->capkids ? s->capkids * 2 : 8;
		s->kids = xrealloc(s->kids, s->capkids * sizeof *s->kids);
	}
	struct child *c = &s->kids[s->nkids++];
	c->pid = pid;
	c->pidfd = pidfd_open(pid, 0);
	c->name = xstrdup(name);
}

/* Waits for the child's verdict: true once exec succeeded; else false
 * with the reason in err. */
static bool exec_verdict(int fd, const char *name, char *err, size_t errlen)
{
	struct child_verdict v;
	ssize_t r;
	do
		r = read(fd, &v, sizeof v);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof v)
		return true; /* closed on exec */
	static const char *const step[] = {
		[STEP_NULL] = "cannot open /dev/null: ",
		[STEP_CGROUP] = "cannot join concmon's cgroup: ",
		[STEP_EXEC] = "",
	};
	snprintf(err, errlen, "%s: %s%s", name, v.step >= 0 && v.step <= STEP_EXEC ? step[v.step] : "",
		 strerror(v.err));
	return false;
}

pid_t supervisor_launch(struct supervisor *s, char *const argv[], const struct launch_extra *x,
			char *err, size_t errlen)
{
	int pfd[2];
	if (!argv || !argv[0] || !argv[0][0]) {
		snprintf(err, errlen, "empty command");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		return -1;
	}
	char **env = child_env(x);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		exec_child(s, argv, env, x, pfd[1]);
	}
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(env);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		snprintf(err, errlen, "%s: cannot fork: %s", argv[0], strerror(fork_errno));
		return -1;
	}
	bool ran = exec_verdict(pfd[0], argv[0], err, errlen);
	close(pfd[0]);
	if (!ran) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	add_child(s, pid, argv[0]);
	guardian_watch(s->guardian, pid, proctable_start_ticks(pid), true);
	return pid;
}

pid_t supervisor_launch_line(struct supervisor *s, const char *line, const struct launch_extra *x,
			     char *err, size_t errlen)
{
	wordexp_t we;
	int rc = wordexp(line, &we, WRDE_NOCMD);
	if (rc != 0) {
		const char *why = rc == WRDE_BADCHAR ? "shell operators (| & ; < > ( ) { }) need sh -c '...'"
				: rc == WRDE_CMDSUB ? "command substitution is not allowed"
				: rc == WRDE_SYNTAX ? "syntax error (unbalanced quotes?)"
				: "cannot parse the command line";
		snprintf(err, errlen, "%s", why);
		if (rc == WRDE_NOSPACE)
			wordfree(&we);
		return -1;
	}
	pid_t pid = supervisor_launch(s, we.we_wordc ? we.we_wordv : NULL, x, err, errlen);
	wordfree(&we);
	return pid;
}

static struct child *find_child(struct supervisor *s, pid_t pid)
{
	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i].pid == pid)
			return &s->kids[i];
	return NULL;
}

/* Sends sig to the process pid started at start_ticks, or returns ESRCH. */
static int signal_checked(struct supervisor *s, pid_t pid, unsigned long long start_ticks, int sig)
{
	if (!start_ticks)
		return ESRCH; /* a PID alone is not an identity */
	struct child *c = find_child(s, pid);
	int fd = c && c->pidfd >= 0 ? c->pidfd : pidfd_open(pid, 0);
	if (fd < 0) {
		if (errno == ESRCH || errno == EINVAL)
			return ESRCH;
		/* No pidfd to be had (ENOSYS: kernel < 5.3, valgrind, seccomp;
		 * EMFILE): kill() right after the start-time check, which leaves
		 * a window a pidfd would close. */
		if (proctable_start_ticks(pid) != start_ticks)
			return ESRCH;
		return kill(pid, sig) < 0 ? errno : 0;
	}
	int rc = 0;
	/* The pidfd pins the process: once it matches, the PID cannot be reused under us. */
	if (proctable_start_ticks(pid) != start_ticks)
		rc = ESRCH;
	else if (pidfd_send_signal(fd, sig, NULL, 0) < 0)
		rc = errno;
	if (!c || c->pidfd != fd)
		close(fd);
	return rc;
}

int supervisor_signal(struct supervisor *s, pid_t pid, unsigned long long start_ticks, int sig)
{
	int rc = signal_checked(s, pid, start_ticks, sig);
	if (s->on_signal)
		s->on_signal(s->on_signal_arg, pid, sig, rc);
	return rc;
}

int supervisor_terminate(struct supervisor *s, pid_t pid, unsigned long long start_ticks, double now)
{
	int rc = supervisor_signal(s, pid, start_ticks, SIGTERM);
	if (rc)
		return rc;
	/* A stopped process acts on SIGTERM only once it runs again. */
	if (proctable_stopped(pid))
		supervisor_signal(s, pid, start_ticks, SIGCONT);
	if (s->ndue == s->capdue) {
		s->capdue = s->capdue ? s->capdue * 2 : 8;
		s->due = xrealloc(s->due, s->capdue * sizeof *s->due);
	}
	s->due[s->ndue++] = (struct kill_due){ pid, start_ticks, now + s->grace };
	return 0;
}

double supervisor_tick(struct supervisor *s, double now)
{
	double next = -1;
	for (size_t i = 0; i < s->ndue;) {
		struct kill_due *d = &s->due[i];
		if (d->due <= now) {
			/* Still there (not even a zombie yet)? Then it ignored SIGTERM. */
			if (proctable_start_ticks(d->pid) == d->start)
				supervisor_signal(s, d->pid, d->start, SIGKILL);
			*d = s->due[--s->ndue];
			continue;
		}
		if (next < 0 || d->due - now < next)
			next = d->due - now;
		i++;
	}
	return next;
}

int supervisor_reap(struct supervisor *s, supervisor_reaped_fn fn, void *arg)
{
	int count = 0;
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD */
		}
		if (si.si_pid == 0)
			break;
		if (guardian_reaped(s->guardian, si.si_pid))
			continue;
		guardian_forget(s->guardian, si.si_pid);
		int code = si.si_code == CLD_EXITED ? si.si_status : -1;
		int sig = si.si_code == CLD_EXITED ? 0 : si.si_status;
		struct child *c = find_child(s, si.si_pid);
		if (fn)
			fn(arg, si.si_pid, c ? c->name : NULL, code, sig);
		if (c) {
			if (c->pidfd >= 0)
				close(c->pidfd);
			free(c->name);
			*c = s->kids[--s->nkids];
		}
		count++;
	}
	return count;
}

/* The processes of the tree, each with its start time, so a signal never
 * reaches a process that took a recycled PID; n is set to their count. */
static struct proc_id *tree_of(struct supervisor *s, size_t *n)
{
	return proctable_descendants(s->self, guardian_pid(s->guardian), n);
}

static bool is_stopped(char state) { return state == 'T' || state == 't'; }

/* Sends SIGKILL to every live process of the tree (a zombie waits for its
 * parent, which is being killed too); returns how many processes are left. */
static size_t kill_tree(struct supervisor *s)
{
	size_t n;
	struct proc_id *ids = tree_of(s, &n);
	for (size_t i = 0; i < n; i++)
		if (ids[i].state != 'Z')
			supervisor_signal(s, ids[i].pid, ids[i].start, SIGKILL);
	free(ids);
	return n;
}

/* The processes already asked to stop at shutdown, sorted by (pid, start). */
struct asked {
	struct proc_id *ids;
	size_t n, cap;
};

static int cmp_id(const void *a, const void *b)
{
	const struct proc_id *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start > y->start) - (x->start < y->start);
}

/* True when id was not in the set (it is added). */
static bool asked_add(struct asked *a, const struct proc_id *id)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_id(&a->ids[mid], id);
		if (!c)
			return false;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->ids = xrealloc(a->ids, a->cap * sizeof *a->ids);
	}
	memmove(&a->ids[lo + 1], &a->ids[lo], (a->n - lo) * sizeof *a->ids);
	a->ids[lo] = *id;
	a->n++;
	return true;
}

/* SIGTERM to every process of the tree not asked yet, newcomers included
 * (SIGCONT too when stopped: it acts on SIGTERM only once it runs); returns
 * how many processes the tree has. */
static size_t term_newcomers(struct supervisor *s, struct asked *a)
{
	size_t n;
	struct proc_id *ids = tree_of(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (ids[i].state == 'Z' || !asked_add(a, &ids[i]))
			continue;
		if (supervisor_signal(s, ids[i].pid, ids[i].start, SIGTERM) == 0 && is_stopped(ids[i].state))
			supervisor_signal(s, ids[i].pid, ids[i].start, SIGCONT);
	}
	free(ids);
	return n;
}

/* Sleeps until a child changes state or timeout seconds pass. */
static void wait_sigchld(double timeout)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (timeout < 0)
		timeout = 0;
	struct timespec ts = { (time_t)timeout, (long)((timeout - (double)(time_t)timeout) * 1e9) };
	sigtimedwait(&chld, NULL, &ts);
}

void supervisor_shutdown(struct supervisor *s, supervisor_reaped_fn fn, void *arg)
{
	double deadline = util_now() + s->grace;
	struct asked asked = { 0 };
	for (;;) {
		supervisor_reap(s, fn, arg);
		size_t left = term_newcomers(s, &asked);
		double now = util_now();
		if (!left || now >= deadline)
			break;
		wait_sigchld(deadline - now < 0.05 ? deadline - now : 0.05);
	}
	free(asked.ids);
	/* Whatever ignored SIGTERM, and whatever it forked meanwhile. A task in
	 * uninterruptible sleep can delay this; give up after 10 s. */
	if (s->cg)
		cgroup_kill(s->cg); /* all at once, double-forked daemons included */
	double give_up = util_now() + 10;
	supervisor_signaled_fn told = s->on_signal;
	while (util_now() < give_up) {
		supervisor_reap(s, fn, arg);
		if (!kill_tree(s))
			break;
		s->on_signal = NULL; /* one process gets SIGKILL each round until it is gone: say it once */
		wait_sigchld(0.01);
	}
	s->on_signal = told;
	supervisor_reap(s, fn, arg);
	s->ndue = 0;
}

enum containment supervisor_containment(const struct supervisor *s, const char **why)
{
	if (why)
		*why = s->cg ? cgroup_path(s->cg) : s->cg_why;
	return s->cg ? CONTAIN_CGROUP : CONTAIN_PROCESS_GROUPS;
}

const char *supervisor_containment_name(enum containment c)
{
	return c == CONTAIN_CGROUP ? "cgroup" : "process-groups";
}
