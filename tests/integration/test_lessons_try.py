"""Each lesson's "What to try", driven through concmon's batch mode and read
back from its JSON (issue 15): knobs turned with the `knob` command, keys sent
as signals to the demo's own PID (`signal PID USR1`), stages and parents
killed or terminated (`signal`, `terminate`), and the numbers read from
tasks, queues, locks, values, probe threads, events, deadlocks and the demo's
own output lines. One test per lesson, its items in the lesson's order; each
wait is a poll with a deadline, and no assertion compares two timings.

Demos here: washer-dryer-threads, pipeline-procs, deadlock, recursive-lock,
semaphore, condition-queue, zombies, orphans, graceful-shutdown,
blocking-vs-eventloop. FIGURES collects what each test saw; run with
CONCMON_LESSON_FIGURES=1 to print them."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, BatchRun, main  # noqa: E402

SLOW = 3 * DEADLINE      # a few rounds of a demo on a loaded machine (ASan, 2 busy cores)
FIGURES = []


def note(demo, item, text):
    FIGURES.append((demo, item, text))
    if os.environ.get("CONCMON_LESSON_FIGURES"):
        sys.stderr.write("\n%s | %s | %s" % (demo, item, text))


def records(snap, kind, name=None):
    return [r for r in snap.get(kind, []) if name is None or r["name"] == name]


def values(snap):
    return {v["name"]: v["value"] for v in records(snap, "values")}


def knob(snap, name):
    r = records(snap, "knobs", name)
    return r[0]["value"] if r else None


def lines_of(snap):
    return [o["line"] for o in snap.get("output", [])]


def threads_named(snap, pid, prefix):
    return [t for t in snap["tasks"] if t["pid"] == pid and t["tid"] != pid
            and not t["exited"] and t["comm"].startswith(prefix)]


class Lesson(unittest.TestCase):
    """A batch run of one demo that the test drives through stdin."""

    def start(self, spec, args=()):
        self.run_ = BatchRun(None, delay=0.2, args=list(args) + ["--demo", spec], commands=True)
        self.addCleanup(self.run_.stop)
        self.pid = None
        first = self.run_.wait_for(lambda s: s.get("programs") and records(s, "knobs"), SLOW,
                                   "the demo publishing its knobs")
        self.pid = first["programs"][0]["pid"]
        return self.run_

    def mark(self):
        """Index of the next snapshot: waits after an action start there."""
        return self.run_.count()

    def wait(self, pred, desc, since=0, timeout=SLOW):
        return self.run_.wait_for(pred, timeout, desc, since=since)

    def turn(self, name, value):
        """Sets a live knob and waits until the demo shows it; returns the mark."""
        self.run_.send("knob %d %s %d" % (self.pid, name, value))
        snap = self.wait(lambda s: knob(s, name) == value, "knob %s at %d" % (name, value))
        return self.run_.snapshots.index(snap)

    def wait_line(self, regex, since=0, timeout=SLOW):
        """The first output line matching regex in snapshots from since on."""
        pat = re.compile(regex)
        found = []

        def seen(s):
            for line in lines_of(s):
                m = pat.search(line)
                if m:
                    found.append(m)
                    return True
            return False
        snap = self.wait(seen, "an output line matching %r" % regex, since, timeout)
        return found[0], self.run_.snapshots.index(snap)

    def all_lines(self, since=0, until=None):
        snaps = self.run_.snapshots[since:until]
        return [line for s in snaps for line in lines_of(s)]

    def following(self, n, since):
        """Waits for n more snapshots after index since; returns them."""
        self.wait(lambda s: True, "%d more snapshots" % n, since + n - 1 if n else since)
        return self.run_.snapshots[since:since + n]


class Queues(Lesson):
    def test_washer_dryer_threads(self):
        d = "washer-dryer-threads"
        self.start(d)

        def clothes(s):
            q = records(s, "queues", "clothes")
            return q[0] if q else None
        full = self.wait(lambda s: clothes(s) and clothes(s)["depth"] == 5
                         and clothes(s)["blocked_producers"] >= 1, "basket 5/5, washer blocked")
        at = self.turn("dryers", 4)
        dry = self.wait(lambda s: clothes(s)["depth"] == 0 and clothes(s)["blocked_consumers"] >= 1,
                        "basket empty with dryers waiting", at)
        note(d, "dryers=4", "depth 5/5 with %d blocked producer -> depth %d, %d blocked consumers"
             % (clothes(full)["blocked_producers"], clothes(dry)["depth"],
                clothes(dry)["blocked_consumers"]))
        at = self.turn("dryers", 1)
        refill = self.wait(lambda s: clothes(s)["depth"] == 5 and clothes(s)["blocked_producers"] >= 1,
                           "basket full again with one dryer", at)
        note(d, "lower dryers again", "dryers=1: depth back to %d/5, %d blocked producer"
             % (clothes(refill)["depth"], clothes(refill)["blocked_producers"]))
        at = self.turn("wash_ms", 1000)
        slow = self.wait(lambda s: clothes(s)["depth"] == 0 and clothes(s)["blocked_consumers"] >= 1,
                         "wash_ms=1000 (slower than the dryer): basket empty", at)
        note(d, "wash_ms/dry_ms", "wash_ms=1000 dry_ms=400: depth %d, %d blocked consumer"
             % (clothes(slow)["depth"], clothes(slow)["blocked_consumers"]))
        self.run_.stop()
        self.start(d + ",capacity=12")
        big = self.wait(lambda s: clothes(s) and clothes(s)["depth"] == 12
                        and clothes(s)["blocked_producers"] >= 1, "basket 12/12")
        note(d, "capacity", "capacity=12: queue capacity %d, depth reached %d"
             % (clothes(big)["capacity"], clothes(big)["depth"]))
        self.assertEqual(clothes(big)["capacity"], 12)
        self.run_.check_clean(self)

    def pipeline_pids(self, since=0):
        m, at = self.wait_line(r"pipeline producer \((\d+)\) \| square \((\d+)\) \| printer "
                               r"\((\d+)\)", since)
        return [int(x) for x in m.groups()], at

    def test_pipeline_procs_kill_the_printer(self):
        d = "pipeline-procs"
        run = self.start(d)
        (producer, square, printer), at = self.pipeline_pids()
        self.wait_line(r"\[%d\] printer: " % printer, at)
        at = self.mark()
        run.send("signal %d KILL" % printer)

        def killed(pid, sig):
            return lambda s: any(e["event"] == "killed" and e["pid"] == pid
                                 and e.get("signal") == sig for e in s.get("events", []))
        self.wait(killed(square, 13), "square killed by SIGPIPE", at)
        self.wait(killed(producer, 13), "producer killed by SIGPIPE", at)
        self.wait_line(r"stage square \(pid %d\) killed by signal 13 \(SIGPIPE\)" % square, at)
        self.wait_line(r"stage producer \(pid %d\) killed by signal 13 \(SIGPIPE\)" % producer, at)
        _, gone = self.wait_line(r"the whole pipeline is gone; a new one in 3 s", at)
        pids, again = self.pipeline_pids(gone)
        t_gone = run.snapshots[gone]["time"]
        t_again = run.snapshots[again]["time"]
        self.assertTrue(set(pids).isdisjoint({producer, square, printer}), pids)
        self.assertGreaterEqual(t_again - t_gone, 2.5)
        note(d, "kill the printer", "printer %d SIGKILL -> square %d and producer %d killed by "
             "signal 13; new pipeline %s %.1f s after 'gone'"
             % (printer, square, producer, pids, t_again - t_gone))
        run.check_clean(self)

    def test_pipeline_procs_slow_printer_fills_the_pipes(self):
        d = "pipeline-procs"
        run = self.start(d + ",sink_ms=200,rate=1000")
        (producer, square, _), _ = self.pipeline_pids()

        def pipe(s, writer):
            q = [q for q in records(s, "queues") if q["kind"] == "pipe" and q["writer_pid"] == writer]
            return q[0] if q else None

        def full(s):
            v = values(s)
            p1, p2 = pipe(s, producer), pipe(s, square)
            return (v.get("pipe1_bytes", 0) >= 60000 and v.get("pipe2_bytes", 0) >= 60000
                    and p1 and p2 and p1["depth"] >= 60000 and p2["depth"] >= 60000)
        snap = self.wait(full, "both pipes (nearly) full", timeout=4 * SLOW)
        at = run.snapshots.index(snap)
        # The producer asked for 1000 lines a second; now it waits for room.
        written = [int(m.group(1)) for line in self.all_lines(0, at + 1)
                   for m in [re.search(r"\[%d\] producer: wrote (\d+)" % producer, line)] if m]
        later = self.following(15, at)      # 3 s at 0.2 s
        more = [int(m.group(1)) for s in later for line in lines_of(s)
                for m in [re.search(r"\[%d\] producer: wrote (\d+)" % producer, line)] if m]
        before = max(written)
        after = max(more) if more else before
        blocked = [t for s in later for t in s["tasks"] if t["pid"] == producer
                   and t["tid"] == producer and t.get("waiting") == "poll on 2 fds"]
        self.assertTrue(blocked, "the producer never seen waiting for room (poll on the pipe)")
        span = later[-1]["time"] - snap["time"]
        self.assertLess(after - before, 300 * span, (before, after, span))
        v = values(snap)
        note(d, "sink_ms=200 rate=1000", "pipe1_bytes %d, pipe2_bytes %d (kernel: %d, %d of %d); "
             "producer wrote %d lines in the %.1f s after, waiting in '%s'"
             % (v["pipe1_bytes"], v["pipe2_bytes"], pipe(snap, producer)["depth"],
                pipe(snap, square)["depth"], pipe(snap, square)["capacity"], after - before, span,
                blocked[0]["waiting"]))
        run.check_clean(self)


def lock(snap, name, kind=None):
    r = [l for l in records(snap, "locks", name) if kind is None or l["kind"] == kind]
    return r[0] if r else None


def role_tids(snap, role):
    return [t["tid"] for t in records(snap, "probe_threads") if t["role"] == role]


class Locks(Lesson):
    def test_deadlock(self):
        d = "deadlock"
        run = self.start(d)
        snap = self.wait(lambda s: s.get("deadlocks"), "a deadlock reported")
        at = run.snapshots.index(snap)
        later = self.following(10, at + 1)     # 2 s after it
        phil = [t for t in later[-1]["tasks"] if t["comm"].startswith("philosopher")]
        self.assertEqual(len(phil), 2, later[-1]["tasks"])
        states = {t["state"] for s in later for t in s["tasks"] if t["comm"].startswith("philosopher")}
        cpu = max(t["cpu"] for s in later for t in s["tasks"] if t["comm"].startswith("philosopher"))
        self.assertEqual(states, {"S"})
        self.assertLess(cpu, 1.0)
        acq = {(l["name"], l["acquisitions"]) for s in later for l in records(s, "locks")
               if l["name"] in ("fork-1", "fork-2")}
        self.assertEqual(len(acq), 2, acq)      # no lock taken again: no progress
        self.assertFalse([x for x in self.all_lines(at + 1) if "eating meal" in x])
        note(d, "threads sleep, no progress", "2 s after the ring: states %s, max cpu %.1f%%, "
             "acquisitions %s, no meal" % (sorted(states), cpu, sorted(acq)))
        run.stop()
        run = self.start(d + ",ordered=1")
        meals = {}

        def both_ate(s):
            for line in lines_of(s):
                m = re.match(r"(philosopher-[AB]): holding both forks, eating meal (\d+)", line)
                if m:
                    meals[m.group(1)] = int(m.group(2))
            return min(meals.get("philosopher-A", 0), meals.get("philosopher-B", 0)) >= 3
        snap = self.wait(both_ate, "A and B each eating 3 meals")
        self.assertEqual([s for s in run.snapshots if s.get("deadlocks")], [])
        note(d, "ordered=1", "meals %s, fork-1 acquisitions %d, deadlocks in %d snapshots: none"
             % (meals, lock(snap, "fork-1")["acquisitions"], len(run.snapshots)))
        run.check_clean(self)

    def test_recursive_lock(self):
        d = "recursive-lock"
        run = self.start(d)
        snap = self.wait(lambda s: s.get("deadlocks") and lock(s, "plain-lock")
                         and len(lock(s, "plain-lock")["waiters"]) >= 2, "worker-1 waiting for itself")
        plain = lock(snap, "plain-lock")
        cycle = snap["deadlocks"][0]["cycle"]
        self.assertEqual(cycle[0]["tid"], cycle[0]["holder"])
        self.assertIn(plain["holders"][0], plain["waiters"])
        at = self.turn("recursive", 1)
        self.wait(lambda s: lock(s, "rlock", "recursive"), "the recursive lock", at)
        deep = self.wait(lambda s: values(s).get("depth") == 3 and lock(s, "rlock")
                         and lock(s, "rlock")["depth"] >= 3,
                         "worker-1 three levels down", at)
        self.wait_line(r"worker-1: in ker\(\) at depth 4", at)
        self.wait_line(r"worker-2: in ker\(\) at depth 1", at)
        w2 = self.wait(lambda s: lock(s, "rlock") and any(t in lock(s, "rlock")["holders"]
                                                          for t in role_tids(s, "worker-2")),
                       "worker-2 holding the rlock", at)
        stuck = self.wait(lambda s: any(c["lock"] == "plain-lock" for r in s.get("deadlocks", [])
                                        for c in r["cycle"]), "the old monitor still stuck", at + 10)
        note(d, "recursive=1", "before: plain-lock holder %d, waiters %s, cycle of %d; after: value "
             "depth %d, rlock depth %d, worker-2 holds it (acquisitions %d); plain-lock ring "
             "still reported" % (plain["holders"][0], plain["waiters"], len(cycle),
                                 values(deep)["depth"], lock(deep, "rlock")["depth"],
                                 lock(w2, "rlock")["acquisitions"]))
        self.assertTrue(stuck)
        at = self.turn("depth", 6)
        six = self.wait(lambda s: values(s).get("depth") == 6 and lock(s, "rlock"), "depth value 6", at)
        self.wait_line(r"worker-1: in ker\(\) at depth 7", at)
        note(d, "depth", "depth=6: value depth %d, rlock depth %d, 'in ker() at depth 7' printed"
             % (values(six)["depth"], lock(six, "rlock")["depth"]))
        run.check_clean(self)

    def test_semaphore(self):
        d = "semaphore"
        run = self.start(d)

        def slots(s):
            return [l for l in records(s, "locks", "slots") if l["kind"] == "semaphore"]
        three = self.wait(lambda s: any(l["holder_count"] == 3 and l["waiting"] >= 1 for l in slots(s)),
                          "3 inside, others waiting")
        self.assertTrue(all(values(s).get("inside", 0) <= 3 for s in run.snapshots))
        at = self.turn("permits", 5)
        five = self.wait(lambda s: any(l["permits"] == 5 and l["holder_count"] == 5 for l in slots(s)),
                         "5 inside the new semaphore", at)
        peak = self.following(10, at)
        total = max(sum(l["holder_count"] for l in slots(s)) for s in peak + [five])
        note(d, "permits=5", "3 holders (waiting %d) -> new semaphore: 5 holders; peak of both "
             "together in the 2 s after: %d (max_inside %d)"
             % ([l for l in slots(three) if l["holder_count"] == 3][0]["waiting"], total,
                max(values(s).get("max_inside", 0) for s in peak)))
        at = self.turn("permits", 1)
        one = self.wait(lambda s: [(l["permits"], l["holder_count"] <= 1) for l in slots(s)]
                        == [(1, True)] and slots(s)[0]["waiting"] >= 1,
                        "only the semaphore of 1 left, workers queued", at)
        i = run.snapshots.index(one)
        after = self.following(10, i)
        self.assertTrue(all(values(s)["inside"] <= 1 and all(l["holder_count"] <= 1 for l in slots(s))
                            for s in after))
        note(d, "permits=1", "old ones freed, then 2 s: inside <= 1, holders <= 1, waiting %s"
             % sorted({slots(s)[0]["waiting"] for s in after if slots(s)}))
        run.stop()
        run = self.start(d + ",hold_ms=5000")
        longq = self.wait(lambda s: any(l["waiting"] == 5 for l in slots(s)), "5 of 8 queued")
        at = self.turn("hold_ms", 50)
        shortq = self.wait(lambda s: any(l["waiting"] == 0 and l["holder_count"] < 3 for l in slots(s)),
                           "hold_ms=50: nobody queued", at)
        note(d, "hold_ms", "hold_ms=5000: %d waiting; hold_ms=50: %d waiting, %d inside"
             % (slots(longq)[0]["waiting"], slots(shortq)[0]["waiting"],
                slots(shortq)[0]["holder_count"]))
        run.check_clean(self)


class Signalling(Lesson):
    def test_condition_queue(self):
        d = "condition-queue"
        run = self.start(d)

        def sleeping(s):
            return [t for t in records(s, "probe_threads") if t["role"].startswith("consumer")
                    and t["wait_on"] == "not-empty"]
        idle = self.wait(lambda s: len(sleeping(s)) == 2 and values(s).get("queued") == 0,
                         "both consumers asleep on not-empty")
        self.wait_line(r"consumer-\d: queue empty, sleeping on the condition")
        at = self.turn("rate", 20)
        busy = self.wait(lambda s: values(s).get("queued", 0) >= 10, "the queue filling", at)
        b = run.snapshots.index(busy)
        full = self.wait(lambda s: any(t["role"] == "producer" and t["wait_on"] == "not-full"
                                       for t in records(s, "probe_threads")),
                         "the producer asleep on not-full", b)
        f = run.snapshots.index(full)
        _, ln = self.wait_line(r"producer: queue full \(32\), sleeping on not-full", b)
        window = self.all_lines(b, max(f, ln) + 1)
        self.assertFalse([x for x in window if "sleeping on the condition" in x], window)
        taken = [(int(m.group(1)), int(m.group(2))) for x in window
                 for m in [re.search(r"woke up with item (\d+) \(priority (\d+)\)", x)] if m]
        put = [int(m.group(1)) for x in window
               for m in [re.search(r"producer: put item \d+ \(priority (\d+)\)", x)] if m]
        self.assertGreaterEqual(len(taken), 5, window)
        out_of_order = sum(1 for a, b2 in zip(taken, taken[1:]) if b2[0] < a[0])
        self.assertGreater(out_of_order, 0, taken)
        mean_taken = sum(p for _, p in taken) / len(taken)
        mean_put = sum(put) / len(put)
        self.assertGreater(mean_taken, mean_put)
        note(d, "rate=20", "idle: %d consumers on not-empty, queued %d; rate 20: queued %d, no "
             "consumer slept; %d taken, %d out of arrival order, mean priority taken %.0f vs put %.0f"
             % (len(sleeping(idle)), values(idle)["queued"], values(busy)["queued"], len(taken),
                out_of_order, mean_taken, mean_put))
        note(d, "32 places", "producer waits on not-full, queued %d" % values(full)["queued"])
        run.check_clean(self)


def zombies_under(snap, pid):
    return [t for t in snap["tasks"] if t["ppid"] == pid and t["state"] == "Z"]


def events_of(run, kind, since=0):
    return [e for s in run.snapshots[since:] for e in s.get("events", []) if e["event"] == kind]


class Lifecycle(Lesson):
    def test_zombies(self):
        d = "zombies"
        run = self.start(d)
        z = self.wait(lambda s: len(zombies_under(s, self.pid)) == 3, "3 zombies")
        rss = [t["rss_kb"] for t in zombies_under(z, self.pid)]
        self.assertEqual(rss, [0, 0, 0])
        at = self.mark()
        run.send("signal %d USR1" % self.pid)
        codes = set()

        def reaped(s):
            for line in lines_of(s):
                m = re.search(r"parent: reaped pid \d+: exited with code (\d+)", line)
                if m:
                    codes.add(int(m.group(1)))
            return codes == {1, 2, 3}
        self.wait(reaped, "exit codes 1, 2, 3 printed", at)
        clean = self.wait(lambda s: not zombies_under(s, self.pid), "no Z row left", at)
        note(d, "SIGUSR1 reaps", "3 Z rows (rss_kb %s) -> codes %s printed, Z rows %d"
             % (rss, sorted(codes), len(zombies_under(clean, self.pid))))
        self.turn("count", 5)
        at = self.mark()
        run.send("signal %d USR1" % self.pid)
        five = self.wait(lambda s: len(zombies_under(s, self.pid)) == 5, "a new batch of 5", at)
        zpids = {t["pid"] for t in zombies_under(five, self.pid)}
        note(d, "again: new batch", "count=5 then SIGUSR1: %d Z rows" % len(zpids))
        at = self.mark()
        run.send("terminate %d" % self.pid)
        self.wait(lambda s: {e["pid"] for e in events_of(run, "reaped", at)
                             if e.get("by") == run.pid} >= zpids, "concmon reaping the 5", at)
        moved = {e["pid"] for e in events_of(run, "reparented", at) if e.get("parent") == run.pid}
        self.assertEqual(moved & zpids, zpids)
        left = [t for t in run.latest()["tasks"] if t["state"] == "Z"]
        self.assertEqual(left, [])
        note(d, "terminate the parent", "%d reparented to concmon (%d) and reaped by it; Z rows "
             "left: %d" % (len(moved & zpids), run.pid, len(left)))
        run.check_clean(self)

    def orphans_of(self, snap):
        return [t for t in snap["tasks"] if t["orphan"] and not t["exited"] and t["ppid"] == self.run_.pid
                and t["tid"] == t["pid"]]

    def test_orphans(self):
        d = "orphans"
        run = self.start(d)
        m, at = self.wait_line(r"\[(\d+)\] middle: started 3 children")
        middle = int(m.group(1))
        under = self.wait(lambda s: len([t for t in s["tasks"] if t["ppid"] == middle
                                         and t["tid"] == t["pid"] and not t["exited"]]) == 3,
                          "3 children under the middle process")
        adopted = self.wait(lambda s: len(self.orphans_of(s)) == 3, "3 orphans under concmon")
        self.assertEqual({t["former_ppid"] for t in self.orphans_of(adopted)}, {middle})
        self.wait_line(r"orphan \d: my parent died; adopted by PID %d" % run.pid)
        note(d, "watch the tree", "3 under middle %d (snapshot %d) -> 3 under concmon %d, "
             "former_ppid %d" % (middle, run.snapshots.index(under), run.pid, middle))
        victim = self.orphans_of(adopted)[0]["pid"]
        at = self.mark()
        run.send("signal %d KILL" % victim)
        self.wait(lambda s: any(e["event"] == "reaped" and e["pid"] == victim and e.get("by") == run.pid
                                for e in s.get("events", [])), "concmon reaping the orphan", at)
        gone = self.wait(lambda s: any(t["pid"] == victim and t["exited"] for t in s["tasks"]),
                         "the orphan listed as exited", at)
        t = [t for t in gone["tasks"] if t["pid"] == victim][0]
        self.assertEqual(t["exit_signal"], 9)
        note(d, "kill an orphan", "orphan %d: reaped by concmon, exit_signal %s"
             % (victim, t["exit_signal"]))
        run.stop()
        run = self.start(d + ",count=2,life_ms=3000")   # the middle leaves after 1 s
        _, at = self.wait_line(r"\[(\d+)\] middle: started 2 children")
        self.turn("count", 4)
        self.wait_line(r"orphan \d: lived my life, exiting", at)
        _, again = self.wait_line(r"all orphans are gone; a new round in 2 s", at)
        _, at2 = self.wait_line(r"\[(\d+)\] middle: started 4 children", again)
        four = self.wait(lambda s: len(self.orphans_of(s)) == 4, "4 orphans in the new round", at2)
        exits = [e for e in events_of(run, "exited") if e.get("exit_code") == 0]
        spawned = {e["pid"]: e["time"] for e in events_of(run, "spawned")}
        lives = sorted(round(e["time"] - spawned[e["pid"]], 1) for e in exits
                       if e["pid"] in spawned and e["comm"] == "orphan")
        self.assertTrue(lives and all(3.0 <= x < 20.0 for x in lives), lives)
        note(d, "count, life_ms", "count=2 life_ms=3000: orphans lived %s s; count=4 next round: "
             "%d orphans" % (lives, len(self.orphans_of(four))))
        run.check_clean(self)

    def shutdown_report(self, since):
        """Waits for one shutdown's report; returns ({child: status}, ms)."""
        m, end = self.wait_line(r"parent: all children stopped in (\d+) ms", since, 4 * DEADLINE)
        status = {}
        for line in self.all_lines(since, end + 1):
            r = re.search(r"parent: child (\d+) \(pid \d+\) (exited with code 0|killed by signal 9)",
                          line)
            if r:
                status[int(r.group(1))] = "0" if r.group(2).startswith("exited") else "KILL"
        return status, int(m.group(1)), end

    def test_graceful_shutdown(self):
        d = "graceful-shutdown"
        run = self.start(d, args=["-g", "10"])    # concmon's own KILL far after the demo's
        _, at = self.wait_line(r"parent: 4 children running")
        run.send("signal %d USR1" % self.pid)
        self.wait_line(r"sending SIGTERM to 4 children, grace period 2000 ms", at)
        status, ms, end = self.shutdown_report(at)
        self.assertEqual(status, {1: "0", 2: "0", 3: "0", 4: "KILL"})
        self.assertGreaterEqual(ms, 2000)
        _, again = self.wait_line(r"parent: 4 children running", end)
        gap = run.snapshots[again]["time"] - run.snapshots[end]["time"]
        note(d, "SIGUSR1", "children %s after %d ms; new children %.1f s later" % (status, ms, gap))
        self.turn("grace", 100)
        at = self.mark()
        run.send("signal %d USR1" % self.pid)
        status, ms, end = self.shutdown_report(at)
        self.assertEqual({c for c, v in status.items() if v == "KILL"} >= {2, 3, 4}, True, status)
        note(d, "grace=100", "children %s after %d ms (cleanups take 100, 200, 300 ms)" % (status, ms))
        _, again = self.wait_line(r"parent: 4 children running", end)
        self.turn("grace", 5000)
        at = self.mark()
        run.send("signal %d USR1" % self.pid)
        status, ms, end = self.shutdown_report(at)
        self.assertEqual(status, {1: "0", 2: "0", 3: "0", 4: "KILL"})
        self.assertGreaterEqual(ms, 5000)
        note(d, "grace=5000", "children %s after %d ms" % (status, ms))
        _, again = self.wait_line(r"parent: 4 children running", end)
        self.turn("grace", 2000)
        at = self.mark()
        run.send("terminate %d" % self.pid)
        self.wait_line(r"parent: SIGTERM received: stopping my children", at)
        status, ms, end = self.shutdown_report(at)
        self.assertEqual(status, {1: "0", 2: "0", 3: "0", 4: "KILL"})
        ended = self.wait(lambda s: any(e["event"] == "exited" and e["pid"] == self.pid
                                        for e in s.get("events", [])), "the demo exiting", at)
        code = [e for e in ended["events"] if e["event"] == "exited" and e["pid"] == self.pid][0]
        self.assertEqual(code["exit_code"], 0)
        self.assertFalse(events_of(run, "killed", at) and
                         [e for e in events_of(run, "killed", at) if e["pid"] == self.pid])
        note(d, "terminate the demo", "children %s after %d ms, then the demo exited with code %d"
             % (status, ms, code["exit_code"]))
        run.check_clean(self)


