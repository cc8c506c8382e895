"""The guardian kills only what it can prove is concmon's: never a process
that took a recycled PID (forced through /proc/sys/kernel/ns_last_pid),
and everything of a setsid burst that was still forking when concmon was
killed with SIGKILL, as root and as user nobody.

CONCMON_BURST_RUNS (default 5) sets how many bursts each user runs.
CONCMON_NOPIDFD (an LD_PRELOAD shim under which every pidfd call fails with
ENOSYS) adds the same checks on the path without pidfds."""

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (BatchRun, as_nobody, children_of, kill_quietly, main, nobody_can_run,
                          pid_alive, pid_exists, poll, proc_stat)

SLOW = 60.0       # deadline for a burst of 2000 double forks to end on a loaded machine
NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")[:-1]
    except OSError:
        return []


def read_file(path):
    """The stripped text of path, or "" while it is missing."""
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


def live_matching(pred):
    """pid -> start ticks of every live process whose argv satisfies pred."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        st = proc_stat(pid)
        if st is None or st["state"] in ("Z", "X", "x"):
            continue
        if pred(cmdline(pid)):
            out[pid] = st["start"]
    return out


def guardian_of(run):
    """The guardian: concmon's child that runs concmon's own image."""
    kids = [p for p in children_of(run.pid) if (proc_stat(p) or {}).get("comm") == "concmon"]
    return kids[0] if len(kids) == 1 else None


def wait_guardian_done(testcase, guardian, start):
    """After concmon's SIGKILL: the guardian exits once its work is done."""
    poll(lambda: not pid_alive(guardian, start), timeout=SLOW, desc="the guardian to finish")


def force_pid(pid, argv):
    """Starts argv in a new session as PID pid (the next PID after pid - 1),
    or returns None when other forks keep taking it."""
    for _ in range(200):
        if pid_exists(pid):
            return None
        with open(NS_LAST_PID, "w") as f:
            f.write(str(pid - 1))
        p = subprocess.Popen(argv, start_new_session=True)
        if p.pid == pid:
            return p
        p.kill()
        p.wait()
    return None


def root_reason():
    return None if os.geteuid() == 0 else "needs root (writes %s)" % NS_LAST_PID


def shim_reason():
    path = os.environ.get("CONCMON_NOPIDFD")
    return None if path and os.path.exists(path) else \
        "CONCMON_NOPIDFD (the no-pidfd shim) is not built here"


def without_pidfds():
    return dict(os.environ, LD_PRELOAD=os.environ["CONCMON_NOPIDFD"])


def check_shim(testcase, env, pid):
    """With env from without_pidfds(), pid runs with the shim loaded."""
    if env is None:
        return
    name = os.path.basename(env["LD_PRELOAD"])

    def loaded():
        with open("/proc/%d/maps" % pid) as f:
            return name in f.read()
    # Right after the exec, the dynamic loader may not have mapped it yet.
    poll(loaded, desc="%s loaded in %d" % (name, pid))


class RecycledPid(unittest.TestCase):
    def group_of_recycled_pid(self, env):
        with tempfile.TemporaryDirectory() as d:
            go = os.path.join(d, "go")
            # Ends once the test knows its PID: then concmon reaps it.
            script = "while [ ! -e %s ]; do sleep 0.02; done" % go
            with BatchRun(["sh", "-c", script], delay=0.05, env=env) as run:
                program = poll(lambda: [p for p in children_of(run.pid)
                                        if cmdline(p) == [b"sh", b"-c", script.encode()]],
                               desc="the program (after its exec)")[0]
                guardian = poll(lambda: guardian_of(run), desc="the guardian")
                check_shim(self, env, guardian)
                gstart = proc_stat(guardian)["start"]
                pstart = proc_stat(program)["start"]
                open(go, "w").close()
                poll(lambda: not pid_exists(program, pstart), desc="the program ended and reaped")
                decoy = force_pid(program, ["sleep", "100"])
                if decoy is None:
                    self.skipTest("PID %d could not be forced (other forks took it)" % program)
                self.addCleanup(lambda: (decoy.kill(), decoy.wait()))
                dstart = proc_stat(decoy.pid)["start"]
                self.assertEqual(proc_stat(decoy.pid)["pgrp"], program, "the decoy leads group PID")
                os.kill(run.pid, signal.SIGKILL)
                run.wait_exit()
                wait_guardian_done(self, guardian, gstart)
                self.assertTrue(pid_alive(decoy.pid, dstart),
                                "the unrelated process on the recycled PID %d was killed" % program)

    @unittest.skipIf(root_reason(), root_reason() or "")
    def test_group_of_a_reaped_program_is_not_killed_in_its_successor(self):
        self.group_of_recycled_pid(None)

    @unittest.skipIf(root_reason() or shim_reason(), root_reason() or shim_reason() or "")
    def test_without_pidfds(self):
        self.group_of_recycled_pid(without_pidfds())


