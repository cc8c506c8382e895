/* main.c - concmon-demo: command line, knobs from key=value, then the demo. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

#define EXIT_USAGE 2

static void print_list(void)
{
	size_t n;
	const struct demo_def *d = demo_table(&n);

	/* The fourth field, the knobs as name=default:min..max ('*' after one
	 * read only at start), "-" for none, lets concmon's menu set them. */
	for (size_t i = 0; i < n; i++) {
		printf("%s\t%s\t%s\t", d[i].name, d[i].group, d[i].desc);
		for (int k = 0; k < DEMO_KNOBS_MAX && d[i].knobs[k].name; k++) {
			const struct demo_knob_def *kd = &d[i].knobs[k];
			printf("%s%s=%ld:%ld..%ld%s", k ? "," : "", kd->name, kd->value, kd->min,
			       kd->max, kd->at_start ? "*" : "");
		}
		printf("%s\n", d[i].knobs[0].name ? "" : "-");
	}
}

static void print_knobs(FILE *f, const struct demo_def *d)
{
	for (int k = 0; k < DEMO_KNOBS_MAX && d->knobs[k].name; k++) {
		const struct demo_knob_def *kd = &d->knobs[k];

		fprintf(f, "      %s=%ld  (%ld..%ld) %s%s\n", kd->name, kd->value, kd->min,
			kd->max, kd->help, kd->at_start ? " (read at start)" : "");
	}
}

static void print_help(void)
{
	size_t n;
	const struct demo_def *d = demo_table(&n);

	printf("usage: concmon-demo NAME [key=value...]\n"
	       "       concmon-demo --list | --help\n\n"
	       "Runs one concurrency demo until SIGTERM or Ctrl-C (some end by themselves).\n"
	       "key=value sets the starting value of a knob; under concmon the knobs can be\n"
	       "changed while the demo runs. SIGUSR1 is the demo's \"key\" where it has one.\n\n"
	       "demos:\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %-22s %-11s %s%s\n", d[i].name, d[i].group, d[i].desc,
		       d[i].ends ? " (ends by itself)" : "");
		print_knobs(stdout, &d[i]);
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "concmon-demo: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(concmon-demo --help lists the demos and their knobs)\n");
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return *s && !*end && errno == 0;
}

/* Fills values[] from the defaults and key=value arguments; 0 or an exit status. */
static int parse_knobs(const struct demo_def *d, int argc, char **argv, long *values)
{
	for (int k = 0; k < DEMO_KNOBS_MAX && d->knobs[k].name; k++)
		values[k] = d->knobs[k].value;
	for (int i = 0; i < argc; i++) {
		char key[64];
		const char *eq = strchr(argv[i], '=');
		const struct demo_knob_def *kd;
		long v;

		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof key)
			return usage_error("expected key=value, got '%s'", argv[i]);
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		kd = demo_knob_def(d, key);
		if (!kd) {
			fprintf(stderr, "concmon-demo: %s has no knob '%s'; its knobs:\n", d->name, key);
			print_knobs(stderr, d);
			return EXIT_USAGE;
		}
		if (!parse_long(eq + 1, &v) || v < kd->min || v > kd->max) {
			fprintf(stderr, "concmon-demo: %s must be an integer from %ld to %ld, got '%s'\n",
				key, kd->min, kd->max, eq + 1);
			return EXIT_USAGE;
		}
		values[kd - d->knobs] = v;
	}
	return 0;
}

static int run_demo(const struct demo_def *d, const long *values)
{
	struct demo_ctx ctx = { .def = d };
	bool telemetry;

	setvbuf(stdout, NULL, _IOLBF, 0);
	demo_signals_init();
	telemetry = cm_init();
	printf("concmon-demo %s (pid %d): %s\n", d->name, (int)getpid(), d->desc);
	printf("knobs:");
	for (int k = 0; k < DEMO_KNOBS_MAX && d->knobs[k].name; k++) {
		ctx.knobs[k] = (d->knobs[k].at_start ? cm_knob_new_at_start : cm_knob_new)(
			d->knobs[k].name, values[k], d->knobs[k].min, d->knobs[k].max);
		printf(" %s=%ld", d->knobs[k].name, values[k]);
	}
	printf("%s\n", d->knobs[0].name ? "" : " none");
	printf("telemetry: %s; stop with Ctrl-C or SIGTERM\n",
	       telemetry ? "published to concmon" : "off (not started by concmon)");
	return d->run(&ctx);
}

int main(int argc, char **argv)
{
	const struct demo_def *d;
	long values[DEMO_KNOBS_MAX];
	int rc;

	if (argc < 2)
		return usage_error("%s", "no demo named");
	if (strcmp(argv[1], "--list") == 0 && argc == 2) {
		print_list();
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help();
		return 0;
	}
	if (argv[1][0] == '-')
		return usage_error("unknown option '%s'", argv[1]);
	d = demo_find(argv[1]);
	if (!d)
		return usage_error("no demo called '%s'", argv[1]);
	rc = parse_knobs(d, argc - 2, argv + 2, values);
	if (rc)
		return rc;
	return run_demo(d, values);
}
