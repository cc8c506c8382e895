/* libFuzzer: the command line parser, argv made of the input's NUL-separated words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[66] = { "concmon" };
	int argc = 1;
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	struct options o;
	char err[256];
	if (options_parse(argc, argv, &o, err, sizeof err) == OPTIONS_OK && o.command)
		(void)strlen(o.command[0]);
	free(buf);
	return 0;
}
