"""Concmon tells the truth about the tree: an event or a row describes the
process it names and no other (PID + start time), a live process is never
called dead, a parent's exit follows the reaping it did, and the rows say
what is known (name, start time, parent) and nothing made up.

Tests that need the kernel's proc connector or /proc/sys/kernel/ns_last_pid
need root and are skipped without it."""

import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (DEADLINE, BatchRun, helper, main, poll, proc_stat,
                          processes, task)

ROOT = os.geteuid() == 0
HZ = os.sysconf("SC_CLK_TCK")
EXITS = ("exited", "killed")


def events(run, since=0):
    """Every event of the snapshots from index since on, in log order."""
    return [e for s in run.snapshots[since:] for e in s.get("events", [])]


def force_pid(pid, timeout=DEADLINE * 3):
    """Forks a process outside concmon's tree onto PID pid (helper takepid)
    that exits at once with code 7. True once it has been and is reaped."""
    r = subprocess.run([helper("takepid"), str(pid), str(timeout)], capture_output=True,
                       text=True, timeout=timeout + DEADLINE)
    return r.stdout.strip() == "took %d" % pid


def after(run, n=3):
    """Waits for n more snapshots: whatever happened before is reported."""
    start = run.count()
    run.wait_for(lambda s: run.count() >= start + n, desc="%d more snapshots" % n,
                 since=max(0, start - 1))


@unittest.skipUnless(ROOT, "the proc connector and ns_last_pid need root")
class PidReuse(unittest.TestCase):
    def test_reused_pid_of_a_reaped_zombie_is_not_reported(self):
        """A zombie reaped by its own parent leaves nothing watched behind:
        the process that gets its PID next is not in the event log."""
        with BatchRun(None, delay=0.05, args=["--demo", "zombies,count=2"]) as run:
            snap = run.wait_for(lambda s: tasks_in_state(s, "Z"), desc="a zombie child")
            zombie = tasks_in_state(snap, "Z")[0]
            pid, parent = zombie["pid"], zombie["ppid"]
            after(run)  # the zombie is in more than one snapshot
            os.kill(parent, signal.SIGUSR1)  # the demo reaps its children
            run.wait_for(lambda s: any(e["event"] == "reaped" and e["pid"] == pid
                                       for e in s.get("events", [])),
                         desc="zombie %d reaped by its parent" % pid)
            mark = run.count()
            self.assertTrue(force_pid(pid), "PID %d could not be had again" % pid)
            after(run)
            stray = [e for e in events(run, mark) if e["pid"] == pid]
            self.assertEqual(stray, [], "events for an unrelated process on a reused PID")
            run.check_clean(self)


def tasks_in_state(snap, state):
    return [t for t in processes(snap) if t["state"] == state and not t["exited"]]


