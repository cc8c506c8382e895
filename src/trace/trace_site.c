/* trace_site.c - see trace_site.h. */
#include "trace_site.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void trace_site_format(char *out, size_t len, const char *sym, const char *file, uintptr_t off)
{
	if (!len)
		return;
	const char *name = sym && *sym ? sym : NULL;
	if (!name) {
		const char *slash = file ? strrchr(file, '/') : NULL;
		name = slash ? slash + 1 : file;
		if (!name || !*name)
			name = "?";
	}
	char tail[24];
	int n = snprintf(tail, sizeof tail, "+0x%llx", (unsigned long long)off);
	size_t room = len - 1 > (size_t)n ? len - 1 - (size_t)n : 0;
	size_t keep = strlen(name) < room ? strlen(name) : room;
	snprintf(out, len, "%.*s%s", (int)keep, name, tail);
}

void trace_site_name(char *out, size_t len, uintptr_t site)
{
	Dl_info info;
	if (!site || !dladdr((void *)site, &info)) {
		trace_site_format(out, len, NULL, "?", site);
		return;
	}
	/* The return address, as a backtrace shows it. */
	uintptr_t at = site;
	if (info.dli_sname && info.dli_saddr) {
		trace_site_format(out, len, info.dli_sname, NULL, at - (uintptr_t)info.dli_saddr);
		return;
	}
	const char *file = info.dli_fname;
	if (!file || !*file)
		file = program_invocation_short_name;
	trace_site_format(out, len, NULL, file, at - (uintptr_t)info.dli_fbase);
}
