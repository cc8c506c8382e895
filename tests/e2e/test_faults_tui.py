"""Faults the TUI must survive, driven through tmux: a storm of resizes, a
tiny terminal, a missing or unknown TERM, stdout that is not a terminal,
hostile command names (nothing may reach the terminal raw), a child that
exits while its signal menu is open, and the terminal restored after
SIGTERM, SIGINT and SIGHUP."""

import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (HOSTILE_ARGS, HOSTILE_ARGV0, HOSTILE_BIDI, HOSTILE_COMM, PaneMixin, Tmux,
                          as_nobody, check_no_crash, children_of, concmon_bin, descendants_of,
                          header_line, helper, kill_quietly, main, nobody_can_run, pid_alive,
                          pid_exists, poll, proc_stat)

SLOW = 20.0


def row_re(pid, state=r"[RSDTtZXI]"):
    """A process's row: PID, TID (the same), PPID, state (group 1)."""
    return r"^\s*%d\s+%d\s+\d+\s+(%s)\s.*" % (pid, pid, state)


def stays_alive(pid, start, seconds=1.0):
    """True when pid is still alive after seconds (a bounded negative check)."""
    try:
        poll(lambda: not pid_alive(pid, start), timeout=seconds, desc="pid %d to die" % pid)
        return False
    except AssertionError:
        return True


class Screen(PaneMixin, unittest.TestCase):
    """concmon supervising command in a tmux pane of width x height."""

    width, height = 100, 30

    def start(self, command, width=None, height=None, child_comm="sleep"):
        self.open_pane(command=command, width=width or self.width, height=height or self.height)
        kids = poll(lambda: [p for p in children_of(self.concmon)
                             if (proc_stat(p) or {}).get("comm") == child_comm],
                    desc="concmon's %s child" % child_comm)
        self.child = kids[0]
        self.child_start = proc_stat(self.child)["start"]
        self.remember()

    def lines(self):
        return self.tmux.screen().rstrip("\n").split("\n")

    def check_drawn(self, width, height):
        """The whole screen is concmon's, drawn for width x height: title on
        top (under the meters), one header, the one row, nothing stale, the key bar at the bottom."""
        def good():
            lines = self.lines()
            if len(lines) != height or any(len(l) > width for l in lines):
                return False
            if header_line(lines) is None or not lines[-1].startswith("F1"):
                return False
            headers = [l for l in lines if re.search(r"\bPID\s+TID\s+PPID\b", l)]
            rows = [l for l in lines if re.match(row_re(self.child), l)]
            if len(headers) != 1 or len(rows) != 1:
                return False
            h = lines.index(headers[0])
            r = lines.index(rows[0])
            # Between the row and the key bar: only blank lines (no leftovers).
            return r == h + 1 and all(not l.strip() for l in lines[r + 1:-1])
        try:
            poll(good, timeout=SLOW, interval=0.05, desc="a clean %dx%d screen" % (width, height))
        except AssertionError as e:
            self.fail("%s\n--- screen ---\n%s\n--- end ---" % (e, "\n".join(self.lines())))


class Resizes(Screen):
    def test_50_resizes_in_a_row(self):
        self.start(["sleep", "300"])
        self.tmux.wait_screen(row_re(self.child, "S"))
        sizes = [(40 + (i * 37) % 120, 8 + (i * 11) % 40) for i in range(47)]
        sizes += [(20, 6), (10, 3), (100, 30)]
        for w, h in sizes:
            self.tmux.resize(w, h)
        self.assertTrue(pid_alive(self.concmon, self.concmon_start), "concmon survived")
        self.check_drawn(100, 30)
        # A full redraw draws the same thing.
        self.tmux.send("C-l")
        self.check_drawn(100, 30)
        self.assertTrue(pid_alive(self.child, self.child_start), "the child untouched")


class Tiny(Screen):
    def test_starting_in_a_20x6_terminal(self):
        self.start(["sleep", "300"], 20, 6)
        self.tmux.wait_screen(r"(?i)too\s*small")
        self.assertTrue(pid_alive(self.child, self.child_start), "the child was launched")
        self.assertTrue(all(len(l) <= 20 for l in self.lines()), self.lines())
        self.tmux.resize(100, 30)
        self.check_drawn(100, 30)
        self.tmux.resize(20, 6)
        self.tmux.wait_screen(r"(?i)too\s*small")
        self.tmux.send("q")
        poll(lambda: not pid_exists(self.concmon, self.concmon_start), timeout=10,
             desc="concmon quitting with q from the too-small screen")
        self.assertFalse(pid_exists(self.child, self.child_start), "the child is gone")


