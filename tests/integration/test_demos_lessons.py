"""Each demo teaches its lesson visibly, without concmon: what it prints and
what /proc shows (zombies, re-parented orphans, SIGPIPE, lost updates, a
deadlock, thread counts...). The telemetry side is test_telemetry.py."""

import os
import re
import resource
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from concmon_test import (DEADLINE, children_of, main, pid_alive, pid_state, poll,  # noqa: E402
                          proc_stat, thread_ids)
from test_demos_standalone import DemoRun  # noqa: E402

SLOW = 2 * DEADLINE   # a few rounds of a demo on a loaded machine


def thread_comms(pid):
    """{tid: name} of pid's threads: the demos name their threads by role.
    Sanitizer builds add threads of their own, hence names, not counts."""
    out = {}
    for tid in thread_ids(pid):
        try:
            with open("/proc/%d/task/%d/comm" % (pid, tid)) as f:
                out[tid] = f.read().strip()
        except OSError:
            pass
    return out


def thread_names(pid):
    return list(thread_comms(pid).values())


def named(pid, prefix):
    return [n for n in thread_names(pid) if n.startswith(prefix)]


def named_tids(pid, prefix):
    return [t for t, n in thread_comms(pid).items() if n.startswith(prefix)]


def thread_state(pid, tid):
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


class Processes(unittest.TestCase):
    def test_subprocess_timeout_terminates_a_late_command_and_not_a_quick_one(self):
        with DemoRun("subprocess-timeout", "timeout=300", "work=5000") as run:
            run.wait_line(r"TIMEOUT: sending SIGTERM")
            run.wait_line(r"killed by signal 15 \(SIGTERM\) after \d+ ms \(subprocess.Timeout")
        with DemoRun("subprocess-timeout", "timeout=5000", "work=100") as run:
            run.wait_line(r"run 1: pid \d+ exited with code 0")
            self.assertNotIn("TIMEOUT", run.stdout())

    def test_pipeline_upstream_dies_of_sigpipe_when_the_last_stage_is_killed(self):
        with DemoRun("pipeline-procs", "rate=50") as run:
            m = run.wait_line(r"pipeline producer \((\d+)\) \| square \((\d+)\) "
                              r"\| printer \((\d+)\)")
            producer, square, printer = (int(x) for x in m.groups())
            run.wait_line(r"\[%d\] printer: \d+\^2 = \d+" % printer)
            os.kill(printer, signal.SIGKILL)
            run.wait_line(r"stage square \(pid %d\) killed by signal 13 \(SIGPIPE\)" % square)
            run.wait_line(r"stage producer \(pid %d\) killed by signal 13 \(SIGPIPE\)" % producer)
            run.wait_line(r"the whole pipeline is gone")


class Queues(unittest.TestCase):
    def test_one_dryer_fills_the_basket_and_blocks_the_washer(self):
        with DemoRun("washer-dryer-threads") as run:
            run.wait_line(r"status: basket 5/5, washers 1, dryers 1")
            run.wait_line(r"washer-1: basket full \(5/5\), waiting for a dryer")

    def test_four_dryers_keep_the_basket_nearly_empty(self):
        with DemoRun("washer-dryer-threads", "dryers=4") as run:
            poll(lambda: run.stdout().count("status: ") >= 3, SLOW, desc="3 status lines")
            depths = [int(d) for d in re.findall(r"status: basket (\d+)/5", run.stdout())]
            self.assertTrue(all(d <= 2 for d in depths), depths)
            self.assertNotIn("basket full", run.stdout())

    def test_dryer_processes_take_from_the_shared_queue(self):
        with DemoRun("washer-dryer-procs", "dryers=2") as run:
            run.wait_descendants(2)
            m = run.wait_line(r"^\[(\d+)\] dryer-\d: drying item \d+")
            dryer = int(m.group(1))
            self.assertNotEqual(dryer, run.pid)
            self.assertIn(dryer, run.seen)

    def test_pipeline_threads_names_resize_the_bottleneck(self):
        with DemoRun("pipeline-threads") as run:
            run.wait_line(r"status: queues download 10/10, resize \d+/10, upload \d/10; "
                          r"workers 1/1/1; .* bottleneck: resize", timeout=SLOW)

    def test_condition_queue_consumers_sleep_and_are_woken(self):
        with DemoRun("condition-queue", "rate=5") as run:
            m = run.wait_line(r"(consumer-\d): queue empty, sleeping on the condition")
            n = len(run.lines)
            run.wait_line(r"%s: woke up with item" % m.group(1), since=n)


