/* waittext.h - a blocked thread's system call in words: "sleeps 0.5 s",
 * "reads pipe from PID 311 (producer)", "epoll_wait on 3 fds". Futex
 * waits are worded by infer.c, which knows the lock behind them. */
#ifndef CONCMON_WAITTEXT_H
#define CONCMON_WAITTEXT_H

#include <stddef.h>
#include <sys/types.h>

#include "infer/infer.h"
#include "infer/syscall.h"

/* Longest wait text, NUL included. */
#define WAITTEXT_MAX 128

struct waittext_ctx {
	pid_t pid;
	infer_fd_namer namer;       /* NULL: fds are "fd N" */
	void *namer_ctx;
};

/* Copies n bytes at addr in process pid into buf. 0, or the errno of
 * process_vm_readv (EPERM: no ptrace access; EFAULT: not mapped). */
int waittext_peek(pid_t pid, uint64_t addr, void *buf, size_t n);

/* Writes the wait of a thread blocked in sc, a call other than futex, to
 * buf: from the syscall table, else "in syscall N". */
void waittext_format(const struct waittext_ctx *c, const struct syscall_line *sc, char *buf,
		     size_t len);

#endif
