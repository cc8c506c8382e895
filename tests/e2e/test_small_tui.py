"""80x24 as a first-class size, panes shown together and sized, and the
colour themes, driven headless through tmux: every header count and the
mode in the compact header, F10 Quit in the key bar, a long command line
visible, the deadlock banner wrapped with both holders, the lesson pane
scrolled to its end; several panes at once at 160x45 and ( ) sizing one;
the projector theme and NO_COLOR read from the escape codes on screen."""

import os
import re
import shlex
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, Tmux, concmon_bin, main

# A command line long enough that the old 80-column layout (COMMAND ~26
# columns) cut it, short enough for the 40 columns COMMAND now keeps.
MARK = "long-arg-visible"
LONG = ["sh", "-c", "sleep 30; : " + MARK]


class Small(PaneMixin, unittest.TestCase):
    def test_header_bar_and_long_command_at_80x24(self):
        self.open_pane(command=LONG, width=80, height=24)
        # Every count and the view mode, none cut.
        # (With kernel events a "| peak ..." segment may stand between them.)
        self.tmux.wait_screen(r"^concmon 2p 2t \| R\d+ S\d+ T\d+ Z\d+ O\d+ X\d+ +"
                              r"(?:\| peak [^|]+)?\| tree thr PID n?o?cg 0\.2s$")
        bar = self.tmux.wait_screen(r"^F1Help F2Demos F3Search F4Filter F5Tree .*$").group(0)
        for key in ("F7Launch", "F9Kill", "F10Quit"):
            self.assertIn(key, bar)
        self.tmux.wait_screen(r"sh  sh -c sleep 30; : " + MARK)

    def test_deadlock_banner_wraps_and_lesson_scrolls_at_80x24(self):
        self.open_pane(["--demo", "deadlock"], width=80, height=24)
        m = self.tmux.wait_screen(r"^DEADLOCK: T \d+ \(philosopher-[AB]\).*\n(.*)$")
        banner = m.group(0)
        for name in ("philosopher-A", "philosopher-B", "fork-1", "fork-2"):
            self.assertIn(name, banner)
        # The table starts under the two banner lines.
        self.tmux.wait_screen(r"^DEADLOCK: .*\n.*\n +PID +TID")
        self.tmux.send("E")
        m = self.tmux.wait_screen(r"Explain: PID \d+  lines 1-(\d+) of (\d+)")
        total = int(m.group(2))
        self.assertGreater(total, int(m.group(1)))
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"Explain: .*\[keys here\]")
        self.tmux.send("End")
        self.tmux.wait_screen(r"Explain: PID \d+  lines \d+-%d of %d" % (total, total))
        self.tmux.send("Home")
        self.tmux.wait_screen(r"Explain: PID \d+  lines 1-\d+ of %d" % total)


class Panes(PaneMixin, unittest.TestCase):
    def test_panes_shown_together_and_sized(self):
        self.open_pane(["--demo", "deadlock"], width=160, height=45)
        self.tmux.wait_screen(r"^ \d+ deadlock  probe: ")
        self.tmux.send("E")
        self.tmux.send("e")
        self.tmux.send("o")
        # The panels, the explanation, the event log and the output at once.
        self.tmux.wait_screen(r"^ \d+ deadlock  probe: (.*\n)+ Explain: (.*\n)+ Events: \d+"
                              r"(.*\n)+ Output of \d+ deadlock")
        self.tmux.send("Tab")       # the explanation takes the keys
        m = self.tmux.wait_screen(r"^explanation: .*$|Explain: .*\[keys here\]")
        self.tmux.send(")")
        m = self.tmux.wait_screen(r"^explanation: (\d+) lines \(\( fewer, \) more")
        grown = int(m.group(1))
        self.tmux.send("(")
        self.tmux.wait_screen(r"^explanation: %d lines \(" % (grown - 1))
        self.tmux.send("(")
        self.tmux.wait_screen(r"^explanation: %d lines \(" % (grown - 2))

    def test_p_says_the_program_has_no_telemetry(self):
        self.open_pane(command=["sleep", "30"], width=100, height=30)
        self.tmux.wait_screen(r"sleep  sleep 30")
        self.tmux.send("p")         # the panels start open: this hides them
        self.tmux.wait_screen(r"^p: telemetry panels hidden")
        self.tmux.send("p")
        self.tmux.wait_screen(r"^p: panels on, but no telemetry for this program \(PID \d+\)")


# SGR codes that paint a foreground or background colour (30-37, 39-49,
# 90-107, 38;5;N...), and the grey of command lines: bright black (90), or
# bold black (1 then 30) on 8 colours.
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
GREY_SGR = re.compile(r"\x1b\[(?:1m\x1b\[)?(?:[0-9;]*;)?(?:90|30|2)m")


class Themes(PaneMixin, unittest.TestCase):
    """The same two-child tree under each theme; the command lines of the
    rows not selected are read with their escape codes."""

    def run_theme(self, env, args):
        argv = [concmon_bin(), "-d", "0.2"] + args + ["--", "sh", "-c", "sleep 30 & sleep 31; wait"]
        self.tmux = tmux = Tmux("env %s %s" % (env, " ".join(shlex.quote(a) for a in argv)),
                                100, 12)
        self.addCleanup(self.cleanup)
        self.attach_concmon()
        tmux.wait_screen(r"sleep  sleep 30(.*\n)+.*sleep  sleep 31")
        # Both children are rows now; their escape codes as drawn.
        r = tmux._tmux("capture-pane", "-e", "-p", "-t", tmux.name)
        rows = [l for l in r.stdout.splitlines() if re.search(r"sleep\S*  sleep 3[01]", l)]
        self.assertEqual(len(rows), 2, r.stdout)
        return r.stdout, rows

    def test_default_theme_greys_command_lines(self):
        _, rows = self.run_theme("X=1", [])
        self.assertTrue(all(GREY_SGR.search(l) for l in rows), rows)

    def test_projector_theme_has_no_grey_or_dim(self):
        _, rows = self.run_theme("X=1", ["--theme", "projector"])
        self.assertFalse(any(GREY_SGR.search(l) for l in rows), rows)

    def test_no_color_draws_no_colour(self):
        screen, _ = self.run_theme("NO_COLOR=1", [])
        self.assertIsNone(COLOUR_SGR.search(screen), screen)
        self.assertIn("\x1b[7m", screen)      # the bars keep reverse video


if __name__ == "__main__":
    main()
