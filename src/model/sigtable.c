/* sigtable.c - the signals a user can send, each with what it means and does. */
#include "model/sigtable.h"

#include <signal.h>
#include <stdbool.h>

/* In signal-number order (x86_64 numbering; the test checks the order). */
static const struct sigdesc sig_table[] = {
	{ SIGHUP, "HUP", "hangup: the terminal went away; daemons often reload their config" },
	{ SIGINT, "INT", "interrupt: what Ctrl-C sends; terminates unless caught" },
	{ SIGQUIT, "QUIT", "quit: what Ctrl-\\ sends; terminates with a core dump" },
	{ SIGILL, "ILL", "illegal instruction: the CPU could not run an instruction; core dump" },
	{ SIGTRAP, "TRAP", "trace/breakpoint trap, used by debuggers; core dump" },
	{ SIGABRT, "ABRT", "abort: the program called abort(), e.g. a failed assert; core dump" },
	{ SIGBUS, "BUS", "bus error: bad memory access, e.g. past the end of a mapped file; core dump" },
	{ SIGFPE, "FPE", "arithmetic error, e.g. integer division by zero; core dump" },
	{ SIGKILL, "KILL", "kill: ends the process at once; cannot be caught, blocked or ignored" },
	{ SIGUSR1, "USR1", "user signal 1: means whatever the program decides (default: terminate)" },
	{ SIGSEGV, "SEGV", "segmentation fault: access to memory it does not own; core dump" },
	{ SIGUSR2, "USR2", "user signal 2: means whatever the program decides (default: terminate)" },
	{ SIGPIPE, "PIPE", "broken pipe: wrote to a pipe or socket nobody reads; terminates" },
	{ SIGALRM, "ALRM", "alarm clock: a timer set with alarm() expired; terminates" },
	{ SIGTERM, "TERM", "terminate: polite request to exit; can be caught or ignored" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "STKFLT", "coprocessor stack fault: unused on Linux today; terminates" },
#endif
	{ SIGCHLD, "CHLD", "a child stopped, continued or exited (default: ignored)" },
	{ SIGCONT, "CONT", "continue a stopped process (ignored if it is running)" },
	{ SIGSTOP, "STOP", "stop (pause) the process; cannot be caught, blocked or ignored" },
	{ SIGTSTP, "TSTP", "terminal stop: what Ctrl-Z sends; pauses, but can be caught" },
	{ SIGTTIN, "TTIN", "a background process read from its terminal; stops it" },
	{ SIGTTOU, "TTOU", "a background process wrote to its terminal (stty tostop); stops it" },
	{ SIGURG, "URG", "urgent (out-of-band) data arrived on a socket (default: ignored)" },
	{ SIGXCPU, "XCPU", "CPU time limit (ulimit -t) exceeded; core dump" },
	{ SIGXFSZ, "XFSZ", "file size limit (ulimit -f) exceeded; core dump" },
	{ SIGVTALRM, "VTALRM", "virtual timer (CPU time of the process) expired; terminates" },
	{ SIGPROF, "PROF", "profiling timer expired; terminates" },
	{ SIGWINCH, "WINCH", "the terminal window changed size (default: ignored)" },
	{ SIGIO, "IO", "I/O is possible on a file descriptor (async I/O); terminates" },
#ifdef SIGPWR
	{ SIGPWR, "PWR", "power failure reported by the system; terminates" },
#endif
	{ SIGSYS, "SYS", "bad system call, e.g. one forbidden by seccomp; core dump" },
};

#define SIG_COUNT (sizeof(sig_table) / sizeof(sig_table[0]))

/* Other names the same signals go by. */
static const struct {
	const char *name;
	int signo;
} sig_alias[] = {
	{ "IOT", SIGABRT },
	{ "CLD", SIGCHLD },
	{ "POLL", SIGIO },
};

const struct sigdesc *sigtable(size_t *n)
{
	if (n)
		*n = SIG_COUNT;
	return sig_table;
}

const struct sigdesc *sigtable_find(int signo)
{
	for (size_t i = 0; i < SIG_COUNT; i++)
		if (sig_table[i].signo == signo)
			return &sig_table[i];
	return NULL;
}

/* ASCII only: strcasecmp would follow the locale (Turkish dotless i). */
static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool name_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_upper(*a) != ascii_upper(*b))
			return false;
	return *a == *b;
}

/* "15" -> 15 when it is in the table; anything else but digits -> -1. */
static int parse_number(const char *s)
{
	int v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > 1000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return sigtable_find(v) ? v : -1;
}

int sigtable_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (*s >= '0' && *s <= '9')
		return parse_number(s);
	if (ascii_upper(s[0]) == 'S' && ascii_upper(s[1]) == 'I' && ascii_upper(s[2]) == 'G' &&
	    s[3] != '\0')
		s += 3;
	for (size_t i = 0; i < SIG_COUNT; i++)
		if (name_equal(s, sig_table[i].name))
			return sig_table[i].signo;
	for (size_t i = 0; i < sizeof(sig_alias) / sizeof(sig_alias[0]); i++)
		if (name_equal(s, sig_alias[i].name))
			return sig_alias[i].signo;
	return -1;
}
