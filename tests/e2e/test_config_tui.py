"""concmonrc in the TUI, through tmux: the view starts as the file says
(flat, event log and output side by side, no panels, the launch prompt
tracing), the theme comes from the file unless --theme is given, and a
bad file is named, with its line, in the status line."""

import os
import re
import shutil
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, main, poll  # noqa: E402

SEP = "[│|]"
EVENTS = re.compile(r"^ Events: \d+")
OUTPUT = re.compile(r" Output of \d+ washer-dryer-threads")
# As in test_small_tui: SGR codes that paint a colour, and the grey of command lines.
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
GREY_SGR = re.compile(r"\x1b\[(?:1m\x1b\[)?(?:[0-9;]*;)?(?:90|30|2)m")


class ConfigTui(PaneMixin, unittest.TestCase):
    def setUp(self):
        xdg = tempfile.mkdtemp(prefix="concmon-cfg-")
        self.addCleanup(shutil.rmtree, xdg, True)
        self.rc = os.path.join(xdg, "concmon", "concmonrc")
        os.makedirs(os.path.dirname(self.rc))
        # The private tmux server, and so concmon, inherits this environment.
        patch = mock.patch.dict(os.environ, {"XDG_CONFIG_HOME": xdg})
        patch.start()
        self.addCleanup(patch.stop)

    def write(self, text):
        with open(self.rc, "w") as f:
            f.write(text)

    def test_view_starts_as_the_file_says(self):
        self.write("tree=false\nlayout=side\npanes=events,output\ntrace=true\n")
        self.open_pane(["--demo", "washer-dryer-threads"], width=160, height=45)
        self.tmux.wait_screen(r"washer-1")
        self.tmux.wait_screen(r"\bflat, threads\b")

        def side_by_side():
            lines = self.tmux.screen().splitlines()
            for i, l in enumerate(lines):
                m = OUTPUT.search(l)
                if EVENTS.search(l) and m and re.match(SEP, l[m.start() - 1:m.start()]):
                    return i
            return None
        poll(side_by_side, desc="event log and output titles side by side on one line")
        self.assertNotRegex(self.tmux.screen(), r"(?m)^ ?Telemetry|panels:",
                            "the panels are not open")
        self.tmux.send(":")
        self.tmux.wait_screen(r"(?m)^Launch: --trace\s*$")

    def test_no_config_keeps_the_defaults(self):
        self.write("tree=false\npanes=events\n")
        self.open_pane(["--no-config", "--demo", "washer-dryer-threads"], width=160, height=45)
        self.tmux.wait_screen(r"washer-1")
        self.tmux.wait_screen(r"\btree, threads\b")
        self.assertIsNone(EVENTS.search(self.tmux.screen()))

    def command_rows(self, args):
        """The escape codes of the rows of two sleeps (as test_small_tui)."""
        self.open_pane(args, ["sh", "-c", "sleep 30 & sleep 31; wait"], width=100, height=12)
        self.tmux.wait_screen(r"sleep  sleep 30(.*\n)+.*sleep  sleep 31")
        r = self.tmux._tmux("capture-pane", "-e", "-p", "-t", self.tmux.name)
        rows = [l for l in r.stdout.splitlines() if re.search(r"sleep\S*  sleep 3[01]", l)]
        self.assertEqual(len(rows), 2, r.stdout)
        return r.stdout, rows

    def test_monochrome_from_file(self):
        self.write("theme=monochrome\n")
        screen, _ = self.command_rows([])
        self.assertIsNone(COLOUR_SGR.search(screen), screen)
        self.assertIn("\x1b[7m", screen)      # the bars keep reverse video

    def test_projector_from_file(self):
        self.write("theme=projector\n")
        _, rows = self.command_rows([])
        self.assertFalse(any(GREY_SGR.search(l) for l in rows), rows)

    def test_theme_option_wins_over_file(self):
        self.write("theme=projector\n")
        _, rows = self.command_rows(["--theme", "default"])
        self.assertTrue(all(GREY_SGR.search(l) for l in rows), rows)

    def test_bad_file_named_in_status_line(self):
        self.write("# mine\ndelay=fast\ntree=false\n")
        self.open_pane([], width=160, height=30)
        self.tmux.wait_screen(r"concmonrc:2: invalid value 'fast' for delay: expected a number "
                              r"from 0 to 3600")
        self.tmux.wait_screen(r"\bflat\b")     # the good line still counts


if __name__ == "__main__":
    main()
