"""Knobs in the TUI, driven headless through tmux: typing a knob's value (v)
and its range refused, + and - along the 1-2-5 series, R restarting a demo
with the same knobs while the lesson stays, a knob read only at start
marked and its restart offer, and knobs set in the demo menu before the
launch, under the lesson shown there."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, PaneMixin, descendants_of, main, pid_exists, poll, proc_stat


def demo_argv(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode() for a in f.read().split(b"\0") if a]
    except OSError:
        return None


class KnobCase(PaneMixin, unittest.TestCase):
    width, height = 120, 40
    args = []

    def setUp(self):
        self.open_pane(self.args, width=self.width, height=self.height)

    def demos(self, name, exclude=()):
        """concmon-demo NAME processes launched by concmon (their main
        process: the parent is concmon), newest last."""
        found = []
        for p in descendants_of(self.concmon):
            argv = demo_argv(p)
            st = proc_stat(p)
            if (argv and st and os.path.basename(argv[0]) == "concmon-demo"
                    and argv[1:2] == [name] and st["ppid"] == self.concmon and p not in exclude):
                found.append(p)
        return found

    def demo(self, name, exclude=()):
        pid = poll(lambda: (self.demos(name, exclude) or [None])[-1],
                   desc="concmon-demo %s under concmon" % name)
        self.known[pid] = proc_stat(pid)["start"]
        return pid

    def select_knob(self, name):
        """Presses ] until the status line names knob name."""
        prev = None
        for _ in range(16):
            self.tmux.send("]")
            cur = poll(lambda: [m.group(1) for m in [re.search(
                r"(?m)^knob (\S+) = \d+", self.tmux.screen())] if m and m.group(1) != prev],
                desc="the next knob named")[0]
            if cur == name:
                return
            prev = cur
        self.fail("knob %s not found" % name)


class TypedValue(KnobCase):
    args = ["--demo", "pipeline-procs"]

    def test_v_sets_a_typed_value_and_refuses_one_out_of_range(self):
        self.demo("pipeline-procs")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 5 \[1\.\.1000\]")
        self.select_knob("rate")
        self.tmux.send("v")
        self.tmux.wait_screen(r"^rate \[1\.\.1000\]: 5\s*$")
        self.tmux.send("C-u")
        self.tmux.send_literal("50")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^rate = 50\s*$")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 50 \[1\.\.1000\]")
        self.tmux.send("v")
        self.tmux.wait_screen(r"^rate \[1\.\.1000\]: 50\s*$")
        self.tmux.send("C-u")
        self.tmux.send_literal("5000")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^rate must be from 1 to 1000; 5000 refused")
        self.tmux.send("v")
        self.tmux.send("C-u")
        self.tmux.send_literal("fast")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^rate: \"fast\" is not a whole number; not changed")
        self.assertRegex(self.tmux.screen(), r"(?m)^\s*KNOBS\b.*\brate 50 \[1\.\.1000\]")

    def test_plus_and_minus_follow_the_one_two_five_series(self):
        self.demo("pipeline-procs")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 5 \[1\.\.1000\]")
        self.select_knob("rate")
        for want in (10, 20, 50):
            self.tmux.send("+")
            self.tmux.wait_screen(r"^rate = %d\s*$" % want)
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 50 \[1\.\.1000\]")
        self.tmux.send("-")
        self.tmux.wait_screen(r"^rate = 20\s*$")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 20 \[1\.\.1000\]")


class MinusReachesWork1000(KnobCase):
    args = ["--demo", "subprocess-timeout"]

    def test_minus_steps_work_from_4000_to_1000(self):
        """subprocess-timeout's lesson: `-` takes work 4000 -> 2000 -> 1000."""
        self.demo("subprocess-timeout")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bwork 4000 \[0\.\.60000\]")
        self.select_knob("work")
        for want in (2000, 1000):
            self.tmux.send("-")
            self.tmux.wait_screen(r"^work = %d\s*$" % want)
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bwork 1000 \[0\.\.60000\]")


