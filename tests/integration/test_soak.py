"""Soak: many launch/stop cycles of a demo through batch-mode commands
(`demo NAME`, then `terminate PID` once it runs, then its reaping). After
the first 10 cycles and at the end, with nothing running, concmon's open
file descriptors must be the same; its private memory must reach a
plateau (the same, within 64 KiB, half way and at the end); no zombie and
no process may be left. Leaks are LeakSanitizer's and valgrind's job.

CONCMON_SOAK_CYCLES sets the number of cycles (default 1000; ctest runs
fewer, see tests/CMakeLists.txt). CONCMON_SOAK_DEMO picks the demo
(default semaphore); CONCMON_SOAK_DEMO=- launches `sleep 300` instead."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (BatchRun, all_stats, concmon_bin, descendants_of, main, pid_exists,
                          poll, proc_stat)

CYCLES = int(os.environ.get("CONCMON_SOAK_CYCLES", "1000"))
DEMO = os.environ.get("CONCMON_SOAK_DEMO", "semaphore")
WARMUP = 10
# How much private memory may move between half way and the end.
PLATEAU_KB = 64
# Exited rows and ended programs linger 5 s before concmon forgets them.
QUIET = 30.0


def memory_kb(pid):
    """concmon's VmRSS, and its private part (RssAnon + RssShmem), in KiB."""
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssShmem"):
                got[key] = int(value.split()[0])
    return got.get("VmRSS", 0), got.get("RssAnon", 0) + got.get("RssShmem", 0)


def sanitized():
    """Why RSS says nothing in this build (ASan keeps freed memory in its
    quarantine by design), or None."""
    with open(concmon_bin(), "rb") as f:
        if b"AddressSanitizer" in f.read():
            return "an ASan build: freed memory stays in ASan's quarantine"
    return None


def fds(pid):
    """concmon's open descriptors: number -> what they point at."""
    out = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            pass
    return out


class Soak(unittest.TestCase):
    def launch_command(self):
        return "launch sleep 300" if DEMO == "-" else "demo %s" % DEMO

    def cycle(self, run, known):
        since = run.count()
        run.send(self.launch_command())

        # A program is (PID, start time): on a busy machine PIDs wrap, and a
        # new program may get the PID of one launched cycles ago. (An ended
        # one's PID may be a thread's now, which /proc/TID/stat shows too.)
        def new_program(s):
            for p in s.get("programs", []):
                st = None if p["ended"] else proc_stat(p["pid"])
                if st and st["ppid"] == run.pid and (p["pid"], st["start"]) not in known:
                    return p["pid"], st["start"]
            return None
        snap = run.wait_for(new_program, desc="the launched program", since=since)
        pid, start = new_program(snap)
        known.add((pid, start))
        since = run.count()
        run.send("terminate %d" % pid)
        run.wait_for(lambda s: any(e["event"] == "reaped" and e["pid"] == pid
                                   for e in s.get("events", [])),
                     desc="program %d reaped" % pid, since=since)

    def quiet(self, run):
        """Waits until concmon shows and holds nothing; returns (fds, rss)."""
        def idle(s):
            return not s["tasks"] and not s.get("programs")
        run.wait_for(idle, QUIET, "no task and no program left", since=max(0, run.count() - 1))
        # Everything below concmon now is its guardian: one process, no zombie.
        below = descendants_of(run.pid)
        self.assertEqual(len(below), 1, "only the guardian below concmon: %s"
                         % {p: proc_stat(p) for p in below})
        guardian = below[0]
        zombies = [p for p, st in all_stats().items() if st["ppid"] == run.pid
                   and st["state"] == "Z"]
        self.assertEqual(zombies, [], "zombies under concmon")
        # Two quiet snapshots in a row: whatever was freed is freed.
        n = run.count()
        run.wait_for(lambda s: run.count() >= n + 2, desc="two more snapshots")
        return fds(run.pid), memory_kb(run.pid), guardian

    def test_launch_stop_cycles(self):
        with BatchRun(None, delay=0.02, commands=True, args=["-g", "1"]) as run:
            known = set()   # (pid, start ticks) of every program launched
            t0 = time.monotonic()
            for _ in range(WARMUP):
                self.cycle(run, known)
            fds0, (rss0, priv0), guardian = self.quiet(run)
            t1 = time.monotonic()
            # Half way, quiet too: tells a plateau from steady growth.
            half = max(WARMUP, CYCLES // 2)
            while len(known) < half:
                self.cycle(run, known)
            t2 = time.monotonic()
            _, (rss_half, priv_half), _ = self.quiet(run)
            while len(known) < CYCLES:
                self.cycle(run, known)
            t3 = time.monotonic()
            fds1, (rss1, priv1), guardian1 = self.quiet(run)
            cycling = (t1 - t0) + (t2 - t1) + (t3 - t2)
            rss_text = ("RSS after %d cycles %d KiB, after %d %d KiB, after %d %d KiB (%+.2f%%); "
                        "private %d -> %d -> %d KiB"
                        % (WARMUP, rss0, half, rss_half, CYCLES, rss1,
                           100.0 * (rss1 - rss0) / rss0, priv0, priv_half, priv1))
            sys.stderr.write("\nsoak: %d cycles of %s in %.1fs (%.1f ms a cycle); fds %d -> %d; "
                             "%s\n" % (CYCLES, self.launch_command(), cycling,
                                        1000 * cycling / CYCLES, len(fds0), len(fds1), rss_text))
            self.assertEqual(len(known), CYCLES)
            self.assertEqual(guardian1, guardian, "the same guardian")
            self.assertEqual(fds1, fds0, "concmon's open descriptors after %d cycles" % CYCLES)
            if sanitized():
                sys.stderr.write("soak: memory not checked: %s\n" % sanitized())
            else:
                # A plateau, not growth with the number of programs: what
                # glibc keeps cached is bounded, a leak is not.
                self.assertLessEqual(priv1 - priv_half, PLATEAU_KB,
                                     "private memory still growing: " + rss_text)
            left = [p for p, start in known if pid_exists(p, start)]
            self.assertEqual(left, [], "launched programs still there")
            run.signal(signal.SIGTERM)
            self.assertEqual(run.wait_exit(), 128 + signal.SIGTERM, run.stderr)
            poll(lambda: not pid_exists(guardian), timeout=5, desc="the guardian gone")
            run.check_clean(self)


if __name__ == "__main__":
    main()
