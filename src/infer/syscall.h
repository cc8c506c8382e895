/* syscall.h - what /proc/PID/task/TID/syscall says a thread is doing, and
 * what kind of wait its system call is. Pure: no /proc here. */
#ifndef CONCMON_SYSCALL_H
#define CONCMON_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

/* One line of the file: "running", "-1 SP PC" (stopped outside a system
 * call), or "NR A1 .. A6 SP PC". */
struct syscall_line {
	bool running;
	int nr;                  /* -1 outside a system call */
	uint64_t args[6];
};

/* Parses a line as the kernel writes it; false on anything else. */
bool syscall_parse(const char *text, struct syscall_line *out);

/* What a blocked thread waits for, by its system call. */
enum syscall_class {
	SC_OTHER = 0,       /* not a known wait: "in NAME" */
	SC_FUTEX,           /* args: addr, op, val */
	SC_SLEEP,           /* nanosleep: args[0] -> timespec */
	SC_CLOCK_SLEEP,     /* clock_nanosleep: clock, flags, args[2] -> timespec */
	SC_CHILD,           /* wait4, waitid */
	SC_EPOLL,           /* args[0]: the epoll fd */
	SC_POLL,            /* args[1]: number of fds */
	SC_SELECT,          /* args[0]: highest fd + 1 */
	SC_READ,            /* args[0]: fd */
	SC_WRITE,           /* args[0]: fd */
	SC_ACCEPT,          /* args[0]: fd */
	SC_CONNECT,         /* args[0]: fd */
	SC_SIGNAL,          /* pause, sigsuspend, sigtimedwait */
	SC_FLOCK,           /* flock, fcntl: args[0] fd */
	SC_IPC,             /* SysV / POSIX message queues, semaphores, AIO */
};

struct syscall_info {
	int nr;
	enum syscall_class cls;
	const char *name;
};

/* The table entry for system call nr (this architecture's numbers), or
 * NULL for a call that is not a wait concmon knows. Static storage. */
const struct syscall_info *syscall_info(int nr);

#endif
