"""The inferred layer on screen, driven through tmux: a plain pthread
program (tests/helpers/locks.c, no probe, not traced) deadlocks on two
mutexes taken in opposite order; the banner names the cycle with the
mutexes' symbols, the WAITING column says why each thread waits, the
deadlock view says how the locks are known; and, where concmon may not
look (a program that is not dumpable, concmon as user nobody), the view
says it cannot see instead of "no deadlock"."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import AsNobody, PaneMixin, helper, main, nobody_can_run


class InferredDeadlock(PaneMixin, unittest.TestCase):
    mode = "abba"

    def setUp(self):
        self.open_pane([], command=[helper("locks"), self.mode, "120"], width=160, height=40)

    def test_banner_waiting_column_and_deadlock_view(self):
        self.tmux.wait_screen(r"^DEADLOCK: T \d+ \(philosopher-[AB]\) holds fork_[12], "
                              r"waits for fork_[12] <- held by T \d+ \(philosopher-[AB]\)")
        self.tmux.wait_screen(r"WAITING\s+COMMAND")
        self.tmux.wait_screen(r"^!.* mutex fork_2 held by T \d+ \(philos.*philosopher-A")
        self.tmux.wait_screen(r"^!.* mutex fork_1 held by T \d+ \(philos.*philosopher-B")
        self.tmux.send("D")
        self.tmux.wait_screen(r"^Deadlock 1: 2 threads in program \d+")
        self.tmux.wait_screen(r"^  PID \d+ \(.*locks abba.*\): locks inferred \(not traced: read "
                              r"from the kernel and the program's memory\)")
        self.tmux.send("x")
        self.tmux.wait_screen(r"^DEADLOCK: ")


class TracedFromThePrompt(PaneMixin, unittest.TestCase):
    """Ctrl-T in the launch prompt puts --trace before the command line:
    the program runs with libconcmon-trace.so and its deadlock is named by
    the tracer (call sites), its panel title says "traced"."""

    def setUp(self):
        self.open_pane([], width=160, height=40)

    def test_ctrl_t_launches_traced(self):
        self.tmux.send(":")
        self.tmux.wait_screen(r"\^T traces")
        self.tmux.send("C-t")
        self.tmux.wait_screen(r"Launch: --trace\s*$")
        self.tmux.send("C-t")
        self.tmux.wait_screen(r"Launch: +command line, e.g.")
        self.tmux.send("C-t")
        self.tmux.send_literal(helper("tracefix") + " deadlock")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^DEADLOCK: T \d+ .* holds setup_deadlock\+0x[0-9a-f]+")
        self.remember()
        self.tmux.send("D")
        self.tmux.wait_screen(r"^  PID \d+ \(tracefix deadlock\): locks traced \(libconcmon-trace is "
                              r"preloaded")


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class UnseenDeadlock(AsNobody, PaneMixin, unittest.TestCase):
    def setUp(self):
        AsNobody.setUp(self)
        self.open_pane([], command=[helper("locks"), "hidden-abba", "120"], width=160,
                       height=40)

    def test_deadlock_view_says_it_cannot_see(self):
        self.tmux.wait_screen(r"philosopher-B")
        self.tmux.send("D")
        self.tmux.wait_screen(r"^No deadlock among the locks concmon can see")
        self.tmux.wait_screen(r"^  PID \d+ \(.*hidden-abba.*\): no lock information \(not traced; "
                              r"ptrace denied\)")
        self.tmux.wait_no_screen(r"No deadlock now")


if __name__ == "__main__":
    main()
