"""The TUI, driven headless through tmux: the sleep row with its PID and
state, keys that stop, continue and terminate it, help, the signal menu,
the launch prompt, resizing, quitting, and the terminal restored."""

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (PaneMixin, Tmux, check_no_crash, children_of, concmon_bin, descendants_of,
                          helper, kill_quietly, main, pid_alive, pid_exists, pid_state, poll,
                          proc_stat, thread_ids)


def row_re(pid, tid=None, state=r"[RSDTtZXI]"):
    """A table row: PID, TID (a process's row: the same number, and the
    column is hidden when threads are), PPID, then the state letter (group 1)."""
    tid_re = r"%d\s+" % tid if tid else r"(?:%d\s+)?" % pid
    return r"^\s*%d\s+%s\d+\s+(%s)\s.*" % (pid, tid_re, state)


class TuiCase(PaneMixin, unittest.TestCase):
    width, height = 120, 40
    command = ["sleep", "300"]
    child_comm = "sleep"

    def setUp(self):
        self.open_pane(command=self.command, width=self.width, height=self.height)
        kids = poll(lambda: [p for p in children_of(self.concmon)
                             if (proc_stat(p) or {}).get("comm") == self.child_comm],
                    desc="concmon's %s child" % self.child_comm)
        self.sleep = kids[0]
        self.sleep_start = proc_stat(self.sleep)["start"]
        self.known = {self.sleep: self.sleep_start}

    def wait_row(self, pid=None, state=None, timeout=10):
        """Waits for the row of pid (default: the sleep), with state if
        given; returns the match (group 1 = state letter)."""
        pid = pid or self.sleep
        if state is None:
            return self.tmux.wait_screen(row_re(pid), timeout)
        return self.tmux.wait_screen(row_re(pid, state=state), timeout)


class Rows(TuiCase):
    def test_stop_continue_terminate_through_keys(self):
        m = self.wait_row(state="S")
        self.assertIn("sleep", m.group(0), "the row shows the command")
        self.assertRegex(self.tmux.screen(), r"PID")
        self.tmux.send("s")
        self.wait_row(state="T")
        self.assertEqual(pid_state(self.sleep), "T", "the kernel agrees: stopped")
        self.tmux.send("c")
        self.wait_row(state="S")
        self.assertIn(pid_state(self.sleep), ("S", "R"), "the kernel agrees: running again")
        self.tmux.send("x")
        poll(lambda: not pid_exists(self.sleep, self.sleep_start), timeout=10,
             desc="the sleep terminated and reaped")
        # The row shows how it ended, then goes away.
        m = self.wait_row(state="X")
        self.assertRegex(m.group(0), r"SIGTERM", "exited by SIGTERM: " + m.group(0))
        self.tmux.wait_no_screen(row_re(self.sleep), timeout=15)
        self.assertTrue(pid_alive(self.concmon), "concmon still runs")

    def test_header_counts(self):
        self.wait_row(state="S")
        self.tmux.wait_screen(r"\b1 procs?\b.*\b1 thr")
        self.tmux.wait_screen(r"\b0 stop")
        self.tmux.send("s")
        self.wait_row(state="T")
        self.tmux.wait_screen(r"\b1 stop")
        self.tmux.send("c")
        self.wait_row(state="S")
        self.tmux.wait_screen(r"\b0 stop")

    def test_signal_menu_sends_sigterm_with_enter(self):
        self.wait_row(state="S")
        self.tmux.send("F9")
        self.tmux.wait_screen(r"SIGTERM|\bTERM\b")
        screen = self.tmux.screen()
        self.assertRegex(screen, r"SIGKILL|\bKILL\b", "the menu lists SIGKILL")
        self.assertRegex(screen, r"SIGSTOP|\bSTOP\b", "the menu lists SIGSTOP")
        self.tmux.send("Enter")
        poll(lambda: not pid_exists(self.sleep, self.sleep_start), timeout=10,
             desc="SIGTERM sent from the menu ended the sleep")
        m = self.wait_row(state="X")
        self.assertRegex(m.group(0), r"SIGTERM", "the menu starts on SIGTERM")
        self.assertTrue(pid_alive(self.concmon), "concmon still runs")

    def test_K_opens_the_signal_menu_and_escape_cancels(self):
        self.wait_row(state="S")
        self.tmux.send("K")
        self.tmux.wait_screen(r"SIGKILL")
        self.tmux.send("Escape")
        self.tmux.wait_no_screen(r"SIGKILL")
        self.wait_row(state="S")
        self.assertTrue(pid_alive(self.sleep, self.sleep_start), "Escape sent nothing")

    def test_launch_prompt(self):
        self.wait_row(state="S")
        self.tmux.send(":")
        self.tmux.send_literal("sleep 301")
        self.tmux.send("Enter")
        new = poll(lambda: [p for p in children_of(self.concmon)
                            if p != self.sleep and (proc_stat(p) or {}).get("comm") == "sleep"],
                   desc="a second sleep launched from the prompt")[0]
        self.known[new] = proc_stat(new)["start"]
        # comm turns "sleep" during the exec, a moment before cmdline is
        # readable (it reads empty meanwhile: seen once in a full run).
        def cmdline():
            with open("/proc/%d/cmdline" % new, "rb") as f:
                return f.read()
        poll(cmdline, desc="the new sleep's command line")
        self.assertEqual(cmdline(), b"sleep\x00301\x00")
        self.wait_row(pid=new)