class Rows(unittest.TestCase):
    def test_start_time_is_exact(self):
        """start_time is boot time (to the nanosecond, not /proc/stat's whole
        second) plus the start ticks."""
        with BatchRun(["sleep", "30"], delay=0.05) as run:
            snap = run.wait_for(lambda s: task(s, comm="sleep"), desc="sleep")
            row = task(snap, comm="sleep")
            st = proc_stat(row["pid"])
            self.assertIsNotNone(st)
            boot = time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)
            want = boot + st["start"] / HZ
            self.assertAlmostEqual(row["start_time"], want, delta=0.02)
            run.check_clean(self)

    def test_former_parent_unknown_is_null(self):
        with BatchRun(["sleep", "30"], delay=0.05) as run:
            snap = run.wait_for(lambda s: task(s, comm="sleep"), desc="sleep")
            self.assertIsNone(task(snap, comm="sleep")["former_ppid"])
            run.check_clean(self)

    @unittest.skipUnless(ROOT, "SIGSTOP to concmon and the proc connector need root here")
    def test_adopted_process_reaped_between_snapshots(self):
        """A process whose parent dies and that exits before concmon samples
        it again is shown adopted (parent concmon, former parent, orphan)."""
        script = 'sh -c "sleep 300 & exec sleep 300"; exec sleep 300'
        with BatchRun(["sh", "-c", script], delay=0.05) as run:
            def inner(s):
                mid = [t for t in processes(s) if t["comm"] == "sleep" and t["ppid"] != run.pid
                       and not t["exited"]]
                kids = [t for t in mid if any(o["pid"] == t["ppid"] and o["comm"] == "sleep"
                                              for o in processes(s))]
                return kids[0] if kids else None
            snap = run.wait_for(inner, desc="sleep & under exec'd sleep")
            child = inner(snap)
            parent = child["ppid"]
            os.kill(run.pid, signal.SIGSTOP)
            try:
                os.kill(parent, signal.SIGKILL)
                poll(lambda: (proc_stat(child["pid"]) or {}).get("ppid") == run.pid,
                     desc="the child adopted by concmon")
                os.kill(child["pid"], signal.SIGKILL)
                poll(lambda: (proc_stat(child["pid"]) or {}).get("state") == "Z",
                     desc="the child a zombie")
            finally:
                os.kill(run.pid, signal.SIGCONT)
            snap = run.wait_for(lambda s: task(s, pid=child["pid"], exited=True),
                                desc="the child's exited row")
            row = task(snap, pid=child["pid"], exited=True)
            self.assertEqual(row["ppid"], run.pid)
            self.assertEqual(row["former_ppid"], parent)
            self.assertTrue(row["orphan"])
            run.check_clean(self)

    @unittest.skipUnless(ROOT, "the proc connector needs root")
    def test_process_reaped_before_any_snapshot_is_named(self):
        """An orphan that is born, adopted and reaped between two snapshots
        keeps the name and start time the kernel told."""
        script = 'trap "(sleep 0.01 &)" USR1; while :; do sleep 0.05; done'
        # A slow refresh: concmon is stopped in poll, not amid a snapshot
        # that would read the orphan before reaping it.
        with BatchRun(["sh", "-c", script], delay=1.0) as run:
            # The shell's loop runs (its trap is set) once it has a sleep child.
            def looping(s):
                sh = task(s, comm="sh")
                return sh and task(s, comm="sleep", ppid=sh["pid"]) and sh["pid"]
            sh = looping(run.wait_for(looping, desc="the shell's loop"))
            before = set(t["pid"] for t in run.latest()["tasks"])
            os.kill(run.pid, signal.SIGSTOP)
            try:
                os.kill(sh, signal.SIGUSR1)

                def orphan_zombie():
                    for name in os.listdir("/proc"):
                        st = name.isdigit() and proc_stat(int(name))
                        if (st and st["ppid"] == run.pid and st["state"] == "Z"
                                and st["comm"] == "sleep"):
                            return st
                    return None
                zombie = poll(orphan_zombie, desc="an orphan zombie under concmon")
            finally:
                os.kill(run.pid, signal.SIGCONT)
            self.assertNotIn(zombie["pid"], before)
            snap = run.wait_for(lambda s: task(s, pid=zombie["pid"], exited=True),
                                desc="its exited row")
            row = task(snap, pid=zombie["pid"], exited=True)
            self.assertEqual(row["comm"], "sleep")
            self.assertNotEqual(row["cmdline"], "")
            boot = time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)
            self.assertAlmostEqual(row["start_time"], boot + zombie["start"] / HZ, delta=0.02)
            run.check_clean(self)

    @unittest.skipUnless(ROOT, "the proc connector needs root")
    def test_failed_launch_is_named(self):
        with BatchRun(["/nonexistent-prog"], iterations=3, delay=0.05) as run:
            run.wait_exit()
            evs = [e for e in events(run) if e["event"] in ("spawned",) + EXITS]
            self.assertTrue(evs, "the failed launch is in the log")
            self.assertEqual([e for e in evs if e["comm"] != "nonexistent-pro"], [])
            run.check_clean(self)


