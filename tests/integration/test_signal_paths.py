"""Every path that signals carries an identity (PID + start time): quitting
without pidfds (an LD_PRELOAD shim makes them fail with ENOSYS, as on
kernels before 5.3 or in seccomp sandboxes) still sends SIGTERM, then
SIGKILL; and processes forked after the first SIGTERM round of a shutdown
are asked to stop too, instead of waiting out the grace period."""

import os
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (DEADLINE, AsNobody, BatchRun, helper, log_events, main, nobody_can_run,
                          pid_exists, poll, proc_stat, tasks_of)

# Far longer than any test waits: a shutdown that needs the grace period fails.
LONG_GRACE = "60"


def shim():
    path = os.environ.get("CONCMON_NOPIDFD")
    if not path or not os.path.exists(path):
        raise AssertionError("CONCMON_NOPIDFD (tests/shim/nopidfd.c) is not built: run through ctest")
    return path


def without_pidfds():
    env = dict(os.environ)
    env["LD_PRELOAD"] = shim()
    return env


def shim_loaded(pid):
    with open("/proc/%d/maps" % pid) as f:
        return os.path.basename(shim()) in f.read()


def ended(log, pid):
    """How pid ended according to the event log: ('exited', code) or
    ('killed', signal), or None while it has not."""
    for e in log_events(log, pid):
        if e["event"] == "exited":
            return ("exited", e["exit_code"])
        if e["event"] == "killed":
            return ("killed", e["signal"])
    return None


def ready(path):
    """Waits until the program under test wrote "ready" to path (its traps are set)."""
    def check():
        try:
            with open(path) as f:
                return "ready" in f.read()
        except OSError:
            return False
    poll(check, desc="ready in %s" % path)


def signals_sent(log, pid):
    """(signal, result) of every signal concmon logged sending to pid."""
    return [(e["signal"], e["result"]) for e in log_events(log, pid, "signal")]


class Stop:
    """The shutdown tests, run as root here and as user nobody (no cgroup:
    containment by process groups and tracking only) in a subclass."""

    def quit_and_wait(self, run):
        run.signal(signal.SIGTERM)
        rc = run.wait_exit(DEADLINE)
        self.assertEqual(rc, 128 + signal.SIGTERM, run.stderr)

    def test_without_pidfds_quitting_sends_sigterm_first(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o777)
            log = os.path.join(tmp, "events.ndjson")
            mark = os.path.join(tmp, "ready")
            script = 'trap "exit 7" TERM; echo ready > %s; while :; do sleep 0.05; done' % mark
            with BatchRun(["sh", "-c", script], delay=0.1, env=without_pidfds(),
                          args=["-g", LONG_GRACE, "--log", log]) as run:
                snap = run.wait_for(lambda s: tasks_of(s, comm="sh"), desc="the trapping shell")
                sh = tasks_of(snap, comm="sh")[0]["pid"]
                ready(mark)
                self.assertTrue(shim_loaded(run.pid), "concmon runs without pidfds")
                self.quit_and_wait(run)
                self.assertEqual(ended(log, sh), ("exited", 7),
                                 "the shell saw SIGTERM and ran its trap: %s" % log_events(log, sh))
                self.assertIn((signal.SIGTERM, "ok"), signals_sent(log, sh))
                run.check_clean(self)

    def test_without_pidfds_a_child_ignoring_sigterm_is_killed(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o777)
            log = os.path.join(tmp, "events.ndjson")
            marks = os.path.join(tmp, "term.log")
            with BatchRun([helper("ignore_term"), marks], delay=0.1, env=without_pidfds(),
                          args=["-g", "0.3", "--log", log]) as run:
                snap = run.wait_for(lambda s: tasks_of(s, comm="ignore_term"),
                                    desc="the ignore_term child")
                child = tasks_of(snap, comm="ignore_term")[0]["pid"]
                start = proc_stat(child)["start"]
                ready(marks)
                self.quit_and_wait(run)
                self.assertFalse(pid_exists(child, start), "the child is gone")
                with open(marks) as f:
                    self.assertIn("TERM", f.read(), "SIGTERM came first")
                sent = signals_sent(log, child)
                self.assertIn((signal.SIGTERM, "ok"), sent)
                if snap["containment"] == "process-groups":
                    # With a cgroup, cgroup.kill may end it before any SIGKILL of concmon's.
                    self.assertIn((signal.SIGKILL, "ok"), sent, "SIGKILL after the grace period")
                self.assertEqual(ended(log, child), ("killed", signal.SIGKILL))
                run.check_clean(self)

    def test_processes_forked_during_shutdown_get_sigterm_too(self):
        # On SIGTERM the shell starts a new child and waits for it: only a
        # SIGTERM to that newcomer lets the shutdown end before the grace.
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o777)
            log = os.path.join(tmp, "events.ndjson")
            mark = os.path.join(tmp, "ready")
            script = ('trap "sleep 300 & wait; exit 3" TERM; echo ready > %s; '
                      'while :; do sleep 0.05; done' % mark)
            with BatchRun(["sh", "-c", script], delay=0.1,
                          args=["-g", LONG_GRACE, "--log", log]) as run:
                snap = run.wait_for(lambda s: tasks_of(s, comm="sh"), desc="the shell")
                sh = tasks_of(snap, comm="sh")[0]["pid"]
                ready(mark)
                self.quit_and_wait(run)
                self.assertEqual(ended(log, sh), ("exited", 3), log_events(log, sh))
                late = [e["pid"] for e in log_events(log, kind="spawned")
                        if e["parent"] == sh and e["comm"] in ("sh", "sleep")]
                late = [p for p in late if ended(log, p) == ("killed", signal.SIGTERM)]
                self.assertTrue(late, "a child forked after the first round was ended by SIGTERM")
                run.check_clean(self)


