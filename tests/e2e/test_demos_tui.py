"""The demo menu and the telemetry panels, driven headless through tmux:
launch washer-dryer-threads from the menu, watch the queue panel fill the
basket, add dryers with the knob keys, watch it drain, quit and leave no
process behind; and the panels on small terminals."""

import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (PaneMixin, DEADLINE, descendants_of, kill_quietly, main,
                          pid_alive, pid_exists, poll, proc_stat, thread_ids)

DEMO = "washer-dryer-threads"
# The queue line: name, bar, depth/capacity (groups: depth, capacity).
QUEUE_RE = r"^\s*clothes\s+\[[^\]]*\]\s+(\d+)/(\d+)\b"


class DemoCase(PaneMixin, unittest.TestCase):
    width, height = 120, 40
    args = []

    def setUp(self):
        self.open_pane(self.args, width=self.width, height=self.height)

    def demo_pid(self):
        """The concmon-demo process concmon launched (waits for it). Found by
        its command line: the demo names its main thread "main"."""
        def find():
            for p in descendants_of(self.concmon):
                try:
                    with open("/proc/%d/cmdline" % p, "rb") as f:
                        argv = f.read().split(b"\0")
                except OSError:
                    continue
                if os.path.basename(argv[0]) == b"concmon-demo" and DEMO.encode() in argv:
                    return p
            return None
        pid = poll(find, desc="concmon-demo under concmon")
        self.known[pid] = proc_stat(pid)["start"]
        return pid

    def menu_cursor(self):
        return self.tmux.wait_screen(r"^\s*>\s+(\S+)").group(1)

    def choose_demo(self, name):
        """Moves the menu cursor down to name (the menu starts on the first demo)."""
        for _ in range(64):
            cur = self.menu_cursor()
            if cur == name:
                return
            self.tmux.send("Down")
            self.tmux.wait_no_screen(r"^\s*>\s+%s\s" % re.escape(cur))
        self.fail("%s not found in the demo menu" % name)

    def select_knob(self, name):
        """Presses ] until the status line names knob name."""
        for _ in range(16):
            self.tmux.send("]")
            cur = self.tmux.wait_screen(r"^knob (\S+) = \d+").group(1)
            if cur == name:
                return
            self.tmux.wait_no_screen(r"^knob %s = " % re.escape(cur))
        self.fail("knob %s not found" % name)


class LaunchFromMenu(DemoCase):
    def test_menu_launch_knob_drains_queue_and_quit_leaves_nothing(self):
        self.tmux.wait_screen(r"no supervised tasks")
        self.tmux.send("F2")
        self.tmux.wait_screen(r"Demos:")
        self.tmux.send("Escape")
        self.tmux.wait_no_screen(r"Demos:")
        self.tmux.send("d")
        self.tmux.wait_screen(r"Demos:")
        screen = self.tmux.screen()
        for group in ("queues", "locks", "lifecycle"):
            self.assertRegex(screen, r"(?m)^\s%s\s*$" % group, "grouped by topic")
        self.assertRegex(screen, r"%s\s+\S.*basket" % DEMO, "one-line description")
        self.choose_demo(DEMO)
        self.tmux.send("Enter")
        demo = self.demo_pid()
        self.tmux.wait_no_screen(r"Demos:")
        self.tmux.wait_screen(r"^\s*%d\s+%d\s.*concmon-demo" % (demo, demo))

        # One dryer is slower than the washer: the basket fills up.
        self.tmux.wait_screen(r"^\s*QUEUE\s+DEPTH/CAPACITY")
        m = self.tmux.wait_screen(QUEUE_RE.replace(r"(\d+)/(\d+)", r"(5)/(5)"),
                                  timeout=DEADLINE * 2)
        self.assertEqual(m.group(1), m.group(2), "depth reached the capacity")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bdryers 1 \[1\.\.16\]")

        self.select_knob("dryers")
        for _ in range(3):
            self.tmux.send("+")
        self.tmux.wait_screen(r"^\s*KNOBS\b.*\bdryers 4 \[1\.\.16\]")
        self.tmux.wait_screen(r"^dryers = 4\s*$")
        # The demo itself follows the knob: four dryer threads.
        poll(lambda: sum(1 for t in thread_ids(demo)
                         if (proc_stat(t) or {}).get("comm", "").startswith("dryer")) == 4,
             desc="4 dryer threads in the demo")
        # Four dryers keep up with the washer: the depth falls below 5.
        self.tmux.wait_screen(QUEUE_RE.replace(r"(\d+)/(\d+)", r"([0-4])/(5)"),
                              timeout=DEADLINE * 2)

        self.remember()
        gone = dict(self.known)
        self.tmux.send("q")
        poll(lambda: not pid_exists(self.concmon, self.concmon_start), timeout=DEADLINE * 2,
             desc="concmon exited after q")
        for p, s in gone.items():
            poll(lambda: not pid_exists(p, s), timeout=DEADLINE,
                 desc="process %d (a descendant of concmon) gone" % p)


class SmallTerminals(DemoCase):
    args = ["--demo", DEMO]

    def test_panels_on_small_and_tiny_terminals(self):
        demo = self.demo_pid()
        row = r"^\s*%d\s+%d\s" % (demo, demo)
        self.tmux.wait_screen(QUEUE_RE)
        self.tmux.resize(60, 15)
        self.tmux.wait_screen(row)
        # At least 8 task rows kept; what is left shows the queue.
        self.tmux.wait_screen(QUEUE_RE)
        lines = self.tmux.screen().splitlines()
        self.assertTrue(re.match(row, lines[2]), "the table stays on top:\n" + "\n".join(lines))
        title = [i for i, l in enumerate(lines) if re.match(r"^\s*%d %s\b" % (demo, DEMO), l)]
        self.assertEqual(len(title), 1, "one panel title:\n" + "\n".join(lines))
        # Header, column titles, then 8 task rows before the panels start.
        self.assertGreaterEqual(title[0], 10, "8 task rows kept:\n" + "\n".join(lines))
        # Down to 1x1 and back: every size that can show the table does.
        for w, h in ((20, 6), (1, 1), (41, 11), (40, 5), (2, 2), (60, 15)):
            with self.subTest(size="%dx%d" % (w, h)):
                self.tmux.resize(w, h)
                if w >= 40 and h >= 5:
                    self.tmux.wait_screen(row)
                self.assertTrue(pid_alive(self.concmon, self.concmon_start),
                                "concmon survived %dx%d" % (w, h))
        self.tmux.resize(20, 6)
        self.tmux.wait_screen(r"(?i)too\s*small")
        self.tmux.resize(120, 40)
        self.tmux.wait_screen(QUEUE_RE)
        self.tmux.wait_screen(row)
        # p hides the panels and shows them again.
        self.tmux.send("p")
        self.tmux.wait_no_screen(QUEUE_RE)
        self.tmux.send("p")
        self.tmux.wait_screen(QUEUE_RE)
        self.assertTrue(pid_alive(demo), "the demo still runs")


if __name__ == "__main__":
    main()
