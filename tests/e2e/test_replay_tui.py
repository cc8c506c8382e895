"""Record and replay in the TUI: a zombies demo recorded with --record,
replayed with --replay (G to the end, step back to the snapshot with 3
zombies, jump to the next zombie, actions refused); a deadlock demo
replayed with its DEADLOCK banner and D view; and W starting and stopping
a recording in the live TUI."""

import glob
import json
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (BatchRun, PaneMixin, Tmux, concmon_bin, main, pid_exists, poll,
                          run_concmon, tasks_of)

Z_ROW = re.compile(r"^\s*\d+\s+\d+\s+\d+ Z ", re.M)
STATUS = r"REPLAY .*: snapshot (\d+)/(\d+) at"


class ReplayTui(PaneMixin, unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="concmon-replay-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "zombies.rec")

    def record(self):
        """3 zombies, then SIGUSR1 makes their parent reap them; recorded
        until a snapshot shows none and the parent alive."""
        with BatchRun(None, delay=0.05, args=["--demo", "zombies", "--record", self.path]) as run:
            snap = run.wait_for(lambda s: s["summary"]["zombies"] == 3, desc="3 zombies")
            parent = tasks_of(snap, state="Z")[0]["ppid"]
            os.kill(parent, signal.SIGUSR1)
            run.wait_for(lambda s: s["summary"]["zombies"] == 0 and tasks_of(s, pid=parent),
                         since=run.snapshots.index(snap) + 1,
                         desc="the zombies reaped, their parent alive")
            run.signal(signal.SIGTERM)
            run.wait_exit()
            run.check_clean(self)
            return len(run.snapshots)

    def snapshot_shown(self):
        m = self.tmux.wait_screen(STATUS)
        return int(m.group(1)), int(m.group(2))

    def test_step_back_to_the_snapshot_with_3_zombies(self):
        frames = self.record()
        self.open_pane(["--replay", self.path])
        self.assertEqual(self.snapshot_shown(), (1, frames))
        self.tmux.send("G")
        self.tmux.wait_screen(r"snapshot %d/%d at" % (frames, frames))
        self.assertEqual(len(Z_ROW.findall(self.tmux.screen())), 0, self.tmux.screen())
        # Left, one snapshot at a time, until the 3 zombies are back.
        at = frames
        while len(Z_ROW.findall(self.tmux.screen())) != 3:
            self.assertGreater(at, 1, "no snapshot with 3 zombie rows:\n" + self.tmux.screen())
            self.tmux.send("Left")
            at -= 1
            self.tmux.wait_screen(r"snapshot %d/%d at" % (at, frames))
        self.assertLess(at, frames)
        self.assertRegex(self.tmux.screen(), r"3 zombies")
        # z from the first snapshot: the first one showing a zombie.
        self.tmux.send("g")
        self.tmux.wait_screen(r"snapshot 1/%d at" % frames)
        self.tmux.send("z")
        self.tmux.wait_screen(r"snapshot \d+/%d at" % frames)
        self.tmux.wait_screen(r"^\s*\d+\s+\d+\s+\d+ Z ")
        self.assertGreater(self.snapshot_shown()[0], 1, "the first snapshot has no zombie")
        # Read-only: a signal, a launch, a recording are refused.
        for key in ("x", "F7", "W"):
            self.tmux.send(key)
            self.tmux.wait_screen(r"a replay is read-only: no signals, launches, knobs or recording")
            self.tmux.send("g")
            self.tmux.wait_screen(r"snapshot 1/%d at" % frames)
        self.tmux.send("q")
        poll(lambda: not pid_exists(self.concmon, self.concmon_start), desc="q ends the replay")

    def test_a_replayed_deadlock_shows_its_banner(self):
        """The deadlock demo's philosophers deadlock by design: L jumps to
        the first snapshot with the ring, the banner and D show it."""
        with BatchRun(None, delay=0.05, args=["--demo", "deadlock", "--record", self.path]) as run:
            snap = run.wait_for(lambda s: s["deadlocks"], desc="a deadlock")
            run.wait_for(lambda s: True, since=run.snapshots.index(snap) + 2,
                         desc="two snapshots more")
            run.signal(signal.SIGTERM)
            run.wait_exit()
            run.check_clean(self)
            frames = len(run.snapshots)
            first = next(i for i, s in enumerate(run.snapshots) if s["deadlocks"]) + 1
        self.open_pane(["--replay", self.path])
        self.assertEqual(self.snapshot_shown(), (1, frames))
        if first > 1:
            self.assertNotIn("DEADLOCK:", self.tmux.screen())
            self.tmux.send("L")
            self.tmux.wait_screen(r"snapshot %d/%d at" % (first, frames))
        self.tmux.wait_screen(r"DEADLOCK: .*philosopher")
        self.tmux.send("D")
        self.tmux.wait_screen(r"fork-1")
        self.tmux.wait_screen(r"fork-2")
        self.tmux.send("Space")  # any key closes the D view
        poll(lambda: "any other key closes" not in self.tmux.screen(), desc="the D view closed")
        self.tmux.send("q")
        poll(lambda: not pid_exists(self.concmon, self.concmon_start), desc="q ends the replay")

    def test_W_records_in_the_live_tui(self):
        argv = [concmon_bin(), "-d", "0.1", "--", "sleep", "30"]
        self.tmux = Tmux(" ".join(shlex.quote(a) for a in argv), 120, 30, cwd=self.dir)
        self.known = {}
        self.addCleanup(self.cleanup)
        self.attach_concmon()
        self.tmux.wait_screen(r"sleep 30")
        self.tmux.send("W")
        m = self.tmux.wait_screen(r"recording to (concmon-\d{8}-\d{6}\.rec) \(W stops\)")
        name = m.group(1)
        self.assertTrue(os.path.exists(os.path.join(self.dir, name)))
        self.tmux.send("W")
        m = self.tmux.wait_screen(r"recorded (\d+) snapshots \(\d+ bytes\) to %s: concmon --replay"
                                  % re.escape(name))
        self.assertGreaterEqual(int(m.group(1)), 0)
        r = run_concmon(["--replay", os.path.join(self.dir, name), "-b", "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "", "the index was written")
        snaps = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual(len(snaps), int(m.group(1)))
        for s in snaps:
            self.assertTrue(tasks_of(s, cmdline="sleep 30"), s)
        self.assertEqual(glob.glob(os.path.join(self.dir, "*.rec")), [os.path.join(self.dir, name)])


if __name__ == "__main__":
    main()
