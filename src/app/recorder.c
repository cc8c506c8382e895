/* recorder.c - see recorder.h. */
#include "app/recorder.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

int recorder_start(struct record **rec, const char *path, bool all, const char *containment,
		   char *msg, size_t len)
{
	char name[64], err[512];
	if (!path) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(name, sizeof name, "concmon-%Y%m%d-%H%M%S.rec", &tm);
		path = name;
	}
	*rec = record_open(path, all, containment, err, sizeof err);
	if (!*rec)
		return util_fail(EIO, msg, len, "cannot record: %s", err);
	snprintf(msg, len, "recording to %s (W stops)", path);
	return 0;
}

int recorder_stop(struct record **rec, char *msg, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s", record_path(*rec));
	size_t frames = record_frames(*rec);
	unsigned long long bytes = (unsigned long long)record_bytes(*rec);
	int e = record_close(*rec);
	*rec = NULL;
	if (e)
		return util_fail(e, msg, len, "recording to %s ended badly: %s", path, strerror(e));
	snprintf(msg, len, "recorded %zu snapshots (%llu bytes) to %s: concmon --replay %s", frames,
		 bytes, path, path);
	return 0;
}

int recorder_frame(struct record **rec, double wall, const struct task *t, size_t n,
		   const struct events *ev,
		   const struct record_programs *pr, record_wait_fn *wait, const void *wait_ctx, char *msg,
		   size_t len)
{
	int e = record_frame(*rec, wall, t, n, ev, pr, wait, wait_ctx);
	if (!e)
		return 0;
	util_fail(e, msg, len, "recording to %s stopped: %s", record_path(*rec), strerror(e));
	record_close(*rec);
	*rec = NULL;
	return e;
}
