"""Time in the TUI, driven headless through tmux: Z freezes the view while
concmon goes on (a process launched while frozen shows only after . or Z;
the output pane, the telemetry panels, the event log, the deadlock banner
and the WAITING column hold still too),
{ and } change the refresh delay live, the header's peaks show a 200 ms
thread spike that a 2 s refresh misses, the first screen offers the demo
menu, Esc clears the filter, and the event log can be searched."""

import os
import re
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, children_of, helper, main, poll, proc_stat, thread_ids

WIDTH = 200   # the header's mode (with the delay) fits beside the peaks


class TimeCase(PaneMixin, unittest.TestCase):
    def child(self, comm, exclude=()):
        """concmon's child running comm (waits for it)."""
        kids = poll(lambda: [p for p in children_of(self.concmon)
                             if p not in exclude and (proc_stat(p) or {}).get("comm") == comm],
                    desc="concmon's %s child" % comm)
        st = proc_stat(kids[0])
        if st:
            self.known[kids[0]] = st["start"]
        return kids[0]

    def launch(self, line):
        self.tmux.send(":")
        self.tmux.send_literal(line)
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"launched: " + re.escape(line))

    def absent_for(self, regex, seconds):
        """The screen never matches regex for this long. Absence can only be
        checked over time: seconds is several refreshes (0.2 s each)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.assertNotRegex(self.tmux.screen(), regex)
            time.sleep(0.05)


class FreezeAndStep(TimeCase):
    def setUp(self):
        self.open_pane(width=WIDTH)

    def test_first_screen_offers_the_demo_menu_first(self):
        self.tmux.wait_screen(r"no supervised tasks: press F2 for the demo menu \(lessons\), "
                              r"or : / F7 to launch a command")

    def test_launched_while_frozen_shows_after_step_and_after_thaw(self):
        self.tmux.wait_screen(r"no supervised tasks")
        self.tmux.send("Z")
        self.tmux.wait_screen(r"^concmon FROZEN ")
        self.launch("sleep 77")
        first = self.child("sleep")
        row = r"(?m)^\s*%d\s+%d\s.*sleep 77" % (first, first)
        # The model goes on (the process is in /proc and concmon samples),
        # the view does not: no row for 1 s, five refreshes.
        self.absent_for(row, 1.0)
        self.assertRegex(self.tmux.screen(), r"(?m)^concmon FROZEN ")
        self.tmux.send(".")
        self.tmux.wait_screen(row)
        self.assertRegex(self.tmux.screen(), r"(?m)^concmon FROZEN ", "a step stays frozen")
        self.launch("sleep 78")
        second = self.child("sleep", exclude=(first,))
        row2 = r"(?m)^\s*%d\s+%d\s.*sleep 78" % (second, second)
        self.absent_for(row2, 1.0)
        self.tmux.send("Z")
        self.tmux.wait_screen(row2)
        self.tmux.wait_no_screen(r"FROZEN")
        self.tmux.wait_screen(r"live again")

    def test_step_when_live_says_how(self):
        self.tmux.wait_screen(r"no supervised tasks")
        self.tmux.send(".")
        self.tmux.wait_screen(r"not frozen: Z freezes the view")

    def test_braces_change_the_refresh_delay_live(self):
        self.tmux.wait_screen(r"every 0\.2s$")
        self.tmux.send_literal("{")
        self.tmux.wait_screen(r"every 0\.4s$")
        self.tmux.wait_screen(r"refresh every 0\.4s")
        self.tmux.send_literal("}")
        self.tmux.send_literal("}")
        self.tmux.send_literal("}")
        self.tmux.wait_screen(r"every 0\.05s$")
        self.tmux.send_literal("}")
        self.tmux.wait_screen(r"already: the fastest")
        # The new delay drives the refreshes: a process launched now shows.
        self.launch("sleep 79")
        pid = self.child("sleep")
        self.tmux.wait_screen(r"(?m)^\s*%d\s+%d\s.*sleep 79" % (pid, pid))


def ticks(screen):
    """The highest "tick N" the output pane shows, 0 if none."""
    return max([int(n) for n in re.findall(r"tick (\d+)", screen)] or [0])


class FreezeHoldsOutput(TimeCase):
    def setUp(self):
        self.counter = os.path.join(self.tmpdir(), "ticks")
        script = ('i=0; while :; do i=$((i+1)); echo tick $i; echo $i > "$0.new"; '
                  'mv "$0.new" "$0"; sleep 0.05; done')
        self.open_pane(width=WIDTH, command=["sh", "-c", script, self.counter])

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="concmon-freeze-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def written(self):
        try:
            with open(self.counter) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def test_frozen_output_stays_while_the_program_writes_on(self):
        self.tmux.send("o")
        self.tmux.wait_screen(r"tick \d+")
        self.tmux.send("Z")
        self.tmux.wait_screen(r"^concmon FROZEN ")
        shown = ticks(self.tmux.screen())
        # The program goes on writing (a second: five refreshes at 0.2 s);
        # the frozen pane shows what it had written when Z was pressed.
        poll(lambda: self.written() >= shown + 20, desc="the program to write 20 more lines")
        self.assertEqual(ticks(self.tmux.screen()), shown, self.tmux.screen())
        self.tmux.send(".")
        poll(lambda: ticks(self.tmux.screen()) >= shown + 20, desc="a step to show newer output")
        self.assertRegex(self.tmux.screen(), r"(?m)^concmon FROZEN ")


class FreezeHoldsPanels(TimeCase):
    def setUp(self):
        self.open_pane(["--demo", "washer-dryer-threads"], width=WIDTH, height=50)

    def body(self):
        """The screen without its status line (a key's message goes there)."""
        return "\n".join(self.tmux.screen().splitlines()[:-1])

    def test_frozen_panels_and_log_hold_still_until_a_step(self):
        self.tmux.wait_screen(r"QUEUE +DEPTH")
        self.tmux.send("e")
        self.tmux.wait_screen(r"Events: \d+")
        self.tmux.send("Z")
        self.tmux.wait_screen(r"^concmon FROZEN ")
        frozen = self.body()
        # The queues' counters move every refresh while live; frozen, not one
        # character of the table, the panels or the log changes in 1.5 s.
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            self.assertEqual(self.body(), frozen)
            time.sleep(0.05)
        self.tmux.send(".")
        poll(lambda: self.body() != frozen, desc="a step to show the next refresh")


class FreezeHoldsDeadlock(TimeCase):
    def setUp(self):
        self.open_pane(width=WIDTH, height=40)

    def test_a_deadlock_after_freezing_shows_only_after_a_step(self):
        self.tmux.wait_screen(r"no supervised tasks")
        self.tmux.send("Z")
        self.tmux.wait_screen(r"^concmon FROZEN ")
        self.launch(helper("locks") + " abba 120")
        pid = self.child("locks")

        def blocked():
            waits = 0
            for tid in thread_ids(pid):
                try:
                    with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
                        waits += f.read().startswith("202 ")
                except OSError:
                    pass
            return waits >= 2
        poll(blocked, desc="both threads blocked in futex")
        # concmon finds the cycle within a refresh or two; the view holds.
        self.absent_for(r"DEADLOCK|held by", 1.0)
        self.tmux.send(".")
        self.tmux.wait_screen(r"^DEADLOCK: ")
        self.tmux.wait_screen(r"held by T \d+")
        self.assertRegex(self.tmux.screen(), r"(?m)^concmon FROZEN ")


class Peaks(TimeCase):
    def setUp(self):
        # open_pane puts -d 0.2 first; the -d 2 after it wins.
        self.open_pane(["-d", "2", "--demo", "fanout-threads"], width=WIDTH)

    def test_header_peak_shows_the_thread_spike_a_2s_refresh_misses(self):
        m = self.tmux.wait_screen(r"\| peak \d+ thr|events from snapshots only")
        if not m.group(0).startswith("|"):
            self.skipTest("no kernel events (proc connector) here: no peaks, by design")

        def spike():
            m = re.search(r"\| peak (\d+) thr, (\d+) Z; (\d+) forks, (\d+) exits/s",
                          self.tmux.screen())
            return m and int(m.group(1)) >= 150 and m
        m = poll(spike, timeout=30, desc="a header peak of >= 150 threads")
        self.assertGreaterEqual(int(m.group(1)), 150)


class EscClearsFilter(TimeCase):
    def setUp(self):
        self.open_pane(width=WIDTH, command=["sleep", "63"])

    def test_esc_on_the_table_clears_the_filter(self):
        pid = self.child("sleep")
        row = r"(?m)^\s*%d\s+%d\s.*sleep 63" % (pid, pid)
        self.tmux.wait_screen(row)
        self.tmux.send("\\")
        self.tmux.send_literal("nosuchtask")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"no task matches the filter \"nosuchtask\"")
        self.tmux.wait_no_screen(row)
        self.tmux.send("Escape")
        self.tmux.wait_screen(row)
        self.tmux.wait_screen(r"filter cleared")
        self.assertNotIn('filter "nosuchtask"', self.tmux.screen())


