/* cgroup.c - see cgroup.h. */
#include "kernel/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

struct cgroup {
	char path[PATH_MAX];
	int procs_fd;
};

/* The mount point of the cgroup2 hierarchy, from mountinfo. */
static int cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[4096];
	int rc = -1;
	while (rc < 0 && fgets(line, sizeof line, f)) {
		/* id parent major:minor root mountpoint options ... - fstype source ... */
		char mnt[PATH_MAX], fstype[64];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "cgroup2") == 0 && strlen(mnt) < len) {
			strcpy(out, mnt);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* Our own cgroup2 path ("0::/a/b" in /proc/self/cgroup). */
static int own_cgroup(char *out, size_t len)
{
	char buf[8192];
	if (util_read_file("/proc/self/cgroup", buf, sizeof buf) <= 0)
		return -1;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "0::", 3) == 0 && strlen(line + 3) < len) {
			strcpy(out, line + 3);
			return 0;
		}
	}
	return -1;
}

struct cgroup *cgroup_create(pid_t self, char *err, size_t errlen)
{
	char mnt[PATH_MAX], own[PATH_MAX];
	if (cgroup2_mount(mnt, sizeof mnt) < 0 || own_cgroup(own, sizeof own) < 0) {
		snprintf(err, errlen, "no cgroup2 hierarchy");
		return NULL;
	}
	struct cgroup *cg = xcalloc(1, sizeof *cg);
	int n = snprintf(cg->path, sizeof cg->path, "%s%s/concmon-%d", mnt,
			 strcmp(own, "/") == 0 ? "" : own, (int)self);
	if (n < 0 || (size_t)n >= sizeof cg->path || mkdir(cg->path, 0700) < 0) {
		snprintf(err, errlen, "cgroup %s: %s", cg->path, strerror(errno));
		free(cg);
		return NULL;
	}
	char procs[PATH_MAX + 16];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", cg->path);
	cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (cg->procs_fd < 0) {
		snprintf(err, errlen, "cgroup %s: %s", procs, strerror(errno));
		rmdir(cg->path);
		free(cg);
		return NULL;
	}
	return cg;
}

int cgroup_procs_fd(const struct cgroup *cg) { return cg->procs_fd; }
const char *cgroup_path(const struct cgroup *cg) { return cg->path; }

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int rc = write(fd, text, strlen(text)) < 0 ? errno : 0;
	close(fd);
	return rc;
}

int cgroup_kill(const struct cgroup *cg)
{
	return write_file(cg->path, "cgroup.kill", "1");
}

static bool empty_path(const char *dir)
{
	char path[PATH_MAX + 32], buf[4096];
	snprintf(path, sizeof path, "%s/cgroup.events", dir);
	if (util_read_file(path, buf, sizeof buf) <= 0)
		return true; /* gone already */
	return strstr(buf, "populated 0") != NULL;
}

bool cgroup_empty(const struct cgroup *cg) { return empty_path(cg->path); }

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	close(cg->procs_fd);
	rmdir(cg->path);
	free(cg);
}

void cgroup_kill_path(const char *path, double timeout)
{
	write_file(path, "cgroup.kill", "1");
	double until = util_now() + timeout;
	while (!empty_path(path) && util_now() < until) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	rmdir(path);
}
