/* nopidfd.c - an LD_PRELOAD shim that makes a program live on a kernel
 * without pidfds (before 5.3, or a seccomp sandbox, or valgrind): every
 * pidfd call fails with ENOSYS, whether through glibc's wrappers or
 * syscall(2). Tests run concmon under it to prove its fallbacks. */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

int pidfd_open(pid_t pid, unsigned int flags)
{
	(void)pid;
	(void)flags;
	errno = ENOSYS;
	return -1;
}

int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	(void)pidfd;
	(void)sig;
	(void)info;
	(void)flags;
	errno = ENOSYS;
	return -1;
}

long syscall(long number, ...)
{
	if (number == SYS_pidfd_open || number == SYS_pidfd_send_signal || number == SYS_pidfd_getfd) {
		errno = ENOSYS;
		return -1;
	}
	static long (*real)(long, ...);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	va_list ap;
	va_start(ap, number);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
