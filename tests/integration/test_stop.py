"""Stopping the supervised tree: grace escalation, normal exit, signals to
concmon, and SIGKILL of concmon (the guardian)."""

import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (AsNobody, BatchRun, descendants_of, helper, is_descendant, kill_quietly, main,
                          nobody_can_run, pid_alive, pid_exists, poll, proc_stat, tasks_of)


def record(run, snap):
    """pid -> start ticks for every live process of the snapshot."""
    out = {}
    for t in snap["tasks"]:
        if t["exited"] or t["tid"] != t["pid"] or not is_descendant(t["pid"], run.pid):
            continue
        st = proc_stat(t["pid"])
        if st is not None:
            out[t["pid"]] = st["start"]
    return out


class Grace(unittest.TestCase):
    def test_child_ignoring_sigterm_is_killed_after_the_grace_period(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "term.log")
            grace = 0.5
            with BatchRun([helper("ignore_term"), log], iterations=10,
                          args=["-g", str(grace)]) as run:
                snap = run.wait_for(lambda s: tasks_of(s, comm="ignore_term"),
                                    desc="the ignore_term child")
                child = tasks_of(snap, comm="ignore_term")[0]["pid"]
                start = proc_stat(child)["start"]
                rc = run.wait_exit()
                end = time.monotonic()
                self.assertEqual(rc, 0, run.stderr)
                self.assertEqual(len(run.snapshots), 10)
                last_line = run.line_times[-1]
                self.assertGreaterEqual(end - last_line, grace * 0.9,
                                        "concmon waited the grace period before SIGKILL")
                self.assertFalse(pid_exists(child, start), "the child is gone (and reaped)")
                with open(log) as f:
                    self.assertIn("TERM", f.read(), "SIGTERM came first")
                run.check_clean(self)

    def test_shell_ignoring_sigterm_is_killed_too(self):
        with BatchRun(["sh", "-c", 'trap "" TERM; exec sleep 60'], iterations=6,
                      args=["-g", "0.5"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, cmdline="sleep 60"),
                                desc="the sleep that ignores TERM")
            child = tasks_of(snap, cmdline="sleep 60")[0]["pid"]
            start = proc_stat(child)["start"]
            rc = run.wait_exit()
            end = time.monotonic()
            self.assertEqual(rc, 0, run.stderr)
            self.assertGreaterEqual(end - run.line_times[-1], 0.45,
                                    "concmon waited the grace period before SIGKILL")
            self.assertFalse(pid_exists(child, start), "killed and reaped")
            run.check_clean(self)

    def test_child_obeying_sigterm_does_not_wait_for_the_grace_period(self):
        with BatchRun(["sleep", "300"], iterations=4, args=["-g", "5"]) as run:
            rc = run.wait_exit(timeout=4)
            self.assertEqual(rc, 0, run.stderr)
            self.assertLess(time.monotonic() - run.line_times[-1], 2.5,
                            "a child that obeys SIGTERM ends the wait early")
            run.check_clean(self)


class NormalExit(unittest.TestCase):
    def test_exit_after_iterations_leaves_nothing_alive(self):
        cmd = ["sh", "-c", "sleep 300 & (sleep 300 & sleep 300) & sleep 0.3; "
               + helper("threads") + " 3 & sleep 300 & wait"]
        with BatchRun(cmd, iterations=40) as run:
            snap = run.wait_for(
                lambda s: len([t for t in tasks_of(s, comm="sleep") if not t["exited"]]) >= 4
                and tasks_of(s, comm="worker-2"),
                desc="all processes started")
            seen = record(run, snap)
            rc = run.wait_exit(timeout=20)
            self.assertEqual(rc, 0, run.stderr)
            seen.update(run.seen)   # every process any snapshot reported
            self.assertGreaterEqual(len(seen), 6, seen)
            left = {p: proc_stat(p) for p, s in seen.items() if pid_exists(p, s)}
            self.assertEqual(left, {}, "processes left after concmon exited (zombies count)")
            self.assertEqual(descendants_of(run.pid), [])
            run.check_clean(self)


