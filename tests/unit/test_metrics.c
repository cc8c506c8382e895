/* Unit tests for the /metrics text: HELP and TYPE before every family,
 * label escaping and bounds, names that never carry a PID or a command
 * line, series that never repeat, counters across scrapes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/metrics.h"
#include "model/events.h"

static char *label(const char *s, size_t max)
{
	char *out = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&out, &size);
	metrics_put_label(fp, s, max);
	fclose(fp);
	return out;
}

static void test_label_escaping(void **state)
{
	(void)state;
	char *s = label("a\"b\\c\nd", 64);
	assert_string_equal(s, "a\\\"b\\\\c\\nd");
	free(s);
	s = label("tab\there\x1b[31m\x7f", 64);          /* control characters */
	assert_string_equal(s, "tab?here?[31m?");
	free(s);
	s = label("bad\xff\xc3(utf8", 64);                /* invalid UTF-8 */
	assert_string_equal(s, "bad?" "?(utf8");
	free(s);
	s = label("caf\xc3\xa9", 4);                      /* never half a character */
	assert_string_equal(s, "caf");
	free(s);
	s = label("caf\xc3\xa9", 5);
	assert_string_equal(s, "caf\xc3\xa9");
	free(s);
}

static void test_program_label(void **state)
{
	(void)state;
	char buf[METRICS_LABEL_MAX + 1];
	char *argv[] = { "/usr/bin/python3", "-c", "password=hunter2", NULL };
	metrics_program_label(argv, NULL, NULL, buf, sizeof buf);
	assert_string_equal(buf, "python3");
	metrics_program_label(NULL, "--trace ./bin/server --token=s3cret", NULL, buf, sizeof buf);
	assert_string_equal(buf, "server");
	metrics_program_label(NULL, NULL, "pool-cpu,workers=4", buf, sizeof buf);
	assert_string_equal(buf, "pool-cpu");
	/* An environment assignment typed before the command is no label. */
	metrics_program_label(NULL, "API_KEY=s3cret ./server", NULL, buf, sizeof buf);
	assert_null(strstr(buf, "s3cret"));
	assert_string_equal(buf, "?");
	char longname[300];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	char *argv2[] = { longname, NULL };
	metrics_program_label(argv2, NULL, NULL, buf, sizeof buf);
	assert_int_equal(strlen(buf), METRICS_LABEL_MAX);
}

/* Every sample's family has HELP then TYPE before it, each once; no
 * sample (name and labels) appears twice. */
static void check_format(const char *text)
{
	char **seen = calloc(4096, sizeof *seen);
	size_t nseen = 0;
	char help[128] = "", type[128] = "";
	char *copy = strdup(text);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%127s", help);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			sscanf(line + 7, "%127s", type);
			assert_string_equal(type, help);
			char kind[16];
			sscanf(line + 7 + strlen(type), "%15s", kind);
			assert_true(strcmp(kind, "gauge") == 0 || strcmp(kind, "counter") == 0);
			continue;
		}
		size_t name = strcspn(line, "{ ");
		assert_int_equal(name, strlen(type));
		assert_memory_equal(line, type, name);
		size_t key = strcspn(line, " ");
		if (line[name] == '{')
			key = strstr(line, "} ") - line + 1;
		for (size_t i = 0; i < nseen; i++)
			assert_false(strlen(seen[i]) == key && memcmp(seen[i], line, key) == 0);
		assert_true(nseen < 4096);
		seen[nseen++] = strndup(line, key);
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(copy);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Programs p[0..n) called name<i> (or all the same demo when same). */
static struct program *programs(size_t n, bool same)
{
	struct program *p = calloc(n, sizeof *p);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "/opt/prog%zu --api-key=TOPSECRET%zu", i, i);
		p[i].pid = (pid_t)(31337 + i);
		p[i].name = strdup(name);
		p[i].demo = same ? strdup("pipeline-threads") : NULL;
		p[i].snap = calloc(1, sizeof *p[i].snap);
	}
	return p;
}

static void free_programs(struct program *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].demo);
		free(p[i].snap);
	}
	free(p);
}

static char *render(struct metrics *m, const struct task *t, size_t nt,
		    const struct program *p, size_t np)
{
	struct metrics_input in = { .tasks = t, .ntasks = nt, .progs = p, .nprogs = np,
				    .deadlocks = 1, .version = "9.9\"x" };
	size_t len;
	char *text = metrics_render(m, &in, &len);
	assert_int_equal(len, strlen(text));
	check_format(text);
	return text;
}

static void test_tasks_and_programs(void **state)
{
	(void)state;
	struct metrics *m = metrics_new();
	struct program *p = programs(1, false);
	struct task t[] = {
		{ .tid = 31337, .pid = 31337, .ppid = 1, .state = 'S', .supervised = true,
		  .launched = true, .cpu = 50.0, .rss_kb = 100, .threads = 2 },
		{ .tid = 31338, .pid = 31338, .ppid = 31337, .state = 'Z', .supervised = true },
		{ .tid = 31339, .pid = 31339, .ppid = 31337, .state = 'R', .supervised = true,
		  .orphan = true, .cpu = 25.0, .rss_kb = 10, .threads = 1 },
		{ .tid = 7000, .pid = 7000, .ppid = 1, .state = 'R' },   /* not ours */
	};
	char *text = render(m, t, 4, p, 1);
	assert_non_null(strstr(text, "concmon_zombies 1\n"));
	assert_non_null(strstr(text, "concmon_orphans 1\n"));
	assert_non_null(strstr(text, "concmon_tasks{state=\"R\"} 1\n"));
	assert_non_null(strstr(text, "concmon_deadlocks 1\n"));
	assert_non_null(strstr(text, "concmon_build_info{version=\"9.9\\\"x\"} 1\n"));
	assert_non_null(strstr(text, "concmon_program_processes{program=\"prog0\"} 3\n"));
	assert_non_null(strstr(text, "concmon_program_cpu_cores{program=\"prog0\"} 0.750000\n"));
	assert_non_null(strstr(text, "concmon_program_resident_memory_bytes{program=\"prog0\"} 112640\n"));
	assert_null(strstr(text, "TOPSECRET"));
	assert_null(strstr(text, "3133"));   /* no PID */
	free(text);
	free_programs(p, 1);
	metrics_free(m);
}

