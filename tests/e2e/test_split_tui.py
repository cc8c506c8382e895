"""Bottom panes side by side, driven headless through tmux: | puts the
event log and the output in two columns (their titles on one screen line,
the separator between them), | again moves the separator (left wider,
right wider), then stacks them again; ( and ) still size a pane side by
side; a screen too narrow for two columns refuses, and one that shrinks
draws the panes stacked until it is wide enough again."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, main, poll

DEMO = ["--demo", "washer-dryer-threads"]
SEP = "[│|]"
EVENTS = re.compile(r"^ Events: \d+")
OUTPUT = re.compile(r" Output of \d+ washer-dryer-threads")


class Split(PaneMixin, unittest.TestCase):
    def open_log_and_output(self, width, height):
        """concmon on the demo with only the event log and the output open."""
        self.open_pane(DEMO, width=width, height=height)
        self.tmux.wait_screen(r"washer-1")
        self.tmux.send("p")         # the panels start open: this hides them
        self.tmux.wait_screen(r"^p: telemetry panels hidden")
        self.tmux.send("e")
        self.tmux.wait_screen(EVENTS.pattern)
        self.tmux.send("o")
        self.tmux.wait_screen(OUTPUT.pattern)

    def titles(self):
        """(line, x) of the event log's and the output's titles, or None."""
        lines = self.tmux.screen().splitlines()
        ev = [(i, 0) for i, l in enumerate(lines) if EVENTS.search(l)]
        out = [(i, m.start()) for i, l in enumerate(lines) for m in [OUTPUT.search(l)] if m]
        return (ev[0], out[0]) if ev and out else None

    def wait_side_by_side(self, sep_x):
        """Polls until both titles share a line with the separator at sep_x."""
        def check():
            t = self.titles()
            if not t or t[0][0] != t[1][0]:
                return None
            line = self.tmux.screen().splitlines()[t[0][0]]
            return t if re.match(SEP, line[sep_x:sep_x + 1]) and t[1][1] == sep_x + 1 else None
        return poll(check, desc="event log and output titles side by side, separator at %d" % sep_x)

    def wait_stacked(self):
        return poll(lambda: (lambda t: t if t and t[0][0] != t[1][0] and t[1][1] == 0 else None)(
            self.titles()), desc="event log and output titles on different lines")

    def test_side_by_side_cycles_and_sizes(self):
        self.open_log_and_output(160, 45)
        self.wait_stacked()
        self.tmux.send("|")
        self.tmux.wait_screen(r"^panes side by side: event log \| output \(79 \| 80 columns; "
                              r"\| again: left wider\)")
        self.wait_side_by_side(79)
        # The event log's lines stay in the left column, left of the separator.
        poll(lambda: [l for l in self.tmux.screen().splitlines()
                      if re.match(r" \d\d:\d\d:\d\d\.\d+ spawned \d+ ", l[:79])
                      and re.match(SEP, l[79:80])], desc="a log line left of the separator")
        self.tmux.send("|")
        self.tmux.wait_screen(r"^panes side by side, left wider: event log \| output "
                              r"\(106 \| 53 columns; \| again: right wider\)")
        self.wait_side_by_side(106)
        # ( and ) size the focused pane in its column.
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"Events: .*\[keys here\]")
        self.tmux.send(")")
        grown = int(self.tmux.wait_screen(r"^event log: (\d+) lines \(\( fewer, \) more").group(1))
        self.tmux.send("(")
        self.tmux.wait_screen(r"^event log: %d lines \(" % (grown - 1))
        self.tmux.send("(")
        self.tmux.wait_screen(r"^event log: %d lines \(" % (grown - 2))
        self.wait_side_by_side(106)
        self.tmux.send("|")
        self.tmux.wait_screen(r"^panes side by side, right wider: event log \| output "
                              r"\(53 \| 106 columns; \| again: stacked\)")
        self.wait_side_by_side(53)
        self.tmux.send("|")
        self.tmux.wait_screen(r"^panes stacked \(\| puts them side by side\)")
        self.wait_stacked()

    def test_narrow_screen_refuses_and_shrinking_stacks(self):
        self.open_log_and_output(80, 24)
        self.tmux.send("|")
        self.tmux.wait_screen(r"^too narrow for panes side by side: 80 columns, each needs 40; "
                              r"panes stay stacked")
        self.wait_stacked()
        # Wide enough: side by side; narrower again: stacked, the choice kept.
        self.tmux.resize(120, 30)
        self.tmux.send("|")
        self.tmux.wait_screen(r"^panes side by side: event log \| output \(59 \| 60 columns")
        self.wait_side_by_side(59)
        self.tmux.resize(80, 30)
        self.wait_stacked()
        self.tmux.resize(120, 30)
        self.wait_side_by_side(59)

    def test_one_pane_cannot_go_side_by_side(self):
        self.open_pane(DEMO, width=160, height=45)
        self.tmux.wait_screen(r"washer-1")
        self.tmux.send("p")
        self.tmux.wait_screen(r"^p: telemetry panels hidden")
        self.tmux.send("e")
        self.tmux.wait_screen(EVENTS.pattern)
        self.tmux.send("|")
        self.tmux.wait_screen(r"^side by side needs two panes open \(e events, E explanation, "
                              r"o output, p panels\); panes stay stacked")


if __name__ == "__main__":
    main()
