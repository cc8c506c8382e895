"""Batch JSON of the optional columns (issue 16): the fields from
/proc/PID/stat in every task object, the costly ones (owner, shared memory,
I/O rates, wait channel, cgroup) only when --columns names them, "-"/null
and no failure for another user's I/O counters, and --linger 0."""

import os
import pwd
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (AsNobody, BatchRun, check_no_crash, events, main, nobody_can_run,
                          run_concmon, tasks_of)

COSTLY = ("user", "shr_kb", "io_read_bps", "io_write_bps", "wchan", "cgroup")


def proc_cgroup(pid):
    with open("/proc/%d/cgroup" % pid) as f:
        for line in f:
            if line.startswith("0::"):
                return line[3:].rstrip("\n")
    return None


class CheapFields(unittest.TestCase):
    def test_nice_priority_time_vsz_always(self):
        # A niced busy loop: NI 7, PRI 20 + 7, TIME+ growing; no terminal
        # (BatchRun starts a new session).
        with BatchRun(["nice", "-n", "7", "sh", "-c", "while :; do :; done"]) as run:
            def busy(snap):
                rows = tasks_of(snap, ppid=run.pid, comm="sh")
                return rows and rows[0]["time_s"] >= 0.2
            snap = run.wait_for(busy, desc="the busy loop's time_s reaches 0.2 s")
            t = tasks_of(snap, ppid=run.pid, comm="sh")[0]
            self.assertEqual(t["nice"], 7, t)
            self.assertEqual(t["priority"], 27, t)
            self.assertIsNone(t["tty"], t)
            self.assertGreater(t["vsz_kb"], t["rss_kb"], t)
            self.assertGreaterEqual(t["mem_pct"], 0, t)
            for key in COSTLY:
                self.assertNotIn(key, t, "costly field %s without --columns" % key)
            check_no_crash(self, run.stderr)


class CostlyFields(unittest.TestCase):
    def test_named_columns_bring_their_fields(self):
        writer = "while :; do echo 0123456789abcdef0123456789abcdef; done >/dev/null"
        args = ["--columns", "PID,USER,SHR,IO_R,IO_W,WCHAN,CGROUP,COMMAND"]
        with BatchRun(["sh", "-c", "%s & exec sleep 30" % writer], args=args) as run:
            def writing(snap):
                rows = [t for t in tasks_of(snap, comm="sh") if t["ppid"] != run.pid]
                return rows and (rows[0]["io_write_bps"] or 0) > 1000
            snap = run.wait_for(writing, desc="the writer's io_write_bps above 1000 B/s")
            w = [t for t in tasks_of(snap, comm="sh") if t["ppid"] != run.pid][0]
            sleeper = tasks_of(snap, ppid=run.pid, comm="sleep")[0]
            me = pwd.getpwuid(os.getuid()).pw_name
            for t in (w, sleeper):
                for key in COSTLY:
                    self.assertIn(key, t, t)
                self.assertEqual(t["user"], me, t)
                self.assertGreater(t["shr_kb"], 0, t)
                self.assertEqual(t["cgroup"], proc_cgroup(t["pid"]), t)
            self.assertGreaterEqual(sleeper["io_read_bps"], 0, sleeper)
            with open("/proc/%d/wchan" % sleeper["pid"]) as f:
                wchan = f.read().strip()
            if wchan and wchan != "0":   # hidden by kptr_restrict for non-root
                self.assertEqual(sleeper["wchan"], wchan, sleeper)
            check_no_crash(self, run.stderr)

    def test_unknown_column_exits_2_with_the_names(self):
        r = run_concmon(["-b", "-n", "1", "--columns", "PID,BOGUS"])
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("unknown column 'BOGUS'", r.stderr)
        self.assertIn("usage:", r.stderr)
        self.assertIn("columns: PID,TID,PPID,S,CPU%,RSS,THR,START,WAITING,COMMAND,USER,NI,PRI,"
                      "TTY,VIRT,SHR,MEM%,TIME+,IO_R,IO_W,WCHAN,CGROUP", r.stderr)
        r = run_concmon(["-b", "-n", "1", "--sort", "-NOPE"])
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--sort: unknown column 'NOPE'", r.stderr)


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class OtherUsersIO(AsNobody, unittest.TestCase):
    def test_io_of_root_processes_is_null_not_an_error(self):
        # As nobody, /proc/1/io is EACCES: the rate is unknown (null), and
        # concmon goes on.
        with BatchRun(None, iterations=3, args=["-a", "--columns", "PID,USER,IO_R,COMMAND"]) as run:
            run.wait_exit()
            self.assertEqual(run.proc.returncode, 0, run.stderr)
            snap = run.snapshots[-1]
            init = tasks_of(snap, pid=1)
            self.assertTrue(init, "pid 1 is listed with -a")
            self.assertIsNone(init[0]["io_read_bps"], init[0])
            self.assertEqual(init[0]["user"], "root", init[0])
            mine = tasks_of(snap, pid=run.pid)
            self.assertTrue(mine and mine[0]["io_read_bps"] is not None, mine)
            check_no_crash(self, run.stderr)


class Linger(unittest.TestCase):
    CHILD = "(sleep 0.3; exit 3) & wait; exec sleep 30"

    def exited_rows(self, run, pid):
        return [t for s in run.snapshots for t in tasks_of(s, pid=pid) if t["exited"]]

    def child_pid(self, run):
        snap = run.wait_for(lambda s: tasks_of(s, comm="sleep") and
                            [t for t in tasks_of(s, comm="sh") if t["ppid"] != run.pid],
                            desc="the subshell")
        return [t for t in tasks_of(snap, comm="sh") if t["ppid"] != run.pid][0]["pid"]

    def test_linger_0_hides_exited_rows_but_logs_the_exit(self):
        with BatchRun(["sh", "-c", self.CHILD], args=["--linger", "0"]) as run:
            pid = self.child_pid(run)
            run.wait_for(lambda s: events(run, pid=pid, kind="exited"),
                         desc="the exit event of %d" % pid)
            n = run.count()
            run.wait_for(lambda s: run.count() >= n + 5, desc="five more snapshots")
            self.assertEqual(self.exited_rows(run, pid), [], "no exited row with --linger 0")
            self.assertEqual(events(run, pid=pid, kind="exited")[0].get("exit_code"), 3)

    def test_default_linger_shows_the_exited_row(self):
        # The control: the same child lingers as an exited row by default.
        with BatchRun(["sh", "-c", self.CHILD]) as run:
            pid = self.child_pid(run)
            run.wait_for(lambda s: self.exited_rows(run, pid), desc="the exited row of %d" % pid)


if __name__ == "__main__":
    main()
