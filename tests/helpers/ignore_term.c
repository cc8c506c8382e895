/* ignore_term [FILE] - a process that survives SIGTERM: each SIGTERM it gets
 * appends "TERM" to FILE (if given), so a test can tell it was asked to stop
 * before it was killed; "ready" goes there first, once SIGTERM is handled.
 * Sleeps until killed. Prints nothing. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;

static void on_term(int sig)
{
	(void)sig;
	if (log_fd >= 0) {
		ssize_t r = write(log_fd, "TERM\n", 5);
		(void)r;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		log_fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	if (log_fd >= 0) {
		ssize_t r = write(log_fd, "ready\n", 6);
		(void)r;
	}
	for (;;)
		pause();
}
