"""exit-semantics, pool-map, timeouts: every "What to
try" of their lessons, driven by knobs and signals, read in the demo's
output and /proc (DemoRun) and in concmon's batch JSON (BatchRun)."""

import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from concmon_test import DEADLINE, BatchRun, main, poll  # noqa: E402
from test_demos_standalone import DemoRun  # noqa: E402

SLOW = 3 * DEADLINE   # a few rounds of a demo on a loaded machine

ROUND = r"^round 1 \((?P<kind>[^)]*)\): (?P<done>\d+) finished, (?P<cut>\d+) cut off mid-item"


def values(snap):
    return {v["name"]: v["value"] for v in snap.get("values", [])}


def records(snap, kind, name=None):
    return [r for r in snap.get(kind, []) if name is None or r["name"] == name]


def program_pid(snap):
    progs = snap.get("programs", [])
    return progs[0]["pid"] if progs else None


class ExitSemantics(unittest.TestCase):
    # worker k works k x 2 s, main ends at 3 s: a second of margin each side
    TIMING = ("work_ms=2000", "exit_ms=3000")

    def round1(self, run):
        m = run.wait_line(ROUND, timeout=SLOW)
        return m.group("kind"), int(m.group("done")), int(m.group("cut"))

    def test_daemon_threads_are_cut_off_mid_item(self):
        with DemoRun("exit-semantics", *self.TIMING) as run:
            self.assertEqual(self.round1(run), ("daemon threads", 1, 2))
            out = run.stdout()
            self.assertRegex(out, r"worker-1: finished its item; cleanup \(finally\) ran")
            self.assertRegex(out, r"cut off mid-item \(cleanup never ran\): worker-2 worker-3")
            first = out.split("round 2:")[0]
            self.assertNotRegex(first, r"worker-[23]: finished")
            self.assertRegex(first, r"daemon threads are not joined; the process ends")

    def test_non_daemon_threads_are_joined_and_finish(self):
        with DemoRun("exit-semantics", "daemon=0", *self.TIMING) as run:
            self.assertEqual(self.round1(run), ("non-daemon threads", 3, 0))
            self.assertRegex(run.stdout(), r"joining the non-daemon threads first")

    def test_exit_ms_0_main_ends_on_sigusr1_only(self):
        with DemoRun("exit-semantics", "exit_ms=0", "work_ms=20000") as run:
            run.wait_line(r"worker-3: started its item \(60000 ms\)")
            self.assertNotIn("main: my work is done", run.stdout())
            run.proc.send_signal(signal.SIGUSR1)
            run.wait_line(r"main: my work is done after \d+ ms \(SIGUSR1\): exiting")
            self.assertEqual(self.round1(run), ("daemon threads", 0, 3))

    def test_daemon_processes_are_terminated_by_the_exit_handler(self):
        with DemoRun("exit-semantics", "procs=1", *self.TIMING) as run:
            self.assertEqual(self.round1(run), ("daemon processes", 1, 2))
            out = run.stdout()
            for k in (2, 3):
                pid = int(re.search(r"terminate\(\) daemon worker-%d \(pid (\d+)\): SIGTERM" % k,
                                    out).group(1))
                self.assertIn(pid, run.seen, "a real child process")
                self.assertRegex(out, r"main: worker-%d killed by signal 15 \(SIGTERM\)" % k)
            self.assertRegex(out, r"worker-1 had ended already: exited with code 0")

    def test_non_daemon_processes_are_joined(self):
        with DemoRun("exit-semantics", "procs=1", "daemon=0", *self.TIMING) as run:
            self.assertEqual(self.round1(run), ("non-daemon processes", 3, 0))
            self.assertRegex(run.stdout(), r"exit handler: join\(\) non-daemon worker-3")

    def test_without_handler_children_are_orphaned_adopted_and_finish(self):
        with DemoRun("exit-semantics", "procs=1", "handler=0", *self.TIMING) as run:
            self.assertEqual(self.round1(run), ("daemon processes, no exit handler", 3, 0))
            out = run.stdout()
            self.assertRegex(out, r"NO exit handler: the kernel does not touch my children")
            adopters = re.findall(r"worker-\d: my parent is gone; adopted by (\d+)", out)
            self.assertEqual(len(adopters), 2, out)
            self.assertEqual({int(a) for a in adopters}, {run.pid}, "the demo, a subreaper")
            self.assertEqual(len(re.findall(r"reaped adopted worker \d+: exited with code 0",
                                            out.split("round 2:")[0])), 3)

    def test_telemetry_counts_finished_and_cut_off(self):
        for spec, want in (("exit-semantics,work_ms=2000,exit_ms=3000", (1, 2)),
                           ("exit-semantics,daemon=0,work_ms=2000,exit_ms=3000", (3, 0))):
            with self.subTest(spec=spec), \
                    BatchRun(None, delay=0.2, args=["--demo", spec]) as run:
                snap = run.wait_for(lambda s: values(s).get("rounds", 0) >= 1, SLOW,
                                    "a round over")
                v = values(snap)
                self.assertEqual((v["finished"], v["cut_off"]), want, v)
                run.check_clean(self)


