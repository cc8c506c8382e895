/* bareread - the floor for a full refresh: a bare reader of every
 * /proc/PID/task/TID/stat, N times over. It lists the directories, reads
 * each file once and pulls out the fields a monitor shows (state, ppid,
 * CPU ticks, threads, start time, RSS), and nothing else: no cmdline, no
 * output, no state kept between refreshes.
 *
 * usage: bareread N    prints "tasks T" (tasks seen in the last pass) */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fields {
	char state;
	long ppid, threads, rss;
	unsigned long long ticks, start;
};

/* Field k (1-based, counted after the comm) as a number. */
static int parse(const char *buf, struct fields *f)
{
	const char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	f->state = *p;
	unsigned long long v[22];
	char *end;
	p++;
	/* fields 4..25 */
	for (int i = 0; i < 22; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	f->ppid = (long)v[0];
	f->ticks = v[10] + v[11];
	f->threads = (long)v[16];
	f->start = v[18];
	f->rss = (long)v[20];
	return 0;
}

static int numeric(const char *s)
{
	return s[0] >= '0' && s[0] <= '9';
}

/* One refresh; returns the tasks read, and folds their fields into *sum so
 * nothing is optimised away. */
static long pass(unsigned long long *sum)
{
	long tasks = 0;
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	struct dirent *pe;
	char path[96], buf[1024];
	while ((pe = readdir(proc))) {
		if (!numeric(pe->d_name))
			continue;
		snprintf(path, sizeof path, "/proc/%.16s/task", pe->d_name);
		DIR *task = opendir(path);
		if (!task)
			continue;
		struct dirent *te;
		while ((te = readdir(task))) {
			if (!numeric(te->d_name))
				continue;
			snprintf(path, sizeof path, "/proc/%.16s/task/%.16s/stat", pe->d_name, te->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			struct fields f;
			if (parse(buf, &f) == 0) {
				*sum += f.ticks + f.start + (unsigned long long)f.rss + (unsigned)f.state;
				tasks++;
			}
		}
		closedir(task);
	}
	closedir(proc);
	return tasks;
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
	if (n < 1) {
		fprintf(stderr, "usage: bareread N\n");
		return 2;
	}
	unsigned long long sum = 0;
	long tasks = 0;
	for (long i = 0; i < n; i++)
		tasks = pass(&sum);
	printf("tasks %ld checksum %llu\n", tasks, sum & 0xff);
	return tasks < 0;
}