class Locks(unittest.TestCase):
    def test_race_counter_loses_updates_without_the_lock(self):
        with DemoRun("race-counter") as run:
            run.wait_line(r"NO lock: expected \d+, actual \d+, lost [1-9]\d*$", timeout=SLOW)

    def test_race_counter_loses_nothing_with_the_lock(self):
        with DemoRun("race-counter", "lock=1") as run:
            run.wait_line(r"^round 3: ")
            rounds = [l for l in run.lines if l.startswith("round ")]
            self.assertTrue(all(l.endswith(", lost 0") for l in rounds), rounds)

    def test_deadlock_two_threads_asleep_each_holding_one_fork(self):
        with DemoRun("deadlock") as run:
            run.wait_line(r"main: DEADLOCK: A holds fork-1 and waits for fork-2, B holds "
                          r"fork-2 and waits for fork-1")
            self.assertEqual(sorted(named(run.pid, "philosopher")),
                             ["philosopher-A", "philosopher-B"])
            for t in named_tids(run.pid, "philosopher"):
                self.assertEqual(thread_state(run.pid, t), "S", "blocked, not spinning")
            self.assertNotIn("eating", run.stdout())

    def test_ordered_forks_never_deadlock(self):
        with DemoRun("deadlock", "ordered=1") as run:
            run.wait_line(r"philosopher-B: holding both forks, eating meal 2")
            self.assertNotIn("DEADLOCK", run.stdout())

    def test_plain_lock_reentered_never_returns(self):
        with DemoRun("recursive-lock") as run:
            run.wait_line(r"worker-1: re-entering the plain lock I already hold")
            tids = named_tids(run.pid, "worker-")
            self.assertEqual(len(tids), 2)
            poll(lambda: all(thread_state(run.pid, t) == "S" for t in tids),
                 desc="both workers blocked")
            self.assertNotIn("at depth 2", run.stdout())

    def test_recursive_lock_goes_deep(self):
        with DemoRun("recursive-lock", "recursive=1", "depth=3") as run:
            run.wait_line(r"worker-1: in foo\(\) at depth 3 \(lock taken 3 times\)")
            run.wait_line(r"worker-2: in ker\(\)")

    def test_semaphore_lets_at_most_permits_workers_in(self):
        with DemoRun("semaphore", "hold_ms=100") as run:
            poll(lambda: run.stdout().count("got a slot") >= 20, SLOW, desc="20 acquisitions")
            inside = [int(x) for x in re.findall(r"got a slot \((\d+) inside", run.stdout())]
            self.assertEqual(max(inside), 3, inside)

    def test_ticket_lock_oversells_without_the_lock(self):
        with DemoRun("ticket-lock", "tickets=5") as run:
            run.wait_line(r"^round \d+: 5 tickets, \d+ sold: [1-9]\d* OVERSOLD", timeout=SLOW)

    def test_ticket_lock_sells_exactly_with_the_lock(self):
        with DemoRun("ticket-lock", "lock=1", "tickets=5") as run:
            run.wait_line(r"^round 2: 5 tickets, \d+ sold", timeout=SLOW)
            results = re.findall(r"round \d+: 5 tickets, (\d+) sold: (-?\d+) OVERSOLD",
                                 run.stdout())
            self.assertTrue(results)
            self.assertTrue(all(r == ("5", "0") for r in results), results)


