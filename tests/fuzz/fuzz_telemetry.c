/* libFuzzer: validation of a telemetry segment written by an untrusted program. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/telemetry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct telemetry_snapshot snap;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	/* Mostly the real size with fuzzed content, sometimes fuzzed lengths too. */
	if (size >= sizeof(struct cm_segment) || size < 16) {
		telemetry_validate(data, size, &snap, err, sizeof err);
		return 0;
	}
	uint8_t *seg = calloc(1, sizeof(struct cm_segment));
	memcpy(seg, data, size);
	telemetry_validate(seg, sizeof(struct cm_segment), &snap, err, sizeof err);
	free(seg);
	return 0;
}
