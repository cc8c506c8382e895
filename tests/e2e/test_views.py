"""The concurrency views, driven headless through tmux: the deadlock banner
and view on the deadlock demo, the explain panel of a zombie naming its
parent, the output pane with stderr marked, the event log with spawned and
exited lines and its PID filter, several bottom panes open at once, and
every pane on small terminals."""

import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (PaneMixin, children_of, descendants_of, header_line, kill_quietly,
                          main, pid_exists, poll, proc_stat)


class ViewCase(PaneMixin, unittest.TestCase):
    width, height = 120, 40
    args = []

    def setUp(self):
        self.open_pane(self.args, width=self.width, height=self.height)

    def child(self, comm):
        """concmon's child running comm (waits for it)."""
        kids = poll(lambda: [p for p in children_of(self.concmon)
                             if (proc_stat(p) or {}).get("comm") == comm],
                    desc="concmon's %s child" % comm)
        st = proc_stat(kids[0])
        if st:
            self.known[kids[0]] = st["start"]
        return kids[0]


class Deadlock(ViewCase):
    args = ["--demo", "deadlock"]

    def test_banner_names_both_threads_and_forks_and_D_draws_the_ring(self):
        m = self.tmux.wait_screen(r"^DEADLOCK: T \d+ \(philosopher-[AB]\) holds fork-[12], "
                                  r"waits for fork-[12] <- held by T \d+ \(philosopher-[AB]\)"
                                  r".*$")
        banner = m.group(0)
        for name in ("fork-1", "fork-2", "philosopher-A", "philosopher-B"):
            self.assertIn(name, banner)
        # The two threads' rows are marked as stuck.
        self.tmux.wait_screen(r"^!.*philosopher-A")
        self.tmux.wait_screen(r"^!.*philosopher-B")
        self.tmux.send("D")
        self.tmux.wait_screen(r"^Deadlock 1: 2 threads in program \d+ \(deadlock\)")
        self.tmux.wait_screen(r"waits for fork-1, held by T \d+")
        self.tmux.wait_screen(r"back to T \d+ \(philosopher-[AB]\)")
        self.tmux.send("x")          # any other key closes the view
        self.tmux.wait_screen(r"^DEADLOCK: ")
        self.tmux.wait_screen(r"COMMAND")


class ExplainZombie(ViewCase):
    args = ["--", "sh", "-c", "sleep 0.2 & exec sleep 30"]

    def test_explain_names_the_zombies_parent(self):
        parent = self.child("sleep")
        zombie = poll(lambda: [p for p in children_of(parent)
                               if (proc_stat(p) or {}).get("state") == "Z"],
                      desc="the zombie child of %d" % parent)[0]
        self.tmux.wait_screen(r"^\s*%d\s+(?:%d\s+)?%d\s+Z\s" % (zombie, zombie, parent))
        self.tmux.send("/")
        self.tmux.send_literal(str(zombie))
        self.tmux.send("Enter")
        self.tmux.send("E")
        self.tmux.wait_screen(r"^ Explain: PID %d" % zombie)
        self.tmux.wait_screen(r"parent, PID %d\b" % parent)
        # The selected row stays on screen above the panel.
        screen = self.tmux.screen()
        self.assertRegex(screen, r"(?m)^\s*%d\s+.*\bZ\b" % zombie)
        self.tmux.send("E")
        self.tmux.wait_no_screen(r"^ Explain: ")


class Output(ViewCase):
    args = ["--", "sh", "-c",
            "echo hello-from-child; echo oops-on-stderr >&2; exec sleep 30"]

    def test_output_pane_shows_lines_and_marks_stderr(self):
        self.child("sleep")
        self.tmux.send("o")
        self.tmux.wait_screen(r"^ Output of \d+ sh -c .*: 2 lines")
        self.tmux.wait_screen(r"^ hello-from-child$")
        self.tmux.wait_screen(r"^!oops-on-stderr$")
        # Focus the pane and find a line.
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"\[keys here\]")
        self.tmux.send("/")
        self.tmux.wait_screen(r"^Find in output: ")
        self.tmux.send_literal("HELLO")
        self.tmux.send("Enter")
        self.tmux.wait_no_screen(r"^Find in output: ")
        self.assertNotRegex(self.tmux.screen(), r"no output line contains")
        self.tmux.send("Tab", "o")
        self.tmux.wait_no_screen(r"^ Output of ")