class Signalling(unittest.TestCase):
    def test_event_gate_holds_the_waiters_until_sigusr1(self):
        with DemoRun("event-gate", "auto_ms=0", "waiters=3") as run:
            poll(lambda: run.stdout().count("waiting at the gate") >= 3, desc="3 waiters")
            tids = named_tids(run.pid, "waiter-")
            self.assertEqual(len(tids), 3)
            poll(lambda: all(thread_state(run.pid, t) == "S" for t in tids),
                 desc="the waiters blocked")
            self.assertNotIn("passed the gate", run.stdout())
            run.proc.send_signal(signal.SIGUSR1)
            run.wait_line(r"gate OPEN: every waiter is released \(SIGUSR1\)")
            for i in (1, 2, 3):
                run.wait_line(r"waiter-%d: passed the gate" % i)


class Lifecycle(unittest.TestCase):
    def test_zombies_stay_until_sigusr1_reaps_them(self):
        with DemoRun("zombies", "count=3") as run:
            zombies = poll(lambda: [c for c in children_of(run.pid) if pid_state(c) == "Z"]
                           if len(children_of(run.pid)) == 3 else None, desc="3 Z children")
            self.assertTrue(all(pid_state(z) == "Z" for z in zombies))
            run.proc.send_signal(signal.SIGUSR1)
            poll(lambda: not children_of(run.pid), desc="the zombies reaped")
            # The demo says so after it reaped them: its lines may still be
            # on their way through the pipe.
            for code in (1, 2, 3):
                run.wait_line(r"reaped pid \d+: exited with code %d" % code)
            run.proc.send_signal(signal.SIGUSR1)
            poll(lambda: len([c for c in children_of(run.pid) if pid_state(c) == "Z"]) == 3,
                 desc="a new batch of zombies")

    def test_orphans_are_adopted_by_someone_else_than_their_grandparent(self):
        with DemoRun("orphans", "count=2") as run:
            m = run.wait_line(r"middle process (\d+) exited with code 0; its 2 children")
            middle = int(m.group(1))
            pat = r"\[(\d+)\] orphan \d: my parent died; adopted by PID (\d+)"
            adopted = poll(lambda: len(re.findall(pat, run.stdout())) == 2 and
                           re.findall(pat, run.stdout()), desc="2 orphans adopted")
            for pid, parent in ((int(a), int(b)) for a, b in adopted):
                self.assertNotIn(parent, (middle, run.pid))
                self.assertTrue(pid_alive(pid), "an orphan still runs")
                self.assertEqual(proc_stat(pid)["ppid"], parent)
                self.assertIn(pid, run.seen)

    def test_daemon_children_die_with_the_parent_and_the_others_live_on(self):
        with DemoRun("daemon", "daemons=1", "others=1", "parent_ms=0", "life_ms=3000") as run:
            daemon = int(run.wait_line(r"^\[(\d+)\] daemon child 1: started").group(1))
            other = int(run.wait_line(r"^\[(\d+)\] ordinary child 2: started").group(1))
            start = proc_stat(other)["start"]
            run.proc.send_signal(signal.SIGUSR1)
            self.assertEqual(run.wait_exit(), 0)
            poll(lambda: not pid_alive(daemon), desc="the daemon child gone with its parent")
            self.assertTrue(pid_alive(other, start), "the ordinary child lives on")
            self.assertNotEqual(proc_stat(other)["ppid"], run.pid)
            run.wait_line(r"ordinary child 2: my parent is gone; adopted by \d+, still alive")
            run.wait_line(r"ordinary child 2: lived my life, exiting", timeout=SLOW)
            poll(lambda: not pid_alive(other, start), desc="the ordinary child ends on its own")

    def test_graceful_shutdown_kills_only_the_stubborn_child(self):
        with DemoRun("graceful-shutdown", "children=3", "grace=500") as run:
            run.wait_descendants(3)
            run.wait_line(r"child 3: I ignore SIGTERM")
            run.proc.send_signal(signal.SIGTERM)
            self.assertEqual(run.wait_exit(), 0)
            out = run.stdout()
            self.assertEqual(len(re.findall(r"child [12] \(pid \d+\) exited with code 0", out)), 2,
                             out)
            self.assertRegex(out, r"child 3 \(pid \d+\) still there after 500 ms: SIGKILL")
            self.assertRegex(out, r"child 3 \(pid \d+\) killed by signal 9 \(SIGKILL\)")
            run.wait_no_leftovers()


