"""Demo workloads under concmon: what their probes publish arrives in the
batch JSON (queues, locks, knobs, values), knobs turned through concmon
change the workload, and process demos show zombies and orphans."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, tasks_of

SLOW = 20.0  # deadline for states a demo reaches within a few seconds


def records(snap, kind, name=None):
    return [r for r in snap.get(kind, []) if name is None or r["name"] == name]


def knob(snap, name):
    r = records(snap, "knobs", name)
    return r[0]["value"] if r else None


def program_pid(snap):
    progs = snap.get("programs", [])
    return progs[0]["pid"] if progs else None


class Telemetry(unittest.TestCase):
    def demo(self, spec, **kw):
        return BatchRun(None, delay=0.1, args=["--demo", spec], **kw)

    def test_washer_dryer_queue_fills_then_drains_when_dryers_are_added(self):
        with self.demo("washer-dryer-threads", commands=True) as run:
            full = run.wait_for(
                lambda s: any(q["depth"] == q["capacity"] and q["blocked_producers"] >= 1
                              for q in records(s, "queues", "clothes")),
                SLOW, "the clothes queue full with the washer blocked")
            pid = program_pid(full)
            self.assertEqual(knob(full, "dryers"), 1)
            self.assertEqual(records(full, "programs")[0]["telemetry"], "probe")
            cap = records(full, "queues", "clothes")[0]["capacity"]
            run.send("knob %d dryers 4" % pid)
            turned = run.wait_for(lambda s: knob(s, "dryers") == 4, SLOW, "the dryers knob at 4")
            run.wait_for(lambda s: records(s, "queues", "clothes")[0]["depth"] <= cap - 2,
                         SLOW, "the queue draining with 4 dryers",
                         since=run.snapshots.index(turned))
            run.check_clean(self)

    def test_knob_out_of_range_is_refused(self):
        with self.demo("washer-dryer-threads", commands=True) as run:
            snap = run.wait_for(lambda s: records(s, "knobs", "dryers"), SLOW, "the dryers knob")
            k = records(snap, "knobs", "dryers")[0]
            run.send("knob %d dryers %d" % (program_pid(snap), k["max"] + 1))
            run.wait_stderr("no such knob, or the value is outside its range")
            self.assertEqual(knob(run.latest(), "dryers"), k["value"])

    def test_knobs_read_at_start_are_marked_and_the_knob_command_refuses_them(self):
        with self.demo("washer-dryer-threads,capacity=7", commands=True) as run:
            snap = run.wait_for(lambda s: records(s, "knobs", "capacity"), SLOW,
                                "the capacity knob")
            byname = {k["name"]: k for k in records(snap, "knobs")}
            self.assertIs(byname["capacity"]["at_start"], True, byname)
            self.assertEqual(byname["capacity"]["value"], 7)
            for name in ("washers", "dryers", "wash_ms", "dry_ms"):
                self.assertIs(byname[name]["at_start"], False, byname[name])
            run.send("knob %d capacity 9" % program_pid(snap))
            run.wait_stderr(r"capacity 9: the program reads this knob only at start: it needs "
                            r"a restart")
            # Not written: the value shown stays what the program runs with.
            self.assertEqual(knob(run.latest(), "capacity"), 7)
            self.assertEqual(records(run.latest(), "queues", "clothes")[0]["capacity"], 7)
            run.send("knob %d dryers 2" % program_pid(snap))
            run.wait_for(lambda s: knob(s, "dryers") == 2, SLOW, "a live knob still turns")

    def values(self, snap):
        return {v["name"]: v["value"] for v in records(snap, "values")}

    def test_race_counter_loses_updates_without_the_lock_and_none_with_it(self):
        with self.demo("race-counter,lock=0") as run:
            run.wait_for(lambda s: self.values(s).get("lost", 0) > 0, SLOW,
                         "lost updates without the lock")
        with self.demo("race-counter,lock=1") as run:
            def rounds_done(s):
                v = self.values(s)
                return v.get("expected", 0) > 0 and v.get("actual") == v.get("expected")
            snap = run.wait_for(rounds_done, SLOW, "a finished round with the lock")
            self.assertEqual(self.values(snap).get("lost"), 0, self.values(snap))

    def thread_row(self, snap, comm):
        pid = program_pid(snap)
        rows = [t for t in snap["tasks"] if t["pid"] == pid and t["tid"] != pid
                and t["comm"] == comm and not t["exited"]]
        return rows[0] if rows else None

    def test_joinable_queue_empty_is_not_done_and_a_forgotten_task_done_hangs_join(self):
        with self.demo("joinable-queue,items=4,work_ms=1500", commands=True) as run:
            def empty_not_done(s):
                q = records(s, "queues", "jobs")
                prod = self.thread_row(s, "producer")
                return (q and q[0]["depth"] == 0 and self.values(s).get("unfinished", 0) > 0
                        and prod and prod["waiting"] == "waits for all-done [probe]")
            snap = run.wait_for(empty_not_done, SLOW, "depth 0, unfinished > 0, producer joining")
            waits = {t["role"]: t["wait_on"] for t in records(snap, "probe_threads")}
            self.assertEqual(waits["producer"], "all-done")
            run.wait_for(lambda s: self.values(s).get("rounds_done", 0) >= 1, SLOW, "a round")
            run.send("knob %d work_ms 100" % program_pid(snap))
            run.send("knob %d forget 1" % program_pid(snap))

            def hung(s):
                v = self.values(s)
                q = records(s, "queues", "jobs")
                prod = self.thread_row(s, "producer")
                return (v.get("forgotten") == 1 and v.get("unfinished") == 1 and q
                        and q[0]["depth"] == 0 and prod
                        and prod["waiting"] == "waits for all-done [probe]")
            first = run.wait_for(hung, SLOW, "unfinished stuck at 1 with an empty queue")
            later = run.wait_for(lambda s: s["time"] >= first["time"] + 3.0, SLOW, "3 s later",
                                 since=run.snapshots.index(first))
            for s in run.snapshots[run.snapshots.index(first):run.snapshots.index(later) + 1]:
                self.assertTrue(hung(s), "still hung: %r" % self.values(s))
                self.assertEqual(self.values(s)["rounds_done"], self.values(first)["rounds_done"])
            run.check_clean(self)

    def test_memory_isolation_values_and_the_shared_page(self):
        with self.demo("memory-isolation,period_ms=0,child_ms=0", commands=True) as run:
            snap = run.wait_for(lambda s: self.values(s).get("rounds") == 1, SLOW, "round 1")
            self.assertEqual({k: self.values(snap)[k] for k in (
                "child_wrote", "parent_after_child", "thread_wrote", "parent_after_thread",
                "parent_sees_shared")}, {"child_wrote": 101, "parent_after_child": 100,
                                         "thread_wrote": 102, "parent_after_thread": 102,
                                         "parent_sees_shared": -1})
            pid = program_pid(snap)
            run.send("knob %d shared 1" % pid)
            run.wait_for(lambda s: knob(s, "shared") == 1, SLOW, "shared=1")
            run.send("signal %d USR1" % pid)
            snap = run.wait_for(lambda s: self.values(s).get("rounds") == 2, SLOW, "round 2")
            v = self.values(snap)
            self.assertEqual((v["child_wrote"], v["parent_after_child"], v["parent_sees_shared"]),
                             (201, 200, 203))
            run.check_clean(self)

    def test_busy_poll_burns_a_core_and_select_does_not(self):
        with self.demo("busy-poll-vs-select,period_ms=100", commands=True) as run:
            def reader_cpu(s):
                r = self.thread_row(s, "reader")
                return r["cpu"] if r else None
            # A busy thread gets a large share even of a loaded machine.
            snap = run.wait_for(lambda s: (reader_cpu(s) or 0) >= 30, SLOW, "the reader >= 30%")
            pid = program_pid(snap)
            run.send("knob %d select 1" % pid)
            turned = run.wait_for(lambda s: knob(s, "select") == 1, SLOW, "select=1")
            # The demo's values cover its last 2 s: wait for one all in select mode.
            calm = run.wait_for(lambda s: reader_cpu(s) is not None and reader_cpu(s) <= 2
                                and self.values(s).get("select_mode") == 1
                                and self.values(s).get("empty_reads_per_s") == 0
                                and self.values(s).get("reader_cpu_pct") <= 2, SLOW,
                                "the select reader near 0% with no empty reads",
                                since=run.snapshots.index(turned))
            lines = self.values(calm)["lines"]
            run.send("knob %d period_ms 10" % pid)
            fast = run.wait_for(lambda s: self.values(s).get("lines", 0) >= lines + 100, SLOW,
                                "100 more lines", since=run.snapshots.index(calm))
            self.assertLessEqual(self.values(fast)["reader_cpu_pct"], 5, self.values(fast))
            self.assertLessEqual(reader_cpu(fast), 5)
            run.send("knob %d select 0" % pid)
            run.wait_for(lambda s: knob(s, "select") == 0 and (reader_cpu(s) or 0) >= 30, SLOW,
                         "busy again", since=run.snapshots.index(fast))
            run.check_clean(self)

    def test_semaphore_never_has_more_holders_than_permits(self):
        with self.demo("semaphore") as run:
            def full(s):
                return any(l["kind"] == "semaphore" and l["holder_count"] == l["permits"] > 0
                           and len(l["waiters"]) > 0 for l in records(s, "locks"))
            run.wait_for(full, SLOW, "all permits taken and threads waiting")
            stop = len(run.snapshots) + 20
            run.wait_for(lambda s: len(run.snapshots) >= stop, SLOW, "20 more snapshots")
            for s in run.snapshots:
                for l in records(s, "locks"):
                    if l["kind"] == "semaphore":
                        self.assertLessEqual(l["holder_count"], l["permits"], l)

    def test_deadlock_shows_two_threads_each_holding_what_the_other_waits_for(self):
        with self.demo("deadlock") as run:
            def cycle(s):
                locks = {l["name"]: l for l in records(s, "locks") if l["kind"] == "mutex"}
                a, b = locks.get("fork-1"), locks.get("fork-2")
                if not a or not b or not a["holders"] or not b["holders"]:
                    return False
                # each holder waits for the other's lock
                return (a["holders"][0] in b["waiters"] and b["holders"][0] in a["waiters"]
                        and a["holders"][0] != b["holders"][0])
            snap = run.wait_for(cycle, SLOW, "fork-1 and fork-2 held crosswise and waited for")
            waiting = {t["tid"]: t["wait_on"] for t in records(snap, "probe_threads")}
            locks = {l["name"]: l for l in records(snap, "locks")}
            self.assertEqual(waiting[locks["fork-1"]["holders"][0]], "fork-2")
            self.assertEqual(waiting[locks["fork-2"]["holders"][0]], "fork-1")

    def test_deadlock_is_detected_within_two_seconds(self):
        with self.demo("deadlock") as run:
            snap = run.wait_for(lambda s: s.get("deadlocks"), SLOW, "a deadlock reported")
            # from the first snapshot in which the program published telemetry
            first = next(s for s in run.snapshots if records(s, "locks"))
            self.assertLessEqual(snap["time"] - first["time"], 2.0)
            cycle = snap["deadlocks"][0]["cycle"]
            self.assertEqual(len(cycle), 2, cycle)
            self.assertEqual({c["lock"] for c in cycle}, {"fork-1", "fork-2"})
            self.assertEqual(cycle[0]["holder"], cycle[1]["tid"])
            self.assertEqual(cycle[1]["holder"], cycle[0]["tid"])

    def test_plain_lock_reentered_is_a_self_deadlock_and_recursive_is_not(self):
        with self.demo("recursive-lock,recursive=0") as run:
            snap = run.wait_for(lambda s: s.get("deadlocks"), SLOW, "a self-deadlock")
            cycle = snap["deadlocks"][0]["cycle"]
            self.assertEqual(len(cycle), 1, cycle)
            self.assertEqual(cycle[0]["tid"], cycle[0]["holder"])
        with self.demo("recursive-lock,recursive=1") as run:
            snap = run.wait_for(
                lambda s: any(l["kind"] == "recursive" and l["depth"] >= 2 for l in records(s, "locks")),
                SLOW, "a recursive lock held twice")
            self.assertEqual(snap["deadlocks"], [])

    def test_zombies_demo_shows_z_rows_under_its_parent(self):
        with self.demo("zombies,count=3") as run:
            def zombies(s):
                pid = program_pid(s)
                return pid and len([t for t in tasks_of(s, state="Z") if t["ppid"] == pid]) >= 3
            snap = run.wait_for(zombies, SLOW, "three Z rows under the demo")
            self.assertGreaterEqual(snap["summary"]["zombies"], 3)

    def test_orphans_demo_children_are_adopted_by_concmon(self):
        with self.demo("orphans,count=3") as run:
            def adopted(s):
                return len([t for t in s["tasks"] if t["orphan"] and not t["exited"]
                            and t["ppid"] == run.pid]) >= 3
            snap = run.wait_for(adopted, SLOW, "three orphans adopted by concmon")
            for t in snap["tasks"]:
                if t["orphan"] and not t["exited"]:
                    self.assertNotEqual(t["former_ppid"], run.pid)


# What coroutines, futures and subprocess-output
# publish, and what concmon infers about them, in batch JSON.
class NewDemosTelemetry(unittest.TestCase):
    def demo(self, spec, **kw):
        return BatchRun(None, delay=0.2, args=["--demo", spec], **kw)

    def values(self, snap):
        return {v["name"]: v["value"] for v in records(snap, "values")}

    def test_coroutines_a_long_request_shows_in_client_latency(self):
        with self.demo("coroutines,period_ms=20,long_fib=43,long_every_ms=500",
                       commands=True) as run:
            def stalled(s):
                v = self.values(s)
                return v.get("long_ms", 0) > 0 and v.get("max_latency_ms", 0) >= v["long_ms"] // 2
            snap = run.wait_for(stalled, SLOW, "max_latency_ms near long_ms after a stall")
            ready = records(snap, "queues", "ready")
            self.assertEqual(ready[0]["source"], "probe", ready)
            roles = [t["role"] for t in records(snap, "probe_threads")
                     if t["writer_pid"] == program_pid(snap)]
            self.assertEqual(roles, ["scheduler"], records(snap, "probe_threads"))
            run.wait_for(lambda s: self.values(s).get("ready_peak", 0) >= 4, SLOW,
                         "every connection ready at once after a stall")
            run.send("knob %d long_fib 0" % program_pid(snap))
            turned = run.wait_for(lambda s: knob(s, "long_fib") == 0, SLOW, "long_fib at 0")
            # A long request in flight may still finish: count from twice the
            # longest one seen on (sanitizer builds compute fib slowly).
            longest = max(self.values(s).get("long_ms", 0) for s in run.snapshots) / 1000.0
            t0 = turned["time"]
            first = run.wait_for(lambda s: s["time"] >= t0 + 2 * longest + 0.5, 2 * SLOW,
                                 "the long request in flight finished")
            last = run.wait_for(lambda s: s["time"] >= first["time"] + max(2.0, 2 * longest),
                                2 * SLOW, "four long periods later")
            self.assertEqual(self.values(last).get("long_requests"),
                             self.values(first)["long_requests"])
            self.assertGreater(self.values(last)["requests"], self.values(first)["requests"])

    def test_futures_pool_queue_and_counts_and_sync(self):
        with self.demo("futures,workers=2,task_ms=300,pause_ms=100", commands=True) as run:
            # 5 tasks on 2 workers: three wait in the work queue.
            snap = run.wait_for(
                lambda s: any(q["depth"] >= 1 for q in records(s, "queues", "work")),
                SLOW, "tasks waiting in the work queue")
            self.assertEqual(records(snap, "queues", "work")[0]["source"], "probe")
            snap = run.wait_for(lambda s: self.values(s).get("failed", 0) >= 1
                                and self.values(s).get("done", 0) >= 4, SLOW,
                                "a round done, one task failed")
            v = self.values(snap)
            self.assertLess(v["round_ms"], v["sum_ms"], v)
            run.wait_for(lambda s: any(t["role"] == "main" and t["wait_on"] == "future-done"
                                       for t in records(s, "probe_threads")),
                         SLOW, "main waiting in result() on future-done")
            run.send("knob %d sync 1" % program_pid(snap))
            turned = run.wait_for(lambda s: knob(s, "sync") == 1, SLOW, "sync at 1")
            done = self.values(turned)["done"] + self.values(turned)["failed"]
            # Two whole rounds later the last one surely ran with sync=1.
            snap = run.wait_for(lambda s: self.values(s).get("done", 0)
                                + self.values(s).get("failed", 0) >= done + 10, 3 * SLOW, "two rounds with sync=1",
                                since=run.snapshots.index(turned))
            v = self.values(snap)
            self.assertGreaterEqual(v["round_ms"], v["sum_ms"], v)

    def test_subprocess_output_wait_before_read_shows_both_sides_waiting(self):
        with self.demo("subprocess-output,bug=1", commands=True) as run:
            def stuck(s):
                pid = program_pid(s)
                kids = [t for t in tasks_of(s, ppid=pid) if not t.get("exited")]
                parent = [t for t in tasks_of(s, pid=pid, tid=pid)]
                pipes = [q for q in records(s, "queues") if q["kind"] == "pipe"
                         and q["depth"] >= q["capacity"] - 4096]
                return (kids and parent and pipes and self.values(s).get("stuck") == 1
                        and (kids[0]["waiting"] or "").startswith("writes pipe to PID %d" % pid)
                        and parent[0]["waiting"] == "waits for child PID %d (wait4)"
                        % kids[0]["pid"])
            snap = run.wait_for(stuck, SLOW, "parent in wait4, child writing a full pipe")
            pid = program_pid(snap)
            child = [t for t in tasks_of(snap, ppid=pid) if not t.get("exited")][0]["pid"]
            pipe = [q for q in records(snap, "queues") if q["kind"] == "pipe"
                    and q["depth"] >= q["capacity"] - 4096][0]
            self.assertEqual((pipe["writer_pid"], pipe["reader_pid"], pipe["source"]),
                             (child, pid, "inferred"), pipe)
            rounds = self.values(snap)["rounds"]
            run.send("signal %d USR1" % pid)
            run.wait_for(lambda s: self.values(s).get("rounds", 0) > rounds, SLOW,
                         "the round finished once a thread read the pipe")


if __name__ == "__main__":
    main()
