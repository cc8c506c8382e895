/* libFuzzer: every parser of /proc text concmon owns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	struct proc_stat st;
	procparse_stat(buf, size, &st);
	procparse_stat_head(buf, size, &st);
	pid_t pids[64];
	procparse_pid_list(buf, size, pids, 64);
	procparse_cmdline(buf, size);
	free(buf);
	return 0;
}
