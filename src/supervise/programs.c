/* programs.c - see programs.h. One telemetry segment per launched program,
 * shared by everything that program forks. */
#include "supervise/programs.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/proctable.h"
#include "util/util.h"

struct programs {
	struct supervisor *sup;
	struct program *list;
	size_t n, cap;
};

struct programs *programs_new(struct supervisor *sup)
{
	struct programs *p = xcalloc(1, sizeof *p);
	p->sup = sup;
	return p;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void program_clear(struct program *pr)
{
	close_fd(&pr->out_fd);
	close_fd(&pr->err_fd);
	output_free(pr->out);
	free(pr->name);
	free(pr->demo);
	for (size_t i = 0; pr->argv && pr->argv[i]; i++)
		free(pr->argv[i]);
	free(pr->argv);
	free(pr->knobs);
	free(pr->snap);
	telemetry_free(pr->tel);
}

void programs_free(struct programs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		program_clear(&p->list[i]);
	free(p->list);
	free(p);
}

static char *join_argv(char *const argv[])
{
	size_t len = 1;
	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = xmalloc(len), *o = s;
	for (size_t i = 0; argv[i]; i++)
		o += sprintf(o, "%s%s", i ? " " : "", argv[i]);
	*o = '\0';
	return s;
}

static char **copy_argv(char *const argv[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **c = xcalloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(argv[i]);
	return c;
}

/* Bytes of output kept per program. */
#define OUTPUT_BYTES (256 * 1024)

/* Two pipes for stdout and stderr: read ends non-blocking in rd, write ends in wr. */
static int output_pipes(int rd[2], int wr[2])
{
	int a[2], b[2];
	if (pipe2(a, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(b, O_CLOEXEC) < 0) {
		close(a[0]);
		close(a[1]);
		return -1;
	}
	fcntl(a[0], F_SETFL, O_NONBLOCK);
	fcntl(b[0], F_SETFL, O_NONBLOCK);
	rd[0] = a[0], wr[0] = a[1], rd[1] = b[0], wr[1] = b[1];
	return 0;
}

/* Where the tracer and the Python layer are installed (CMake sets these). */
#ifndef CONCMON_INSTALL_LIBDIR
#define CONCMON_INSTALL_LIBDIR "/usr/local/lib"
#endif
#ifndef CONCMON_INSTALL_DATADIR
#define CONCMON_INSTALL_DATADIR "/usr/local/share"
#endif

/* Sets path to name in the directory of concmon's own executable; false
 * when that is unknown or nothing there passes access(mode). */
static bool beside_self(const char *name, int mode, char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0';
	int w = snprintf(path, len, "%s/%s", self, name);
	return w > 0 && (size_t)w < len && access(path, mode) == 0;
}

const char *programs_trace_lib(void)
{
	static char path[PATH_MAX];
	if (path[0] || beside_self("libconcmon-trace.so", R_OK, path, sizeof path))
		return path;
	snprintf(path, sizeof path, "%s/libconcmon-trace.so", CONCMON_INSTALL_LIBDIR);
	if (access(path, R_OK) == 0)
		return path;
	path[0] = '\0';
	return NULL;
}

/* The Python layer's directory: python/ beside concmon in a build, else
 * the installed one (whether or not it exists: PYTHONPATH tolerates that). */
static const char *python_dir(void)
{
	static char path[PATH_MAX];
	if (path[0] || beside_self("python", X_OK, path, sizeof path))
		return path;
	snprintf(path, sizeof path, "%s/concmon/python", CONCMON_INSTALL_DATADIR);
	return path;
}

/* "NAME=first" or "NAME=first:$NAME" (malloc'd). */
static char *env_prepend(const char *name, const char *first)
{
	const char *old = getenv(name);
	size_t len = strlen(name) + strlen(first) + (old ? strlen(old) : 0) + 3;
	char *s = xmalloc(len);
	snprintf(s, len, "%s=%s%s%s", name, first, old && *old ? ":" : "", old && *old ? old : "");
	return s;
}

/* The environment of a launch: the segment's fd and, traced, the
 * preloaded tracer and the Python layer. env has room for 5 entries;
 * frees what it allocates into owned (room for 3). */
static bool launch_env(struct telemetry *tel, bool trace, const char *env[5], char *owned[3],
		       char fdvar[64], char *err, size_t errlen)
{
	size_t k = 0;
	if (tel) {
		snprintf(fdvar, 64, "%s=%d", CM_TELEMETRY_ENV, telemetry_fd(tel));
		env[k++] = fdvar;
	}
	if (trace) {
		const char *lib = programs_trace_lib();
		if (!lib) {
			snprintf(err, errlen, "--trace: libconcmon-trace.so is neither beside concmon "
				 "nor in %s", CONCMON_INSTALL_LIBDIR);
			return false;
		}
		env[k++] = owned[0] = env_prepend("LD_PRELOAD", lib);
		owned[1] = xmalloc(strlen(lib) + 32);
		sprintf(owned[1], "CONCMON_TRACE_LIB=%s", lib);
		env[k++] = owned[1];
		env[k++] = owned[2] = env_prepend("PYTHONPATH", python_dir());
	}
	env[k] = NULL;
	return true;
}

pid_t programs_launch(struct programs *p, char *const argv[], const char *line, const char *demo,
		      bool trace, char *err, size_t errlen)
{
	char terr[128] = "", fdvar[64];
	const char *env[5];
	char *owned[3] = { NULL, NULL, NULL };
	struct telemetry *tel = telemetry_create(terr, sizeof terr);
	if (!launch_env(tel, trace, env, owned, fdvar, err, errlen)) {
		telemetry_free(tel);
		return -1;
	}
	int rd[2] = { -1, -1 }, wr[2] = { -1, -1 };
	output_pipes(rd, wr); /* without them, output goes to /dev/null */
	struct launch_extra x = { tel ? telemetry_fd(tel) : -1, env, wr[0], wr[1] };
	pid_t pid = argv ? supervisor_launch(p->sup, argv, &x, err, errlen)
			 : supervisor_launch_line(p->sup, line, &x, err, errlen);
	for (size_t i = 0; i < 3; i++)
		free(owned[i]);
	close_fd(&wr[0]);
	close_fd(&wr[1]);
	if (pid < 0) {
		close_fd(&rd[0]);
		close_fd(&rd[1]);
		telemetry_free(tel);
		return -1;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->list = xrealloc(p->list, p->cap * sizeof *p->list);
	}
	struct program *pr = &p->list[p->n++];
	memset(pr, 0, sizeof *pr);
	pr->pid = pid;
	pr->name = argv ? join_argv(argv) : xstrdup(line);
	pr->demo = demo ? xstrdup(demo) : NULL;
	pr->argv = argv ? copy_argv(argv) : NULL;
	pr->trace = trace;
	pr->started_at = util_now();
	pr->start_ticks = proctable_start_ticks(pid);   /* our child: not reaped yet */
	pr->tel = tel;
	pr->out = output_new(OUTPUT_BYTES);
	pr->out_fd = rd[0];
	pr->err_fd = rd[1];
	if (!tel)
		snprintf(pr->error, sizeof pr->error, "no telemetry: %s", terr);
	pr->sight = "none";
	snprintf(pr->sight_why, sizeof pr->sight_why, "not read yet");
	return pid;
}

const char *programs_demo_path(void)
{
	static char path[PATH_MAX];
	if (path[0] || beside_self("concmon-demo", X_OK, path, sizeof path))
		return path;
	snprintf(path, sizeof path, "concmon-demo");
	return path;
}

pid_t programs_launch_demo(struct programs *p, const char *spec, char *err, size_t errlen)
{
	/* "name,k=v,k=v" -> concmon-demo name k=v k=v */
	char *copy = xstrdup(spec);
	size_t n = 2;
	for (const char *c = copy; *c; c++)
		n += *c == ',';
	char **argv = xcalloc(n + 2, sizeof *argv);
	size_t k = 0;
	argv[k++] = (char *)programs_demo_path();
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
		argv[k++] = tok;
	argv[k] = NULL;
	pid_t pid = k > 1 ? programs_launch(p, argv, NULL, argv[1], false, err, errlen) : -1;
	if (k <= 1)
		snprintf(err, errlen, "--demo needs a demo name");
	free(argv);
	free(copy);
	return pid;
}

/* Copies the snapshot's knobs, which a restart needs after the end. */
static void program_keep_knobs(struct program *pr)
{
	size_t n = pr->snap->n_knobs;
	if (n != pr->n_knobs) {
		free(pr->knobs);
		pr->knobs = n ? xcalloc(n, sizeof *pr->knobs) : NULL;
		pr->n_knobs = n;
	}
	if (n)
		memcpy(pr->knobs, pr->snap->knobs, n * sizeof *pr->knobs);
}

const struct telemetry_knob *programs_knob(const struct program *pr, const char *name)
{
	for (size_t i = 0; i < pr->n_knobs; i++)
		if (strcmp(pr->knobs[i].name, name) == 0)
			return &pr->knobs[i];
	return NULL;
}

void programs_read(struct programs *p, double now)
{
	size_t keep = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct program *pr = &p->list[i];
		if (pr->ended && now - pr->ended_at > PROGRAMS_LINGER && pr->out_fd < 0 && pr->err_fd < 0 &&
		    pr->restart_at <= 0 && !pr->given_up) {
			program_clear(pr);
			continue;
		}
		if (pr->tel && !pr->ended) {
			if (!pr->snap)
				pr->snap = xmalloc(sizeof *pr->snap);
			char why[128];
			if (telemetry_read(pr->tel, pr->snap, why, sizeof why) == 0) {
				pr->error[0] = '\0';
				program_keep_knobs(pr);
			} else {
				snprintf(pr->error, sizeof pr->error, "corrupt telemetry: %s", why);
				free(pr->snap);
				pr->snap = NULL;
			}
		}
		p->list[keep++] = *pr;
	}
	p->n = keep;
	size_t cap = util_fit_cap(p->cap, p->n, 8);
	if (cap != p->cap) {
		p->list = util_resize(p->list, p->cap, cap, p->n, sizeof *p->list);
		p->cap = cap;
	}
}

void programs_ended(struct programs *p, pid_t pid, double now)
{
	for (size_t i = 0; i < p->n; i++) {
		struct program *pr = &p->list[i];
		if (pr->pid == pid && !pr->ended) {
			pr->ended = true;
			pr->ended_at = now;
			/* Its telemetry stops with it: free the segment and the
			 * copy now, not after the linger (its output stays). */
			telemetry_free(pr->tel);
			pr->tel = NULL;
			free(pr->snap);
			pr->snap = NULL;
		}
	}
}

void programs_signaled(struct programs *p, pid_t pid, int sig)
{
	if (sig <= 0 || sig >= 64)
		return;
	/* A signal meant to end it; any other (USR1 to a demo, STOP, CONT)
	 * leaves its end its own, unless it dies of that very signal. */
	bool ending = sig == SIGTERM || sig == SIGKILL || sig == SIGINT || sig == SIGHUP ||
		      sig == SIGQUIT;
	for (size_t i = 0; i < p->n; i++) {
		if (p->list[i].pid == pid && !p->list[i].ended) {
			p->list[i].sent |= 1ull << sig;
			p->list[i].signaled |= ending;
		}
	}
}

const struct program *programs_list(const struct programs *p, size_t *n)
{
	*n = p->n;
	return p->list;
}

/* One program's sight, strongest layer first. */
static void program_sight(struct program *pr, programs_inferred_fn *inferred_ok, void *ctx)
{
	const struct telemetry_snapshot *s = pr->snap;
	const char *why = NULL;
	bool inferred = !pr->ended && inferred_ok && inferred_ok(ctx, pr->pid, &why);
	const char *also = inferred ? "; waits and mutex owners also inferred" : "";
	if (pr->ended) {
		pr->sight = "none";
		snprintf(pr->sight_why, sizeof pr->sight_why, "the program has ended");
	} else if (s && s->attaches > s->traced) {
		pr->sight = "probe";
		snprintf(pr->sight_why, sizeof pr->sight_why, "the program links libconcmon-probe%s",
			 also);
	} else if (s && s->traced) {
		pr->sight = "traced";
		snprintf(pr->sight_why, sizeof pr->sight_why, "libconcmon-trace is preloaded%s", also);
	} else if (inferred) {
		pr->sight = "inferred";
		snprintf(pr->sight_why, sizeof pr->sight_why,
			 "not traced: read from the kernel and the program's memory");
	} else {
		pr->sight = "none";
		snprintf(pr->sight_why, sizeof pr->sight_why, "not traced; %s",
			 why ? why : "its threads could not be read");
	}
}

void programs_sight(struct programs *p, programs_inferred_fn *inferred_ok, void *ctx)
{
	for (size_t i = 0; i < p->n; i++)
		program_sight(&p->list[i], inferred_ok, ctx);
}

struct program *programs_list_mut(struct programs *p, size_t *n)
{
	*n = p->n;
	return p->list;
}

int programs_set_knob(struct programs *p, pid_t pid, const char *name, long value)
{
	for (size_t i = 0; i < p->n; i++) {
		struct program *pr = &p->list[i];
		if (pr->pid != pid || pr->ended)
			continue;
		if (!pr->tel)
			return ENODATA;
		const struct telemetry_knob *k = programs_knob(pr, name);
		if (k && k->at_start)
			return ENOTSUP;
		return telemetry_set_knob(pr->tel, name, value) ? 0 : ENOENT;
	}
	return ESRCH;
}

const char *programs_knob_error(int err)
{
	switch (err) {
	case ESRCH: return "no such launched program";
	case ENOENT: return "no such knob, or the value is outside its range";
	case ENODATA: return "the program publishes no telemetry";
	case ENOTSUP: return "the program reads this knob only at start: it needs a restart "
			     "(R in the TUI, or launch the demo again with the value)";
	default: return strerror(err);
	}
}

size_t programs_pollfds(const struct programs *p, struct pollfd *fds, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->list[i].out_fd >= 0 && k < max)
			fds[k++] = (struct pollfd){ p->list[i].out_fd, POLLIN, 0 };
		if (p->list[i].err_fd >= 0 && k < max)
			fds[k++] = (struct pollfd){ p->list[i].err_fd, POLLIN, 0 };
	}
	return k;
}