class Threads(TuiCase):
    child_comm = "threads"

    def setUp(self):
        self.command = [helper("threads"), "3"]
        super().setUp()

    def test_thread_rows_toggle_and_filter(self):
        tids = poll(lambda: len(thread_ids(self.sleep)) == 3 and thread_ids(self.sleep),
                    desc="3 threads")
        workers = [t for t in tids if t != self.sleep]
        self.wait_row()
        for tid in workers:
            self.tmux.wait_screen(row_re(self.sleep, tid) + r"worker-")
        self.tmux.send("H")
        for tid in workers:
            self.tmux.wait_no_screen(row_re(self.sleep, tid))
        self.wait_row()
        self.tmux.send("H")
        for tid in workers:
            self.tmux.wait_screen(row_re(self.sleep, tid))
        # Filter on one thread's name: it stays (with its process), the
        # other thread goes.
        self.tmux.send("\\")
        self.tmux.send_literal("worker-2")
        self.tmux.send("Enter")
        self.tmux.wait_no_screen(r"worker-1")
        self.tmux.wait_screen(r"worker-2")


class ZombieRow(TuiCase):
    # sleep 300 never waits for the child the shell left it: a zombie.
    command = ["sh", "-c", "sleep 0.01 & exec sleep 300"]

    def test_terminate_on_a_zombie_says_who_must_reap_it(self):
        zombie = poll(lambda: [p for p in children_of(self.sleep) if pid_state(p) == "Z"],
                      desc="the zombie under sleep 300")[0]
        self.known[zombie] = proc_stat(zombie)["start"]
        self.wait_row(zombie, state="Z")
        self.tmux.send("/")
        self.tmux.send_literal(str(zombie))
        self.tmux.send("Enter")
        for key in ("x", "s"):
            with self.subTest(key=key):
                self.tmux.send(key)
                self.tmux.wait_screen(r"%d \(sleep\) is a zombie: it has exited and cannot be "
                                      r"killed; its parent %d \(sleep\) must reap it" % (zombie,
                                                                                      self.sleep))
                self.tmux.send("Escape")
        self.assertEqual(pid_state(zombie), "Z", "still a zombie: nothing was sent")
        self.assertTrue(pid_alive(self.sleep), "its parent is untouched")