class Scaling(unittest.TestCase):
    def test_thread_per_client_vs_one_event_loop(self):
        with DemoRun("blocking-vs-eventloop", "clients=5") as run:
            run.wait_line(r"a thread per client, 5 connections, 6 threads in the server, "
                          r"[1-9]\d* requests/s", timeout=SLOW)
            self.assertEqual(len(named(run.pid, "conn-handler")), 5)
        with DemoRun("blocking-vs-eventloop", "clients=5", "eventloop=1") as run:
            run.wait_line(r"ONE epoll loop, 5 connections, 1 thread in the server, "
                          r"[1-9]\d* requests/s", timeout=SLOW)
            self.assertEqual(named(run.pid, "conn-handler"), [])

    def test_fanout_spikes_threads_and_a_pool_stays_flat(self):
        with DemoRun("fanout-threads", "tasks=100", "task_ms=1000") as run:
            poll(lambda: len(named(run.pid, "task")) >= 50, desc="a spike of task threads")
        with DemoRun("fanout-threads", "pool=1", "workers=4", "tasks=20", "task_ms=50") as run:
            peak = [0]

            def burst_done():
                names = thread_names(run.pid)
                self.assertNotIn("task", names)
                peak[0] = max(peak[0], len([n for n in names if n.startswith("pool-")]))
                return "tasks done" in run.stdout()
            poll(burst_done, SLOW, interval=0.005, desc="a burst through the pool")
            self.assertEqual(peak[0], 4, "4 pool threads, no more")
            self.assertRegex(run.stdout(), r"at most [1-4] ran at once on the pool's threads")

    def test_pool_cpu_runs_batches_on_threads_and_on_processes(self):
        with DemoRun("pool-cpu", "fib=22") as run:
            run.wait_line(r"batch 1: 2 threads, GIL ON: \d+ x fib\(22\)")
        with DemoRun("pool-cpu", "fib=22", "processes=1") as run:
            run.wait_line(r"batch 1: 2 processes: \d+ x fib\(22\)")
            # The watcher polls /proc every 10 ms: wait for it to catch up
            # (a quiet ASan run once checked before it had seen them).
            run.wait_descendants(2)
            self.assertEqual(len(run.seen), 2, "two worker processes")


def thread_cpu_ticks(pid, tid):
    """utime + stime of one thread, in clock ticks."""
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


