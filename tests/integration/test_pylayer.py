"""The Python layer (python/concmon_trace) under concmon: unmodified Python
programs adapted from the seeds show their queues' depths, their locks'
holders and waiters named from where they are created, their two-lock
deadlock, and their threads under their Python names. Without the layer's
library the same programs run unchanged and publish nothing."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, BatchRun, main, tasks_of

SRC = os.environ.get("CONCMON_SOURCE",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(SRC, "tests", "python")


def traced(fixture, *args, lib=True):
    """(command, concmon options) that run a fixture: with lib, the way a
    user does, `concmon --trace -- python3 FIXTURE` (libconcmon-trace.so
    preloaded, the layer on PYTHONPATH); without, the layer on PYTHONPATH
    but no library for it to publish through."""
    cmd = [sys.executable, os.path.join(FIXTURES, fixture)] + list(args)
    if lib:
        return cmd, ["--trace"]
    return ["env", "PYTHONPATH=" + os.environ["CONCMON_PYTHON"]] + cmd, []


def ready(snap):
    return any(o["line"].startswith("ready") for o in snap.get("output", []))


def named(snap, table, pattern):
    return [r for r in snap.get(table, []) if re.fullmatch(pattern, r["name"])]


def line_of(fixture, text):
    """The line number where fixture has text (names carry it)."""
    with open(os.path.join(FIXTURES, fixture)) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError("%s not in %s" % (text, fixture))


class PyLayer(unittest.TestCase):
    def run_ready(self, fixture, lib=True):
        """Starts fixture under concmon; returns the run and the index of
        the snapshot that carried its ready line."""
        cmd, opts = traced(fixture, lib=lib)
        run = BatchRun(cmd, delay=0.2, args=opts)
        self.addCleanup(run.stop)
        run.wait_for(ready, DEADLINE * 2, fixture + "'s ready line")
        return run, run.count() - 1

    def within_two(self, run, since, pred, desc):
        """The state is published before the ready line: it must be in one
        of the two snapshots after the one that carried that line."""
        snap = run.wait_for(pred, DEADLINE, desc, since=since)
        self.assertLessEqual(run.snapshots.index(snap) - since, 2, desc + " came late")
        return snap

    def test_washer_dryer_queue_depth_and_thread_names(self):
        run, at = self.run_ready("washer_dryer.py")
        name = r"dish_queue@washer_dryer\.py:%d" % line_of("washer_dryer.py", "dish_queue = ")
        snap = self.within_two(run, at, lambda s: any(q["depth"] == 3 and q["puts"] == 4
                                                      for q in named(s, "queues", name)),
                               "dish_queue with 3 dishes")
        comms = {t["comm"] for t in snap["tasks"]}
        self.assertIn("Thread-1 (dryer", comms)     # the kernel keeps 15 bytes
        roles = {t.get("role") for t in snap["probe_threads"]}
        self.assertIn("Thread-1 (dryer)", roles)
        self.assertEqual(snap["deadlocks"], [])

    def test_two_lock_deadlock_is_a_cycle(self):
        run, at = self.run_ready("two_locks.py")
        snap = run.wait_for(lambda s: s["deadlocks"], DEADLINE, "the deadlock")
        cycle = snap["deadlocks"][0]["cycle"]
        locks = sorted(edge["lock"] for edge in cycle)
        self.assertEqual(locks, ["lock1@two_locks.py:%d" % line_of("two_locks.py", "lock1 = "),
                                 "lock2@two_locks.py:%d" % line_of("two_locks.py", "lock2 = ")])
        self.assertEqual(sorted(e["role"] for e in cycle), ["Thread-1 (task1)", "Thread-2 (task2)"])
        for edge in cycle:
            self.assertNotEqual(edge["holder"], edge["tid"])
        for lock in named(snap, "locks", r"lock[12]@two_locks\.py:\d+"):
            self.assertEqual(len(lock["holders"]), 1)
            self.assertEqual(lock["waiting"], 1)

    def test_semaphore_three_holders_five_waiters_no_deadlock(self):
        run, at = self.run_ready("semaphore_workers.py")
        name = r"sema@semaphore_workers\.py:\d+"
        snap = self.within_two(run, at, lambda s: any(
            r["holder_count"] == 3 and r["waiting"] == 5 for r in named(s, "locks", name)),
            "sema with 3 holders and 5 waiters")
        sema = named(snap, "locks", name)[0]
        self.assertEqual(len(sema["holders"]), 3)
        self.assertEqual(sema["value"], 0)
        workers = {t["tid"] for t in tasks_of(snap) if t["comm"].endswith("(foo)")}
        self.assertEqual(set(sema["holders"]) | set(sema["waiters"]), workers)
        self.assertEqual(snap["deadlocks"], [])

    def test_ticket_booking_multiprocessing_lock_one_buyer_five_waiting(self):
        run, at = self.run_ready("ticket_booking.py")
        name = r"mutex@ticket_booking\.py:%d" % line_of("ticket_booking.py", "mutex = Lock()")
        def buyers(snap):   # by published role
            return {t["tid"] for t in snap["probe_threads"]
                    if re.fullmatch(r"Process-\d", t["role"])}

        snap = run.wait_for(lambda s: len(buyers(s)) == 6 and any(
            len(r["holders"]) == 1 and r["waiting"] == 5 for r in named(s, "locks", name)),
            DEADLINE, "6 buyers named Process-N, mutex held by one, 5 waiting")
        mutex = named(snap, "locks", name)[0]
        self.assertEqual(set(mutex["holders"]) | set(mutex["waiters"]), buyers(snap))
        # Every buyer is a live process of the tree, named after its Process.
        live = {t["pid"]: t["comm"] for t in tasks_of(snap) if not t["exited"]}
        self.assertEqual({b: live.get(b) for b in buyers(snap)},
                         {b: "Process-%s" % r["role"][-1] for b in buyers(snap)
                          for r in snap["probe_threads"] if r["tid"] == b})
        self.assertEqual(snap["deadlocks"], [])
        self.assertEqual([o["line"] for s in run.snapshots for o in s.get("output", [])
                          if o["stream"] == "stderr"], [], "the program wrote on stderr")

    def test_lock_held_by_a_process_that_died_is_said_abandoned(self):
        run, at = self.run_ready("abandoned_lock.py")
        snap = run.wait_for(
            lambda s: any((t["waiting"] or "").endswith(
                ", which has exited: nobody will release it [traced]")
                for t in tasks_of(s) if t["comm"] == "Process-2"),
            DEADLINE, "Process-2 waiting for a lock whose holder has exited")
        w = [t["waiting"] for t in tasks_of(snap) if t["comm"] == "Process-2"][0]
        self.assertRegex(w, r"^waits for mutex@abandoned_lock\.py:\d+ held by T \d+ \(Process-1\)")

    def test_without_the_library_nothing_is_published(self):
        run, at = self.run_ready("two_locks.py", lib=False)
        snap = run.wait_for(lambda s: True, DEADLINE, "a snapshot", since=at + 1)
        self.assertEqual(snap["locks"], [])
        self.assertEqual(snap["deadlocks"], [])
        self.assertNotIn("Thread-1 (task1", {t["comm"] for t in snap["tasks"]})
        self.assertEqual(run.stderr, "")


if __name__ == "__main__":
    main()