class KilledHard(unittest.TestCase):
    def test_sigkill_of_concmon_leaves_no_child_after_one_second(self):
        with BatchRun(["sh", "-c", "sleep 300 & sleep 300"]) as run:
            snap = run.wait_for(lambda s: len(tasks_of(s, comm="sleep")) == 2,
                                desc="sh and its two sleeps")
            procs = record(run, snap)
            self.assertEqual(len(procs), 3, snap)
            grandchildren = [p for p in procs if proc_stat(p)["ppid"] != run.pid]
            self.assertTrue(grandchildren, "a grandchild is among them")
            # Everything below concmon, the hidden guardian included.
            everything = {p: proc_stat(p)["start"] for p in descendants_of(run.pid)
                          if proc_stat(p)}
            os.kill(run.pid, signal.SIGKILL)
            t0 = time.monotonic()
            run.wait_exit()
            try:
                poll(lambda: not [p for p, s in procs.items() if pid_alive(p, s)],
                     timeout=1.0 - (time.monotonic() - t0),
                     desc="every supervised process dead within 1 s of concmon's SIGKILL")
                # The guardian has nothing left to do: it must go too.
                poll(lambda: not [p for p, s in everything.items() if pid_alive(p, s)],
                     timeout=3.0, desc="the guardian gone after its work")
            except AssertionError as e:
                alive = {p: proc_stat(p) for p, s in everything.items() if pid_alive(p, s)}
                self.fail("%s\nalive %.2fs after SIGKILL: %s"
                          % (e, time.monotonic() - t0, alive))
            finally:
                for p, s in everything.items():
                    kill_quietly(p, signal.SIGKILL, s)

    def test_sigkill_also_stops_an_orphan_and_threads(self):
        cmd = ["sh", "-c", "(sleep 300 &) ; exec " + helper("threads") + " 3"]
        with BatchRun(cmd) as run:
            snap = run.wait_for(lambda s: [t for t in tasks_of(s, cmdline="sleep 300")
                                           if t["orphan"]] and tasks_of(s, comm="worker-2"),
                                desc="an adopted orphan and a 3-thread process")
            procs = record(run, snap)
            os.kill(run.pid, signal.SIGKILL)
            t0 = time.monotonic()
            run.wait_exit()
            try:
                poll(lambda: not [p for p, s in procs.items() if pid_alive(p, s)],
                     timeout=1.0 - (time.monotonic() - t0),
                     desc="every supervised process dead within 1 s of concmon's SIGKILL")
            finally:
                for p, s in procs.items():
                    kill_quietly(p, signal.SIGKILL, s)


    def test_sigkill_stops_a_double_forked_daemon_never_seen_in_a_snapshot(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = os.path.join(d, "daemon.pid")
            script = ("setsid sh -c 'sleep 400 & echo $! > %s' ; exec sleep 300" % pidfile)
            # A long delay: no snapshot after the first one sees the daemon.
            with BatchRun(["sh", "-c", script], delay=30) as run:
                poll(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(),
                     desc="the daemon's pid file")
                daemon = int(open(pidfile).read())
                start = proc_stat(daemon)["start"]
                self.assertNotEqual(proc_stat(daemon)["session"], proc_stat(run.pid)["session"])
                os.kill(run.pid, signal.SIGKILL)
                t0 = time.monotonic()
                run.wait_exit()
                try:
                    poll(lambda: not pid_alive(daemon, start), timeout=1.0 - (time.monotonic() - t0),
                         desc="the setsid, double-forked daemon dead within 1 s")
                finally:
                    kill_quietly(daemon, signal.SIGKILL, start)


def cgroup_of(pid):
    """The cgroup2 path of pid ("0::/..." in /proc/PID/cgroup)."""
    with open("/proc/%d/cgroup" % pid) as f:
        for line in f:
            if line.startswith("0::"):
                return line[3:].strip()
    return None


class Containment:
    """Every snapshot says how the tree is contained, and it is true: with
    "cgroup" the program runs in concmon's own cgroup; otherwise concmon
    said on stderr why there is none."""

    def check(self):
        with BatchRun(["sleep", "300"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep"), desc="the sleep")
            sleep = tasks_of(snap, comm="sleep")[0]["pid"]
            self.assertIn(snap.get("containment"), ("cgroup", "process-groups"), snap)
            self.assertTrue(all(s.get("containment") == snap["containment"]
                                for s in run.snapshots), "every snapshot says it")
            if snap["containment"] == "cgroup":
                self.assertTrue(cgroup_of(sleep).endswith("/concmon-%d" % run.pid),
                                cgroup_of(sleep))
                self.assertNotIn("no cgroup", run.stderr)
            else:
                run.wait_stderr(r"no cgroup \(.+\): the tree is contained by process groups "
                                r"and tracking only")
            run.check_clean(self)
            return snap["containment"]


class ContainmentAsRoot(Containment, unittest.TestCase):
    def test_containment_is_reported_and_true(self):
        self.check()


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class ContainmentAsNobody(AsNobody, Containment, unittest.TestCase):
    def test_without_a_writable_cgroup_it_says_process_groups(self):
        self.assertEqual(self.check(), "process-groups")


class CgroupLost(unittest.TestCase):
    def test_a_program_that_cannot_join_the_cgroup_is_not_left_running(self):
        with BatchRun(None, commands=True) as run:
            snap = run.wait_for(lambda s: "containment" in s, desc="a snapshot")
            if snap["containment"] != "cgroup":
                self.skipTest("no cgroup here: %s" % run.stderr.strip())
            with open("/proc/self/mountinfo") as f:
                path = [l for l in f if " - cgroup2 " in l][0].split()[4]
            path = os.path.join(path, cgroup_of(os.getpid()).lstrip("/"), "concmon-%d" % run.pid)
            os.rmdir(path)  # empty: nothing was launched yet
            run.send("launch sleep 300")
            run.wait_stderr(r"cannot launch sleep: cannot join concmon's cgroup: ")
            later = run.wait_for(lambda s: s["time"] > snap["time"] + 0.5, desc="later snapshots")
            self.assertEqual(tasks_of(later, comm="sleep"), [], "no sleep runs outside the cgroup")
            run.check_clean(self)


class Signals(unittest.TestCase):
    def check_signal(self, sig):
        with BatchRun(["sh", "-c", "sleep 300 & sleep 300"], args=["-g", "2"]) as run:
            snap = run.wait_for(lambda s: len(tasks_of(s, comm="sleep")) == 2,
                                desc="sh and its two sleeps")
            procs = record(run, snap)
            run.signal(sig)
            rc = run.wait_exit()
            self.assertEqual(rc, 128 + sig, "exit status after %s (stderr: %s)"
                             % (signal.Signals(sig).name, run.stderr))
            left = {p: proc_stat(p) for p, s in procs.items() if pid_exists(p, s)}
            self.assertEqual(left, {}, "children left after %s" % signal.Signals(sig).name)
            run.check_clean(self)

    def test_sigterm(self):
        self.check_signal(signal.SIGTERM)

    def test_sigint(self):
        self.check_signal(signal.SIGINT)

    def test_sighup(self):
        self.check_signal(signal.SIGHUP)


if __name__ == "__main__":
    main()