static void test_programs_bounded(void **state)
{
	(void)state;
	struct metrics *m = metrics_new();
	size_t n = METRICS_MAX_PROGRAMS + 36;
	struct program *p = programs(n, false);
	char *text = render(m, NULL, 0, p, n);
	assert_int_equal(count(text, "concmon_program_threads{"), METRICS_MAX_PROGRAMS + 1);
	assert_non_null(strstr(text, "concmon_program_threads{program=\"other\"} 0\n"));
	assert_null(strstr(text, "TOPSECRET"));
	free(text);
	free_programs(p, n);
	metrics_free(m);
}

static void test_queues_and_locks(void **state)
{
	(void)state;
	struct metrics *m = metrics_new();
	size_t n = 4;
	struct program *p = programs(n, false);
	for (size_t i = 0; i < n; i++) {
		struct telemetry_snapshot *s = p[i].snap;
		s->n_queues = TEL_MAX_QUEUES;
		for (size_t k = 0; k < s->n_queues; k++) {
			snprintf(s->queues[k].name, sizeof s->queues[k].name, "q%zu", k);
			s->queues[k].depth = 1;
		}
		s->n_locks = 3;
		snprintf(s->locks[0].name, sizeof s->locks[0].name, "fork \"left\"");
		s->locks[0].contended = 7;
		s->locks[0].wait_ns_total = 1500000000;
		snprintf(s->locks[1].name, sizeof s->locks[1].name, "fork \"left\"");  /* adds up */
		s->locks[1].contended = 1;
		s->locks[2].source = TEL_INFERRED;  /* no counters from outside */
		snprintf(s->locks[2].name, sizeof s->locks[2].name, "futex");
	}
	char *text = render(m, NULL, 0, p, n);
	size_t q = count(text, "\nconcmon_queue_depth{");
	assert_true(q <= METRICS_MAX_SERIES + n);
	assert_true(q > METRICS_MAX_SERIES);
	assert_non_null(strstr(text, "concmon_queue_depth{program=\"prog3\",queue=\"other\",source=\"probe\"}"));
	assert_non_null(strstr(text, "concmon_lock_contended_total{program=\"prog0\","
				     "lock=\"fork \\\"left\\\"\",source=\"probe\"} 8\n"));
	assert_non_null(strstr(text, "concmon_lock_wait_seconds_total{program=\"prog1\","
				     "lock=\"fork \\\"left\\\"\",source=\"probe\"} 1.500000\n"));
	assert_null(strstr(text, "futex"));
	free(text);
	free_programs(p, n);

	/* Two programs of one name: one series each, summed. */
	p = programs(2, true);
	for (size_t i = 0; i < 2; i++) {
		p[i].snap->n_queues = 1;
		snprintf(p[i].snap->queues[0].name, CM_NAME_MAX, "belt");
		p[i].snap->queues[0].depth = 3;
	}
	text = render(m, NULL, 0, p, 2);
	assert_non_null(strstr(text, "concmon_queue_depth{program=\"pipeline-threads\",queue=\"belt\","
				     "source=\"probe\"} 6\n"));
	free(text);
	free_programs(p, 2);
	metrics_free(m);
}

static void test_counters(void **state)
{
	(void)state;
	struct metrics *m = metrics_new();
	struct events *ev = events_new(8);
	struct program *p = programs(1, false);
	for (int i = 0; i < 3; i++)
		events_add(ev, (struct event){ .kind = EV_ZOMBIE, .pid = 10 + i });
	metrics_observe(m, ev);
	events_add(ev, (struct event){ .kind = EV_KILLED, .pid = 9 });
	metrics_observe(m, ev);
	metrics_observe(m, ev);             /* nothing new: nothing counted twice */
	metrics_note_exit(m, &p[0], 9);
	metrics_note_exit(m, &p[0], 0);
	metrics_note_exit(m, &p[0], 0);
	char *argv[] = { "/opt/prog0", "--api-key=TOPSECRET", NULL };
	metrics_note_restart(m, argv, NULL, NULL);
	char *text = render(m, NULL, 0, p, 1);
	assert_non_null(strstr(text, "concmon_events_total{kind=\"zombie\"} 3\n"));
	assert_non_null(strstr(text, "concmon_events_total{kind=\"killed\"} 1\n"));
	assert_non_null(strstr(text, "concmon_program_exits_total{program=\"prog0\",cause=\"signal\"} 1\n"));
	assert_non_null(strstr(text, "concmon_program_exits_total{program=\"prog0\",cause=\"code\"} 2\n"));
	assert_non_null(strstr(text, "concmon_program_restarts_total{program=\"prog0\"} 1\n"));
	assert_null(strstr(text, "TOPSECRET"));
	free(text);
	free_programs(p, 1);
	events_free(ev);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_program_label),
		cmocka_unit_test(test_tasks_and_programs),
		cmocka_unit_test(test_programs_bounded),
		cmocka_unit_test(test_queues_and_locks),
		cmocka_unit_test(test_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