def sig_field(pid, name):
    """A signal set from /proc/PID/status (SigIgn, SigBlk) as a set of numbers."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                bits = int(line.split()[1], 16)
                return {n for n in range(1, 65) if bits & (1 << (n - 1))}
    return None


class Inherited(unittest.TestCase):
    """A launched program gets the signal dispositions concmon started with
    (a user's nohup holds), not concmon's own (it ignores SIGPIPE and blocks
    the signals it reads through a signalfd)."""

    def launched_sleep(self, prefix=()):
        run = BatchRun(["sleep", "300"], prefix=prefix)
        self.addCleanup(run.stop)
        snap = run.wait_for(lambda s: tasks_of(s, comm="sleep"), desc="the sleep")
        return run, tasks_of(snap, comm="sleep")[0]["pid"]

    def test_nohup_is_kept(self):
        run, sleep = self.launched_sleep(prefix=["nohup"])
        self.assertIn(signal.SIGHUP, sig_field(run.pid, "SigIgn"), "concmon runs under nohup")
        self.assertIn(signal.SIGHUP, sig_field(sleep, "SigIgn"), "its program still ignores SIGHUP")
        self.assertNotIn(signal.SIGPIPE, sig_field(sleep, "SigIgn"), "concmon's own SIG_IGN is not passed on")
        self.assertEqual(sig_field(sleep, "SigBlk"), set(), "nothing blocked")

    def test_without_nohup_nothing_is_ignored(self):
        run, sleep = self.launched_sleep()
        self.assertIn(signal.SIGPIPE, sig_field(run.pid, "SigIgn"))
        self.assertEqual(sig_field(sleep, "SigIgn"), set())
        self.assertEqual(sig_field(sleep, "SigBlk"), set())


class AsRoot(Stop, unittest.TestCase):
    pass


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class AsUserNobody(AsNobody, Stop, unittest.TestCase):
    pass


if __name__ == "__main__":
    main()