class LogSearch(TimeCase):
    def setUp(self):
        script = "for i in 1 2 3 4 5; do sleep 0.01; done; exec sleep 64"
        self.open_pane(width=WIDTH, command=["sh", "-c", script])

    def test_slash_in_the_focused_log_finds_events(self):
        self.child("sleep")
        self.tmux.send("e")
        self.tmux.wait_screen(r"exec \d+ \(sleep\)")    # the newest event
        self.tmux.send("Tab")
        self.tmux.wait_screen(r"/ find  n N")
        self.tmux.send("/")
        self.tmux.wait_screen(r"^Find in events: ")
        self.tmux.send_literal("exited")
        self.tmux.send("Enter")
        # The newest "exited" is older than the exec: the log scrolls back to it.
        self.tmux.wait_screen(r"Events: \d+, scrolled back")
        self.assertNotRegex(self.tmux.screen(), r"no event contains")
        self.tmux.send("N")
        self.tmux.wait_screen(r"no newer event contains \"exited\"")
        self.tmux.send("n")    # an older exit: the loop ran five sleeps
        self.tmux.wait_no_screen(r"no older event")
        self.tmux.send("/")
        self.tmux.send("C-u")
        self.tmux.send_literal("nosuchevent")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"no event contains \"nosuchevent\"")


if __name__ == "__main__":
    main()
