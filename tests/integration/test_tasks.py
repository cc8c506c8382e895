"""Batch JSON: a launched command's process and thread rows, the schema of
every line, and which tasks the default and --all views show."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (BatchRun, check_no_crash, descendants_of, helper, main,
                          proc_stat, tasks_of, thread_ids)

TASK_KEYS = {
    "pid": int, "tid": int, "ppid": int, "tgid": int, "state": str, "comm": str,
    "cmdline": str, "cpu": (int, float), "rss_kb": int, "threads": int,
    "supervised": bool, "orphan": bool, "exited": bool,
    "exit_code": (int, type(None)), "exit_signal": (int, type(None)),
    "former_ppid": (int, type(None)), "start_time": (int, float), "depth": int,
    "nice": int, "priority": int, "tty": (str, type(None)), "vsz_kb": int,
    "mem_pct": (int, float), "time_s": (int, float),
}
SUMMARY_KEYS = ("processes", "threads", "running", "sleeping", "disk_sleep", "stopped",
                "zombies", "orphans", "exited")


class ThreadRows(unittest.TestCase):
    def test_three_threads_show_three_tids_of_one_process(self):
        with BatchRun([helper("threads"), "3"]) as run:
            def three_threads(snap):
                procs = tasks_of(snap, ppid=run.pid, comm="threads")
                if not procs:
                    return False
                pid = procs[0]["pid"]
                rows = tasks_of(snap, pid=pid)
                # The helper names each thread just after creating it.
                return len(rows) == 3 and all(t["comm"] != "threads" for t in rows
                                              if t["tid"] != pid)
            snap = run.wait_for(three_threads, desc="3 named tasks with the pid of `threads 3`")
            main_row = tasks_of(snap, ppid=run.pid, comm="threads")[0]
            pid = main_row["pid"]
            rows = tasks_of(snap, pid=pid)
            tids = sorted(t["tid"] for t in rows)
            self.assertEqual(len(set(tids)), 3, rows)
            self.assertIn(pid, tids, "the main thread has tid == pid")
            self.assertEqual(tids, thread_ids(pid), "TIDs are the kernel's")
            for t in rows:
                self.assertEqual(t["tgid"], pid, t)
                self.assertEqual(t["threads"], 3, t)
                self.assertTrue(t["supervised"], t)
                self.assertFalse(t["exited"], t)
                self.assertIn(t["state"], ("S", "R"), t)
            workers = sorted(t["comm"] for t in rows if t["tid"] != pid)
            self.assertEqual(workers, ["worker-1", "worker-2"])
            self.assertEqual(main_row["tid"], pid)
            self.assertIn("threads 3", main_row["cmdline"])
            self.assertFalse(main_row["orphan"], "a launched command is not an orphan")
            # Depth: the process is a root of the supervised tree, its
            # threads one below it.
            self.assertEqual(main_row["depth"], 0, main_row)
            for t in rows:
                if t["tid"] != pid:
                    self.assertEqual(t["depth"], main_row["depth"] + 1, t)
            run.check_clean(self)


class JsonLines(unittest.TestCase):
    def test_every_line_is_a_complete_snapshot(self):
        before = time.time()
        with BatchRun(["sleep", "300"], iterations=8) as run:
            rc = run.wait_exit()
            after = time.time()
            self.assertEqual(rc, 0, run.stderr)
            run.check_clean(self)
            self.assertEqual(len(run.snapshots), 8, "one line per refresh, -n 8")
            last_time = 0
            for snap in run.snapshots:
                for key in ("time", "tasks", "summary"):
                    self.assertIn(key, snap)
                self.assertIsInstance(snap["time"], float)
                self.assertGreaterEqual(snap["time"], before - 1)
                self.assertLessEqual(snap["time"], after + 1)
                self.assertGreaterEqual(snap["time"], last_time, "time goes forward")
                last_time = snap["time"]
                for t in snap["tasks"]:
                    for key, typ in TASK_KEYS.items():
                        self.assertIn(key, t, "task key %s" % key)
                        self.assertIsInstance(t[key], typ, "task key %s in %r" % (key, t))
                        if typ is int:
                            self.assertNotIsInstance(t[key], bool, key)
                    self.assertEqual(len(t["state"]), 1, t)
                for key in SUMMARY_KEYS:
                    self.assertIn(key, snap["summary"], "summary key %s" % key)
                    self.assertIsInstance(snap["summary"][key], int, key)
            sleeps = [t for s in run.snapshots for t in s["tasks"]
                      if t["comm"] == "sleep" and not t["exited"]]
            self.assertTrue(sleeps, "the sleep is reported")
            t = sleeps[-1]
            self.assertEqual(t["cmdline"], "sleep 300")
            self.assertEqual(t["ppid"], run.pid)
            self.assertEqual(t["pid"], t["tid"])
            self.assertEqual(t["threads"], 1)
            self.assertGreater(t["rss_kb"], 0)
            self.assertIsNone(t["exit_code"])
            self.assertIsNone(t["exit_signal"])
            self.assertAlmostEqual(t["start_time"], before, delta=5)

    def test_lines_are_flushed_while_running(self):
        # A pipe is not a terminal: each line must be flushed on its own,
        # so a reader sees snapshots while concmon still runs.
        with BatchRun(["sleep", "300"], delay=0.1) as run:
            run.wait_for(lambda s: True, desc="a first line")
            run.wait_for(lambda s: True, since=3, desc="a fourth line")
            self.assertIsNone(run.proc.poll(), "concmon still running")
            run.check_clean(self)

    def test_summary_counts_agree_with_tasks(self):
        with BatchRun(["sh", "-c", "sleep 0.1 & exec " + helper("threads") + " 2"]) as run:
            def ready(snap):
                return (tasks_of(snap, comm="worker-1")
                        and tasks_of(snap, state="Z"))
            snap = run.wait_for(ready, desc="a zombie and a 2-thread process")
            live = [t for t in snap["tasks"] if not t["exited"]]
            s = snap["summary"]
            self.assertEqual(s["processes"], len({t["pid"] for t in live}), snap)
            self.assertEqual(s["zombies"], len([t for t in live if t["state"] == "Z"]), snap)
            self.assertGreaterEqual(s["threads"], 3, snap)
            self.assertEqual(s["exited"], len([t for t in snap["tasks"]
                                               if t["exited"] and t["tid"] == t["pid"]]),
                             snap)
            run.check_clean(self)


class Scope(unittest.TestCase):
    def test_default_view_is_the_supervised_subtree_without_the_guardian(self):
        with BatchRun(["sh", "-c", "sleep 300 & sleep 300"]) as run:
            snap = run.wait_for(lambda s: len(tasks_of(s, comm="sleep")) == 2,
                                desc="sh and its two sleeps")
            below = set(descendants_of(run.pid))
            shown = {t["pid"] for t in snap["tasks"] if not t["exited"]}
            self.assertNotIn(run.pid, shown, "concmon does not show itself")
            self.assertNotIn(os.getpid(), shown, "only concmon's descendants")
            self.assertTrue(shown <= below, "shown %s, descendants %s" % (shown, below))
            hidden = below - shown
            self.assertLessEqual(len(hidden), 1, "only the guardian is hidden: %s" % hidden)
            for pid in hidden:
                st = proc_stat(pid)
                self.assertEqual(st["ppid"], run.pid, "the hidden one is concmon's child")
            for t in snap["tasks"]:
                self.assertTrue(t["supervised"], t)
            run.check_clean(self)

    def test_all_shows_the_whole_system(self):
        with BatchRun(["sleep", "300"], args=["-a"], delay=0.2) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep", ppid=run.pid),
                                desc="the sleep in --all")
            me = tasks_of(snap, pid=os.getpid())
            self.assertTrue(me, "the test runner (pid %d) is listed" % os.getpid())
            self.assertFalse(me[0]["supervised"], me)
            self.assertTrue(tasks_of(snap, pid=1), "PID 1 is listed")
            self.assertTrue(tasks_of(snap, comm="sleep", ppid=run.pid)[0]["supervised"])
            check_no_crash(self, run.stderr)
            run.check_clean(self)


if __name__ == "__main__":
    main()
