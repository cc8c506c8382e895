/* sysmeter_cost [ITERS] - CPU cost of one sysmeter_read (the system meters
 * through libproc2: /proc/stat per core, /proc/meminfo, load average,
 * uptime, sysinfo), and the baseline measured in the same run: the least a
 * hand-written reader does for the same numbers, reading the four files
 * with read(2) and parsing the fields the meters use. The two alternate in
 * blocks, so a noisy neighbour hits both. Prints one line:
 *   sysmeter_cost: iters N cpus C sysmeter U us bare B us ratio R */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "kernel/sysmeter.h"
#include "median.h"
#include "util/util.h"

#define BLOCKS 9

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The cpu lines' eight counters, summed so the work is not optimised away. */
static unsigned long long bare_stat(char *buf, size_t len)
{
	unsigned long long sum = 0;
	if (util_read_file("/proc/stat", buf, len) <= 0)
		return 0;
	/* The cpu lines come first; the rest (intr, ctxt...) is not parsed. */
	for (char *p = buf; strncmp(p, "cpu", 3) == 0;) {
		char *q = strchr(p, ' ');
		for (int i = 0; q && i < 8; i++)
			sum += strtoull(q, &q, 10);
		p = q ? strchr(q, '\n') : NULL;
		if (!p)
			break;
		p++;
	}
	return sum;
}

static unsigned long long bare_meminfo(char *buf, size_t len)
{
	static const char *const keys[] = { "MemTotal:", "MemAvailable:", "Buffers:", "Cached:",
					    "SReclaimable:", "SwapTotal:", "SwapFree:" };
	unsigned long long sum = 0;
	if (util_read_file("/proc/meminfo", buf, len) <= 0)
		return 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0)
				sum += strtoull(p + strlen(keys[k]), NULL, 10);
	return sum;
}

static double bare_read(void)
{
	static char buf[65536];
	double l[3] = { 0 }, up = 0;
	struct sysinfo si;
	unsigned long long s = bare_stat(buf, sizeof buf) + bare_meminfo(buf, sizeof buf);
	if (util_read_file("/proc/loadavg", buf, sizeof buf) > 0)
		sscanf(buf, "%lf %lf %lf", &l[0], &l[1], &l[2]);
	if (util_read_file("/proc/uptime", buf, sizeof buf) > 0)
		sscanf(buf, "%lf", &up);
	sysinfo(&si);
	return (double)s + l[0] + up + (double)si.procs;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 2000;
	if (iters < BLOCKS)
		iters = BLOCKS;
	struct sysmeter *m = sysmeter_new();
	const struct sysmeter_reading *r = sysmeter_read(m);
	volatile double sink = bare_read();
	double meter[BLOCKS], bare[BLOCKS], ratio[BLOCKS];
	int per = iters / BLOCKS;
	for (int b = 0; b < BLOCKS; b++) {
		double t0 = cpu_now();
		for (int i = 0; i < per; i++)
			r = sysmeter_read(m);
		double t1 = cpu_now();
		for (int i = 0; i < per; i++)
			sink = sink + bare_read();
		double t2 = cpu_now();
		meter[b] = (t1 - t0) / per * 1e6;
		bare[b] = (t2 - t1) / per * 1e6;
		ratio[b] = bare[b] > 0 ? meter[b] / bare[b] : 0;
	}
	printf("sysmeter_cost: iters %d cpus %zu sysmeter %.2f us bare %.2f us ratio %.2f\n",
	       per * BLOCKS, r->ncpus, median(meter, BLOCKS), median(bare, BLOCKS),
	       median(ratio, BLOCKS));
	int rc = r->cpu_known && r->mem_known ? 0 : 1;
	sysmeter_free(m);
	return rc;
}
