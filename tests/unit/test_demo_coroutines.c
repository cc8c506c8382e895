/* Unit tests for the coroutines demo's request handler: a wakeup with
 * nothing to read must wait for the request, not answer a made-up one.
 * The demo's file is included whole so that its static steps are reachable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "demo_coroutines.c"

/* registry.c (the table of every demo) is not linked: the handler reads no knob. */
long demo_knob_value(const struct demo_ctx *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

/* A handler task on one end of a nonblocking socketpair; *peer gets the other. */
static struct task *handler_on_pair(int *peer)
{
	int sv[2];
	struct task *t = demo_xcalloc(1, sizeof *t);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	t->step = handler_step;
	t->fd = sv[0];
	*peer = sv[1];
	return t;
}

static void test_wakeup_without_data_waits_and_sends_nothing(void **state)
{
	struct sched s = { 0 };
	char buf[16];
	int peer;
	struct task *t = handler_on_pair(&peer);

	(void)state;
	assert_int_equal(handler_step(t, &s), Y_RECV);     /* yield 'recv' */
	assert_int_equal(handler_step(t, &s), Y_RECV);     /* recv: EAGAIN, wait again */
	assert_int_equal(s.requests, 0);
	assert_int_equal(recv(peer, buf, sizeof buf, 0), -1);
	assert_int_equal(errno, EAGAIN);                    /* no reply was sent */
	close(t->fd);
	close(peer);
	free(t);
}

static void test_a_request_after_a_spurious_wakeup_is_answered(void **state)
{
	struct sched s = { 0 };
	char buf[16] = { 0 };
	int peer;
	struct task *t = handler_on_pair(&peer);

	(void)state;
	handler_step(t, &s);
	assert_int_equal(handler_step(t, &s), Y_RECV);     /* nothing yet */
	assert_int_equal(send(peer, "10\n", 3, 0), 3);
	assert_int_equal(handler_step(t, &s), Y_SEND);
	assert_int_equal(handler_step(t, &s), Y_RECV);     /* sent, back to recv */
	assert_int_equal(recv(peer, buf, sizeof buf - 1, 0), 3);
	assert_string_equal(buf, "55\n");
	assert_int_equal(s.requests, 1);
	close(peer);                                        /* EOF: the handler ends */
	assert_int_equal(handler_step(t, &s), Y_DONE);
	close(t->fd);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wakeup_without_data_waits_and_sends_nothing),
		cmocka_unit_test(test_a_request_after_a_spurious_wakeup_is_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
