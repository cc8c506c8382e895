/* libFuzzer: JSON string escaping, the terminal sanitizer, batch commands and
 * the demo listing: all take bytes from programs or scripts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/control.h"
#include "report/report.h"
#include "supervise/demolist.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sanitized(const char *s)
{
	size_t cap = strlen(s) * 4 + 1;
	char *out = malloc(cap);
	escape_text(s, out, cap);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort(); /* a control byte reached the terminal */
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	FILE *null = fopen("/dev/null", "w");
	escape_json_string(null, s);
	fclose(null);
	check_sanitized(s);
	struct control_cmd c;
	char err[128];
	control_parse(s, &c, err, sizeof err);
	struct demo_info d[8];
	demolist_parse((const char *)data, size, d, 8);
	free(s);
	return 0;
}
