"""Each "What to try" item of ten lessons (pool-cpu, fanout-threads,
pipeline-threads, race-counter, ticket-lock, spawn-join, subprocess-timeout,
event-gate, daemon, washer-dryer-procs), driven as a student would: knobs
and signals through concmon's batch commands, then the numbers read back
from the batch JSON (values, locks, queues, tasks) and the demo's output
lines. No timing ratios: a loaded machine slows the demos, it must not
fail these tests."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, BatchRun, main  # noqa: E402

SLOW = 3 * DEADLINE   # several rounds of a demo on a loaded machine
VERBOSE = os.environ.get("LESSONS_VERBOSE")   # print what the tests saw


def saw(what, *args):
    if VERBOSE:
        print("SAW %s" % (what % args), file=sys.stderr)


def values(snap):
    return {v["name"]: v["value"] for v in snap.get("values", [])}


def lock(snap, name):
    return next((l for l in snap.get("locks", []) if l["name"] == name), None)


def queue(snap, name):
    return next((q for q in snap.get("queues", []) if q["name"] == name), None)


def lk(snap, name, field, default=0):
    """A field of lock name; default while the snapshot has no such lock
    (a refresh may miss the program's telemetry)."""
    return (lock(snap, name) or {}).get(field, default)


def qdepth(snap, name):
    return (queue(snap, name) or {}).get("depth", -1)


def live_tasks(snap):
    return [t for t in snap.get("tasks", []) if t.get("state") not in (None, "X")
            and not t.get("exited")]


def comm_tasks(snap, prefix):
    return [t for t in live_tasks(snap) if (t.get("comm") or "").startswith(prefix)]


class Lesson(unittest.TestCase):
    """A demo under `concmon -b --json` with batch commands on stdin."""

    def demo(self, spec):
        run = BatchRun(None, delay=0.2, args=["--demo", spec], commands=True)
        self.addCleanup(run.stop)
        self.run_ = run
        # Its knobs published: a knob command before that is refused.
        snap = run.wait_for(lambda s: s.get("programs") and s.get("knobs"), SLOW,
                            "the demo and its knobs under concmon")
        self.pid = snap["programs"][0]["pid"]
        self.outlen = 0
        return run

    def knob(self, name, value):
        self.run_.send("knob %d %s %d" % (self.pid, name, value))
        return self.run_.wait_for(lambda s: any(k["name"] == name and k["value"] == value
                                                for k in s.get("knobs", [])),
                                  SLOW, "knob %s at %d" % (name, value))

    def signal(self, pid, sig):
        self.run_.send("signal %d %s" % (pid, sig))

    def since(self, snap):
        return self.run_.snapshots.index(snap)

    def wait(self, pred, desc, timeout=SLOW, since=0):
        return self.run_.wait_for(pred, timeout, desc, since=since)

    def lines(self):
        return [o["line"] for s in list(self.run_.snapshots) for o in s.get("output", [])]

    def wait_line(self, regex, timeout=SLOW, after=0):
        """The first output line from index after on matching regex, and
        the index past it."""
        pat = re.compile(regex)

        def find(_snap):
            for i, line in enumerate(self.lines()[after:]):
                m = pat.search(line)
                if m:
                    return (m, after + i + 1)
            return None
        self.wait(find, "an output line matching %r" % regex, timeout)
        return find(None)

    def share(self, name, pred, n=25):
        """Of the first n snapshots that have lock name, the share for
        which pred(lock) holds: a panel that shows it only now and then
        does not teach it."""
        got = self.wait(lambda s: len([x for x in self.run_.snapshots if lock(x, name)]) >= n,
                        "%d snapshots with %s" % (n, name))
        locks = [lock(x, name) for x in self.run_.snapshots[:self.since(got) + 1]
                 if lock(x, name)][:n]
        return len([l for l in locks if pred(l)]) / float(len(locks))

    def value_at_least(self, name, lo, since=0, timeout=SLOW):
        snap = self.wait(lambda s: values(s).get(name, -1) >= lo, "%s >= %d" % (name, lo),
                         timeout, since)
        return snap, values(snap)[name]


class PoolCpu(Lesson):
    def test_gil_makes_threads_take_turns_and_the_panel_shows_them_fighting(self):
        self.demo("pool-cpu,fib=28")
        fight = self.wait(lambda s: lk(s, "gil", "holders") and lk(s, "gil", "waiters"),
                          "gil held by one pool thread, another waiting")
        g = lock(fight, "gil")
        self.assertEqual(g["kind"], "mutex")
        self.assertNotIn(g["holders"][0], g["waiters"])
        snap, _ = self.value_at_least("serial_ms", 1)
        snap = self.wait(lambda s: values(s).get("cores_x100", 0) > 0 and
                         lk(s, "gil", "contended") >= 20 and lock(s, "gil"), "a few batches done")
        v, g = values(snap), lock(snap, "gil")
        saw("pool-cpu gil=1: gil %d acquisitions, %d contended (%d%%), longest wait %d ms,"
            " %d forced; serial %d ms, pool %d ms, speed-up %.2fx, cores %.2f",
            g["acquisitions"], g["contended"], g["contended_pct"], g["wait_ns_max"] // 1000000,
            v["forced_switches"], v["serial_ms"],
            v["batch_ms"], v["speedup_x100"] / 100, v["cores_x100"] / 100)
        # One thread at a time: the tasks' CPU time never exceeds the wall time.
        for s in self.run_.snapshots:
            self.assertLessEqual(values(s).get("cores_x100", 0), 110, values(s))
        self.assertGreater(g["contended_pct"], 50, g)   # was 0.3%
        self.assertGreater(v["forced_switches"], 0, v)

    def test_gil_0_runs_both_threads_at_once_and_leaves_the_gil_alone(self):
        self.demo("pool-cpu,fib=30")
        self.wait(lambda s: lk(s, "gil", "acquisitions") > 0, "gil used")
        turned = self.knob("gil", 0)
        # The batch running when the knob turned may still use the lock.
        self.wait(lambda s: values(s).get("batch_ms") and "GIL off" in
                  " ".join(o["line"] for o in s.get("output", [])), "a batch with the GIL off",
                  since=self.since(turned))
        base = max(lk(s, "gil", "acquisitions") for s in self.run_.snapshots)
        both = self.wait(lambda s: len([t for t in comm_tasks(s, "pool-thread")
                                        if t["state"] == "R"]) == 2,
                         "both pool threads running (R) at once")
        after = self.wait(lambda s: "GIL off" in " ".join(o["line"] for o in s.get("output", [])),
                          "one more batch with the GIL off", since=self.since(both) + 1)
        self.assertEqual(max(lk(s, "gil", "acquisitions") for s in self.run_.snapshots), base,
                         "gil=0 takes no lock")
        v = values(after)
        saw("pool-cpu gil=0: both pool threads R in one snapshot; speed-up %.2fx, cores %.2f",
            v["speedup_x100"] / 100, v["cores_x100"] / 100)

    def test_processes_scale_and_stop_with_sigterm(self):
        self.demo("pool-cpu,processes=1,fib=30")
        snap = self.wait(lambda s: len(comm_tasks(s, "proc-worker")) == 2, "two worker processes")
        workers = {t["pid"] for t in comm_tasks(snap, "proc-worker")}
        self.assertNotIn(self.pid, workers)
        snap, _ = self.value_at_least("cores_x100", 1)
        v = values(snap)
        saw("pool-cpu processes=1: speed-up %.2fx, cores %.2f", v["speedup_x100"] / 100,
            v["cores_x100"] / 100)
        # A TERM in the middle of a batch or of the rest: the demo stops its
        # workers and exits; none of them is left behind.
        self.signal(self.pid, "TERM")
        self.wait(lambda s: not any(t["pid"] in workers | {self.pid} for t in live_tasks(s)),
                  "the demo and its worker processes gone")
        self.assertFalse([p for p in workers if os.path.exists("/proc/%d" % p)],
                         "a worker process left behind")
        saw("pool-cpu processes=1: SIGTERM: demo and workers %s gone", sorted(workers))

    def test_switch_ms_50_lengthens_the_waits_and_workers_4_gives_4_threads(self):
        self.demo("pool-cpu")
        snap, forced = self.value_at_least("forced_switches", 1)
        before = lk(snap, "gil", "wait_ns_max")
        turned = self.knob("switch_ms", 50)
        self.wait_line(r"forced GIL hand-offs so far \(switch interval 50 ms\)")
        snap = self.wait(lambda s: lk(s, "gil", "wait_ns_max") >= 45 * 1000000,
                         "a wait of one 50 ms interval", since=self.since(turned))
        saw("pool-cpu switch_ms 5 -> 50: longest gil wait %.1f -> %.1f ms", before / 1e6,
            lock(snap, "gil")["wait_ns_max"] / 1e6)
        self.knob("workers", 4)
        snap = self.wait(lambda s: len(comm_tasks(s, "pool-thread")) == 4, "4 pool threads")
        snap = self.wait(lambda s: len(lk(s, "gil", "waiters", [])) >= 2, "3 threads queueing")
        saw("pool-cpu workers=4: 4 pool threads, %d waiting for the gil at once",
            len(lock(snap, "gil")["waiters"]))


class FanoutThreads(Lesson):
    def test_thread_per_task_peaks_near_the_task_count(self):
        self.demo("fanout-threads,tasks=100,task_ms=1000")
        snap, peak = self.value_at_least("peak_tasks", 1)
        busy = max(values(s).get("busy_tasks", 0) for s in self.run_.snapshots)
        threads = max(len(comm_tasks(s, "task")) for s in self.run_.snapshots)
        saw("fanout pool=0 tasks=100: peak_tasks %d, busy_tasks up to %d, task threads up to %d",
            peak, busy, threads)
        self.assertGreaterEqual(peak, 90)
        self.assertLessEqual(peak, 100)

    def test_pool_keeps_threads_flat_and_the_burst_takes_longer(self):
        self.demo("fanout-threads,pool=1,tasks=40,task_ms=100")
        snap, burst = self.value_at_least("burst_ms", 1)
        self.wait(lambda s: values(s).get("peak_tasks", 0) > 0, "a finished pool burst")
        snaps = self.run_.snapshots
        peak = max(values(s).get("peak_tasks", 0) for s in snaps)
        pool = max(len(comm_tasks(s, "pool-")) for s in snaps)
        burst = max(values(s).get("burst_ms", 0) for s in snaps)
        saw("fanout pool=1 workers=8 tasks=40 task_ms=100: peak_tasks %d, pool threads %d,"
            " burst_ms %d (40 x 100 / 8 = 500)", peak, pool, burst)
        self.assertLessEqual(peak, 8)
        self.assertLessEqual(pool, 8)
        self.assertGreaterEqual(burst, 40 * 100 // 8)
        # workers trades speed for threads
        turned = self.knob("workers", 2)
        snap = self.wait(lambda s: values(s).get("burst_ms", 0) >= 40 * 100 // 2,
                         "a burst on 2 workers", since=self.since(turned))
        self.assertLessEqual(values(snap)["peak_tasks"], 2)
        saw("fanout workers=2: burst_ms %d, peak_tasks %d", values(snap)["burst_ms"],
            values(snap)["peak_tasks"])


class PipelineThreads(Lesson):
    def rate(self, since, lo):
        snap = self.wait(lambda s: values(s).get("uploads_per_s", 0) >= lo,
                         "uploads_per_s >= %d" % lo, since=since)
        return values(snap)["uploads_per_s"]

    def test_resize_is_the_bottleneck_until_it_has_workers_enough(self):
        self.demo("pipeline-threads")
        snap = self.wait(lambda s: values(s).get("bottleneck_stage") == 2 and
                         qdepth(s, "resize") == 10, "resize queue full, resize named")
        self.wait_line(r"status: .* bottleneck: resize \(3\.3 jobs/s\)")
        rates = [values(s).get("uploads_per_s", 0) for s in self.run_.snapshots
                 if "uploads_per_s" in values(s)]
        saw("pipeline default: resize queue 10/10, bottleneck_stage 2, uploads_per_s %s", rates[-3:])
        self.assertTrue(all(r <= 4 for r in rates), rates)

        turned = self.knob("resizers", 3)
        _, after = self.wait_line(r"bottleneck: none alone, balanced: download resize upload "
                                  r"at 10\.0 jobs/s")
        r3 = self.rate(self.since(turned), 8)
        saw("pipeline resizers=3: balanced, uploads_per_s reached %d", r3)

        turned = self.knob("resizers", 4)
        self.wait_line(r"workers 1/4/1; .* bottleneck: none alone, balanced: download upload "
                       r"at 10\.0 jobs/s", after=after)
        snap = self.wait(lambda s: 0 <= qdepth(s, "resize") <= 1 and
                         values(s).get("bottleneck_stage") == 0,
                         "the resize queue nearly empty", since=self.since(turned))
        r4 = self.rate(self.since(turned), 8)
        saw("pipeline resizers=4: resize queue depth %d, uploads_per_s reached %d",
            queue(snap, "resize")["depth"], r4)

    def test_more_downloaders_do_not_help_and_a_stop_drains(self):
        self.demo("pipeline-threads")
        turned = self.knob("downloaders", 3)
        self.wait_line(r"workers 3/1/1; .* bottleneck: resize")
        rates = [values(s)["uploads_per_s"] for s in self.run_.snapshots[self.since(turned):]
                 if "uploads_per_s" in values(s)]
        saw("pipeline downloaders=3: uploads_per_s %s", rates[-3:])
        self.assertTrue(all(r <= 4 for r in rates), rates)
        self.signal(self.pid, "TERM")
        self.wait_line(r"main: closing the download queue")
        self.wait_line(r"\(draining after close\)")
        m, _ = self.wait_line(r"main: pipeline drained, (\d+) jobs uploaded in all")
        saw("pipeline stop: drained, %s jobs uploaded", m.group(1))


class RaceCounter(Lesson):
    def test_lock_1_loses_nothing_and_the_panel_shows_holder_and_waiters(self):
        self.demo("race-counter,lock=1")
        seen = self.share("count-lock", lambda l: l["holders"] and len(l["waiters"]) >= 2)
        saw("race-counter lock=1: holder and 2+ waiters in %d%% of 25 snapshots", seen * 100)
        self.assertGreaterEqual(seen, 0.25)   # old code: a round of ~10 ms every 500 ms
        snap = self.wait(lambda s: lk(s, "count-lock", "holders") and
                         len(lk(s, "count-lock", "waiters", [])) >= 2,
                         "count-lock held, two or more counters waiting")
        fight = lock(snap, "count-lock")
        waiting = [t for t in snap["tasks"] if t.get("tid") in fight["waiters"]
                   and "waits for count-lock held by T %d" % fight["holders"][0]
                   in (t.get("waiting") or "")]
        self.assertTrue(waiting, [t.get("waiting") for t in snap["tasks"]])
        snap, rounds = self.value_at_least("rounds", 2)
        v = values(snap)
        self.assertEqual(v["lost"], 0, v)
        self.assertEqual(v["lost_total"], 0, v)
        most = max(len(lk(s, "count-lock", "waiters", [])) for s in self.run_.snapshots)
        saw("race-counter lock=1: holder T %d with waiters %s (up to %d at once); lost %d over"
            " %d rounds; longest wait %d ms", fight["holders"][0], fight["waiters"], most,
            v["lost_total"], rounds, lk(snap, "count-lock", "wait_ns_max") // 1000000)

    def test_one_thread_never_loses_and_increments_sets_expected(self):
        self.demo("race-counter")
        snap, _ = self.value_at_least("lost", 1)
        saw("race-counter lock=0: lost %d of %d", values(snap)["lost"], values(snap)["expected"])
        self.knob("threads", 1)
        turned = self.knob("increments", 5000)
        snaps = []
        self.wait(lambda s: values(s).get("expected") == 5000 and snaps.append(s) is None
                  and len(snaps) >= 1 and values(s)["rounds"] >= values(snaps[0])["rounds"] + 2,
                  "two more rounds of 1 thread x 5000", since=self.since(turned))
        for s in snaps:
            self.assertEqual(values(s)["lost"], 0, values(s))
        saw("race-counter threads=1 increments=5000: expected 5000, lost 0 over %d rounds",
            values(snaps[-1])["rounds"] - values(snaps[0])["rounds"] + 1)


class TicketLock(Lesson):
    def test_lock_1_sells_exactly_and_the_buyers_queue(self):
        self.demo("ticket-lock,lock=1")
        seen = self.share("tickets-file", lambda l: l["holders"] and len(l["waiters"]) >= 2)
        saw("ticket-lock lock=1: holder and 2+ waiting buyers in %d%% of 25 snapshots",
            seen * 100)
        self.assertGreaterEqual(seen, 0.25)   # old code: 20 ms holds, 0.4 s in 2.4 s
        snap = self.wait(lambda s: lk(s, "tickets-file", "holders") and
                         len(lk(s, "tickets-file", "waiters", [])) >= 2,
                         "a buyer holds the file lock, two or more wait")
        l = lock(snap, "tickets-file")
        pids = {t["tid"]: t["pid"] for t in snap["tasks"]}
        waiters = {pids.get(w) for w in l["waiters"]}
        self.assertNotIn(self.pid, waiters)
        self.assertEqual(len(waiters), len(l["waiters"]), "each waiter a process of its own")
        texts = [t.get("waiting") for t in snap["tasks"] if t.get("tid") in l["waiters"]]
        self.assertTrue(any("waits for tickets-file held by T %d" % l["holders"][0] in (x or "")
                            for x in texts), texts)
        snap = self.wait(lambda s: values(s).get("sold", 0) > 0, "a finished round")
        v = values(snap)
        self.assertEqual((v["sold"], v["oversold"]), (20, 0))
        most = max(len(lk(s, "tickets-file", "waiters", [])) for s in self.run_.snapshots)
        saw("ticket-lock lock=1: sold %d, oversold %d; up to %d buyers waiting at once",
            v["sold"], v["oversold"], most)

    def test_more_buyers_and_fewer_tickets_oversell(self):
        self.demo("ticket-lock,buyers=8")
        snap, over = self.value_at_least("oversold", 1)
        saw("ticket-lock buyers=8: sold %d, oversold %d", values(snap)["sold"], over)
        turned = self.knob("tickets", 3)
        m, _ = self.wait_line(r"round \d+: 3 tickets, (\d+) sold: (\d+) OVERSOLD")
        self.assertGreater(int(m.group(2)), 0)
        saw("ticket-lock tickets=3: %s sold, %s oversold", m.group(1), m.group(2))


class SpawnJoin(Lesson):
    def test_defaults_show_the_zombies_then_the_parent_alone(self):
        self.demo("spawn-join")
        kids_of = lambda s: [t for t in live_tasks(s) if t.get("ppid") == self.pid]  # noqa: E731
        three_z = self.wait(lambda s: len([t for t in kids_of(s) if t["state"] == "Z"]) == 3
                            and len(kids_of(s)) == 4, "child 1 working, three zombies")
        for code in (11, 12, 13, 14):
            self.wait_line(r"joined child %d \(pid \d+\) after \d+ ms: exited with code %d"
                           % (code - 10, code))
        alone = self.wait(lambda s: any(t["pid"] == self.pid for t in live_tasks(s))
                          and not kids_of(s), "the parent alive, no child left")
        self.wait_line(r"parent: the demo ends")
        lingered = [s for s in self.run_.snapshots[self.since(alone):]
                    if any(t["pid"] == self.pid for t in live_tasks(s)) and not kids_of(s)]
        # 2 s alone at 0.2 s a refresh: ten frames, a few on a loaded machine
        self.assertGreaterEqual(len(lingered), 3)
        saw("spawn-join defaults: 4 children, 3 Z at t=%.1fs; parent alone in %d snapshots"
            " (0.2 s apart)", three_z["time"] - self.run_.snapshots[0]["time"], len(lingered))

    def test_killing_child_1_is_joined_at_once(self):
        self.demo("spawn-join,count=5,duration=10000")
        m, _ = self.wait_line(r"parent: started child 1 as pid (\d+)")
        self.wait_line(r"parent: started child 5 as pid")
        self.signal(int(m.group(1)), "TERM")
        self.wait_line(r"joined child 1 \(pid %s\) after \d+ ms: killed by signal 15" % m.group(1))
        # then the others, in order (child 2 works 8 s, child 5 2 s)
        m5, _ = self.wait_line(r"joined child 5 \(pid \d+\) after (\d+) ms: exited with code 15")
        saw("spawn-join count=5: child 1 killed, joined at once; child 5 joined after %s ms",
            m5.group(1))


class SubprocessTimeout(Lesson):
    def test_work_1000_finishes_kill_1_sends_sigkill(self):
        self.demo("subprocess-timeout,timeout=2000")
        self.wait_line(r"TIMEOUT: sending SIGTERM to pid \d+ \(as Popen\.terminate\(\) does\)")
        m, after = self.wait_line(r"pid \d+ killed by signal 15 \(SIGTERM\) after (\d+) ms "
                                  r"\(subprocess\.TimeoutExpired\)")
        saw("subprocess-timeout default: SIGTERM after %s ms", m.group(1))
        self.knob("work", 1000)   # the - key reaches it: 4000, 2000, 1000 (unit test)
        m, after = self.wait_line(r"started `sleep 1\.000`", after=after)
        m, after = self.wait_line(r"pid \d+ exited with code 0 after (\d+) ms$", after=after)
        saw("subprocess-timeout work=1000: exited 0 after %s ms", m.group(1))
        self.knob("work", 4000)
        self.knob("kill", 1)
        self.wait_line(r"TIMEOUT: sending SIGKILL to pid \d+ \(as subprocess\.run does\)",
                       after=after)
        m, _ = self.wait_line(r"pid \d+ killed by signal 9 \(SIGKILL\) after (\d+) ms", after=after)
        saw("subprocess-timeout kill=1: SIGKILL after %s ms", m.group(1))

    def test_killing_the_child_yourself(self):
        self.demo("subprocess-timeout,timeout=10000")
        m, after = self.wait_line(r"started `sleep 4\.000` as pid (\d+), timeout 10000 ms")
        self.signal(int(m.group(1)), "TERM")
        m2, _ = self.wait_line(r"pid %s killed by signal 15 \(SIGTERM\) after (\d+) ms$"
                               % m.group(1), after=after)
        self.assertNotIn("TIMEOUT", " ".join(self.lines()))
        saw("subprocess-timeout timeout=10000: child killed from concmon after %s ms",
            m2.group(1))


class EventGate(Lesson):
    def gate_waiters(self, s):
        return len(lk(s, "gate", "waiters", []))

    def test_sigusr1_and_the_set_knob_move_the_gate(self):
        self.demo("event-gate,auto_ms=0")
        shut = self.wait(lambda s: self.gate_waiters(s) == 5, "5 waiters at the closed gate")
        self.assertEqual(values(shut).get("passed", 0), 0)
        self.signal(self.pid, "USR1")
        self.wait_line(r"gate OPEN: every waiter is released \(SIGUSR1\)")
        snap, passed = self.value_at_least("passed", 5)
        saw("event-gate: closed with 5 waiters, passed 0; SIGUSR1 -> passed %d", passed)
        self.signal(self.pid, "USR1")
        _, after = self.wait_line(r"gate CLOSED \(SIGUSR1\)")
        self.wait(lambda s: self.gate_waiters(s) == 5, "the 5 waiters stopped again")
        self.knob("set", 1)
        self.wait_line(r"gate OPEN: every waiter is released \(knob 'set'\)", after=after)

    def test_wait_with_a_timeout_reports_time_outs_until_the_gate_opens(self):
        self.demo("event-gate,auto_ms=0,waiters=3,timeout_ms=500")
        snap, timed = self.value_at_least("timed_out", 6)
        self.assertEqual(values(snap).get("passed", 0), 0)
        self.wait_line(r"waiter-\d: TIMED OUT after 500 ms: wait\(\) returned false")
        opened = self.knob("set", 1)
        snap, passed = self.value_at_least("passed", 3, since=self.since(opened))
        frozen = values(snap)["timed_out"]
        later, _ = self.value_at_least("passed", passed + 6, since=self.since(snap))
        self.assertEqual(values(later)["timed_out"], frozen, "no time-out while the gate is open")
        saw("event-gate timeout_ms=500: timed_out %d with the gate closed; open: passed %d,"
            " timed_out stays %d", timed, values(later)["passed"], frozen)


class Daemon(Lesson):
    def test_sigusr1_parent_leaves_daemons_die_others_adopted(self):
        self.demo("daemon,daemons=2,others=2,parent_ms=0,life_ms=3000")
        snap = self.wait(lambda s: len([t for t in live_tasks(s)
                                        if t.get("ppid") == self.pid]) == 4, "4 children")
        kids = {t["pid"]: t["comm"] for t in live_tasks(snap) if t.get("ppid") == self.pid}
        daemons = {p for p, c in kids.items() if c == "daemon"}
        others = {p for p, c in kids.items() if c == "ordinary"}
        self.assertEqual((len(daemons), len(others)), (2, 2), kids)
        self.signal(self.pid, "USR1")
        after = self.wait(lambda s: not any(t["pid"] in daemons | {self.pid}
                                            for t in live_tasks(s)),
                          "the parent and its daemon children gone")
        adopted = [t for t in live_tasks(after) if t["pid"] in others]
        self.assertEqual(len(adopted), 2, "the ordinary children live on")
        self.assertTrue(all(t["ppid"] != self.pid for t in adopted))
        self.wait_line(r"ordinary child \d: my parent is gone; adopted by \d+, still alive")
        self.wait(lambda s: not any(t["pid"] in others for t in live_tasks(s)),
                  "the ordinary children end after life_ms")
        saw("daemon: daemons %s gone with the parent; ordinary %s adopted by %s, then ended",
            sorted(daemons), sorted(others), sorted({t["ppid"] for t in adopted}))

    def test_sigterm_stops_every_child_first(self):
        self.demo("daemon,daemons=1,others=3,parent_ms=0")
        snap = self.wait(lambda s: len([t for t in live_tasks(s)
                                        if t.get("ppid") == self.pid]) == 4,
                         "1 daemon and 3 ordinary children")
        kids = {t["pid"] for t in live_tasks(snap) if t.get("ppid") == self.pid}
        self.signal(self.pid, "TERM")
        self.wait_line(r"parent: SIGTERM: stopping all my children first")
        self.wait(lambda s: not any(t["pid"] in kids | {self.pid} for t in live_tasks(s)),
                  "the parent and all its children gone")
        self.assertFalse([l for l in self.lines() if "adopted by" in l])
        saw("daemon SIGTERM: 4 children stopped, none adopted")


class WasherDryerProcs(Lesson):
    def dryers(self, s):
        return [t for t in live_tasks(s) if (t.get("comm") or "").startswith("dryer-")
                and t["pid"] != self.pid]

    def test_dryers_knob_forks_and_notes_and_a_killed_dryer_is_replaced(self):
        self.demo("washer-dryer-procs")
        full = self.wait(lambda s: qdepth(s, "clothes") >= 4,
                         "the basket filling with one dryer")
        turned = self.knob("dryers", 3)
        snap = self.wait(lambda s: len({t["pid"] for t in self.dryers(s)}) == 3, "3 dryers",
                         since=self.since(turned))
        drained = self.wait(lambda s: 0 <= qdepth(s, "clothes") <= 1, "the basket draining",
                            since=self.since(snap))
        saw("washer-dryer-procs dryers 1 -> 3: depth %d -> %d", queue(full, "clothes")["depth"],
            queue(drained, "clothes")["depth"])
        victim = self.dryers(drained)[0]["pid"]
        self.signal(victim, "KILL")
        self.wait_line(r"main: dryer pid %d killed by signal 9" % victim)
        self.wait(lambda s: len({t["pid"] for t in self.dryers(s)}) == 3 and
                  victim not in {t["pid"] for t in self.dryers(s)}, "a new third dryer")
        turned = self.knob("dryers", 1)
        self.wait_line(r"main: put a leave note in the basket")
        self.wait_line(r"dryer-\d: found a leave note, going home")
        self.wait(lambda s: len({t["pid"] for t in self.dryers(s)}) == 1, "one dryer left",
                  since=self.since(turned))
        saw("washer-dryer-procs: killed dryer %d replaced; dryers=1: two leave notes, one left",
            victim)

    def test_stopping_the_washer_takes_the_dryers_with_it(self):
        self.demo("washer-dryer-procs,dryers=3")
        snap = self.wait(lambda s: len({t["pid"] for t in self.dryers(s)}) == 3, "3 dryers")
        dryers = {t["pid"] for t in self.dryers(snap)}
        self.signal(self.pid, "TERM")
        self.wait(lambda s: not any(t["pid"] in dryers | {self.pid} for t in live_tasks(s)),
                  "the washer and its dryers gone")
        self.wait_line(r"exiting without waiting for the dryers")
        saw("washer-dryer-procs SIGTERM: the washer exited, dryers %s gone with it",
            sorted(dryers))


if __name__ == "__main__":
    main()
