/* syscall.c - see syscall.h. Numbers come from <sys/syscall.h>, so the
 * table is this architecture's; calls an architecture lacks drop out. */
#include "infer/syscall.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

static const struct syscall_info table[] = {
	{ .nr = SYS_futex, .cls = SC_FUTEX, .name = "futex" },
	{ .nr = SYS_nanosleep, .cls = SC_SLEEP, .name = "nanosleep" },
	{ .nr = SYS_clock_nanosleep, .cls = SC_CLOCK_SLEEP, .name = "clock_nanosleep" },
	{ .nr = SYS_wait4, .cls = SC_CHILD, .name = "wait4" },
	{ .nr = SYS_waitid, .cls = SC_CHILD, .name = "waitid" },
	{ .nr = SYS_epoll_pwait, .cls = SC_EPOLL, .name = "epoll_pwait" },
#ifdef SYS_epoll_wait
	{ .nr = SYS_epoll_wait, .cls = SC_EPOLL, .name = "epoll_wait" },
#endif
#ifdef SYS_epoll_pwait2
	{ .nr = SYS_epoll_pwait2, .cls = SC_EPOLL, .name = "epoll_pwait2" },
#endif
#ifdef SYS_poll
	{ .nr = SYS_poll, .cls = SC_POLL, .name = "poll" },
#endif
	{ .nr = SYS_ppoll, .cls = SC_POLL, .name = "ppoll" },
#ifdef SYS_select
	{ .nr = SYS_select, .cls = SC_SELECT, .name = "select" },
#endif
	{ .nr = SYS_pselect6, .cls = SC_SELECT, .name = "pselect6" },
	{ .nr = SYS_read, .cls = SC_READ, .name = "read" },
	{ .nr = SYS_readv, .cls = SC_READ, .name = "readv" },
	{ .nr = SYS_pread64, .cls = SC_READ, .name = "pread64" },
	{ .nr = SYS_recvfrom, .cls = SC_READ, .name = "recvfrom" },
	{ .nr = SYS_recvmsg, .cls = SC_READ, .name = "recvmsg" },
	{ .nr = SYS_recvmmsg, .cls = SC_READ, .name = "recvmmsg" },
	{ .nr = SYS_splice, .cls = SC_READ, .name = "splice" },
	{ .nr = SYS_write, .cls = SC_WRITE, .name = "write" },
	{ .nr = SYS_writev, .cls = SC_WRITE, .name = "writev" },
	{ .nr = SYS_pwrite64, .cls = SC_WRITE, .name = "pwrite64" },
	{ .nr = SYS_sendto, .cls = SC_WRITE, .name = "sendto" },
	{ .nr = SYS_sendmsg, .cls = SC_WRITE, .name = "sendmsg" },
	{ .nr = SYS_sendmmsg, .cls = SC_WRITE, .name = "sendmmsg" },
#ifdef SYS_accept
	{ .nr = SYS_accept, .cls = SC_ACCEPT, .name = "accept" },
#endif
	{ .nr = SYS_accept4, .cls = SC_ACCEPT, .name = "accept4" },
	{ .nr = SYS_connect, .cls = SC_CONNECT, .name = "connect" },
#ifdef SYS_pause
	{ .nr = SYS_pause, .cls = SC_SIGNAL, .name = "pause" },
#endif
	{ .nr = SYS_rt_sigsuspend, .cls = SC_SIGNAL, .name = "sigsuspend" },
	{ .nr = SYS_rt_sigtimedwait, .cls = SC_SIGNAL, .name = "sigtimedwait" },
	{ .nr = SYS_flock, .cls = SC_FLOCK, .name = "flock" },
	{ .nr = SYS_fcntl, .cls = SC_FLOCK, .name = "fcntl" },
	{ .nr = SYS_mq_timedreceive, .cls = SC_IPC, .name = "mq_timedreceive" },
	{ .nr = SYS_mq_timedsend, .cls = SC_IPC, .name = "mq_timedsend" },
	{ .nr = SYS_msgrcv, .cls = SC_IPC, .name = "msgrcv" },
	{ .nr = SYS_msgsnd, .cls = SC_IPC, .name = "msgsnd" },
	{ .nr = SYS_semtimedop, .cls = SC_IPC, .name = "semtimedop" },
#ifdef SYS_semop
	{ .nr = SYS_semop, .cls = SC_IPC, .name = "semop" },
#endif
	{ .nr = SYS_io_getevents, .cls = SC_IPC, .name = "io_getevents" },
	{ .nr = SYS_io_uring_enter, .cls = SC_IPC, .name = "io_uring_enter" },
};

const struct syscall_info *syscall_info(int nr)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].nr == nr)
			return &table[i];
	return NULL;
}

/* Reads one number (decimal, or hex after 0x) and the blank after it. */
static bool number(const char **p, uint64_t *v, bool hex)
{
	char *end;
	if (**p == '\0' || **p == '-')
		return false;
	*v = strtoull(*p, &end, hex ? 16 : 10);
	if (end == *p || (*end != ' ' && *end != '\n' && *end != '\0'))
		return false;
	*p = *end == ' ' ? end + 1 : end;
	return true;
}

bool syscall_parse(const char *text, struct syscall_line *out)
{
	memset(out, 0, sizeof *out);
	if (strncmp(text, "running", 7) == 0) {
		out->running = true;
		out->nr = -1;
		return true;
	}
	const char *p = text;
	uint64_t v;
	if (strncmp(p, "-1 ", 3) == 0) {
		out->nr = -1;
		return true;
	}
	if (!number(&p, &v, false) || v > 100000)
		return false;
	out->nr = (int)v;
	/* Six arguments, then the stack and program counters. */
	for (int i = 0; i < 8; i++) {
		if (strncmp(p, "0x", 2) != 0 || !number(&p, &v, true))
			return false;
		if (i < 6)
			out->args[i] = v;
	}
	return true;
}
