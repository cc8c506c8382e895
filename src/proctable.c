/* proctable.c - reads processes and threads through libproc2. The only file
 * that includes libproc2; it also walks /proc/PID/task/TID/children so the
 * default view reads the supervised subtree and nothing else. */
#include "proctable.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "procparse.h"
#include "util.h"

/* libproc2 selects at most this many PIDs per call (FILL_ID_MAX). */
#define SELECT_BATCH 255

/* Stat and statm items only, plus cmdline: nothing that opens status. */
enum item_index { I_TID, I_TGID, I_PPID, I_STATE, I_CMD, I_NLWP, I_TICS, I_RES, I_BEGAN, I_CMDLINE };
static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_ID_TGID, PIDS_ID_PPID, PIDS_STATE, PIDS_CMD,
	PIDS_NLWP, PIDS_TICS_ALL, PIDS_MEM_RES, PIDS_TICS_BEGAN, PIDS_CMDLINE,
};

struct proctable {
	struct pids_info *info;
	struct sample *samples;
	size_t *text_at;         /* where each sample's cmdline starts in text */
	size_t n, cap;
	char *text;              /* cmdlines, NUL-separated; it may move while it grows */
	size_t text_len, text_cap;
};

struct proctable *proctable_new(void)
{
	struct proctable *pt = xcalloc(1, sizeof *pt);
	/* Never hand out NULL for an empty snapshot: NULL means failure. */
	pt->cap = 64;
	pt->samples = xmalloc(pt->cap * sizeof *pt->samples);
	pt->text_at = xmalloc(pt->cap * sizeof *pt->text_at);
	int rc = procps_pids_new(&pt->info, items, (int)(sizeof items / sizeof items[0]));
	if (rc < 0) {
		free(pt->samples);
		free(pt->text_at);
		free(pt);
		errno = -rc;
		return NULL;
	}
	return pt;
}

void proctable_free(struct proctable *pt)
{
	if (!pt)
		return;
	procps_pids_unref(&pt->info);
	free(pt->samples);
	free(pt->text_at);
	free(pt->text);
	free(pt);
}

static size_t keep_text(struct proctable *pt, const char *s)
{
	size_t len = strlen(s) + 1;
	if (pt->text_len + len > pt->text_cap) {
		pt->text_cap = (pt->text_len + len) * 2;
		pt->text = xrealloc(pt->text, pt->text_cap);
	}
	memcpy(pt->text + pt->text_len, s, len);
	pt->text_len += len;
	return pt->text_len - len;
}

static void keep_stacks(struct proctable *pt, const struct pids_fetch *f, pid_t hide)
{
	int total = f->counts->total;
	if (pt->n + (size_t)total > pt->cap) {
		pt->cap = (pt->n + (size_t)total) * 2;
		pt->samples = xrealloc(pt->samples, pt->cap * sizeof *pt->samples);
		pt->text_at = xrealloc(pt->text_at, pt->cap * sizeof *pt->text_at);
	}
	for (int i = 0; i < total; i++) {
		struct pids_stack *st = f->stacks[i];
		struct sample *s = &pt->samples[pt->n];
		s->pid = PIDS_VAL(I_TGID, s_int, st, pt->info);
		if (s->pid == hide)
			continue;
		s->tid = PIDS_VAL(I_TID, s_int, st, pt->info);
		s->ppid = PIDS_VAL(I_PPID, s_int, st, pt->info);
		s->state = (char)PIDS_VAL(I_STATE, s_ch, st, pt->info);
		snprintf(s->comm, sizeof s->comm, "%s", PIDS_VAL(I_CMD, str, st, pt->info));
		s->threads = PIDS_VAL(I_NLWP, s_int, st, pt->info);
		s->ticks = PIDS_VAL(I_TICS, ull_int, st, pt->info);
		s->rss_kb = PIDS_VAL(I_RES, ul_int, st, pt->info);
		s->start_ticks = PIDS_VAL(I_BEGAN, ull_int, st, pt->info);
		pt->text_at[pt->n] = keep_text(pt, PIDS_VAL(I_CMDLINE, str, st, pt->info));
		pt->n++;
	}
}

