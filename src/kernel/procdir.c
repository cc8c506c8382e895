/* procdir.c - see procdir.h. */
#include "kernel/procdir.h"

#include <dirent.h>
#include <unistd.h>

void procdir_start(struct procdir *it, int fd, char *buf, bool rewind)
{
	it->fd = fd;
	it->buf = buf;
	it->pos = it->end = 0;
	it->done = false;
	if (rewind)
		lseek(fd, 0, SEEK_SET);
}

long procdir_next(struct procdir *it)
{
	for (;;) {
		if (it->pos >= it->end) {
			if (it->done)
				return -1;
			ssize_t r = getdents64(it->fd, it->buf, PROCDIR_BUF);
			if (r <= 0)
				return -1;
			it->pos = 0;
			it->end = r;
			/* procfs fills the buffer until its listing ends: with room
			 * left for another entry, there is none; skip the getdents
			 * that would only say so (one syscall a directory). */
			it->done = (size_t)r + 2 * sizeof(struct dirent64) < PROCDIR_BUF;
		}
		struct dirent64 *de = (struct dirent64 *)(it->buf + it->pos);
		it->pos += de->d_reclen;
		long v = 0;
		const char *p = de->d_name;
		if (*p < '0' || *p > '9' || (*p == '0' && p[1]))
			continue;
		for (; *p >= '0' && *p <= '9' && v <= 0x7fffffff; p++)
			v = v * 10 + (*p - '0');
		if (!*p && v <= 0x7fffffff)
			return v;
	}
}
