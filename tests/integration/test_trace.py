"""concmon --trace: libconcmon-trace.so preloaded into plain programs (no
probe) publishes their pthread mutexes and semaphores: holders, waiters,
contention, and deadlock cycles in the batch JSON, for C fixtures
(tests/helpers/tracefix.c) and a Python two-Lock deadlock."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, check_no_crash, concmon_bin, helper, main, run_concmon

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = re.compile(r"^[\w.\-]+\+0x[0-9a-f]+$")


def traced(cmd, **kw):
    return BatchRun(cmd, delay=0.5, args=["--trace"], **kw)


def locks(snap, kind=None):
    return [l for l in snap.get("locks", []) if kind is None or l["kind"] == kind]


def two_cycle(snap):
    return [d for d in snap.get("deadlocks", []) if len(d["cycle"]) == 2]


def traced_two_cycle(snap):
    """Two-thread cycles through traced locks only (their records say
    "source": "traced"): a thread that blocked after the segment was read
    and before /proc was can first be seen by the inferred layer."""
    traced_names = {l["name"] for l in locks(snap) if l["source"] == "traced"}
    return [d for d in two_cycle(snap) if all(l["lock"] in traced_names for l in d["cycle"])]


class Trace(unittest.TestCase):
    def check_deadlock(self, cmd, distinct_names=True, site=None):
        with traced(cmd) as run:
            snap = run.wait_for(traced_two_cycle, 15, "a two-thread cycle of traced locks")
            cycle = traced_two_cycle(snap)[0]["cycle"]
            if distinct_names:
                self.assertEqual(len({link["lock"] for link in cycle}), 2, cycle)
            for link in cycle:
                self.assertRegex(link["lock"], site or SITE)
                self.assertTrue(any(link["holder"] in l["holders"] and link["tid"] in l["waiters"]
                                    for l in locks(snap) if l["name"] == link["lock"]),
                                (link, locks(snap)))
            self.assertEqual(snap["programs"][0]["telemetry"], "traced")
            run.check_clean(self)
            return snap, cycle

    def test_opposite_order_mutexes_are_a_cycle_named_by_call_site(self):
        _, cycle = self.check_deadlock([helper("tracefix"), "deadlock"])
        # tracefix exports setup_deadlock, where both mutexes are initialised.
        for link in cycle:
            self.assertTrue(link["lock"].startswith("setup_deadlock+0x"), link)

    def test_forked_child_deadlock_is_published_under_its_own_pid(self):
        snap, cycle = self.check_deadlock([helper("tracefix"), "fork"])
        parent = snap["programs"][0]["pid"]
        waited = [l for l in locks(snap, "mutex") if l["waiters"]]
        self.assertEqual(len(waited), 2, locks(snap))
        self.assertTrue(all(l["writer_pid"] != parent for l in waited), waited)

    def test_python_two_lock_deadlock_is_a_cycle_named_by_python_line(self):
        # The Python layer names each Lock where the program made it (both
        # on line 5 here: "a, b = threading.Lock(), threading.Lock()").
        self.check_deadlock([sys.executable, os.path.join(HERE, "trace", "two_locks.py")],
                            distinct_names=False, site=r"^two_locks\.py:5$")

    def test_python_without_its_layer_is_still_a_cycle_through_sem_t(self):
        # python3 -S skips site (so sitecustomize): only the C tracer sees
        # CPython's Locks, as sem_t; every one is made at the same place.
        self.check_deadlock([sys.executable, "-S", os.path.join(HERE, "trace", "two_locks.py")],
                            distinct_names=False)

    def test_semaphore_lists_holders_and_waiters(self):
        with traced([helper("tracefix"), "sem"]) as run:
            def full(s):
                return [l for l in locks(s, "semaphore")
                        if len(l["holders"]) == 3 and len(l["waiters"]) == 5]
            snap = run.wait_for(full, 15, "3 holders and 5 waiters of the semaphore")
            sem = full(snap)[0]
            self.assertEqual((sem["permits"], sem["value"]), (3, 0))
            self.assertRegex(sem["name"], SITE)
            self.assertEqual(snap["deadlocks"], [])
            run.check_clean(self)

    def test_contended_mutex_has_contention_figures(self):
        with traced([helper("tracefix"), "contend"]) as run:
            # Inferred records (a thread caught blocked between the segment
            # read and /proc's) have no counts: null, not 0.
            def traced_mutexes(s):
                return [l for l in locks(s, "mutex") if l["source"] == "traced"]
            snap = run.wait_for(lambda s: any(l["contended"] > 0 and l["wait_ns_total"] > 0
                                              for l in traced_mutexes(s)),
                                15, "a contended mutex with wait time")
            m = [l for l in traced_mutexes(snap) if l["contended"] > 0][0]
            self.assertGreaterEqual(m["acquisitions"], m["contended"])
            self.assertEqual(snap["deadlocks"], [])
            run.check_clean(self)

    def test_holder_of_a_mutex_taken_before_it_mattered_is_read_from_the_mutex(self):
        # The holder locked it 3 deep while it was untracked; main's wait
        # publishes it, holder and depth read from glibc's mutex.
        with traced([helper("tracefix"), "held"]) as run:
            # The traced record: an inferred one (named from the ELF symbol)
            # can come first, for a thread caught blocked before the tracer
            # published the lock.
            def waited(s):
                return [l for l in locks(s, "recursive")
                        if l["waiters"] and l["holders"] and l["source"] == "traced"]
            snap = run.wait_for(waited, 15, "a waited-for traced recursive mutex with its holder")
            m = waited(snap)[0]
            pid = snap["programs"][0]["pid"]
            self.assertEqual(m["waiters"], [pid], m)        # main's TID is the PID
            self.assertEqual(len(m["holders"]), 1, m)
            self.assertNotEqual(m["holders"], [pid], m)
            self.assertEqual(m["depth"], 3, m)
            self.assertTrue(m["name"].startswith("main+0x"), m)
            run.check_clean(self)

    def test_program_that_cannot_be_executed(self):
        with traced(["/nonexistent/program"]) as run:
            run.wait_stderr(r"cannot launch .*No such file or directory")
            check_no_crash(self, run.stderr)

    def test_statically_linked_program_is_not_traced_and_does_not_crash(self):
        with traced([helper("tracefix_static"), "deadlock"]) as run:
            snap = run.wait_for(lambda s: s.get("programs") and run.count() >= 3, 15,
                                "three snapshots of the static program")
            self.assertNotEqual(snap["programs"][0]["telemetry"], "traced")
            self.assertFalse(snap["programs"][0]["ended"])
            run.check_clean(self)

    def test_missing_tracer_library_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            alone = os.path.join(tmp, "concmon")
            shutil.copy(concmon_bin(), alone)
            r = subprocess.run([alone, "-b", "-n", "1", "--trace", "--", "true"],
                               capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
            if os.path.exists("/usr/local/lib/libconcmon-trace.so"):
                self.skipTest("an installed libconcmon-trace.so would be found")
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("libconcmon-trace.so", r.stderr)

    def test_help_lists_trace(self):
        r = run_concmon(["--help"])
        self.assertIn("--trace", r.stdout)


if __name__ == "__main__":
    main()
