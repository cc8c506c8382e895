"""The setup screen (S) through tmux: hide a column, show another and move
it, change the theme and the linger, save; the file on disk is 0600 with
those lines, and concmon started again with the same XDG_CONFIG_HOME shows
the columns and the theme saved (persistence across restarts). Esc leaves
without saving; --no-config says it does not save."""

import os
import re
import shlex
import shutil
import stat
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, Tmux, concmon_bin, main, pid_exists, poll  # noqa: E402

# As in test_config_tui: SGR codes that paint a colour.
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
MARK = re.compile(r"(?m)^>.*$")
COLUMNS = "PID,TID,PPID,S,CPU%,RSS,START,USER,WAITING,COMMAND"


class SetupTui(PaneMixin, unittest.TestCase):
    def setUp(self):
        xdg = tempfile.mkdtemp(prefix="concmon-setup-")
        self.addCleanup(shutil.rmtree, xdg, True)
        self.rc = os.path.join(xdg, "concmon", "concmonrc")
        # The private tmux server, and so concmon, inherits this environment.
        patch = mock.patch.dict(os.environ, {"XDG_CONFIG_HOME": xdg})
        patch.start()
        self.addCleanup(patch.stop)

    def marked(self):
        m = MARK.search(self.tmux.screen())
        return m.group(0) if m else ""

    def goto(self, regex):
        """Moves the setup screen's cursor (>) down to the row matching regex."""
        pat = re.compile(r"^>\s*" + regex)
        for _ in range(60):
            now = self.marked()
            if pat.search(now):
                return
            self.tmux.send("Down")
            poll(lambda: self.marked() not in ("", now), desc="the cursor to move from %r" % now)
        self.fail("no row %r in the setup screen:\n%s" % (regex, self.tmux.screen()))

    def open_setup(self):
        self.tmux.send("S")
        self.tmux.wait_screen(r"^ Setup: changes apply at once; w saves")
        self.tmux.wait_screen(r"^>\s+\[x\] PID\s*$")

    def start(self, args=()):
        self.open_pane(list(args), ["sleep", "60"], width=160, height=50)
        self.tmux.wait_screen(r"sleep 60")

    def titles(self):
        return next((l for l in self.tmux.screen().splitlines() if re.match(r"\s*PID\s+TID", l)),
                    "")

    def test_change_save_and_restart(self):
        self.start()
        self.assertRegex(self.titles(), r"\bTHR\b")
        self.open_setup()
        self.goto(r"\[x\] THR\s*$")
        self.tmux.send("Space")
        self.tmux.wait_screen(r"^>\s+\[ \] THR\s*$")
        self.tmux.wait_screen(r"columns = PID,TID,PPID,S,CPU%,RSS,START,WAITING,COMMAND \(applied")
        self.goto(r"\[ \] USER\s*$")
        self.tmux.send("Space")
        self.tmux.wait_screen(r"^>\s+\[x\] USER\s*$")
        self.tmux.send("[")
        self.tmux.wait_screen(r"columns = %s \(applied; w saves\)" % re.escape(COLUMNS))
        self.tmux.wait_screen(r"\[x\] START\s*\n>\s+\[x\] USER\s*\n.*\[x\] WAITING")
        self.goto(r"Colour scheme\s+default")
        self.tmux.send("Right")
        self.tmux.wait_screen(r"^>\s+Colour scheme\s+monochrome\s*$")
        self.goto(r"Exited rows stay, s\s+5")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^Exited rows stay, s \[0\.\.86400\]: 5")
        self.tmux.send("C-u")
        self.tmux.send_literal("86401")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"invalid value '86401' for linger: expected a number from 0 to 86400")
        self.tmux.send("Enter")
        self.tmux.send("C-u")
        self.tmux.send_literal("0")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"linger = 0 \(applied; w saves\)")
        self.assertFalse(os.path.exists(self.rc), "nothing written before w")
        self.tmux.send("w")
        self.tmux.wait_screen(r"settings saved to %s" % re.escape(self.rc))

        self.assertEqual(stat.S_IMODE(os.stat(self.rc).st_mode), 0o600)
        with open(self.rc) as f:
            text = f.read()
        self.assertRegex(text, r"(?m)^columns=%s$" % re.escape(COLUMNS))
        self.assertRegex(text, r"(?m)^theme=monochrome$")
        self.assertRegex(text, r"(?m)^linger=0$")
        # The live table already has them.
        self.tmux.send("Escape")
        self.tmux.wait_screen(r"setup closed")
        self.assertRegex(self.titles(), r"START\s+USER\s+WAITING")
        self.assertNotRegex(self.titles(), r"\bTHR\b")

        # Quit, then start again with the same XDG_CONFIG_HOME.
        first, pid, start = self.tmux, self.concmon, self.concmon_start
        self.tmux.send("q")
        poll(lambda: not pid_exists(pid, start), desc="concmon to quit on q")
        self.assertEqual(first.sanitizer_reports(), "", "sanitizer reports")
        first.kill_server()
        first.close()
        argv = [concmon_bin(), "-d", "0.2", "--", "sleep", "61"]
        self.tmux = Tmux(" ".join(shlex.quote(a) for a in argv), 160, 50)
        self.attach_concmon()
        self.tmux.wait_screen(r"sleep 61")
        self.assertRegex(self.titles(), r"START\s+USER\s+WAITING\s+COMMAND")
        self.assertNotRegex(self.titles(), r"\bTHR\b")
        r = self.tmux._tmux("capture-pane", "-e", "-p", "-t", self.tmux.name)
        self.assertIsNone(COLOUR_SGR.search(r.stdout), "monochrome: no colour codes")
        self.open_setup()
        self.goto(r"Exited rows stay, s\s+0\s*$")

    def test_esc_leaves_without_saving(self):
        os.makedirs(os.path.dirname(self.rc))
        with open(self.rc, "w") as f:
            f.write("tree=true\n")
        before = os.stat(self.rc)
        self.start()
        self.open_setup()
        self.goto(r"Tree view\s+true")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"^>\s+Tree view\s+false\s*$")
        self.tmux.wait_screen(r"tree = false \(applied; w saves\)")
        self.tmux.send("Escape")
        self.tmux.wait_screen(r"setup closed: the changes stay for this session, not saved")
        self.tmux.wait_screen(r"\bflat\b")          # the live view keeps the change
        after = os.stat(self.rc)
        self.assertEqual((before.st_mtime_ns, before.st_size, before.st_ino),
                         (after.st_mtime_ns, after.st_size, after.st_ino))
        with open(self.rc) as f:
            self.assertEqual(f.read(), "tree=true\n")

    def test_no_config_does_not_save(self):
        self.start(["--no-config"])
        self.open_setup()
        self.tmux.send("w")
        self.tmux.wait_screen(r"--no-config: not saved")
        self.assertFalse(os.path.exists(os.path.dirname(self.rc)))


if __name__ == "__main__":
    main()
