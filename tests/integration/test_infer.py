"""The inferred layer on plain pthread programs (tests/helpers/locks.c, no
probe): why each thread waits, glibc mutex owners named by their symbols,
and deadlocks in JSON `deadlocks` within 2 refreshes of the program
reaching them, without false positives for contention, rwlocks, I/O,
condition variables and semaphores."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, AsNobody, BatchRun, helper, main, nobody_can_run, poll

DELAY = 0.5


def said_ready(snap):
    return any(o["line"] == "ready" for o in snap.get("output", []))


def blocked_in_futex(pid, comms, n):
    """True once n threads of pid whose comm is in comms sleep in futex
    (syscall 202), read from /proc: the state the program is really in."""
    count = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            base = "/proc/%d/task/%s/" % (pid, tid)
            with open(base + "comm") as f:
                comm = f.read().strip()
            with open(base + "syscall") as f:
                call = f.read().split()
            if comm in comms and call and call[0] == "202":
                count += 1
    except OSError:
        return False
    return count >= n


def waiting(snap, comm):
    return [t["waiting"] for t in snap["tasks"] if t["comm"] == comm and not t["exited"]]


class Infer(unittest.TestCase):
    def run_mode(self, mode, seconds=60):
        return BatchRun([helper("locks"), mode, str(seconds)], delay=DELAY)

    def deadlock_after_blocked(self, mode, comms, n):
        """Waits until the fixture's threads are blocked for real, then
        returns the first snapshot with a deadlock, which must come within
        2 refreshes."""
        run = self.run_mode(mode)
        self.addCleanup(run.stop)
        first = run.wait_for(said_ready, DEADLINE, "the fixture's ready line")
        pid = first["programs"][0]["pid"]
        poll(lambda: blocked_in_futex(pid, comms, n), DEADLINE, desc="threads blocked in futex")
        since = run.count()
        snap = run.wait_for(lambda s: s["deadlocks"], DEADLINE, "a deadlock", since=since)
        index = run.snapshots.index(snap)
        self.assertLessEqual(index - since, 2, "the deadlock came more than 2 refreshes late")
        run.check_clean(self)
        return run, pid, snap

    def test_opposite_order_is_a_deadlock_named_by_symbols(self):
        run, pid, snap = self.deadlock_after_blocked("abba", {"philosopher-A", "philosopher-B"}, 2)
        self.assertEqual(len(snap["deadlocks"]), 1)
        cycle = snap["deadlocks"][0]["cycle"]
        self.assertEqual(sorted(l["lock"] for l in cycle), ["fork_1", "fork_2"])
        self.assertEqual(sorted(l["role"] for l in cycle), ["philosopher-A", "philosopher-B"])
        tids = {l["tid"] for l in cycle}
        self.assertEqual({l["holder"] for l in cycle}, tids)
        locks = {l["name"]: l for l in snap["locks"]}
        for name in ("fork_1", "fork_2"):
            self.assertEqual(locks[name]["source"], "inferred")
            self.assertEqual(locks[name]["kind"], "mutex")
            self.assertEqual(len(locks[name]["holders"]), 1)
            self.assertEqual(len(locks[name]["waiters"]), 1)
            self.assertNotEqual(locks[name]["holders"], locks[name]["waiters"])
        a = waiting(snap, "philosopher-A")[0]
        self.assertRegex(a, r"^waits for mutex fork_2 held by T \d+ \(philosopher-B\)$")
        self.assertRegex(waiting(snap, "locks")[0], r"^joins T \d+ \(philosopher-[AB]\)$")

    def test_normal_mutex_locked_twice_is_a_self_deadlock(self):
        run, pid, snap = self.deadlock_after_blocked("self", {"self-locker"}, 1)
        cycle = snap["deadlocks"][0]["cycle"]
        self.assertEqual(len(cycle), 1)
        self.assertEqual(cycle[0]["lock"], "fork_1")
        self.assertEqual(cycle[0]["tid"], cycle[0]["holder"])
        self.assertEqual(waiting(snap, "self-locker"), ["waits for mutex fork_1 it holds itself"])

    def test_three_thread_cycle(self):
        run, pid, snap = self.deadlock_after_blocked(
            "cycle3", {"philosopher-A", "philosopher-B", "philosopher-C"}, 3)
        cycle = snap["deadlocks"][0]["cycle"]
        self.assertEqual(sorted(l["lock"] for l in cycle), ["fork_1", "fork_2", "fork_3"])

    def test_contention_is_grouped_and_no_deadlock(self):
        with self.run_mode("contend") as run:
            snap = run.wait_for(
                lambda s: any(l["name"] == "fork_1" and len(l["waiters"]) == 4
                              for l in s["locks"]), DEADLINE, "4 waiters on fork_1")
            since = run.snapshots.index(snap)
            lock = [l for l in snap["locks"] if l["name"] == "fork_1"][0]
            self.assertEqual(lock["waiting"], 4)
            main_tid = [t["tid"] for t in snap["tasks"] if t["comm"] == "locks"][0]
            self.assertEqual(lock["holders"], [main_tid])
            for w in waiting(snap, "contender"):
                self.assertEqual(w, "waits for mutex fork_1 held by T %d (locks)" % main_tid)
            self.assertEqual(waiting(snap, "locks"), ["sleeps 60 s"])
            run.wait_for(lambda s: True, DEADLINE, "two more refreshes", since=since + 2)
            for s in run.snapshots[since:]:
                self.assertEqual(s["deadlocks"], [])
            run.check_clean(self)

    def test_rwlock_waiters_are_no_deadlock(self):
        with self.run_mode("rwlock") as run:
            snap = run.wait_for(lambda s: len([w for w in waiting(s, "reader") if w]) == 2,
                                DEADLINE, "both readers waiting")
            since = run.snapshots.index(snap)
            for w in waiting(snap, "reader"):
                self.assertIn("table_lock", w)
                self.assertIn("rwlock", w)
            run.wait_for(lambda s: True, DEADLINE, "two more refreshes", since=since + 2)
            for s in run.snapshots[since:]:
                self.assertEqual(s["deadlocks"], [])
                self.assertFalse([l for l in s["locks"] if l["kind"] == "mutex"])
            run.check_clean(self)

    def test_waits_across_processes_name_the_other_end_and_the_child(self):
        # cat reads a pipe whose writer is sleep; sh waits for its children.
        with BatchRun(["sh", "-c", "sleep 60 | cat; true"], delay=DELAY) as run:
            def worded(s):
                sleeps = [t for t in s["tasks"] if t["comm"] == "sleep" and not t["exited"]]
                return (sleeps and
                        waiting(s, "cat") == ["reads pipe from PID %d (sleep)" % sleeps[0]["pid"]]
                        and waiting(s, "sh") == ["waits for a child (wait4)"])
            run.wait_for(worded, DEADLINE, "cat reading from sleep, sh waiting for a child")
            run.check_clean(self)

    def test_io_condition_semaphore_and_sleep_are_worded_and_not_deadlocked(self):
        want = {
            "pipe-reader": "reads pipe from its own process",
            "cond-waiter": "futex (semaphore, condition or rwlock)",
            "sem-waiter": "futex (semaphore, condition or rwlock)",
            "napper": "sleeps 0.5 s",
            "locks": "sleeps 60 s",
        }

        def all_worded(s):
            return all(waiting(s, c) == [w] for c, w in want.items())

        with self.run_mode("io") as run:
            snap = run.wait_for(all_worded, DEADLINE, "every thread's wait in words")
            since = run.snapshots.index(snap)
            run.wait_for(lambda s: True, DEADLINE, "two more refreshes", since=since + 2)
            for s in run.snapshots[since:]:
                self.assertEqual(s["deadlocks"], [])
                self.assertEqual(s["locks"], [])
            run.check_clean(self)


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class InferAsNobody(AsNobody, unittest.TestCase):
    """Without ptrace access concmon says it cannot see, rather than 'no
    deadlock': the same deadlock, once in a program nobody may look into."""

    def test_own_program_is_seen(self):
        with BatchRun([helper("locks"), "abba", "60"], delay=DELAY) as run:
            snap = run.wait_for(lambda s: s["deadlocks"], DEADLINE, "the deadlock, as nobody")
            self.assertEqual(snap["programs"][0]["telemetry"], "inferred")
            run.check_clean(self)

    def test_undumpable_program_is_reported_unseen_not_deadlock_free(self):
        with BatchRun([helper("locks"), "hidden-abba", "60"], delay=DELAY) as run:
            first = run.wait_for(said_ready, DEADLINE, "the fixture's ready line")
            pid = first["programs"][0]["pid"]
            # Blocked for real (read as root: the test may look, concmon may not).
            poll(lambda: blocked_in_futex(pid, {"philosopher-A", "philosopher-B"}, 2), DEADLINE,
                 desc="threads blocked in futex")
            since = run.count()
            snap = run.wait_for(lambda s: True, DEADLINE, "two refreshes", since=since + 1)
            prog = snap["programs"][0]
            self.assertEqual(prog["telemetry"], "none")
            self.assertIn("ptrace denied", prog["telemetry_reason"])
            self.assertEqual(snap["deadlocks"], [])
            self.assertEqual([t["waiting"] for t in snap["tasks"] if t["pid"] == pid],
                             [None] * 3)
            run.check_clean(self)


if __name__ == "__main__":
    main()
