"""valgrind memcheck on a short batch run: no leak, no memory error, in
concmon and in the guardian it forks. Skipped when valgrind is missing
and in sanitizer builds (their runtime cannot run under valgrind)."""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import concmon_bin, main


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
    def test_batch_run_has_no_leak_and_no_error(self):
        if sanitizer():
            self.skipTest("a %s build cannot run under valgrind" % sanitizer())
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


if __name__ == "__main__":
    main()