/* Drains one pipe; at end of file the pending partial line is kept. */
static void drain(struct program *pr, int *fd, bool err)
{
	char buf[16384];
	/* Bounded per call, so a program writing without pause cannot starve the loop. */
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t r = read(*fd, buf, sizeof buf);
		if (r > 0) {
			output_feed(pr->out, err, buf, (size_t)r, util_wall());
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			output_flush(pr->out, err, util_wall());
			close_fd(fd);
		}
		return;
	}
}

void programs_read_output(struct programs *p, int fd)
{
	for (size_t i = 0; i < p->n; i++) {
		struct program *pr = &p->list[i];
		if (pr->out_fd == fd)
			drain(pr, &pr->out_fd, false);
		else if (pr->err_fd == fd)
			drain(pr, &pr->err_fd, true);
	}
}

void programs_output_reported(struct programs *p, pid_t pid)
{
	for (size_t i = 0; i < p->n; i++) {
		struct program *pr = &p->list[i];
		size_t n = output_count(pr->out);
		if (pr->pid == pid && n)
			pr->out_reported = output_get(pr->out, n - 1).seq;
	}
}

/* The name the kernel would give the program of a launch: the base name
 * of its first word (the demos' runner for a demo), cut as comm is. */
void programs_launch_name(char *const argv[], const char *line, const char *demo, char *buf,
			  size_t len)
{
	const char *prog = demo ? programs_demo_path() : argv ? argv[0] : line;
	while (prog && (*prog == ' ' || *prog == '\t'))
		prog++;
	size_t n = prog ? strcspn(prog, " \t") : 0;
	const char *base = prog;
	for (size_t i = 0; i < n; i++)
		if (prog[i] == '/')
			base = prog + i + 1;
	n -= prog ? (size_t)(base - prog) : 0;
	snprintf(buf, len, "%.*s", (int)(n < 15 ? n : 15), base ? base : "");
}

bool programs_trace_prefix(const char **line)
{
	static const char prefix[] = "--trace ";
	if (!*line || strncmp(*line, prefix, sizeof prefix - 1) != 0)
		return false;
	*line += sizeof prefix - 1;
	*line += strspn(*line, " ");
	return true;
}
