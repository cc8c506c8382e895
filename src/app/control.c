/* control.c - see control.h. */
#include "app/control.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/sigtable.h"

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Copies the next word into w (size cap); returns the text after it, or NULL
 * when there is no word or it does not fit. */
static const char *word(const char *p, char *w, size_t cap)
{
	p = skip_space(p);
	size_t n = 0;
	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	if (!n || n >= cap)
		return NULL;
	memcpy(w, p, n);
	w[n] = '\0';
	return p + n;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int fail(char *err, size_t errlen, const char *what, const char *line)
{
	snprintf(err, errlen, "%s: '%.60s'", what, line);
	return -1;
}

/* The PID word that every command but launch and demo starts with. */
static const char *take_pid(const char *p, struct control_cmd *out)
{
	char w[32];
	long v;
	p = word(p, w, sizeof w);
	if (!p || parse_long(w, 1, INT_MAX, &v) < 0)
		return NULL;
	out->pid = (pid_t)v;
	return p;
}

static int parse_args(const char *p, struct control_cmd *c, const char *line, char *err, size_t errlen)
{
	char w[64];
	switch (c->op) {
	case CONTROL_KNOB:
		if (!(p = take_pid(p, c)) || !(p = word(p, c->name, sizeof c->name)) ||
		    !(p = word(p, w, sizeof w)) || parse_long(w, LONG_MIN, LONG_MAX, &c->value) < 0)
			return fail(err, errlen, "usage: knob PID NAME VALUE", line);
		break;
	case CONTROL_SIGNAL:
		if (!(p = take_pid(p, c)) || !(p = word(p, w, sizeof w)) || (c->sig = sigtable_parse(w)) < 0)
			return fail(err, errlen, "usage: signal PID SIGNAL", line);
		break;
	case CONTROL_TERMINATE:
		if (!(p = take_pid(p, c)))
			return fail(err, errlen, "usage: terminate PID", line);
		break;
	default: /* launch, demo: the rest of the line */
		c->rest = skip_space(p);
		if (!*c->rest)
			return fail(err, errlen, "nothing to launch", line);
		return 0;
	}
	if (*skip_space(p))
		return fail(err, errlen, "unexpected words after the command", line);
	return 0;
}

int control_parse(const char *line, struct control_cmd *out, char *err, size_t errlen)
{
	static const struct {
		const char *word;
		enum control_op op;
	} ops[] = {
		{ "knob", CONTROL_KNOB }, { "signal", CONTROL_SIGNAL }, { "terminate", CONTROL_TERMINATE },
		{ "launch", CONTROL_LAUNCH }, { "demo", CONTROL_DEMO },
	};
	memset(out, 0, sizeof *out);
	const char *p = skip_space(line);
	if (!*p || *p == '#')
		return 0;
	char w[16];
	const char *rest = word(p, w, sizeof w);
	for (size_t i = 0; rest && i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(w, ops[i].word) == 0) {
			out->op = ops[i].op;
			return parse_args(rest, out, line, err, errlen);
		}
	}
	return fail(err, errlen, "unknown command (knob, signal, terminate, launch, demo)", line);
}