class Script(unittest.TestCase):
    """A shell script in a tmux pane that records the terminal settings
    around one run of concmon, then keeps the pane open."""

    def run_script(self, body, width=100, height=30):
        self.tmp = tempfile.mkdtemp(prefix="concmon-tui-faults-")
        self.addCleanup(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        path = os.path.join(self.tmp, "run.sh")
        d = shlex.quote(self.tmp)
        with open(path, "wb") as f:
            f.write(b"stty -g > " + d.encode() + b"/before\n"
                    + b"echo BEFORE\n" + body
                    + b"\necho \"AFTER rc=$?\"\nstty -g > " + d.encode() + b"/after.tmp\n"
                    + b"mv " + d.encode() + b"/after.tmp " + d.encode() + b"/after\n"
                    + b"exec sleep 300\n")
        self.tmux = Tmux("sh %s" % shlex.quote(path), width, height)
        self.addCleanup(self.tmux.close)
        self.shell = self.tmux.pane_pid()

    def finished(self):
        poll(lambda: os.path.exists(os.path.join(self.tmp, "after")), timeout=SLOW,
             desc="the script to get past concmon")
        m = self.tmux.wait_screen(r"AFTER rc=(\d+)")
        return int(m.group(1))

    def read(self, name):
        p = os.path.join(self.tmp, name)
        if not os.path.exists(p):
            return ""
        with open(p, errors="replace") as f:
            return f.read()

    def check_terminal_untouched(self):
        self.assertEqual(self.read("before"), self.read("after"), "stty settings")
        r = self.tmux._tmux("display-message", "-p", "-t", self.tmux.name, "#{alternate_on}")
        self.assertEqual(r.stdout.strip(), "0", "left the alternate screen")


class NoTerminal(Script):
    def check_refused(self, prefix, redirect, message):
        cm = shlex.quote(concmon_bin()).encode()
        self.run_script(prefix + cm + b" -- sleep 300 " + redirect + b" 2>\"$ERR\"")
        rc = self.finished()
        err = self.read("err")
        self.assertEqual(rc, 1, "exit status; stderr: %r" % err)
        self.assertRegex(err, message)
        self.assertEqual(len(err.strip().splitlines()), 1, "one clear line: %r" % err)
        check_no_crash(self, err)
        screen = self.tmux.screen()
        self.assertRegex(screen, r"BEFORE\nAFTER rc=1", "nothing written to the terminal")
        self.check_terminal_untouched()
        sleeps = [p for p in descendants_of(self.shell)
                  if (proc_stat(p) or {}).get("comm") == "sleep"
                  and proc_stat(p)["ppid"] != self.shell]
        self.assertEqual(sleeps, [], "nothing was launched")

    def run_script(self, body, width=100, height=30):
        super().run_script(b"ERR=" + b"\"$(dirname \"$0\")/err\"\n" + body, width, height)

    def test_term_unset(self):
        self.check_refused(b"env -u TERM ", b"", r"concmon: TERM is not set")

    def test_term_empty(self):
        self.check_refused(b"env TERM= ", b"", r"concmon: TERM is not set")

    def test_term_unknown(self):
        self.check_refused(b"env TERM=unknown-term ", b"",
                           r"concmon: .*(unknown|no terminfo).*TERM=unknown-term")

    def test_stdout_not_a_terminal(self):
        self.check_refused(b"", b"> \"$(dirname \"$0\")/out\"",
                           r"concmon: standard output is not a terminal \(try --batch\)")
        self.assertEqual(self.read("out"), "", "nothing on stdout")

    def test_stdin_not_a_terminal(self):
        self.check_refused(b"", b"< /dev/null",
                           r"concmon: standard input is not a terminal \(try --batch\)")


class SignalsToConcmon(Script):
    def check_signal(self, sig):
        cm = shlex.quote(concmon_bin()).encode()
        self.run_script(cm + b" -d 0.2 -- sleep 300")
        self.tmux.wait_screen(r"^\s*(\d+)\s+\1\s+\d+\s+S\s.*sleep 300")
        cms = poll(lambda: [p for p in descendants_of(self.shell)
                            if (proc_stat(p) or {}).get("comm") == "concmon"],
                   desc="concmon under the shell")
        concmon = cms[0]
        kids = {p: proc_stat(p)["start"] for p in children_of(concmon)
                if (proc_stat(p) or {}).get("comm") == "sleep"}
        self.assertTrue(kids)
        os.kill(concmon, sig)
        rc = self.finished()
        self.assertEqual(rc, 128 + sig, "exit status after %s" % signal.Signals(sig).name)
        self.check_terminal_untouched()
        self.assertNotRegex(self.tmux.screen(), r"\bPID\s+TID\s+PPID\b",
                            "concmon's screen is gone (normal screen back)")
        for p, s in kids.items():
            self.assertFalse(pid_exists(p, s), "the sleep is gone")
        self.assertEqual(self.tmux.sanitizer_reports(), "")

    def test_sigterm(self):
        self.check_signal(signal.SIGTERM)

    def test_sigint(self):
        self.check_signal(signal.SIGINT)

    def test_sighup(self):
        self.check_signal(signal.SIGHUP)


COMM, ARGV0, ARGS = HOSTILE_COMM, HOSTILE_ARGV0, HOSTILE_ARGS + [HOSTILE_BIDI]


def sh_quote(b):
    return b"'" + b.replace(b"'", b"'\\''") + b"'"


class HostileNames(Screen):
    def pane_title(self):
        r = self.tmux._tmux("display-message", "-p", "-t", self.tmux.name, "#{pane_title}")
        return r.stdout.strip()

    def test_names_are_shown_escaped_and_never_reach_the_terminal(self):
        tmp = tempfile.mkdtemp(prefix="concmon-hostile-")
        self.addCleanup(lambda: shutil.rmtree(tmp, ignore_errors=True))
        script = os.path.join(tmp, "run.sh")
        with open(script, "wb") as f:
            f.write(b"exec " + shlex.quote(concmon_bin()).encode() + b" -d 0.2 -- "
                    + b" ".join(sh_quote(a) for a in
                                [os.fsencode(helper("hostile")), COMM, ARGV0] + ARGS) + b"\n")
        # Start a plain shell first, to know the pane's title before concmon.
        self.tmux = Tmux("sh -c 'sleep 0.3; exec sh %s'" % shlex.quote(script), 300, 30)
        self.addCleanup(self.cleanup)
        self.known = {}
        title = self.pane_title()
        self.attach_concmon()
        # The row of the renamed process: its escaped comm, then its command line.
        m = self.tmux.wait_screen(r"^\s*(\d+)\s+\1\s+\d+\s+S\s.*\\e\[31m\\e\]2;X\\x07\\n\\xff.*$")
        self.child = int(m.group(1))
        self.child_start = proc_stat(self.child)["start"]
        self.remember()
        row = m.group(0)
        for shown in (r"\e[H\e[2J\e]0;OWNED\x07hostile", r"line1\nline2", "q\"u'o`te\\",
                      r"bad\xff\xfeutf8", r"c1\x9b31mcsi", r"\e[41mBG\e[0m",
                      r"tab\tcr\rdel\x7fbel\x07"):
            self.assertIn(shown, row, "the row shows %s escaped" % shown)
        self.assertNotIn("\u202e", self.tmux.screen(), "the bidi override is not shown raw")
        # Nothing reached the terminal: the title is the same, the screen was
        # not cleared (title line, header and key bar in place), and the
        # row's cells carry none of the colours the name asks for.
        self.assertEqual(self.pane_title(), title, "the pane title is unchanged")
        lines = self.lines()
        top = header_line(lines)
        self.assertIsNotNone(top, "\n".join(lines))
        self.assertRegex(lines[top + 1], r"\bPID\s+TID\s+PPID\b")
        self.assertTrue(lines[-1].startswith("F1"), lines[-1])
        r = self.tmux._tmux("capture-pane", "-p", "-e", "-t", self.tmux.name)
        styled = [l for l in r.stdout.split("\n") if "OWNED" in l]
        self.assertEqual(len(styled), 1, r.stdout)
        for sgr in ("\x1b[31m", "\x1b[41m", "\x1b[2J"):
            self.assertNotIn(sgr, styled[0], "%r took effect in the row" % sgr)
        self.assertTrue(pid_alive(self.concmon, self.concmon_start))


class MenuTargetExits(Screen):
    """The signal menu is opened on one process, which then exits."""

    def open_menu_on_the_child(self):
        # sh becomes `sleep 300` (the selected first row) with a `sleep 301` below it.
        self.start(["sh", "-c", "sleep 301 & exec sleep 300"])
        other = poll(lambda: [p for p in descendants_of(self.concmon)
                              if (proc_stat(p) or {}).get("comm") == "sleep"
                              and p != self.child],
                     desc="the sleep 301")[0]
        self.other, self.other_start = other, proc_stat(other)["start"]
        self.remember()
        self.tmux.wait_screen(row_re(self.child, "S"))
        self.tmux.wait_screen(row_re(other, "S"))
        self.tmux.send("F9")
        self.tmux.wait_screen(r"Send a signal to %d \(sleep\)" % self.child)
        os.kill(self.child, signal.SIGKILL)
        poll(lambda: not pid_exists(self.child, self.child_start), timeout=10,
             desc="the menu's process killed and reaped")
        # The menu covers the table; the title line counts the exited row.
        self.tmux.wait_screen(r"^concmon .*(\b1 exited\b|\bX1\b)")   # words or compact

    def check_refused(self):
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"SIGTERM to %d \(sleep\): No such process" % self.child)
        self.assertTrue(stays_alive(self.other, self.other_start),
                        "SIGTERM went to the other sleep (%d) instead" % self.other)
        self.assertTrue(pid_alive(self.concmon, self.concmon_start))

    def test_choosing_a_signal_while_the_exited_row_lingers(self):
        self.open_menu_on_the_child()
        self.check_refused()

    def test_choosing_a_signal_after_the_row_is_gone(self):
        self.open_menu_on_the_child()
        # The exited row lingers a few seconds, then goes: the selection
        # must not slide onto another process under the open menu.
        self.tmux.wait_screen(r"^concmon .*(\b0 exited\b|\bX0\b)", timeout=SLOW)
        screen = self.tmux.screen()
        self.check_refused()
        self.assertRegex(screen, r"Send a signal to %d \(sleep\)" % self.child,
                         "the menu still named the process it was opened on")


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class WithoutRoot(unittest.TestCase):
    def test_root_process_shown_and_terminate_fails_with_eperm_on_screen(self):
        decoy = subprocess.Popen(["sleep", "31415926"], start_new_session=True)
        self.addCleanup(lambda: (decoy.kill(), decoy.wait()))
        start = proc_stat(decoy.pid)["start"]
        cmd = " ".join(shlex.quote(a) for a in as_nobody([concmon_bin(), "-a", "-d", "0.5"]))
        with Tmux(cmd, 160, 30) as tmux:
            pid = tmux.pane_pid()
            poll(lambda: (proc_stat(pid) or {}).get("comm") == "concmon",
                 desc="the pane's process to become concmon")
            self.assertEqual(os.stat("/proc/%d" % pid).st_uid, pwd.getpwnam("nobody").pw_uid)
            # nobody cannot make a cgroup: the header says so for good. (The
            # status line says why at start, until the next message replaces
            # it: under -a a busy machine may soon report lost kernel events.)
            tmux.wait_screen(r", all, no cgroup, every 0.5s")
            # Only the decoy (and its parent, this test): then select the decoy.
            tmux.send("\\")
            # In two pieces: the tmux client that types it shows in this
            # -a view too (for 5 s once it exited) and must not match.
            tmux.send_literal("3141")
            tmux.send_literal("5926")
            tmux.send("Enter")
            tmux.wait_screen(row_re(decoy.pid, "S") + r"sleep 31415926")
            tmux.send("End")
            tmux.send("x")
            tmux.wait_screen(r"terminate %d \(sleep\): Operation not permitted" % decoy.pid)
            tmux.send("F9")
            tmux.wait_screen(r"Send a signal to %d \(sleep\)" % decoy.pid)
            tmux.send("Enter")
            tmux.wait_screen(r"SIGTERM to %d \(sleep\): Operation not permitted" % decoy.pid)
            self.assertTrue(pid_alive(decoy.pid, start), "root's process is untouched")
            self.assertTrue(pid_alive(pid), "concmon goes on")
            tmux.send("q")
            poll(lambda: not pid_exists(pid), timeout=10, desc="concmon quitting")
            self.assertTrue(pid_alive(decoy.pid, start), "quitting left root's process alone")
            self.assertEqual(tmux.sanitizer_reports(), "")


if __name__ == "__main__":
    main()
