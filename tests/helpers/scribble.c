/* scribble - a hostile program for the telemetry reader: maps the segment
 * concmon hands it (CONCMON_TELEMETRY_FD) and overwrites it with random
 * bytes, over and over, until killed. Every other round keeps the header
 * valid, so the reader gets past it into random records and counts. Writes
 * "scribbling" on stdout once it has started; exits 1 without a segment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "concmon/telemetry_format.h"

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	const char *env = getenv(CM_TELEMETRY_ENV);
	struct stat st;
	if (!env || fstat(atoi(env), &st) < 0 || st.st_size < (off_t)sizeof(struct cm_header)) {
		fprintf(stderr, "scribble: no telemetry segment in %s\n", CM_TELEMETRY_ENV);
		return 1;
	}
	size_t len = (size_t)st.st_size;
	unsigned char *seg = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, atoi(env), 0);
	if (seg == MAP_FAILED) {
		perror("scribble: mmap");
		return 1;
	}
	struct cm_header hdr;
	memcpy(&hdr, seg, sizeof hdr);
	printf("scribbling\n");
	fflush(stdout);
	uint64_t s = (uint64_t)time(NULL) | 1;
	for (unsigned round = 0;; round++) {
		for (size_t i = 0; i + 8 <= len; i += 8) {
			uint64_t v = next(&s);
			/* Small numbers too: counts and indexes that almost fit. */
			if (v % 4 == 0)
				v %= 300;
			memcpy(seg + i, &v, 8);
		}
		if (round % 2)
			memcpy(seg, &hdr, sizeof hdr);
		struct timespec ts = { 0, 200 * 1000 };
		nanosleep(&ts, NULL);
	}
}