class EventLog(ViewCase):
    args = ["--", "sh", "-c", "sleep 0.3; exec sleep 30"]

    def test_log_shows_spawned_and_exited_and_filters_by_pid(self):
        self.tmux.send("e")
        self.tmux.wait_screen(r"^ Events: \d+")
        self.tmux.wait_screen(r"^ \d\d:\d\d:\d\d\.\d{3} spawned \d+")
        m = self.tmux.wait_screen(r"^ \d\d:\d\d:\d\d\.\d{3} exited (\d+) .*code 0")
        short = int(m.group(1))
        self.tmux.send("#")
        self.tmux.send_literal(str(short))
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^ Events of PID %d \(# 0 shows all\): \d+" % short)
        for line in re.findall(r"(?m)^ \d\d:\d\d:\d\d\.\d{3} .*$", self.tmux.screen()):
            self.assertIn(str(short), line)
        self.tmux.send("#")
        self.tmux.send_literal("0")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^ Events: \d+")


class SeveralPanes(ViewCase):
    args = ["--demo", "washer-dryer-threads"]
    queue = r"^\s*clothes\s+\[[^\]]*\]\s+\d+/\d+\b"

    def test_panels_log_and_output_at_once_and_tab_goes_round(self):
        self.tmux.wait_screen(self.queue)
        self.tmux.send("e")
        self.tmux.wait_screen(r"^ Events: \d+")
        self.tmux.wait_screen(r"^ \d\d:\d\d:\d\d\.\d{3} spawned \d+")
        # The panels stay open, above the log opened after them.
        lines = self.tmux.wait_screen(self.queue).string.splitlines()
        queue = [i for i, l in enumerate(lines) if re.match(self.queue, l)]
        log = [i for i, l in enumerate(lines) if l.startswith(" Events: ")]
        self.assertTrue(queue and log, "panels and log on one screen:\n" + "\n".join(lines))
        self.assertLess(queue[0], log[0], "the panels above the log:\n" + "\n".join(lines))
        top = header_line(lines)
        self.assertIsNotNone(top, "\n".join(lines))
        self.assertTrue(re.match(r"^\s*\d+\s", lines[top + 2]),
                        "the table stays on top:\n" + "\n".join(lines))
        # A third pane: all three at once.
        self.tmux.send("o")
        self.tmux.wait_screen(r"^ Output of \d+ washer-dryer-threads")
        screen = self.tmux.screen()
        self.assertRegex(screen, r"(?m)^ Events: \d+")
        self.assertRegex(screen, r"(?m)" + self.queue)
        # Tab: the log, the output (the panels do not scroll), the table.
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"^ Events: .*\[keys here\]")
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"^ Output of .*\[keys here\]")
        self.tmux.wait_no_screen(r"^ Events: .*\[keys here\]")
        self.tmux.send("Tab")
        self.tmux.wait_no_screen(r"\[keys here\]")
        # e closes the log alone.
        self.tmux.send("e")
        self.tmux.wait_no_screen(r"^ Events: ")
        screen = self.tmux.screen()
        self.assertRegex(screen, r"(?m)^ Output of \d+ ")
        self.assertRegex(screen, r"(?m)" + self.queue)


class SmallTerminals(ViewCase):
    args = ["--demo", "deadlock"]

    def test_every_pane_at_every_size(self):
        self.tmux.wait_screen(r"^DEADLOCK: ")
        self.tmux.send("j")
        for key in ("E", "o", "e"):
            self.tmux.send(key)
            for w, h in ((60, 15), (20, 6), (1, 1), (40, 5), (41, 6), (60, 15)):
                self.tmux.resize(w, h)
                if w >= 40 and h >= 5:
                    self.tmux.wait_screen(r"COMMAND")
                elif w >= 9:
                    self.tmux.wait_screen(r"small")
                # 1x1 shows at most one cell; the next size proves it lived.
                self.assertTrue(self.tmux.alive(), "concmon survived %dx%d" % (w, h))
            # 60x15: the pane is drawn and the selected thread row too.
            self.tmux.wait_screen(r"^ (Explain|Output|Events)")
            self.tmux.wait_screen(r"philosopher-A")
            self.tmux.send("D")
            self.tmux.wait_screen(r"^Deadlock 1:")
            self.tmux.send("x")
            self.tmux.resize(120, 40)
            self.tmux.wait_screen(r"^DEADLOCK: ")


if __name__ == "__main__":
    main()
