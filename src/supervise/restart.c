/* restart.c - see restart.h. */
#include "supervise/restart.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define RESTART_MAX_LIMIT 1000000u

static const char *const policy_names[] = {
	[RESTART_NEVER] = "never", [RESTART_ON_FAILURE] = "on-failure", [RESTART_ALWAYS] = "always",
};
#define POLICY_COUNT (sizeof policy_names / sizeof policy_names[0])

const char *restart_policy_name(enum restart_policy p)
{
	return (size_t)p < POLICY_COUNT ? policy_names[p] : "?";
}

/* ":MAX" after the name: digits only, 1 to RESTART_MAX_LIMIT. */
static int parse_max(const char *s, unsigned *out)
{
	unsigned long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > RESTART_MAX_LIMIT)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < 1 || v > RESTART_MAX_LIMIT)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int restart_parse(const char *text, struct restart_spec *out, char *err, size_t errlen)
{
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	for (size_t i = 0; i < POLICY_COUNT; i++) {
		if (strlen(policy_names[i]) != len || memcmp(policy_names[i], text, len) != 0)
			continue;
		struct restart_spec s = { (enum restart_policy)i, 0 };
		if (colon && parse_max(colon + 1, &s.max) < 0)
			return util_fail(-1, err, errlen, "invalid restart limit '%s' in '%s': expected "
					 "a whole number from 1 to %u", colon + 1, text, RESTART_MAX_LIMIT);
		if (colon && s.policy == RESTART_NEVER)
			return util_fail(-1, err, errlen, "invalid restart policy '%s': never takes no limit",
					 text);
		*out = s;
		return 0;
	}
	return util_fail(-1, err, errlen, "invalid restart policy '%s': expected never, on-failure "
			 "or always, with an optional :MAX (e.g. on-failure:5)", text);
}

int restart_prefix(const char **line, struct restart_spec *out, char *err, size_t errlen)
{
	static const char prefix[] = "--restart=";
	if (strncmp(*line, prefix, sizeof prefix - 1) != 0)
		return 0;
	const char *v = *line + sizeof prefix - 1, *end = v + strcspn(v, " \t");
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)(end - v), v);
	if (restart_parse(word, out, err, errlen) < 0)
		return -1;
	*line = end + strspn(end, " \t");
	return 1;
}

/* The wait before restart number streak + 1 of a quick series: 1, 2, 4...
 * seconds up to the ceiling. */
static double backoff(unsigned streak)
{
	double d = RESTART_BACKOFF_FIRST;
	for (unsigned i = 0; i < streak && d < RESTART_BACKOFF_MAX; i++)
		d *= 2;
	return d < RESTART_BACKOFF_MAX ? d : RESTART_BACKOFF_MAX;
}

struct restart_decision restart_decide(const struct restart_spec *s, int code, int sig,
				       bool by_user, unsigned restarts, unsigned streak, double ran)
{
	struct restart_decision d = { .streak = streak };
	bool failed = sig != 0 || code != 0;
	bool wanted = !by_user && (s->policy == RESTART_ALWAYS ||
				   (s->policy == RESTART_ON_FAILURE && failed));
	if (!wanted)
		return d;
	if (s->max && restarts >= s->max) {
		d.given_up = true;
		return d;
	}
	unsigned from = ran >= RESTART_STABLE ? 0 : streak;
	d.restart = true;
	d.delay = backoff(from);
	d.streak = from + 1;
	return d;
}
