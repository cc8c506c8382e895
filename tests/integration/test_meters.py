"""The system meters in batch output: a "system" object per JSON snapshot
whose numbers agree with the kernel's files (/proc/meminfo, /proc/loadavg,
/proc/uptime, the CPU count), a CPU hog pinned to one core showing on that
core's user share, one "system:" line in text mode, and none of it with
--no-meters ("system": null)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, run_concmon, tasks_of

CPU_KEYS = ("user", "system", "iowait", "steal", "idle")


def meminfo_kb(field):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/meminfo" % field)


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


class SystemObject(unittest.TestCase):
    def check_cpu(self, c):
        for k in CPU_KEYS:
            self.assertIsInstance(c[k], (int, float), c)
            self.assertTrue(0 <= c[k] <= 100, c)
        # Rounded to 0.1 each: the five shares add up to 100 within that.
        self.assertAlmostEqual(sum(c[k] for k in CPU_KEYS), 100.0, delta=0.3)

    def test_system_agrees_with_proc(self):
        with BatchRun(["sleep", "30"], iterations=3, delay=0.2) as run:
            self.assertEqual(run.wait_exit(), 0, run.stderr)
            run.check_clean(self)
            self.assertEqual(len(run.snapshots), 3)
            for snap in run.snapshots:
                sys_ = snap["system"]
                cores = sys_["cpu"]["cores"]
                self.assertEqual(len(cores), os.cpu_count(), cores)
                self.assertEqual([c["id"] for c in cores], sorted(c["id"] for c in cores))
                self.check_cpu(sys_["cpu"]["total"])
                for c in cores:
                    self.check_cpu(c)
                mem = sys_["memory"]
                self.assertEqual(mem["total_kb"], meminfo_kb("MemTotal"))
                self.assertTrue(0 < mem["used_kb"] <= mem["total_kb"], mem)
                self.assertTrue(0 < mem["available_kb"] <= mem["total_kb"], mem)
                self.assertTrue(0 <= mem["buffers_cache_kb"] <= mem["total_kb"], mem)
                self.assertEqual(sys_["swap"]["total_kb"], meminfo_kb("SwapTotal"))
                self.assertTrue(0 <= sys_["swap"]["used_kb"] <= sys_["swap"]["total_kb"])
                self.assertAlmostEqual(sys_["uptime_s"], uptime(), delta=30)
                self.assertLessEqual(sys_["uptime_s"], uptime() + 1)
                tasks = sys_["tasks"]
                # concmon itself was running when it read /proc/stat.
                self.assertGreaterEqual(tasks["running"], 1, tasks)
                self.assertGreaterEqual(tasks["total"], tasks["running"] + 2, tasks)
                self.assertGreaterEqual(tasks["blocked"], 0, tasks)
                self.assertEqual(len(sys_["load"]), 3)

    def test_load_matches_loadavg(self):
        # The kernel updates the averages every 5 s: one snapshot agrees
        # with the file read as it arrives (to the 2 decimals both print).
        with BatchRun(["sleep", "30"], delay=0.2) as run:
            run.wait_for(lambda s: all(abs(a - b) < 0.006 for a, b in
                                       zip(s["system"]["load"], loadavg())),
                         desc="load equal to /proc/loadavg")

    def test_cpu_hog_shows_on_its_core(self):
        # Pinned to the last core, a busy loop makes that core's user share
        # high in the same snapshots where the hog itself uses most of a core.
        core = max(os.sched_getaffinity(0))
        hog = ("import os\nos.sched_setaffinity(0, {%d})\nwhile True:\n    pass\n" % core)
        with BatchRun([sys.executable, "-c", hog], delay=0.3) as run:
            def hot(snap):
                rows = [t for t in tasks_of(snap, ppid=run.pid) if not t["exited"]]
                cores = {c["id"]: c for c in snap["system"]["cpu"]["cores"]}
                return rows and rows[0]["cpu"] > 50 and cores[core]["user"] > 50
            snap = run.wait_for(hot, desc="core %d user > 50%% with the hog on it" % core)
            self.assertGreater(snap["system"]["cpu"]["total"]["user"], 50.0 / os.cpu_count() - 1)

    def test_text_line_and_no_meters(self):
        r = run_concmon(["-b", "-n", "1", "-d", "0", "--", "true"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^system: cpu \d+\.\d% \(\d+ cores\), mem \d+/\d+ MiB, "
                         r"swap \d+/\d+ MiB, load [\d.]+ [\d.]+ [\d.]+, uptime [\d:, dys]+, "
                         r"tasks \d+, \d+ running, \d+ blocked$")
        r = run_concmon(["-b", "-n", "1", "-d", "0", "--no-meters", "--", "true"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("system:", r.stdout)
        with BatchRun(["true"], iterations=2, delay=0, args=["--no-meters"]) as run:
            self.assertEqual(run.wait_exit(), 0, run.stderr)
            self.assertTrue(run.snapshots)
            for snap in run.snapshots:
                self.assertIsNone(snap["system"])


if __name__ == "__main__":
    main()