class JoinableQueue(unittest.TestCase):
    def test_the_queue_empties_before_join_returns(self):
        # What to try: work_ms=3000, the queue empty while unfinished is 2.
        with DemoRun("joinable-queue", "items=4", "work_ms=3000") as run:
            run.wait_line(r"worker-\d: queue EMPTY \(depth 0\) but unfinished 2: join\(\) "
                          r"still waits")
            m = run.wait_line(r"status: queue depth 0, unfinished 2, producer JOINING for "
                              r"(\d+) ms$", timeout=SLOW)
            self.assertNotIn("join() returned", run.stdout())
            prod = named_tids(run.pid, "producer")
            self.assertEqual(len(prod), 1)
            self.assertEqual(thread_state(run.pid, prod[0]), "S", "the producer sleeps in join")
            done = run.wait_line(r"task_done\(\): unfinished 0: every item is DONE", timeout=SLOW)
            ret = run.wait_line(r"round 1: join\(\) returned after (\d+) ms: all 4 items done")
            self.assertGreaterEqual(int(ret.group(1)), 6000, "2 rounds of 3 s on 2 workers")
            self.assertLess(run.lines.index(done.string), run.lines.index(ret.string))
            self.assertTrue(m)

    def join_ms(self, workers):
        with DemoRun("joinable-queue", "items=8", "work_ms=500", "workers=%d" % workers) as run:
            m = run.wait_line(r"round 1: join\(\) returned after (\d+) ms: all 8 items done",
                              timeout=SLOW)
            return int(m.group(1))

    def test_four_workers_finish_a_round_in_half_the_time_of_two(self):
        # 8 items x 500 ms: at least 2000 ms on 2 workers, 1000 ms on 4;
        # the upper bound leaves a second of slack for a loaded machine.
        self.assertGreaterEqual(self.join_ms(2), 2000)
        four = self.join_ms(4)
        self.assertGreaterEqual(four, 1000)
        self.assertLess(four, 2000)

    def test_a_forgotten_task_done_hangs_join_for_good(self):
        with DemoRun("joinable-queue", "items=4", "work_ms=100") as run:
            run.wait_line(r"round 1: join\(\) returned")
            run.proc.send_signal(signal.SIGUSR1)
            run.wait_line(r"main: SIGUSR1: the next item a worker finishes gets no task_done")
            m = run.wait_line(r"round (\d+): putting")
            run.wait_line(r"item \d+\.\d+ done but I FORGOT task_done")
            hung = r"status: queue depth 0, unfinished 1, producer JOINING for (\d+) ms: the " \
                   r"queue is empty but a task_done is missing"
            poll(lambda: [x for x in re.findall(hung, run.stdout()) if int(x) >= 3000], SLOW,
                 desc="join() hung for 3 s with unfinished 1 and an empty queue")
            last = max(int(r) for r in re.findall(r"round (\d+): putting", run.stdout()))
            rounds_ok = re.findall(r"round (\d+): join\(\) returned", run.stdout())
            self.assertTrue(int(m.group(1)) >= last - 1, "no new round while join hangs")
            self.assertNotIn(str(last), rounds_ok, "the hung round never returned")


class MemoryIsolation(unittest.TestCase):
    def test_child_write_unseen_thread_write_seen_at_the_same_address(self):
        with DemoRun("memory-isolation", "child_ms=10000", "period_ms=0") as run:
            child = run.wait_line(r"^\[(\d+)\] child: set global = 101 at (0x[0-9a-f]+); "
                                  r"I read 101")
            parent = run.wait_line(r"parent: after the child: global = 100 at (0x[0-9a-f]+): "
                                   r"UNCHANGED")
            cpid = int(child.group(1))
            self.assertNotEqual(cpid, run.pid)
            self.assertEqual(child.group(2), parent.group(1), "the same virtual address")
            # child_ms=10000: the child is still alive, holding 101, as the parent reads 100
            self.assertIn(cpid, children_of(run.pid))
            self.assertTrue(pid_alive(cpid))
            run.wait_line(r"parent: after the thread: global = 102 at %s: SEEN" % parent.group(1),
                          timeout=SLOW)
            run.wait_line(r"round 1: child wrote 101 -> parent sees 100; thread wrote 102 -> "
                          r"parent sees 102$")
            self.assertNotIn(cpid, children_of(run.pid), "reaped before the thread round")

    def test_the_key_runs_a_round_and_a_shared_page_is_seen(self):
        with DemoRun("memory-isolation", "child_ms=0", "period_ms=0", "shared=1") as run:
            run.wait_line(r"round 1: child wrote 101 .*; shared page: SEEN$")
            self.assertNotIn("round 2:", run.stdout())
            run.proc.send_signal(signal.SIGUSR1)
            child = run.wait_line(r"\[\d+\] child: set the MAP_SHARED page at (0x[0-9a-f]+) "
                                  r"to 203")
            run.wait_line(r"parent: the MAP_SHARED page at %s reads 203: SEEN" % child.group(1))
            run.wait_line(r"round 2: child wrote 201 -> parent sees 200; thread wrote 202 -> "
                          r"parent sees 202; shared page: SEEN")


