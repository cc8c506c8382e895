/* demo_zombies.c - the parent forks "count" children that exit at once,
 * and does not wait for them: each stays a zombie (state Z), an exit
 * status nobody collected. SIGUSR1 makes the parent reap them (waitpid);
 * the next SIGUSR1 makes a new batch. If the parent exits first, the
 * zombies are adopted by the subreaper (concmon) or init, which reaps them. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "concmon/cmprobe.h"
#include "registry.h"

static int make_zombies(int count)
{
	int made = 0;

	for (int i = 0; i < count; i++) {
		pid_t pid = demo_fork();

		if (pid == 0) {
			printf("[%d] child %d: exiting at once with code %d\n", (int)getpid(), i + 1,
			       i + 1);
			demo_child_exit(i + 1);
		}
		if (pid > 0)
			made++;
	}
	printf("parent: started %d children that exit at once; I do not wait for them, so each "
	       "stays a zombie (Z) until I do. SIGUSR1 makes me reap them.\n", made);
	return made;
}

static int reap_all(void)
{
	char buf[64];
	pid_t pid;
	int st, n = 0;

	while ((pid = demo_waitpid(-1, &st, WNOHANG)) > 0) {
		printf("parent: reaped pid %d: %s\n", (int)pid, demo_status_str(st, buf, sizeof buf));
		n++;
	}
	return n;
}

int demo_zombies(struct demo_ctx *ctx)
{
	unsigned usr1 = demo_usr1_count();
	int zombies = make_zombies((int)demo_knob_value(ctx, "count"));
	long next_note = demo_now_ms() + 5000;

	while (demo_sleep_ms(100)) {
		if (demo_usr1_count() != usr1) {
			usr1 = demo_usr1_count();
			if (zombies > 0) {
				printf("parent: SIGUSR1: reaping\n");
				reap_all();
				zombies = 0;
				printf("parent: no zombies left; SIGUSR1 again makes new ones\n");
			} else {
				zombies = make_zombies((int)demo_knob_value(ctx, "count"));
			}
		}
		if (zombies > 0 && demo_now_ms() >= next_note) {
			printf("parent: still %d zombie children, sleeping instead of waiting\n",
			       zombies);
			next_note = demo_now_ms() + 5000;
		}
	}
	if (zombies > 0)
		printf("parent: exiting without reaping: my %d zombies are adopted by the "
		       "subreaper or init, which reaps them\n", zombies);
	return 0;
}
