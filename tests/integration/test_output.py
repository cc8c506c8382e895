"""Each launched program's stdout and stderr are captured into a bounded
ring: all of a small output arrives, stderr is marked, and a program that
writes without pause is neither blocked for long nor makes concmon grow."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, check_no_crash, main, poll, proc_stat


def lines(run):
    out = []
    for s in list(run.snapshots):
        out.extend(s.get("output", []))
    return out


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


class Output(unittest.TestCase):
    def test_ten_lines_and_stderr(self):
        script = "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done; echo oops >&2; exec sleep 30"
        with BatchRun(["sh", "-c", script], delay=0.05) as run:
            run.wait_for(lambda s: len(lines(run)) >= 11, 10, "eleven output lines")
            got = lines(run)
            self.assertEqual([l["line"] for l in got if l["stream"] == "stdout"],
                             ["line %d" % i for i in range(1, 11)])
            self.assertEqual([l["line"] for l in got if l["stream"] == "stderr"], ["oops"])
            pid = run.snapshots[-1]["programs"][0]["pid"]
            self.assertTrue(all(l["pid"] == pid for l in got))
            run.check_clean(self)

    def test_text_mode_prints_the_output_too(self):
        # A program that fails fast: its error message is what the user needs.
        script = "echo oops >&2; echo 'col\x1b[31mour'; exit 1"
        with BatchRun(["sh", "-c", script], delay=0.1, json_mode=False) as run:
            poll(lambda: "[exit code 1]" in run.stdout and "oops" in run.stdout,
                 desc="the exit code and the program's stderr in the text output")
            pid = int(re.search(r"^\s*(\d+)\s+\d+\s+\d+ X .*\[exit code 1\]", run.stdout, re.M)
                      .group(1))
            self.assertIn("[%d stderr] oops\n" % pid, run.stdout)
            poll(lambda: "[%d stdout] col" % pid in run.stdout, desc="the stdout line")
            self.assertIn("[%d stdout] col\\e[31mour\n" % pid, run.stdout,
                          "escapes are shown escaped, never sent to the terminal")
            check_no_crash(self, run.stderr)

    def test_a_flood_of_output_is_bounded_and_never_blocks_the_writer(self):
        # 100 MB as fast as it can; it must finish (not stay blocked on a
        # full pipe) and concmon must not keep it all.
        script = "head -c 100000000 /dev/zero | tr '\\\\0' 'x' | fold -w 100; echo done >&2; exec sleep 30"
        # ASan keeps freed memory in quarantine (256 MB by default): keep it
        # small so the bound measures concmon, not the sanitizer.
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
        with BatchRun(["sh", "-c", script], delay=0.2, env=env) as run:
            run.wait_for(lambda s: any(l["line"] == "done" for l in s.get("output", [])), 60,
                         "the writer finishing its 100 MB")
            self.assertLess(rss_kb(run.pid), 64 * 1024, "concmon's RSS stays bounded")


if __name__ == "__main__":
    main()
