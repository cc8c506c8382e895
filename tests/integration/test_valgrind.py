"""valgrind memcheck on a short batch run: no leak, no memory error, in
concmon and in the guardian it forks. And, because valgrind does not
implement pidfd_open, concmon's path for kernels without pidfds: signals
by kill() after a start-time check. Skipped when valgrind is missing and in
sanitizer builds (their runtime cannot run under valgrind)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, concmon_bin, main, pid_state, poll, task

# valgrind makes concmon ~20 times slower.
SLOW = 60.0


def sanitizer():
    with open(concmon_bin(), "rb") as f:
        data = f.read()
    for name in (b"AddressSanitizer", b"ThreadSanitizer"):
        if name in data:
            return name.decode()
    return None


@unittest.skipUnless(shutil.which("valgrind"),
                     "valgrind is not installed (apt-get install valgrind)")
class Memcheck(unittest.TestCase):
    def setUp(self):
        if sanitizer():
            self.skipTest("a %s build cannot run under valgrind" % sanitizer())

    def test_batch_run_has_no_leak_and_no_error(self):
        argv = ["valgrind", "--leak-check=full", "--error-exitcode=3", "--trace-children=no",
                concmon_bin(), "-b", "-n", "5", "-d", "0.1", "--", "sleep", "5"]
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=100)
        err = r.stderr
        self.assertEqual(r.returncode, 0, "valgrind's exit status (3: an error)\n" + err)
        self.assertEqual(len(re.findall(r"(?m)^\s*PID\s+TID\s+PPID", r.stdout)), 5, r.stdout)
        # One report per process: concmon, and the guardian it forked.
        summaries = re.findall(r"==(\d+)== ERROR SUMMARY: (\d+) errors", err)
        self.assertGreaterEqual(len(summaries), 1, err)
        for pid, n in summaries:
            self.assertEqual(n, "0", "memory errors in process %s\n%s" % (pid, err))
        for kind in ("definitely", "indirectly", "possibly"):
            for m in re.finditer(r"==(\d+)==\s+%s lost: ([\d,]+) bytes" % kind, err):
                self.assertEqual(m.group(2), "0", "%s lost in process %s\n%s"
                                 % (kind, m.group(1), err))
        main_pid = re.search(r"==(\d+)== Command:", err).group(1)
        self.assertRegex(err, r"==%s== (All heap blocks were freed|\s+definitely lost: 0 bytes)"
                         % main_pid, "concmon's own heap summary")
        # valgrind's warnings about concmon's system calls count too.
        self.assertNotRegex(err, r"Warning: invalid file descriptor", err)

    def test_signals_without_pidfds(self):
        """pidfd_open fails with ENOSYS under valgrind (as on kernels before
        5.3): stop, continue and terminate still reach the program, through
        kill() once its start time is checked; concmon quits clean."""
        vg = ["valgrind", "--error-exitcode=3", "--trace-children=no"]
        with BatchRun(["sleep", "300"], delay=0.2, commands=True, prefix=vg) as run:
            snap = run.wait_for(lambda s: task(s, comm="sleep", exited=False), SLOW, "sleep shown")
            pid = task(snap, comm="sleep")["pid"]
            run.send("signal %d STOP" % pid)
            poll(lambda: pid_state(pid) == "T", SLOW, desc="sleep stopped")
            run.send("signal %d SIGCONT" % pid)
            poll(lambda: pid_state(pid) in ("S", "R"), SLOW, desc="sleep running again")
            since = run.count()
            run.send("terminate %d" % pid)
            run.wait_for(lambda s: any(e["event"] == "reaped" and e["pid"] == pid
                                       for e in s.get("events", [])),
                         SLOW, "sleep reaped", since=since)
            run.signal(signal.SIGTERM)
            self.assertEqual(run.wait_exit(SLOW), 128 + signal.SIGTERM, run.stderr)
            # The proof that this was the path without pidfds.
            self.assertRegex(run.stderr, r"unhandled \S+ syscall: 434\b", run.stderr)
            self.assertNotRegex(run.stderr, r"ERROR SUMMARY: [1-9]", run.stderr)


if __name__ == "__main__":
    main()
