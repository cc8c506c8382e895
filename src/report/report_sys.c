/* report_sys.c - see report_sys.h. Percentages with one decimal, sizes in
 * kB as /proc/meminfo gives them: the reader computes what it needs. */
#include "report/report_sys.h"

#include <stdbool.h>

static void sys_json_cpu(FILE *fp, const struct sysmeter_cpu *c, bool with_id)
{
	fputc('{', fp);
	if (with_id)
		fprintf(fp, "\"id\":%d,", c->id);
	fprintf(fp, "\"user\":%.1f,\"system\":%.1f,\"iowait\":%.1f,\"steal\":%.1f,\"idle\":%.1f}",
		c->user, c->system, c->iowait, c->steal, c->idle);
}

static void sys_json_cpus(FILE *fp, const struct sysmeter_reading *r)
{
	if (!r->cpu_known) {
		fputs("\"cpu\":null", fp);
		return;
	}
	fputs("\"cpu\":{\"total\":", fp);
	sys_json_cpu(fp, &r->total, false);
	fputs(",\"cores\":[", fp);
	for (size_t i = 0; i < r->ncpus; i++) {
		if (i)
			fputc(',', fp);
		sys_json_cpu(fp, &r->cpus[i], true);
	}
	fputs("]}", fp);
}

void report_sys_json(FILE *fp, const struct sysmeter_reading *r)
{
	fputs(",\"system\":{", fp);
	sys_json_cpus(fp, r);
	if (r->mem_known)
		fprintf(fp, ",\"memory\":{\"total_kb\":%lu,\"used_kb\":%lu,\"available_kb\":%lu,"
			"\"buffers_cache_kb\":%lu},\"swap\":{\"total_kb\":%lu,\"used_kb\":%lu}",
			r->mem_total_kb, r->mem_used_kb, r->mem_available_kb,
			r->mem_buffers_cache_kb, r->swap_total_kb, r->swap_used_kb);
	else
		fputs(",\"memory\":null,\"swap\":null", fp);
	if (r->load_known)
		fprintf(fp, ",\"load\":[%.2f,%.2f,%.2f]", r->load[0], r->load[1], r->load[2]);
	else
		fputs(",\"load\":null", fp);
	if (r->uptime_known)
		fprintf(fp, ",\"uptime_s\":%.0f", r->uptime_s);
	else
		fputs(",\"uptime_s\":null", fp);
	if (r->tasks_known)
		fprintf(fp, ",\"tasks\":{\"total\":%lu,\"running\":%lu,\"blocked\":%lu}}",
			r->tasks_total, r->tasks_running, r->tasks_blocked);
	else
		fputs(",\"tasks\":null}", fp);
}

void report_sys_text(FILE *fp, const struct sysmeter_reading *r)
{
	fputs("system:", fp);
	if (r->cpu_known)
		fprintf(fp, " cpu %.1f%% (%zu cores)", sysmeter_busy(&r->total), r->ncpus);
	else
		fputs(" cpu ?", fp);
	if (r->mem_known)
		fprintf(fp, ", mem %lu/%lu MiB, swap %lu/%lu MiB", r->mem_used_kb / 1024,
			r->mem_total_kb / 1024, r->swap_used_kb / 1024, r->swap_total_kb / 1024);
	else
		fputs(", mem ?", fp);
	if (r->load_known)
		fprintf(fp, ", load %.2f %.2f %.2f", r->load[0], r->load[1], r->load[2]);
	else
		fputs(", load ?", fp);
	char up[48] = "?";
	if (r->uptime_known)
		sysmeter_uptime_text(r->uptime_s, up, sizeof up);
	fprintf(fp, ", uptime %s", up);
	if (r->tasks_known)
		fprintf(fp, ", tasks %lu, %lu running, %lu blocked\n", r->tasks_total,
			r->tasks_running, r->tasks_blocked);
	else
		fputs(", tasks ?\n", fp);
}
