"""The system meters above the header, driven headless through tmux: at
160x45 a bar per core, Mem and Swp bars, Tasks, Load average and Uptime,
gone with m (the header back on the first line) and back with m again;
at 80x24 one compact line above the header; none on a short screen, none
with --no-meters."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, main

SLEEP = ["sleep", "60"]
HEADER_FIRST = r"\Aconcmon "


class Meters(PaneMixin, unittest.TestCase):
    def test_full_meters_at_160x45_and_m_hides_them(self):
        self.open_pane(command=SLEEP, width=160, height=45)
        self.tmux.wait_screen(r"Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d$")
        screen = self.tmux.wait_screen(r"^Mem\[\|*.*\d[KMGT]?/[\d.]+[KMGT]\]").string
        for core in sorted(os.sched_getaffinity(0)):
            self.assertRegex(screen, r"(?m)(^|\s)%d\[\|*\s*\d+\.\d%%\]" % core)
        for text in (r"(?m)^Swp\[", r"Tasks: \d+, \d+ running, \d+ blocked",
                     r"Uptime: (\d+ days?, )?\d\d:\d\d:\d\d"):
            self.assertRegex(screen, text)
        # The supervised tree's header follows the meters.
        self.assertRegex(screen, r"Uptime: .*\n(.*\n)*?concmon  1 proc")
        self.assertNotRegex(screen, HEADER_FIRST)
        self.tmux.send("m")
        self.tmux.wait_screen(HEADER_FIRST)
        self.tmux.wait_no_screen(r"Load average:")
        self.tmux.send("m")
        self.tmux.wait_screen(r"Load average: ")
        self.tmux.wait_no_screen(HEADER_FIRST)

    def test_one_compact_line_at_80x24(self):
        self.open_pane(command=SLEEP, width=80, height=24)
        self.tmux.wait_screen(r"\ACPU \d+\.\d% mem \S+/\S+ swp \S+/\S+ load [\d.]+ [\d.]+ [\d.]+"
                              r".*\nconcmon 1p 1t ")
        self.tmux.resize(80, 15)      # too short: the table keeps the lines
        self.tmux.wait_screen(HEADER_FIRST)
        self.tmux.send("m")           # hidden, then shown again: said why not drawn
        self.tmux.send("m")
        self.tmux.wait_screen(r"meters on: shown on a screen of 20 lines or more")
        self.tmux.resize(80, 24)
        self.tmux.wait_screen(r"\ACPU .*\nconcmon ")

    def test_no_meters_option(self):
        self.open_pane(["--no-meters"], command=SLEEP, width=160, height=45)
        self.tmux.wait_screen(HEADER_FIRST + r".* 1 proc")
        self.assertNotIn("Load average:", self.tmux.screen())
        self.tmux.send("m")
        self.tmux.wait_screen(r"no system meters: concmon runs with --no-meters")
        self.assertNotIn("Load average:", self.tmux.screen())


if __name__ == "__main__":
    main()