class BusyPoll(unittest.TestCase):
    def test_busy_reader_burns_cpu_and_select_reader_does_not(self):
        # Both run at once and are measured over the same interval, so a
        # loaded machine slows the busy reader without failing the test.
        with DemoRun("busy-poll-vs-select", "period_ms=100") as busy, \
                DemoRun("busy-poll-vs-select", "period_ms=100", "select=1") as sel:
            busy.wait_line(r"reader: BUSY POLL")
            sel.wait_line(r"reader: select\(\)")
            tb = poll(lambda: named_tids(busy.pid, "reader"), desc="the busy reader")[0]
            ts = poll(lambda: named_tids(sel.pid, "reader"), desc="the select reader")[0]
            b0, s0 = thread_cpu_ticks(busy.pid, tb), thread_cpu_ticks(sel.pid, ts)
            poll(lambda: thread_cpu_ticks(busy.pid, tb) - b0 >= 100, SLOW,
                 desc="1 s of CPU for the busy reader")
            spent = thread_cpu_ticks(sel.pid, ts) - s0
            self.assertLessEqual(spent, 5, "the select reader over the same interval")
            m = sel.wait_line(r"status: SELECT: (\d+) lines so far, 0 empty reads/s")
            self.assertGreater(int(m.group(1)), 0, "it reads the same lines")
            busy.wait_line(r"status: BUSY POLL: \d+ lines so far, [1-9]\d* empty reads/s")
# coroutines, futures, subprocess-output.

