/* procextra.c - the facts of the optional columns, one small file each,
 * read only when a shown column needs them (see procextra.h). */
#include "kernel/procextra.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/procparse.h"
#include "util/util.h"

struct user_name {
	uid_t uid;
	char *name;
};

struct procextra {
	struct user_name *users;   /* few distinct owners: a linear search */
	size_t nusers, cap;
};

struct procextra *procextra_new(void)
{
	return xcalloc(1, sizeof(struct procextra));
}

void procextra_free(struct procextra *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nusers; i++)
		free(x->users[i].name);
	free(x->users);
	free(x);
}

const char *procextra_user(struct procextra *x, uid_t uid)
{
	for (size_t i = 0; i < x->nusers; i++)
		if (x->users[i].uid == uid)
			return x->users[i].name;
	char buf[1024], digits[16];
	struct passwd pw, *found = NULL;
	const char *name = digits;
	snprintf(digits, sizeof digits, "%u", (unsigned)uid);
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name[0])
		name = found->pw_name;
	if (x->nusers == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->users = xrealloc(x->users, x->cap * sizeof *x->users);
	}
	x->users[x->nusers] = (struct user_name){ uid, xstrdup(name) };
	return x->users[x->nusers++].name;
}

/* dirfd/TID/name into buf (NUL-terminated); its length, or -1. */
static ssize_t read_small(int dirfd, pid_t tid, const char *name, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "%d/%s", (int)tid, name);
	ssize_t n = util_read_at(dirfd, path, buf, len - 1, false);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void read_wchan(int dirfd, pid_t tid, struct proc_extras *out)
{
	/* "0" while running or when the kernel hides it (kptr_restrict). */
	ssize_t n = read_small(dirfd, tid, "wchan", out->wchan, sizeof out->wchan);
	if (n <= 0 || strcmp(out->wchan, "0") == 0)
		out->wchan[0] = '\0';
	out->wchan[strcspn(out->wchan, "\n")] = '\0';
}

void procextra_read(struct procextra *x, int dirfd, pid_t tid, unsigned mask, long page_kb,
		    struct proc_extras *out)
{
	char buf[4096];
	ssize_t n;
	out->user = NULL;
	out->shr_kb = -1;
	out->io_known = false;
	out->wchan[0] = out->cgroup[0] = '\0';
	if (mask & PROC_EXTRA_USER) {
		struct stat st;
		char path[16];
		snprintf(path, sizeof path, "%d", (int)tid);
		if (fstatat(dirfd, path, &st, 0) == 0)
			out->user = procextra_user(x, st.st_uid);
	}
	if ((mask & PROC_EXTRA_SHR) && (n = read_small(dirfd, tid, "statm", buf, sizeof buf)) > 0) {
		long pages = procparse_statm_shared(buf, (size_t)n);
		out->shr_kb = pages >= 0 ? pages * page_kb : -1;
	}
	if ((mask & PROC_EXTRA_IO) && (n = read_small(dirfd, tid, "io", buf, sizeof buf)) > 0)
		out->io_known = procparse_io(buf, (size_t)n, &out->io_rchar, &out->io_wchar) == 0;
	if (mask & PROC_EXTRA_WCHAN)
		read_wchan(dirfd, tid, out);
	if ((mask & PROC_EXTRA_CGROUP) && (n = read_small(dirfd, tid, "cgroup", buf, sizeof buf)) > 0 &&
	    procparse_cgroup(buf, (size_t)n, out->cgroup, sizeof out->cgroup) < 0)
		out->cgroup[0] = '\0';
}