class PoolMap(unittest.TestCase):
    def rounds(self, run, n):
        poll(lambda: run.stdout().count("/loop = ") >= n, SLOW, desc="%d rounds" % n)
        return run.stdout()

    def test_results_in_input_order_though_they_finish_out_of_order(self):
        with DemoRun("pool-map", "task_us=20000") as run:
            pat = r"items finished in this order: [\d, ]+ \((\d+) arrived after a later one\)"
            poll(lambda: any(int(x) > 0 for x in re.findall(pat, run.stdout())), SLOW,
                 desc="a round with items finishing out of order")
            out = self.rounds(run, 1)
            self.assertIn("map returned in input order: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81, "
                          "100, 121]", out)
            self.assertNotIn("WRONG", out)
            for per in re.findall(r"items per worker: worker-1 (\d+) worker-2 (\d+) "
                                  r"worker-3 (\d+)", out):
                self.assertEqual(sum(map(int, per)), 12)
            run.wait_descendants(3)

    def test_chunksize_5_fewer_messages_whole_chunks_per_worker(self):
        with DemoRun("pool-map", "chunksize=5", "task_us=20000") as run:
            out = self.rounds(run, 2)
            self.assertIn("chunksize=5): 3 task messages, 3 result messages", out)
            for per in re.findall(r"items per worker: worker-1 (\d+) worker-2 (\d+) "
                                  r"worker-3 (\d+)", out):
                counts = sorted(int(x) for x in per)
                self.assertEqual(sum(counts), 12)
                # whole chunks (5, 5, 2): no worker's share is 4, the balanced one
                self.assertTrue(all(c % 5 in (0, 2) for c in counts), counts)
                self.assertGreaterEqual(counts[-1], 5, counts)

    def test_tiny_tasks_the_pool_is_slower_than_the_loop(self):
        with DemoRun("pool-map", "task_us=1", "tasks=200") as run:
            out = self.rounds(run, 3)
            ratios = [float(x) for x in re.findall(r"pool/loop = ([\d.]+)", out)][:3]
            self.assertIn("200 task messages, 200 result messages", out)
            # measured in the same round; 2 of 3 so one preempted loop cannot decide
            self.assertGreaterEqual(len([r for r in ratios if r > 1.0]), 2, ratios)
            self.assertIn("SLOWER than the loop", out)

    def test_parmap_a_process_and_a_pipe_per_item(self):
        with DemoRun("pool-map", "parmap=1", "task_us=1000") as run:
            out = self.rounds(run, 1)
            self.assertIn("12 processes, 12 pipes: one per item, results read in input order",
                          out)
            self.assertIn("map returned in input order: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81, "
                          "100, 121]", out)
            run.wait_descendants(3 + 12)   # the idle pool and one child per item

    def test_telemetry_queues_and_chunksize_turned_live(self):
        with BatchRun(None, delay=0.1, commands=True,
                      args=["--demo", "pool-map,task_us=100000"]) as run:
            snap = run.wait_for(lambda s: any(q["depth"] > 0 for q in records(s, "queues",
                                                                                 "tasks")),
                                SLOW, "tasks waiting in the shared tasks queue")
            names = {q["name"]: q for q in records(snap, "queues")}
            self.assertEqual(names["results"]["capacity"], 64)
            snap = run.wait_for(lambda s: values(s).get("rounds", 0) >= 1, SLOW, "a round")
            v = values(snap)
            self.assertEqual(v["messages"], 12)
            self.assertGreater(v["map_us"], 0)
            self.assertGreater(v["loop_us"], 0)
            run.send("knob %d chunksize 4" % program_pid(snap))
            run.wait_for(lambda s: values(s).get("messages") == 3, SLOW,
                         "3 messages per round with chunksize 4")
            run.check_clean(self)


class Timeouts(unittest.TestCase):
    def test_defaults_every_wait_times_out(self):
        with DemoRun("timeouts") as run:
            run.wait_line(r"^join\(timeout=1000\): timed out after \d+ ms, worker still alive "
                          r"\(is_alive\(\) true\)")
            run.wait_line(r"^get\(timeout=1000\): timed out after \d+ ms: raises queue.Empty")
            run.wait_line(r"^Event.wait\(1000\) returned False after \d+ ms: timed out")
            waited = [int(x) for x in re.findall(r"timed out after (\d+) ms", run.stdout())]
            self.assertTrue(all(w >= 1000 for w in waited), waited)

    def test_act_ms_300_every_wait_succeeds(self):
        with DemoRun("timeouts", "act_ms=300") as run:
            run.wait_line(r"^join\(timeout=1000\) returned after \d+ ms: worker finished, "
                          r"is_alive\(\) false")
            run.wait_line(r"^get\(timeout=1000\): got the item after \d+ ms")
            run.wait_line(r"^Event.wait\(1000\) returned True after \d+ ms")
            self.assertNotIn("timed out", run.stdout())

    def test_timeout_2000_leaves_the_helper_time(self):
        with DemoRun("timeouts", "timeout=2000") as run:
            run.wait_line(r"^Event.wait\(2000\) returned True after \d+ ms", timeout=SLOW)
            self.assertNotIn("timed out", run.stdout())

    def test_telemetry_counts_and_the_main_thread_waits_on_the_event(self):
        with BatchRun(None, delay=0.1, commands=True, args=["--demo", "timeouts"]) as run:
            snap = run.wait_for(lambda s: values(s).get("timeouts", 0) >= 3, SLOW,
                                "three timeouts")
            self.assertEqual(values(snap)["successes"], 0)
            run.wait_for(lambda s: any(l["kind"] == "event" and l["waiters"]
                                       for l in records(s, "locks", "ready")),
                         SLOW, "main waiting on the event")
            run.send("knob %d act_ms 300" % program_pid(snap))
            run.wait_for(lambda s: values(s).get("successes", 0) >= 3, SLOW,
                         "successes once the helper acts in time")
            run.check_clean(self)


if __name__ == "__main__":
    main()