class Restart(KnobCase):
    args = ["--demo", "washer-dryer-threads"]

    def test_R_restarts_with_the_same_knobs_and_the_lesson_stays(self):
        old = self.demo("washer-dryer-threads")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bdryers 1 \[1\.\.16\]")
        self.select_knob("dryers")
        self.tmux.send("+")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bdryers 2 \[1\.\.16\]")
        self.tmux.send("E")
        self.tmux.wait_screen(r"producer/consumer with a bounded queue")
        self.tmux.send("R")
        new = self.demo("washer-dryer-threads", exclude=(old,))
        poll(lambda: not pid_exists(old, self.known[old]), desc="the old demo %d gone" % old)
        self.assertIn("dryers=2", demo_argv(new), "restarted with the knob's current value")
        self.tmux.wait_screen(r"^restarted washer-dryer-threads,")
        # The new program's row is selected and its lesson is still shown.
        self.tmux.wait_screen(r"^ Explain: PID %d\b" % new)
        self.tmux.wait_screen(r"producer/consumer with a bounded queue")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bdryers 2 \[1\.\.16\]")

    def test_a_knob_read_at_start_is_marked_and_changing_it_offers_a_restart(self):
        old = self.demo("washer-dryer-threads")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bcapacity 5 \[1\.\.100\] \(at start\)")
        self.assertNotRegex(self.tmux.screen(), r"dryers 1 \[1\.\.16\] \(at start\)")
        self.select_knob("capacity")
        self.tmux.send("+")
        self.tmux.wait_screen(r"^capacity is read only at start: restart demo "
                              r"washer-dryer-threads with capacity=10\? \(y/n\)")
        self.tmux.send("n")
        self.tmux.wait_screen(r"^capacity not changed: it is read only at start")
        self.assertTrue(pid_exists(old, self.known[old]))
        self.tmux.send("v")
        self.tmux.wait_screen(r"^capacity \[1\.\.100\] \(at start\): 5\s*$")
        self.tmux.send("C-u")
        self.tmux.send_literal("8")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"with capacity=8\? \(y/n\)")
        self.tmux.send("y")
        new = self.demo("washer-dryer-threads", exclude=(old,))
        poll(lambda: not pid_exists(old, self.known[old]), desc="the old demo %d gone" % old)
        self.assertIn("capacity=8", demo_argv(new))
        self.tmux.wait_screen(r"^\s*clothes\s+\[[^\]]*\]\s+\d+/8\b", timeout=DEADLINE * 2)
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bcapacity 8 \[1\.\.100\] \(at start\)")


class MenuKnobs(KnobCase):
    def choose_demo(self, name):
        for _ in range(64):
            cur = self.tmux.wait_screen(r"^\s*>\s+(\S+)").group(1)
            if cur == name:
                return
            self.tmux.send("Down")
            self.tmux.wait_no_screen(r"^\s*>\s+%s\s" % re.escape(cur))
        self.fail("%s not found in the demo menu" % name)

    def test_the_menu_shows_the_lesson_and_sets_knobs_before_the_launch(self):
        self.tmux.send("F2")
        self.tmux.wait_screen(r"Demos:")
        self.choose_demo("pipeline-procs")
        # Before any launch: the knobs with their ranges and the lesson.
        self.tmux.wait_screen(r"^ knobs: rate=5 \[1\.\.1000\] sink_ms=0 \[0\.\.1000\]")
        self.tmux.wait_screen(r"^ # pipeline-procs")
        self.tmux.send("l")
        self.tmux.wait_screen(r"^ pipeline-procs\s+three processes chained by pipes")
        self.tmux.send("l")
        self.tmux.send("v")
        self.tmux.wait_screen(r"^Launch pipeline-procs with: rate=5,sink_ms=0\s*$")
        self.tmux.send("C-u")
        self.tmux.send_literal("rate=5000")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^rate must be a whole number from 1 to 1000; \"5000\" refused")
        self.assertEqual(self.demos("pipeline-procs"), [], "nothing launched")
        self.tmux.wait_screen(r"Demos:")        # still in the menu
        self.tmux.send("v")
        self.tmux.send("C-u")
        self.tmux.send_literal("rate=50 sink_ms=10")
        self.tmux.send("Enter")
        pid = self.demo("pipeline-procs")
        self.assertEqual(demo_argv(pid)[1:], ["pipeline-procs", "rate=50", "sink_ms=10"])
        self.tmux.wait_no_screen(r"Demos:")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\brate 50 \[1\.\.1000\]\s+sink_ms 10 \[0\.\.1000\]")


if __name__ == "__main__":
    main()