def burst_runs():
    return int(os.environ.get("CONCMON_BURST_RUNS", "5"))


class Burst(unittest.TestCase):
    """kill -9 of concmon while a burst of setsid double forks is forking."""

    def burst(self, prefix):
        tag = "1000.%06d" % random.randrange(10 ** 6)
        mine = lambda argv: argv == [b"sleep", tag.encode()]
        forker = lambda argv: len(argv) >= 3 and argv[0] in (b"bash", b"sh") and \
            tag.encode() in argv[-1]
        script = ('for i in $(seq 2000); do setsid sh -c "sleep %s &"; done; sleep %s'
                  % (tag, tag))
        run = BatchRun(["bash", "-c", script], delay=1, iterations=1000, prefix=prefix)
        try:
            guardian = poll(lambda: len(children_of(run.pid)) >= 2 and guardian_of(run),
                            desc="the guardian and bash (after its exec)")
            gstart = proc_stat(guardian)["start"]
            poll(lambda: time.monotonic() - run.started_at >= 0.7 and
                 len(live_matching(mine)) >= 50, timeout=SLOW, desc="the burst under way")
            self.assertTrue(live_matching(forker), "the burst is still forking")
            os.kill(run.pid, signal.SIGKILL)
            run.wait_exit()
            poll(lambda: not live_matching(forker), timeout=SLOW, desc="the burst over")
            wait_guardian_done(self, guardian, gstart)
            return [proc_stat(p) for p in live_matching(mine)]
        finally:
            run.stop()
            for pid, start in live_matching(mine).items():
                kill_quietly(pid, signal.SIGKILL, start)
            for pid, start in live_matching(forker).items():
                kill_quietly(pid, signal.SIGKILL, start)

    def check_bursts(self, prefix, who):
        left = [self.burst(prefix) for _ in range(burst_runs())]
        counts = [len(x) for x in left]
        sys.stderr.write("\n  setsid burst as %s: survivors per run %s, %d of %d runs clean\n"
                         % (who, counts, counts.count(0), len(counts)))
        self.assertEqual(sum(counts), 0, "live sleeps left after the burst: %r" % left)

    @unittest.skipIf(root_reason(), root_reason() or "")
    def test_burst_as_root_leaves_nothing(self):
        self.check_bursts((), "root")

    @unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
    def test_burst_as_nobody_leaves_nothing(self):
        self.check_bursts(as_nobody([]), "nobody")


class StillRunning(unittest.TestCase):
    """What still runs when concmon is killed is killed: the program and a
    setsid, double-forked daemon it started."""

    def program_and_daemon(self, prefix, env=None):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o777)
            pidfile = os.path.join(d, "daemon.pid")
            script = "setsid sh -c 'sleep 400 & echo $! > %s'; exec sleep 300" % pidfile
            with BatchRun(["sh", "-c", script], delay=0.2, prefix=prefix, env=env) as run:
                check_shim(self, env, run.pid)
                daemon = int(poll(lambda: read_file(pidfile), desc="the daemon's pid file"))
                program = poll(lambda: [p for p in children_of(run.pid)
                                        if cmdline(p) == [b"sleep", b"300"]],
                               desc="the program running sleep 300")[0]
                procs = {p: proc_stat(p)["start"] for p in (daemon, program)}
                self.assertNotEqual(proc_stat(daemon)["session"], proc_stat(program)["session"])
                os.kill(run.pid, signal.SIGKILL)
                run.wait_exit()
                try:
                    poll(lambda: not [p for p, s in procs.items() if pid_alive(p, s)],
                         desc="the program and the daemon dead after concmon's SIGKILL")
                finally:
                    for p, s in procs.items():
                        kill_quietly(p, signal.SIGKILL, s)

    def test_as_root(self):
        self.program_and_daemon(())

    @unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
    def test_as_nobody(self):
        self.program_and_daemon(as_nobody([]))

    @unittest.skipIf(nobody_can_run() or shim_reason(), nobody_can_run() or shim_reason() or "")
    def test_as_nobody_without_pidfds(self):
        self.program_and_daemon(as_nobody([]), without_pidfds())


if __name__ == "__main__":
    main()
