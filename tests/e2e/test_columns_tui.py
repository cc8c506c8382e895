"""The table's columns and sort in the TUI (issue 16), headless through
tmux: --columns shows exactly the titles asked for, the F6 menu sorts by
TIME+ (and I inverts it), > and < step the sort along the shown columns,
and --linger 0 makes an exited child's row vanish without an exited row."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, main, poll

BUSY = "(while :; do :; done) & exec sleep 30"


def sorted_by(key, desc=False):
    """The header's view mode saying the sort: "sort KEY[ desc]" in words,
    "tree thr KEY[-] cg" in the compact form a 120-column screen uses."""
    k = re.escape(key)
    return r"sort %s%s\b|(tree|flat) (thr|nothr) %s%s " % (k, " desc" if desc else "(?! desc)",
                                                          k, "-" if desc else "")


class Columns(PaneMixin, unittest.TestCase):
    def test_columns_option_shows_those_titles(self):
        self.open_pane(["--columns", "PID,USER,NI,TIME+,COMMAND"], ["sh", "-c", BUSY])
        m = self.tmux.wait_screen(r"^\s+PID USER\s+NI\s+TIME\+ COMMAND\s*$")
        self.assertNotIn("CPU%", m.group(0))
        # A row: PID, the owner, nice 0, TIME+ as M:SS.hh, the name.
        self.tmux.wait_screen(r"^\s+\d+ \S+\s+0\s+\d+:\d\d\.\d\d .*sleep")

    def rows_order(self, first, second):
        """True when a row of comm first is drawn above one of comm second."""
        lines = self.tmux.screen().splitlines()
        idx = {}
        for i, line in enumerate(lines[2:], 2):
            for comm in (first, second):
                if re.search(r"\d:\d\d\.\d\d\s+[|`\-\s]*%s\b" % comm, line) and comm not in idx:
                    idx[comm] = i
        return first in idx and second in idx and idx[first] < idx[second]

    def test_sort_by_time_through_the_f6_menu(self):
        self.open_pane(["--columns", "PID,TIME+,COMMAND"], ["sh", "-c", BUSY])
        self.tmux.send("t")                       # flat: siblings are not the point
        self.tmux.wait_screen(r"\bflat\b")
        # The busy subshell (sh) gathers CPU time; the sleeper has none.
        self.tmux.wait_screen(r"^\s+\d+\s+0:0[1-9]\.\d\d sh\b|^\s+\d+\s+0:00\.[2-9]\d sh\b")
        self.tmux.send("F6")
        self.tmux.wait_screen(r"Sort by \(now PID")
        self.tmux.send_literal("TIME")
        self.tmux.send("Enter")
        self.tmux.wait_screen(sorted_by("TIME+"))
        poll(lambda: self.rows_order("sleep", "sh"), desc="ascending: sleep above the busy sh")
        self.tmux.send("I")
        self.tmux.wait_screen(sorted_by("TIME+", True))
        poll(lambda: self.rows_order("sh", "sleep"), desc="descending: the busy sh first")

    def test_greater_and_less_step_the_sort_column(self):
        self.open_pane([], ["sleep", "30"])
        self.tmux.wait_screen(sorted_by("PID"))
        self.tmux.send(">")
        self.tmux.wait_screen(sorted_by("TID"))        # the next shown column
        self.tmux.send(">")
        self.tmux.wait_screen(sorted_by("PPID"))
        self.tmux.send("<")
        self.tmux.send("<")
        self.tmux.wait_screen(sorted_by("PID"))
        self.tmux.send("<")                         # wraps to the last: COMMAND
        self.tmux.wait_screen(sorted_by("COMMAND"))


class Linger(PaneMixin, unittest.TestCase):
    CHILD = ["sh", "-c", "sleep 1.1; exec sleep 30"]

    def watch_exit(self):
        """Screens captured from the child's row showing until it is gone."""
        self.tmux.wait_screen(r"sleep 1\.1$")
        seen = []

        def gone():
            s = self.tmux.screen()
            seen.append(s)
            return not re.search(r"sleep 1\.1$", s, re.M) and "sleep 1.1" not in s
        poll(gone, desc="the sleep 1.1 row gone", interval=0.02)
        return seen

    def test_linger_0_removes_the_exited_row_at_once(self):
        self.open_pane(["--linger", "0"], self.CHILD)
        seen = self.watch_exit()
        self.assertFalse([s for s in seen if re.search(r"sleep.*\[exited", s)],
                         "no exited row shown with --linger 0")

    def test_default_linger_shows_the_exited_row(self):
        # The control: by default the row stays, marked exited.
        self.open_pane([], self.CHILD)
        self.tmux.wait_screen(r"sleep 1\.1$")
        self.tmux.wait_screen(r"sleep \[exited[^\]]*\]\s+sleep 1\.1")


if __name__ == "__main__":
    main()
