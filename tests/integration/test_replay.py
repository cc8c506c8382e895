"""--record FILE writes every snapshot and event; --replay FILE -b --json
prints them again, as the live run printed them."""

import json
import os
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, run_concmon, tasks_of


def replay(path, *args):
    r = run_concmon(["--replay", path, "-b", "--json"] + list(args))
    return r, [json.loads(l) for l in r.stdout.splitlines()]


UNRECORDED = ("nice", "priority", "tty", "vsz_kb", "mem_pct", "time_s")


def unrecorded(task):
    """A live task object without the fields recordings do not keep."""
    return {k: v for k, v in task.items() if k not in UNRECORDED}


class Replay(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(prefix="concmon-replay-", suffix=".rec")
        os.close(fd)
        self.addCleanup(os.unlink, self.path)

    def record_zombies(self, stop_signal):
        """A zombies demo recorded until 3 zombies were seen and two
        snapshots more; returns the live snapshots concmon printed."""
        with BatchRun(None, delay=0.05, args=["--demo", "zombies", "--record", self.path]) as run:
            snap = run.wait_for(lambda s: s["summary"]["zombies"] >= 3, desc="3 zombies")
            n = run.snapshots.index(snap)
            run.wait_for(lambda s: True, since=n + 2, desc="two snapshots more")
            run.signal(stop_signal)
            run.wait_exit()
            run.check_clean(self)
            return list(run.snapshots)

    def test_replay_prints_the_recorded_snapshots(self):
        live = self.record_zombies(signal.SIGTERM)
        r, replayed = replay(self.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertEqual(len(replayed), len(live))
        self.assertTrue(any(s["summary"]["zombies"] == 3 for s in replayed))
        for i, (a, b) in enumerate(zip(live, replayed)):
            with self.subTest(snapshot=i):
                self.assertEqual(a["time"], b["time"])
                self.assertEqual(a["summary"], b["summary"])
                # Recordings keep the default columns' facts, not the
                # optional ones (nice, priority, tty, vsz_kb, mem_pct,
                # time_s): a replay leaves them out.
                self.assertEqual([unrecorded(t) for t in a["tasks"]], b["tasks"])
                self.assertEqual(a["events"], b["events"])
                self.assertEqual(a["exited_summary"], b["exited_summary"])
                self.assertEqual(set(a), set(b), "the live shape")
        zombies = tasks_of(replayed[-1], state="Z")
        self.assertEqual(len(zombies), 3, replayed[-1])
        # -n stops after N snapshots, as live.
        r, first = replay(self.path, "-n", "2")
        self.assertEqual(first, replayed[:2])

    def test_replay_shows_the_recorded_deadlock_and_telemetry(self):
        """The deadlock demo's philosophers deadlock by design: the replay
        prints the same rings, locks, threads and programs as the live run."""
        with BatchRun(None, delay=0.05, args=["--demo", "deadlock", "--record", self.path]) as run:
            snap = run.wait_for(lambda s: s["deadlocks"], desc="a deadlock")
            n = run.snapshots.index(snap)
            run.wait_for(lambda s: True, since=n + 2, desc="two snapshots more")
            run.signal(signal.SIGTERM)
            run.wait_exit()
            run.check_clean(self)
            live = list(run.snapshots)
        r, replayed = replay(self.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(replayed), len(live))
        keys = ("deadlocks", "locks", "queues", "probe_threads", "knobs", "values", "programs")
        for i, (a, b) in enumerate(zip(live, replayed)):
            with self.subTest(snapshot=i):
                for k in keys:
                    self.assertEqual(a[k], b[k], k)
        last = replayed[n]
        self.assertTrue(last["deadlocks"], last)
        self.assertEqual(len(last["deadlocks"][0]["cycle"]), 2, last["deadlocks"])
        self.assertTrue(last["locks"] and last["programs"], last)
        self.assertEqual(last["programs"][0]["demo"], "deadlock")

    def test_a_recording_cut_short_is_replayed_without_its_index(self):
        live = self.record_zombies(signal.SIGKILL)
        r, replayed = replay(self.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no index (the recording was cut short)", r.stderr)
        # Every whole snapshot; the last may have been cut while written.
        self.assertIn(len(replayed), (len(live), len(live) - 1))
        for a, b in zip(live, replayed):
            self.assertEqual([unrecorded(t) for t in a["tasks"]], b["tasks"])

    def test_not_a_recording_is_refused_with_the_reason(self):
        with open(self.path, "wb") as f:
            f.write(b"CONCMREC\x07\x00\x00")
        r, out = replay(self.path)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(out, [])
        self.assertIn("recording format version 7, this concmon reads 2", r.stderr)
        with open(self.path, "wb") as f:
            f.write(b"{\"time\": 1}\n")
        r, out = replay(self.path)
        self.assertIn("not a usable concmon recording: no CONCMREC header", r.stderr)
        r, out = replay(self.path + ".missing")
        self.assertIn("No such file or directory", r.stderr)
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    main()