const struct sample *proctable_sample(struct proctable *pt, pid_t root, pid_t hide,
				      bool all, bool threads, size_t *n)
{
	pt->n = 0;
	pt->text_len = 0;
	if (all) {
		struct pids_fetch *f = procps_pids_reap(pt->info,
			threads ? PIDS_FETCH_THREADS_TOO : PIDS_FETCH_TASKS_ONLY);
		if (!f)
			return NULL;
		keep_stacks(pt, f, hide);
	} else {
		size_t np;
		pid_t *pids = proctable_descendants(root, hide, &np);
		for (size_t i = 0; i < np; i += SELECT_BATCH) {
			unsigned batch[SELECT_BATCH];
			size_t k = np - i < SELECT_BATCH ? np - i : SELECT_BATCH;
			for (size_t j = 0; j < k; j++)
				batch[j] = (unsigned)pids[i + j];
			struct pids_fetch *f = procps_pids_select(pt->info, batch, (int)k,
				threads ? PIDS_SELECT_PID_THREADS : PIDS_SELECT_PID);
			if (f)
				keep_stacks(pt, f, hide);
		}
		free(pids);
	}
	for (size_t i = 0; i < pt->n; i++)
		pt->samples[i].cmdline = pt->text + pt->text_at[i];
	*n = pt->n;
	return pt->samples;
}

/* Room for the children list of one thread: 7 bytes a PID, 32768 children. */
#define CHILDREN_BUF (7 * 32768)

/* Appends the children of every thread of pid to *out; buf is scratch space
 * of CHILDREN_BUF bytes, kids of CHILDREN_BUF / 2 PIDs. */
static void add_children(pid_t pid, char *buf, pid_t *kids, pid_t **out, size_t *n, size_t *cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", (int)pid, de->d_name);
		ssize_t len = util_read_file(path, buf, CHILDREN_BUF);
		if (len <= 0)
			continue;
		int k = procparse_pid_list(buf, (size_t)len, kids, CHILDREN_BUF / 2);
		for (int i = 0; i < k; i++) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*out = xrealloc(*out, *cap * sizeof **out);
			}
			(*out)[(*n)++] = kids[i];
		}
	}
	closedir(d);
}

pid_t *proctable_descendants(pid_t root, pid_t hide, size_t *n)
{
	pid_t *out = NULL;
	size_t len = 0, cap = 0;
	char *buf = xmalloc(CHILDREN_BUF);
	pid_t *kids = xmalloc(CHILDREN_BUF / 2 * sizeof *kids);
	add_children(root, buf, kids, &out, &len, &cap);
	/* Breadth first: the array is its own queue. */
	for (size_t i = 0; i < len; i++) {
		if (out[i] == hide) {
			out[i--] = out[--len];
			continue;
		}
		add_children(out[i], buf, kids, &out, &len, &cap);
	}
	free(buf);
	free(kids);
	*n = len;
	if (!len) {
		free(out);
		return NULL;
	}
	return out;
}

unsigned long long proctable_start_ticks(pid_t pid)
{
	char path[64], buf[1024];
	struct proc_stat st;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ssize_t len = util_read_file(path, buf, sizeof buf);
	if (len <= 0 || procparse_stat(buf, (size_t)len, &st) < 0)
		return 0;
	return st.start_ticks;
}

double proctable_boot_time(void)
{
	char buf[8192];
	if (util_read_file("/proc/stat", buf, sizeof buf) <= 0)
		return 0;
	const char *p = strstr(buf, "\nbtime ");
	return p ? strtod(p + 7, NULL) : 0;
}

long proctable_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? hz : 100;
}
