"""How launched children end: exit codes and terminating signals are shown
as exited rows (state X) that linger a few seconds and then disappear."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, tasks_of


def exited_rows(run, snap):
    return [t for t in snap["tasks"] if t["exited"] and t["tid"] == t["pid"]]


class ExitStatus(unittest.TestCase):
    def test_exit_code_after_running_a_while(self):
        with BatchRun(["sh", "-c", "sleep 0.3; exit 3"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sh", exited=False),
                                desc="the sh while it runs")
            pid = tasks_of(snap, comm="sh")[0]["pid"]
            snap = run.wait_for(lambda s: tasks_of(s, pid=pid, exited=True),
                                desc="the sh as an exited row")
            row = tasks_of(snap, pid=pid)[0]
            self.assertEqual(row["state"], "X", row)
            self.assertEqual(row["exit_code"], 3, row)
            self.assertIsNone(row["exit_signal"], row)
            self.assertGreaterEqual(snap["summary"]["exited"], 1, snap["summary"])
            # It stays a few seconds, then goes.
            t0 = snap["time"]
            gone = run.wait_for(lambda s: not tasks_of(s, pid=pid), timeout=15,
                                desc="the exited row to disappear")
            self.assertGreaterEqual(gone["time"] - t0, 1.0, "it lingered a while")
            run.check_clean(self)

    def test_immediate_exit_code(self):
        with BatchRun(["sh", "-c", "exit 7"]) as run:
            snap = run.wait_for(lambda s: [t for t in exited_rows(run, s)
                                           if t["exit_code"] is not None],
                                desc="an exited row with its code")
            row = [t for t in exited_rows(run, snap) if t["exit_code"] is not None][0]
            self.assertEqual(row["exit_code"], 7, row)
            self.assertIsNone(row["exit_signal"], row)
            run.check_clean(self)

    def test_killed_by_a_signal(self):
        with BatchRun(["sh", "-c", "sleep 0.3; kill -USR1 $$; sleep 5"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sh", exited=True),
                                desc="the sh killed by SIGUSR1")
            row = tasks_of(snap, comm="sh", exited=True)[0]
            self.assertEqual(row["exit_signal"], 10, row)
            self.assertIsNone(row["exit_code"], row)
            self.assertEqual(row["state"], "X", row)
            run.check_clean(self)

    def test_killed_from_outside(self):
        with BatchRun(["sleep", "300"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep", exited=False),
                                desc="the sleep")
            pid = tasks_of(snap, comm="sleep")[0]["pid"]
            os.kill(pid, 9)
            snap = run.wait_for(lambda s: tasks_of(s, pid=pid, exited=True),
                                desc="the sleep killed by SIGKILL")
            row = tasks_of(snap, pid=pid)[0]
            self.assertEqual(row["exit_signal"], 9, row)
            self.assertIsNone(row["exit_code"], row)
            run.check_clean(self)


class States(unittest.TestCase):
    def test_stopped_and_continued(self):
        with BatchRun(["sleep", "300"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep", state="S"),
                                desc="the sleep sleeping")
            pid = tasks_of(snap, comm="sleep")[0]["pid"]
            os.kill(pid, 19)  # SIGSTOP
            snap = run.wait_for(lambda s: tasks_of(s, pid=pid, state="T"),
                                since=run.count(), desc="state T after SIGSTOP")
            self.assertEqual(snap["summary"]["stopped"], 1, snap["summary"])
            os.kill(pid, 18)  # SIGCONT
            snap = run.wait_for(lambda s: tasks_of(s, pid=pid, state="S"),
                                since=run.count(), desc="state S after SIGCONT")
            self.assertEqual(snap["summary"]["stopped"], 0, snap["summary"])
            run.check_clean(self)

    def test_running(self):
        with BatchRun(["sh", "-c", "while :; do :; done"]) as run:
            snap = run.wait_for(lambda s: [t for t in tasks_of(s, comm="sh", state="R")
                                           if t["cpu"] > 20],
                                desc="a busy sh in state R with CPU% > 20")
            self.assertGreaterEqual(snap["summary"]["running"], 1, snap["summary"])
            run.check_clean(self)


if __name__ == "__main__":
    main()