class Scaling(Lesson):
    def handlers(self, s):
        return len(threads_named(s, self.pid, "conn-handler"))

    def test_blocking_vs_eventloop(self):
        d = "blocking-vs-eventloop"
        self.start(d)

        def steady(threads, conns, rmin, rmax=10 ** 6):
            def ok(s):
                v = values(s)
                return (v.get("server_threads") == threads and v.get("connections") == conns
                        and rmin <= v.get("requests_per_s", -1) <= rmax)
            return ok
        per = self.wait(steady(9, 8, 40), "9 threads, 8 connections, >= 40 requests/s")
        self.assertEqual(self.handlers(per), 8)
        at = self.turn("eventloop", 1)
        loop = self.wait(steady(1, 8, 40), "1 thread, 8 connections, >= 40 requests/s", at)
        self.assertEqual(self.handlers(loop), 0)
        note(d, "eventloop=1", "thread per client: %d threads (%d conn-handler tasks), %d req/s -> "
             "epoll: %d thread, %d handlers, %d req/s"
             % (values(per)["server_threads"], self.handlers(per), values(per)["requests_per_s"],
                values(loop)["server_threads"], self.handlers(loop), values(loop)["requests_per_s"]))
        at = self.turn("period_ms", 1000)
        calm = self.wait(steady(1, 8, 1, 12), "period 1000 ms: about 8 requests/s", at + 5)
        note(d, "period_ms", "period_ms=1000: %d req/s (was %d at 100 ms)"
             % (values(calm)["requests_per_s"], values(loop)["requests_per_s"]))
        self.turn("period_ms", 100)
        self.turn("eventloop", 0)
        at = self.turn("clients", 100)
        many = self.wait(lambda s: values(s).get("server_threads") == 101
                         and values(s).get("connections") == 100, "101 threads", at)
        at = self.turn("eventloop", 1)
        one = self.wait(lambda s: values(s).get("server_threads") == 1
                        and values(s).get("connections") == 100, "1 thread for 100", at)
        note(d, "clients=100", "threads: %d (%d conn-handler tasks), %d req/s -> epoll: %d thread, "
             "%d req/s" % (values(many)["server_threads"], self.handlers(many),
                           values(many)["requests_per_s"], values(one)["server_threads"],
                           values(one)["requests_per_s"]))
        self.assertEqual(self.handlers(many), 100)
        self.run_.check_clean(self)


if __name__ == "__main__":
    main()
