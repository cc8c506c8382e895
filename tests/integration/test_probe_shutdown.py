"""Shared probe objects when processes die: pool-cpu in process mode stops
on SIGTERM although its workers are killed while waiting on the shared
task queue's condition variable (and possibly while holding its lock)."""

import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, check_no_crash, main, poll, proc_stat  # noqa: E402
from test_demos_standalone import DemoRun  # noqa: E402


def workers_of(run):
    """The demo's live worker processes (named proc-worker-N)."""
    return [pid for pid, start in list(run.seen.items())
            if (st := proc_stat(pid)) and st["start"] == start
            and st["comm"].startswith("proc-worker")]


class PoolCpuProcesses(unittest.TestCase):
    def test_sigterm_while_busy_exits(self):
        # Each round: workers busy on batches, then SIGTERM; the demo must
        # exit by itself (it used to hang in pthread_cond_destroy).
        for round_ in range(3):
            with self.subTest(round=round_), DemoRun("pool-cpu", "processes=1", "fib=20") as run:
                poll(lambda: len(workers_of(run)) >= 2, desc="two worker processes")
                run.wait_line(r"^batch 2: ")
                run.proc.send_signal(signal.SIGTERM)
                self.assertEqual(run.wait_exit(DEADLINE), 0, run.stderr())
                run.wait_no_leftovers()
                check_no_crash(self, run.stderr(), "the demo's stderr")


if __name__ == "__main__":
    main()