def wchan(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


class Coroutines(unittest.TestCase):
    def test_generators_take_turns_round_robin_as_in_the_seed(self):
        with DemoRun("coroutines", "long_fib=0") as run:
            run.wait_line(r"fib server on 127\.0\.0\.1:\d+")
            steps = re.findall(r"(gen-\d) \(gen_fib\(\d\)\)(?: yields (\d+)|: (StopIteration))",
                               run.stdout())
            got = [(g, v or "done") for g, v, _ in steps]
            self.assertEqual([v for _, v in got], ["1", "1", "1", "1", "2", "2", "3", "done",
                                                   "5", "done"], got)
            self.assertEqual([g for g, _ in got][:8], ["gen-1", "gen-2"] * 4, got)

    def test_one_long_request_stalls_every_client(self):
        with DemoRun("coroutines", "period_ms=20", "long_fib=43", "long_every_ms=1000") as run:
            stall = run.wait_line(r"request fib\(43\) ran (\d+) ms in the one thread: no other "
                                  r"task ran meanwhile; 5 tasks were blocked", timeout=SLOW)
            ms = int(stall.group(1))
            at = next(i for i, l in enumerate(run.lines) if stall.group(0) in l)
            # The replies held up by the stall fall in the next one or two windows.
            lats = []
            for _ in range(2):
                m = run.wait_line(r"clients: \d+ replies in the last second, max latency (\d+) ms",
                                  timeout=SLOW, since=at + 1)
                lats.append(int(m.group(1)))
                at = next(i for i in range(at + 1, len(run.lines)) if m.group(0) in run.lines[i])
            self.assertGreaterEqual(max(lats), ms // 2, (ms, lats, run.lines[-12:]))
            peak = run.wait_line(r"ready queue peak (\d+)", timeout=SLOW, since=at - 2)
            # Every client (4 and the long one) becomes ready at once after a stall.
            peaks = [int(x) for x in re.findall(r"ready queue peak (\d+)", run.stdout())]
            self.assertGreaterEqual(max(peaks), 4, (peak.group(0), peaks))
            self.assertEqual(named(run.pid, "scheduler"), ["scheduler"])

    def test_no_long_request_no_stall_and_one_thread_for_fast_clients(self):
        with DemoRun("coroutines", "long_fib=0", "period_ms=20") as run:
            run.wait_line(r"fib server")
            since = len(run.lines)
            for _ in range(3):
                m = run.wait_line(r"clients: (\d+) replies in the last second", timeout=SLOW,
                                  since=since)
                since = run.lines.index(m.string) + 1
            rate = run.wait_line(r"scheduler: (\d+) requests/s", timeout=SLOW)
            self.assertGreater(int(rate.group(1)), 80, rate.group(0))   # 200/s asked
            out = run.stdout()
            self.assertNotIn("the long request's reply", out)
            self.assertNotRegex(out, r"request fib\((?!20\))")
            self.assertEqual(named(run.pid, "scheduler"), ["scheduler"])


class Futures(unittest.TestCase):
    def rounds(self, run, n):
        run.wait_line(r"round %d: \d+ tasks took" % n, timeout=SLOW)
        return run.stdout()

    def test_as_completed_in_finishing_order_map_in_submission_order(self):
        with DemoRun("futures", "task_ms=1000", "pause_ms=0") as run:
            out = self.rounds(run, 2)
            self.assertIn("as_completed order: 5 4 3 2 1 (finishing order", out)
            # Each done callback ran in the pool thread that ran the task.
            for tid, thread in re.findall(r"as_completed: task (\d) -> \d+ at \d+ ms \(ran \d+ ms "
                                          r"in (pool-\d)\)", out):
                self.assertRegex(out, r"callback: task %s done, called in thread %s " % (tid, thread))
            self.assertRegex(out, r"as_completed: task 3: result\(\) raised RuntimeError")
            mapped = re.findall(r"map: task (\d)", out)
            self.assertEqual(mapped, ["1", "2", "3"], out)
            self.assertIn("map: the exception ends the loop over map(): the results of tasks "
                          "4..5 are never seen", out)

    def test_without_a_failing_task_map_hands_over_all_five(self):
        with DemoRun("futures", "fail=0", "task_ms=100", "pause_ms=0") as run:
            out = self.rounds(run, 2)
            self.assertEqual(re.findall(r"map: task (\d)", out), ["1", "2", "3", "4", "5"])
            self.assertIn("map order: submission order, 1..5", out)
            self.assertNotIn("raised", out)

    def test_result_at_once_turns_the_pool_into_a_loop(self):
        pat = r"round %d: 5 tasks took (\d+) ms in all \(longest task (\d+) ms, sum of tasks (\d+) ms"
        with DemoRun("futures", "sync=1", "task_ms=300", "pause_ms=0") as run:
            m = run.wait_line(pat % 1, timeout=SLOW)
            self.assertGreaterEqual(int(m.group(1)), int(m.group(3)), m.group(0))   # sum
            self.assertIn("sync: result() right after each submit", run.stdout())
        with DemoRun("futures", "sync=0", "task_ms=300", "pause_ms=0") as run:
            m = run.wait_line(pat % 1, timeout=SLOW)
            self.assertGreaterEqual(int(m.group(1)), int(m.group(2)))
            self.assertLess(int(m.group(1)), int(m.group(3)), m.group(0))           # not the sum

    def test_one_worker_completes_in_submission_order(self):
        with DemoRun("futures", "workers=1", "task_ms=100", "pause_ms=0") as run:
            out = self.rounds(run, 1)
            self.assertIn("as_completed order: 1 2 3 4 5", out)
            self.assertEqual(named(run.pid, "pool-"), ["pool-1"])


class SubprocessOutput(unittest.TestCase):
    def test_captures_stdout_and_stderr_and_reports_a_failing_command(self):
        with DemoRun("subprocess-output", "pause_ms=0") as run:
            run.wait_line(r"check_output: pid \d+ exited with code 0 after \d+ ms; read stdout "
                          r"100000 bytes, stderr 0 bytes \(read to EOF, then wait\)")
            run.wait_line(r"communicate: pid \d+ exited with code 0 after \d+ ms; read stdout "
                          r"100000 bytes, stderr 50000 bytes")
            run.wait_line(r"CalledProcessError: Command 'child-cmd' \(pid \d+\) returned non-zero "
                          r"exit status 3")
        with DemoRun("subprocess-output", "code=0", "pause_ms=0") as run:
            run.wait_line(r"run\(check=True\): pid \d+ exited with code 0: no error to raise")
            self.assertNotIn("CalledProcessError", run.stdout())

    def test_waiting_before_reading_deadlocks_until_someone_reads(self):
        with DemoRun("subprocess-output", "bug=1") as run:
            m = run.wait_line(r"BUG: I wait\(\) for child (\d+) before reading its output; it "
                              r"writes 100000 bytes into a pipe of 65536 bytes")
            child = int(m.group(1))
            poll(lambda: wchan(run.pid) == "do_wait" and "pipe_write" in wchan(child),
                 desc="parent in wait(), child in a pipe write (%r, %r)"
                 % (wchan(run.pid), wchan(child)))
            self.assertTrue(pid_alive(child))
            run.proc.send_signal(signal.SIGUSR1)
            run.wait_line(r"a second reader drained the pipe \(100000 bytes\)")
            run.wait_line(r"check_output: pid %d exited with code 0" % child)

    def test_a_failed_stderr_pipe_leaks_not_the_stdout_pipe(self):
        # bug=1 holds the parent in wait() with only the two read ends open
        # besides its own: a steady moment to count its descriptors and set
        # RLIMIT_NOFILE so that a round gets its stdout pipe and no more.
        with DemoRun("subprocess-output", "bug=1", "pause_ms=100") as run:
            m = run.wait_line(r"BUG: I wait\(\) for child (\d+) before reading")
            child = int(m.group(1))
            poll(lambda: wchan(run.pid) == "do_wait" and "pipe_write" in wchan(child),
                 desc="parent in wait(), child in a pipe write")
            ends = {os.readlink("/proc/%d/fd/%d" % (child, i)) for i in (1, 2)}
            fd_dir = "/proc/%d/fd" % run.pid
            base = [int(fd) for fd in os.listdir(fd_dir)     # less this round's own
                    if os.readlink("%s/%s" % (fd_dir, fd)) not in ends | {"anon_inode:[pidfd]"}]
            limit = next(n for n in range(1, 4096) if n - len([fd for fd in base if fd < n]) == 2)
            old = resource.prlimit(run.pid, resource.RLIMIT_NOFILE)
            resource.prlimit(run.pid, resource.RLIMIT_NOFILE, (limit, old[1]))
            try:
                run.proc.send_signal(signal.SIGUSR1)
                # Each later round opens its stdout pipe and fails on the
                # stderr one; a leaked stdout pipe would fail the next round
                # earlier, on its stdout pipe.
                poll(lambda: run.stderr().count("concmon-demo: stderr pipe:") >= 3
                     or "stdout pipe" in run.stderr(),
                     desc="three rounds failing on the stderr pipe, or one on the stdout pipe")
                self.assertNotIn("stdout pipe", run.stderr())
            finally:
                resource.prlimit(run.pid, resource.RLIMIT_NOFILE, old)

    def test_output_that_fits_in_the_pipe_hides_the_bug(self):
        with DemoRun("subprocess-output", "bug=1", "bytes=60000", "pause_ms=0") as run:
            run.wait_line(r"writes 60000 bytes into a pipe of 65536 bytes: it fits")
            run.wait_line(r"communicate: pid \d+ exited with code 0 after \d+ ms; read stdout "
                          r"60000 bytes, stderr 30000 bytes \(BUG: waited first")
            self.assertNotIn("second reader", run.stdout())


if __name__ == "__main__":
    main()
