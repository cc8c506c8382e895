/* libFuzzer: the concmonrc parser on any bytes; then every value it kept
 * must read back through its own text form unchanged (what config_save
 * writes is what the next start parses). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = config_new();
	char warn[512];
	int n = config_parse(c, (const char *)data, size, "fuzz", warn, sizeof warn);
	if ((n == 0) != (warn[0] == '\0'))
		abort();   /* problems and no message, or a message and none */
	for (size_t i = 0; i < config_count(); i++) {
		const char *name = config_info(i)->name;
		char a[4096], b[4096], err[256];
		if (!config_get(c, name, a, sizeof a) || config_set(c, name, a, err, sizeof err) < 0 ||
		    !config_get(c, name, b, sizeof b) || strcmp(a, b) != 0)
			abort();
	}
	config_free(c);
	return 0;
}
