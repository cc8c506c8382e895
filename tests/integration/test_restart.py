"""Restart policies of launched programs (--restart, a launch's leading
--restart=): which ends restart, the backoff between restarts, the limit,
and what batch JSON and the --log file say of them."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, concmon_bin, events, log_events, main

SLOW = 30.0


def programs(snap):
    return snap.get("programs") or []


def given_up(snap):
    return [p for p in programs(snap) if p["restart_given_up"]]


class Restart(unittest.TestCase):
    def test_on_failure_backs_off_up_to_max(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "events.ndjson")
            with BatchRun(["sh", "-c", "exit 3"], delay=0.1,
                          args=["--log", log, "--restart", "on-failure:3"]) as run:
                snap = run.wait_for(given_up, SLOW, "the program to give up")
                last = given_up(snap)[0]
                self.assertEqual(last["restarts"], 3)
                self.assertEqual(last["restart_policy"], "on-failure")
                self.assertEqual(last["restart_max"], 3)
                self.assertIsNone(last["next_restart_in"])
                rs = events(run, kind="restarted")
                self.assertEqual([e["attempt"] for e in rs], [1, 2, 3])
                self.assertEqual([e["backoff"] for e in rs], [1.0, 2.0, 4.0])
                # each replaces the one before it, and waited its backoff
                # after it ended (a lower bound: load only makes it later)
                for e in rs:
                    ends = [x for x in events(run, pid=e["previous"]) if x["event"] in
                            ("exited", "killed")]
                    self.assertTrue(ends, "no end logged for %d" % e["previous"])
                    self.assertGreaterEqual(e["time"] - ends[0]["time"], e["backoff"] - 0.05)
                counts = {}
                for s in run.snapshots:
                    for p in programs(s):
                        counts[p["pid"]] = p["restarts"]
                self.assertEqual(sorted(counts.values()), [0, 1, 2, 3][-len(counts):])
                # a next try is announced while one waits
                self.assertTrue(any(p["next_restart_in"] is not None and p["next_restart_in"] > 0
                                    for s in run.snapshots for p in programs(s)))
            self.assertEqual([e["attempt"] for e in log_events(log, kind="restarted")], [1, 2, 3])

    def _ends_without_restart(self, run, pid):
        """pid ends, nothing is planned for it, and none comes 1.5 s later."""
        snap = run.wait_for(lambda s: any(p["pid"] == pid and p["ended"] for p in programs(s)),
                            SLOW, "the program to end")
        p = [p for p in programs(snap) if p["pid"] == pid][0]
        self.assertIsNone(p["next_restart_in"])
        self.assertFalse(p["restart_given_up"])
        t = time.monotonic()
        run.wait_for(lambda s: time.monotonic() - t > 1.5, SLOW, "1.5 s more")
        self.assertEqual(events(run, kind="restarted"), [])

    def test_on_failure_success_does_not_restart(self):
        with BatchRun(["sh", "-c", "exit 0"], delay=0.1, args=["--restart", "on-failure"]) as run:
            snap = run.wait_for(programs, SLOW, "the program")
            self._ends_without_restart(run, programs(snap)[0]["pid"])

    def test_always_restarts_after_success(self):
        with BatchRun(["sh", "-c", "exit 0"], delay=0.1, args=["--restart", "always:1"]) as run:
            snap = run.wait_for(given_up, SLOW, "the program to give up")
            self.assertEqual(given_up(snap)[0]["restarts"], 1)
            self.assertEqual([e["attempt"] for e in events(run, kind="restarted")], [1])

    def test_user_terminate_does_not_restart(self):
        with BatchRun(["sleep", "100"], delay=0.1, args=["--restart", "always"],
                      commands=True) as run:
            snap = run.wait_for(programs, SLOW, "the program")
            pid = programs(snap)[0]["pid"]
            self.assertEqual(programs(snap)[0]["restart_policy"], "always")
            run.send("terminate %d" % pid)
            self._ends_without_restart(run, pid)

    def test_foreign_kill_restarts_on_failure(self):
        with BatchRun(["sleep", "100"], delay=0.1, args=["--restart", "on-failure:1"]) as run:
            snap = run.wait_for(programs, SLOW, "the program")
            pid = programs(snap)[0]["pid"]
            os.kill(pid, signal.SIGKILL)     # not concmon's signal: a failure
            run.wait_for(lambda s: events(run, kind="restarted"), SLOW, "the restart")
            self.assertEqual(events(run, kind="restarted")[0]["previous"], pid)

    def test_a_key_signal_then_a_crash_restarts(self):
        """SIGUSR1 from concmon (how the demos are driven) does not make a
        later failure the user's doing; dying of a signal concmon sent does."""
        script = "trap 'echo usr1' USR1; while [ ! -e \"$0\" ]; do sleep 0.05; done; exit 3"
        with tempfile.TemporaryDirectory() as d:
            go = os.path.join(d, "go")
            with BatchRun(["sh", "-c", script, go], delay=0.1, commands=True,
                          args=["--restart", "on-failure:1"]) as run:
                snap = run.wait_for(programs, SLOW, "the program")
                pid = programs(snap)[0]["pid"]
                run.send("signal %d USR1" % pid)
                run.wait_for(lambda s: [e for e in events(run, pid=pid, kind="signal")],
                             SLOW, "the USR1 sent")
                open(go, "w").close()     # then it fails on its own: exit 3
                run.wait_for(lambda s: events(run, kind="restarted"), SLOW, "the restart")
                self.assertEqual(events(run, kind="restarted")[0]["previous"], pid)
        with BatchRun(["sleep", "100"], delay=0.1, commands=True,
                      args=["--restart", "on-failure:1"]) as run:
            snap = run.wait_for(programs, SLOW, "the program")
            pid = programs(snap)[0]["pid"]
            run.send("signal %d USR1" % pid)   # sleep dies of it: concmon's doing
            self._ends_without_restart(run, pid)

    def test_launch_command_prefix(self):
        with BatchRun(None, delay=0.1, commands=True) as run:
            run.wait_for(lambda s: True, SLOW, "a snapshot")
            run.send("launch --restart=on-failure:1 sh -c 'exit 4'")
            snap = run.wait_for(given_up, SLOW, "the launched program to give up")
            self.assertEqual(given_up(snap)[0]["restarts"], 1)
            self.assertEqual(given_up(snap)[0]["name"], "sh -c 'exit 4'")
            run.send("launch --restart=sometimes true")
            run.wait_stderr(r"invalid restart policy 'sometimes'")

    def test_row_held_past_the_linger(self):
        """The exited task of a program whose restart is pending (a 2 s
        backoff beyond --linger 1) or that gave up stays in tasks[]; the one
        a restart replaced goes after its linger; terminate dismisses it."""
        def task(snap, pid):
            return [t for t in snap["tasks"] if t["pid"] == pid]

        def pending(snap, restarts):
            return [p for p in programs(snap)
                    if p["restarts"] == restarts and p["next_restart_in"] is not None]

        with BatchRun(["sh", "-c", "exit 3"], delay=0.1, commands=True,
                      args=["--linger", "1", "--restart", "on-failure:2"]) as run:
            snap = run.wait_for(lambda s: pending(s, 1), SLOW, "the 2nd restart pending")
            pid1 = pending(snap, 1)[0]["pid"]
            first = run.snapshots.index(snap)
            gone = run.wait_for(given_up, SLOW, "the program to give up", since=first)
            last = given_up(gone)[0]["pid"]
            waits = [s for s in run.snapshots[first:] if pending(s, 1)]
            # a snapshot more than the linger after its end (next in 2 s)
            self.assertTrue(any(pending(s, 1)[0]["next_restart_in"] < 0.7 for s in waits),
                            [pending(s, 1)[0]["next_restart_in"] for s in waits])
            for s in waits:
                self.assertEqual([t["exited"] for t in task(s, pid1)], [True],
                                 "pending, next in %s" % pending(s, 1)[0]["next_restart_in"])
            # replaced: it lingers (1 s) and goes
            run.wait_for(lambda s: not task(s, pid1), SLOW, "the replaced row to go",
                         since=run.snapshots.index(gone))
            # given up: still there after the default linger has passed
            later = run.wait_for(lambda s: s["time"] > gone["time"] + 6.0, SLOW,
                                 "6 s after giving up")
            self.assertEqual([t["exited"] for t in task(later, last)], [True])
            self.assertEqual(later["summary"]["exited"], 1)
            run.send("terminate %d" % last)
            snap = run.wait_for(lambda s: not task(s, last), SLOW, "the dismissed row to go",
                                since=run.snapshots.index(later))
            self.assertFalse(given_up(snap))

    def test_bad_policy_exits_2(self):
        r = subprocess.run([concmon_bin(), "-b", "--restart", "on-failure:0", "--", "true"],
                           capture_output=True, text=True, timeout=SLOW)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--restart: invalid restart limit '0'", r.stderr)
        self.assertIn("usage:", r.stderr)


if __name__ == "__main__":
    main()
