"""concmon-demo on its own, without concmon: the catalog (--list, --help),
argument errors, the teaching texts, and every demo starting, printing,
and stopping cleanly on SIGTERM with no process of its own left behind."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (DEADLINE, check_no_crash, descendants_of, kill_quietly,  # noqa: E402
                          main, pid_alive, poll, proc_stat)

# DESIGN.md's demo catalog, in its order.
CATALOG = [
    "spawn-join", "subprocess-timeout", "pipeline-procs", "washer-dryer-threads",
    "washer-dryer-procs", "pipeline-threads", "race-counter", "deadlock", "recursive-lock",
    "semaphore", "event-gate", "condition-queue", "pool-cpu", "zombies", "orphans", "daemon",
    "graceful-shutdown", "ticket-lock", "blocking-vs-eventloop", "fanout-threads",
    "joinable-queue", "memory-isolation", "busy-poll-vs-select", "exit-semantics", "pool-map",
    "timeouts", "coroutines", "futures", "subprocess-output",
]


def demo_bin():
    """concmon-demo: $CONCMON_DEMO, else next to $CONCMON (or in src/demos
    of the same build)."""
    path = os.environ.get("CONCMON_DEMO")
    if not path:
        build = os.path.dirname(os.path.abspath(os.environ.get("CONCMON", "concmon")))
        path = next((p for p in (os.path.join(build, "concmon-demo"),
                                 os.path.join(build, "src", "demos", "concmon-demo"))
                     if os.access(p, os.X_OK)), None)
    if not path or not os.access(path, os.X_OK):
        sys.stderr.write("concmon-demo not found: set CONCMON_DEMO (ctest does), or CONCMON "
                         "to a concmon built next to it\n")
        sys.exit(2)
    return path


class DemoRun:
    """concmon-demo NAME ARGS..., run without concmon. Its stdout lines are
    collected as they come, and every process below it is remembered (with
    its start time) while the demo runs, so even re-parented orphans can be
    checked, and killed at close() if a test failed half-way."""

    def __init__(self, name, *args):
        self.argv = [demo_bin(), name] + list(args)
        self.lines = []
        self.seen = {}             # pid -> start ticks of every descendant seen
        self._err = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.pid = self.proc.pid
        self._threads = [threading.Thread(target=f, daemon=True)
                         for f in (self._read_out, self._read_err, self._watch)]
        for t in self._threads:
            t.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _read_out(self):
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()

    def _read_err(self):
        for raw in self.proc.stderr:
            with self._cond:
                self._err.append(raw.decode("utf-8", "replace"))

    def _watch(self):
        while self.proc.poll() is None:
            for pid in descendants_of(self.pid):
                st = proc_stat(pid)
                if st is not None:
                    with self._cond:
                        self.seen.setdefault(pid, st["start"])
            time.sleep(0.01)

    def stdout(self):
        with self._cond:
            return "\n".join(self.lines)

    def stderr(self):
        with self._cond:
            return "".join(self._err)

    def wait_lines(self, n, timeout=DEADLINE, desc=None):
        return poll(lambda: len(self.lines) >= n, timeout,
                    desc="%s (stdout so far: %r)" % (desc or "%d lines" % n, self.lines[-5:]))

    def wait_line(self, regex, timeout=DEADLINE, since=0):
        """The first match of regex in a stdout line from index since on."""
        pat = re.compile(regex)

        def find():
            with self._cond:
                for line in self.lines[since:]:
                    m = pat.search(line)
                    if m:
                        return m
            return None
        return poll(find, timeout, desc="a line matching %r; last lines: %r"
                    % (regex, self.lines[-5:]))

    def wait_descendants(self, n, timeout=DEADLINE):
        return poll(lambda: len(self.seen) >= n, timeout,
                    desc="%d processes below the demo (seen: %r)" % (n, self.seen))

    def wait_exit(self, timeout=DEADLINE):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit within %.1fs; last lines: %r"
                                 % (self.argv, timeout, self.lines[-10:]))

    def leftovers(self):
        """Descendants ever seen that still run (zombies count as gone)."""
        with self._cond:
            seen = dict(self.seen)
        return [pid for pid, start in seen.items() if pid_alive(pid, start)]

    def wait_no_leftovers(self, timeout=DEADLINE):
        poll(lambda: not self.leftovers(), timeout,
             desc="no process of the demo left (left: %r)" % self.leftovers())

    def close(self):
        if self.proc.returncode is None:
            # The demo leads its own process group and is not reaped yet, so
            # the group is still its own: this also reaches a worker forked
            # after the last look at its descendants.
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait(5)
        for pid, start in list(self.seen.items()):
            kill_quietly(pid, signal.SIGKILL, start)
        for t in self._threads:
            t.join(2)
        # A reader still blocked (a pipe held open by a process outside the
        # group) would make close() wait for it: leave those to the collector.
        for f, t in ((self.proc.stdout, self._threads[0]), (self.proc.stderr, self._threads[1])):
            if not t.is_alive():
                f.close()

# Per demo: extra arguments, how many descendants to see before stopping it
# (so the stop has children to clean up), and whether it ends by itself.
PLAN = {
    "spawn-join": (["duration=600", "linger=200"], 4, True),
    "subprocess-timeout": (["timeout=5000", "work=5000"], 1, False),
    "pipeline-procs": ([], 3, False),
    "washer-dryer-threads": ([], 0, False),
    "washer-dryer-procs": (["dryers=2"], 2, False),
    "pipeline-threads": ([], 0, False),
    "race-counter": ([], 0, False),
    "deadlock": ([], 0, False),
    "recursive-lock": ([], 0, False),
    "semaphore": ([], 0, False),
    "event-gate": ([], 0, False),
    "condition-queue": ([], 0, False),
    "pool-cpu": (["processes=1"], 2, False),
    "zombies": ([], 3, False),
    "orphans": ([], 4, False),
    "daemon": (["parent_ms=0"], 4, False),
    "graceful-shutdown": (["grace=500"], 4, False),
    "ticket-lock": ([], 1, False),
    "blocking-vs-eventloop": ([], 1, False),
    "fanout-threads": (["tasks=50"], 0, False),
    "joinable-queue": (["work_ms=5000"], 0, False),
    "memory-isolation": (["child_ms=30000"], 1, False),
    "busy-poll-vs-select": ([], 0, False),
    "exit-semantics": (["procs=1", "handler=0"], 2, False),
    "pool-map": ([], 3, False),
    "timeouts": ([], 0, False),
    "coroutines": (["long_fib=30"], 1, False),
    "futures": (["task_ms=100"], 0, False),
    "subprocess-output": (["bug=1"], 1, False),
}


def run_cli(*args):
    return subprocess.run([demo_bin()] + list(args), capture_output=True, text=True,
                          timeout=DEADLINE, stdin=subprocess.DEVNULL)


class Catalog(unittest.TestCase):
    def test_list_has_every_demo_of_the_catalog(self):
        r = run_cli("--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        self.assertEqual(len(rows), len(CATALOG), r.stdout)
        for row in rows:
            self.assertEqual(len(row), 4, row)
            self.assertTrue(all(field.strip() for field in row), row)
            self.assertLess(len(row[2]), 100, "a one-line description: %r" % row[2])
            # The knobs, for the menu: name=default:min..max, '*' read at start.
            for k in row[3].split(","):
                self.assertRegex(k, r"^[a-z_]+=-?\d+:-?\d+\.\.-?\d+\*?$|^-$", row)
        knobs = {row[0]: row[3] for row in rows}
        self.assertIn("capacity=10:1..100*", knobs["pipeline-threads"])
        self.assertIn("rate=5:1..1000,", knobs["pipeline-procs"])
        self.assertEqual([row[0] for row in rows], CATALOG)
        self.assertEqual(set(PLAN), set(CATALOG))

    def test_help_names_every_demo_and_its_knobs(self):
        r = run_cli("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in CATALOG:
            self.assertIn(name, r.stdout)
        self.assertIn("dryers=1", r.stdout)
        self.assertIn("permits=3", r.stdout)

    def test_each_demo_has_a_short_teaching_text(self):
        src = os.environ.get("CONCMON_SOURCE")
        if not src:
            self.skipTest("CONCMON_SOURCE is not set")
        for name in CATALOG:
            with self.subTest(demo=name):
                path = os.path.join(src, "assets", "demos", name + ".md")
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                lines = text.strip().splitlines()
                self.assertTrue(lines[0].startswith("# " + name), lines[0])
                self.assertLessEqual(len(lines), 30, "short: %d lines" % len(lines))
                for section in ("What to look at", "What to try", "Why it happens"):
                    self.assertIn("## " + section, text)

    def test_usage_errors_exit_2_with_a_message(self):
        for args, pattern in [
                ((), "no demo"),
                (("no-such-demo",), "no demo called 'no-such-demo'"),
                (("--frobnicate",), "unknown option"),
                (("washer-dryer-threads", "nosuch=1"), "has no knob 'nosuch'"),
                (("washer-dryer-threads", "dryers=0"), "dryers must be an integer from 1 to 16"),
                (("washer-dryer-threads", "dryers=17"), "from 1 to 16"),
                (("washer-dryer-threads", "dryers=two"), "got 'two'"),
                (("washer-dryer-threads", "dryers="), "got ''"),
                (("washer-dryer-threads", "dryers"), "expected key=value"),
                (("washer-dryer-threads", "=4"), "expected key=value")]:
            with self.subTest(args=args):
                r = run_cli(*args)
                self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
                self.assertRegex(r.stderr, re.escape(pattern))
                self.assertEqual(r.stdout, "", "nothing runs")


class Standalone(unittest.TestCase):
    def start_and_stop(self, name, sig=signal.SIGTERM):
        args, min_desc, ends = PLAN[name]
        with DemoRun(name, *args) as run:
            # the header is 3 lines; then the demo's own output
            run.wait_lines(4, desc="%s printing what it does" % name)
            self.assertIn("concmon-demo %s (pid %d)" % (name, run.pid), run.lines[0])
            if min_desc:
                run.wait_descendants(min_desc)
            if ends:
                rc = run.wait_exit()
            else:
                self.assertIsNone(run.proc.poll(), "%s runs until stopped" % name)
                run.proc.send_signal(sig)
                rc = run.wait_exit()
            self.assertEqual(rc, 0, run.stdout())
            run.wait_no_leftovers()
            check_no_crash(self, run.stderr(), "%s's stderr" % name)
            return run

    def test_every_demo_starts_prints_and_stops_cleanly(self):
        for name in CATALOG:
            with self.subTest(demo=name):
                self.start_and_stop(name)

    def test_ctrl_c_stops_a_demo_too(self):
        run = self.start_and_stop("washer-dryer-threads", signal.SIGINT)
        self.assertIn("all threads joined", run.stdout())

    def test_spawn_join_joins_in_order_with_each_exit_code(self):
        run = self.start_and_stop("spawn-join")
        joined = re.findall(r"joined child (\d+) \(pid \d+\) after \d+ ms: exited with code (\d+)",
                            run.stdout())
        self.assertEqual(joined, [("1", "11"), ("2", "12"), ("3", "13"), ("4", "14")])
        self.assertRegex(run.stdout(), r"child 4 .* has exited, but I am still joining child 1")

    def test_a_killed_process_pool_leaves_no_worker(self):
        # SIGKILL gives the pool no chance to stop its workers: they must
        # die with it, not wait forever on a queue nobody fills.
        with DemoRun("pool-cpu", "processes=1", "fib=22") as run:
            run.wait_line(r"batch 1: 2 processes")
            run.wait_descendants(2)
            os.kill(run.pid, signal.SIGKILL)
            run.wait_exit()
            run.wait_no_leftovers()


if __name__ == "__main__":
    main()