class Screens(TuiCase):
    height = 50   # every key of the table on one help screen

    def test_help_opens_and_any_key_closes_it(self):
        # The help screen and --list-keys come from the same key table.
        r = subprocess.run([concmon_bin(), "--list-keys"], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        keys = [" ".join(line.split()) for line in r.stdout.splitlines() if line.strip()]
        self.assertGreaterEqual(len(keys), 10, r.stdout)
        # Every key on one screen: the table is longer than 40 lines now.
        self.tmux.resize(120, len(keys) + 12)
        for key in ("F1", "?"):
            with self.subTest(key=key):
                self.wait_row()
                self.tmux.send(key)
                as_re = lambda k: r"^\s*" + r"\s+".join(map(re.escape, k.split()))
                self.tmux.wait_screen(as_re(keys[0]))
                # Every key, paging down (PgDn) while the table runs longer
                # than the screen.
                seen = []
                for _ in range(10):
                    raw = self.tmux.screen()
                    screen = [" ".join(line.split()) for line in raw.splitlines()]
                    seen += screen
                    self.assertIsNone(re.search(row_re(self.sleep), "\n".join(screen), re.M),
                                      "help replaces the table")
                    if keys[-1] in screen:
                        break
                    self.tmux.send("PgDn")
                    poll(lambda: self.tmux.screen() != raw, desc="PgDn scrolls the help")
                for k in keys:
                    self.assertIn(k, seen, "the help screen shows %r" % k)
                self.tmux.send("Enter")
                self.wait_row()
                self.tmux.wait_no_screen(r"^\s*F10\s+q\s")

    def test_resize_and_too_small(self):
        self.wait_row(state="S")
        self.tmux.resize(60, 15)
        self.wait_row()
        self.tmux.resize(20, 6)
        self.tmux.wait_screen(r"(?i)too\s*small")
        self.assertTrue(pid_alive(self.concmon, self.concmon_start), "concmon survived 20x6")
        self.tmux.resize(120, 40)
        self.wait_row(state="S")
        self.assertTrue(pid_alive(self.sleep, self.sleep_start))


class Storm(TuiCase):
    """Orphans churning (each adopted and reaped by concmon) and no refresh
    for 30 s: whatever the screen shows changing is drawn by the frames
    the events ask for, and keys still act at once."""
    def setUp(self):
        self.open_pane(args=["-d", "30"], command=[helper("churn"), "6", "1", "orphans"],
                       width=self.width, height=self.height)
        self.sleep = poll(lambda: next((p for p in children_of(self.concmon)
                                        if (proc_stat(p) or {}).get("comm") == "churn"), None),
                          desc="concmon's churn child")
        self.known = {self.sleep: proc_stat(self.sleep)["start"]}

    def events_shown(self):
        m = re.search(r"Events: (\d+)", self.tmux.screen())
        return int(m.group(1)) if m else None

    def test_event_frames_keep_coming_and_keys_act_at_once(self):
        self.tmux.send("e")
        first = poll(self.events_shown, desc="the event pane with a count")
        poll(lambda: (self.events_shown() or 0) > first + 20, timeout=20,
             desc="more events drawn without a key or a refresh")
        for want in ("flat", "tree", "flat"):     # the mode in words or compact
            self.tmux.send("t")
            self.tmux.wait_screen(r"^concmon .*[ |] %s\b" % want, timeout=10)
        self.remember()


class Quit(TuiCase):
    def check_quit(self, key):
        self.wait_row(state="S")
        self.tmux.send(key)
        poll(lambda: not pid_exists(self.concmon, self.concmon_start), timeout=10,
             desc="concmon exited after %s" % key)
        poll(lambda: not self.tmux.alive(), timeout=5, desc="the tmux session ended")
        self.assertFalse(pid_exists(self.sleep, self.sleep_start), "the sleep is gone")

    def test_q(self):
        self.check_quit("q")

    def test_f10(self):
        self.check_quit("F10")


class TerminalRestored(unittest.TestCase):
    def test_stty_is_the_same_after_quit(self):
        with tempfile.TemporaryDirectory() as tmp:
            before, after = os.path.join(tmp, "before"), os.path.join(tmp, "after")
            script = "stty -g > %s; %s -d 0.2 -- sleep 300; stty -g > %s.tmp; mv %s.tmp %s" % (
                before, shlex.quote(concmon_bin()), after, after, after)
            with Tmux("sh -c %s" % shlex.quote(script)) as tmux:
                tmux.wait_screen(r"^\s*(\d+)\s+\1\s+\d+\s+S\s.*sleep 300")
                shell = tmux.pane_pid()
                kids = [p for p in descendants_of(shell)
                        if (proc_stat(p) or {}).get("comm") == "sleep"]
                # The screen is the alternate screen: the normal one must
                # come back.
                tmux.send("q")
                poll(lambda: os.path.exists(after), desc="the shell ran stty after concmon")
                with open(before) as f1, open(after) as f2:
                    self.assertEqual(f1.read(), f2.read(), "stty settings restored")
                for p in kids:
                    self.assertFalse(pid_alive(p), "sleep gone")
                self.assertEqual(tmux.sanitizer_reports(), "")
                check_no_crash(self, tmux.screen(), "the terminal after quitting")


if __name__ == "__main__":
    main()