@unittest.skipUnless(ROOT, "the proc connector needs root")
class Order(unittest.TestCase):
    def test_parent_exit_follows_the_reaping_it_did(self):
        """spawn-join: the parent joins its children and exits; each child's
        reaping by it is logged before its exit, and not twice."""
        with BatchRun(None, delay=0.05, args=["--demo", "spawn-join,duration=1500,linger=0"]) as run:
            snap = run.wait_for(lambda s: s.get("programs"), desc="the demo")
            parent = snap["programs"][0]["pid"]
            run.wait_for(lambda s: any(e["event"] in EXITS and e["pid"] == parent
                                       for e in s.get("events", [])), desc="the demo's exit")
            after(run)
            evs = events(run)
            end = next(e for e in evs if e["event"] in EXITS and e["pid"] == parent)
            # Its children that snapshots showed (a process born and reaped
            # between two snapshots has no row and no 'reaped').
            kids = set(t["pid"] for s in run.snapshots for t in processes(s)
                       if t["ppid"] == parent)
            self.assertTrue(kids, "the demo's children")
            for kid in kids:
                reaped = [e for e in evs if e["event"] == "reaped" and e["pid"] == kid]
                self.assertEqual(len(reaped), 1, "child %d reaped once: %s" % (kid, reaped))
                self.assertEqual(reaped[0]["by"], parent)
                self.assertLess(reaped[0]["seq"], end["seq"], "reaped before the parent's exit")
                self.assertLessEqual(reaped[0]["time"], end["time"])
            run.check_clean(self)


class Churn(unittest.TestCase):
    """/proc/PID/task/TID/children can skip a live child while its siblings
    are reaped: a process is gone only when /proc or the kernel says so."""

    def check(self, mode, churners, refreshes=60):
        argv = [helper("churn"), str(churners), "60"] + ([mode] if mode else [])
        with BatchRun(argv, delay=0.03, commands=True) as run:
            run.wait_for(lambda s: task(s, comm="churn-long"), desc="a long-lived child")
            run.send("launch sleep 300")  # a launched program behind the churners
            start = run.count()
            run.wait_for(lambda s: run.count() >= start + refreshes,
                         timeout=DEADLINE * 6, desc="%d refreshes" % refreshes)
            snaps = run.snapshots[start:]
            first = {}   # pid -> (index from which it must not change, its row then)
            last = {t["pid"]: t for t in processes(snaps[-1])}
            for i, s in enumerate(snaps):
                for t in processes(s):
                    # An orphan may be seen before its adoption: from then on.
                    if (t["comm"] in ("churn-long", "sleep") and not t["exited"]
                            and t["pid"] in last and t["ppid"] == last[t["pid"]]["ppid"]):
                        first.setdefault(t["pid"], (i, t))
            self.assertTrue(first)
            seen = {t["pid"]: t["comm"] for s in snaps for t in processes(s)
                    if t["comm"] in ("churn-long", "sleep")}
            for pid, comm in seen.items():
                if (proc_stat(pid) or {}).get("comm") == comm:
                    self.assertIn(pid, last, "live %s %d not in the last snapshot" % (comm, pid))
            checked = 0
            for pid, (i, row) in first.items():
                st = proc_stat(pid)
                if not st or st["comm"] != row["comm"]:
                    continue  # ended by the test's own end: not concmon's to answer for
                checked += 1
                for s in snaps[i:]:
                    now = task(s, pid=pid, tid=pid)
                    self.assertIsNotNone(now, "live %s %d missing" % (row["comm"], pid))
                    self.assertFalse(now["exited"], "live %d called exited" % pid)
                    for key in ("ppid", "orphan", "former_ppid", "start_time", "comm"):
                        self.assertEqual(now[key], row[key], "%d changed %s" % (pid, key))
                # Events name processes by PID: an earlier process with this
                # PID (a churner) has its own, before this one started.
                wrong = [e for e in events(run, start) if e["pid"] == pid
                         and e["event"] in EXITS + ("reaped",) and e["comm"] == row["comm"]
                         and e["time"] >= row["start_time"]]
                self.assertEqual(wrong, [], "live %s %d reported ended" % (row["comm"], pid))
            self.assertGreater(checked, 0)
            sys.stderr.write("\nchurn %s: %d refreshes, %d long-lived processes checked\n"
                             % (mode or "children", len(snaps), checked))
            run.check_clean(self)

    def test_churning_children(self):
        self.check(None, 240)

    def test_churning_orphans(self):
        # Each orphan is reaped by concmon itself: fewer keep it busy enough.
        self.check("orphans", 120)


if __name__ == "__main__":
    main()
