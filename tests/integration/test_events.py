"""The lifecycle event log: batch JSON "events" and --log FILE, from the
kernel's proc connector when concmon may use it, else from snapshots."""

import json
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, tasks_of

SLOW = 20.0


def all_events(run):
    out = []
    for s in list(run.snapshots):
        out.extend(s.get("events", []))
    return out


def events_of(run, pid):
    return [e for e in all_events(run) if e["pid"] == pid]


class Events(unittest.TestCase):
    def test_zombie_lifecycle_in_order(self):
        with BatchRun(None, delay=0.1, args=["--demo", "zombies,count=2"], commands=True) as run:
            def zombies(s):
                progs = s.get("programs") or [{}]
                return [t for t in tasks_of(s, state="Z") if t["ppid"] == progs[0].get("pid")]
            snap = run.wait_for(lambda s: len(zombies(s)) >= 2, SLOW, "two zombies")
            parent = snap["programs"][0]["pid"]
            z = zombies(snap)[0]["pid"]
            run.wait_for(lambda s: "zombie" in [e["event"] for e in events_of(run, z)], SLOW,
                         "the zombie event")
            run.send("signal %d KILL" % parent)
            run.wait_for(lambda s: "reaped" in [e["event"] for e in events_of(run, z)], SLOW,
                         "the zombie reaped after its parent died")
            kinds = [e["event"] for e in events_of(run, z)]
            order = ["spawned", "exited", "zombie", "reparented", "reaped"]
            positions = [kinds.index(k) for k in order]
            self.assertEqual(positions, sorted(positions), kinds)
            reaped = [e for e in events_of(run, z) if e["event"] == "reaped"][0]
            self.assertEqual(reaped["by"], run.pid, "concmon, the subreaper, reaped it")
            moved = [e for e in events_of(run, z) if e["event"] == "reparented"][0]
            self.assertEqual(moved["former_parent"], parent)
            sent = [e for e in events_of(run, parent) if e["event"] == "signal"]
            self.assertTrue(sent and sent[0]["signal"] == 9 and sent[0]["result"] == "ok", sent)
            seqs = [e["seq"] for e in all_events(run)]
            self.assertEqual(seqs, sorted(set(seqs)), "each event reported once, in order")
            run.check_clean(self)

    @unittest.skipUnless(os.geteuid() == 0, "the proc connector needs root")
    def test_a_process_living_a_millisecond_is_logged(self):
        # Five children that live about a millisecond each, between two
        # snapshots half a second apart. (Their names may be gone by the
        # time concmon reads them, so they are counted by parent.)
        script = "for i in 1 2 3 4 5; do /bin/true; done; exec sleep 30"
        with BatchRun(["sh", "-c", script], delay=0.5) as run:
            snap = run.wait_for(lambda s: s.get("programs"), SLOW, "the program")
            sh = snap["programs"][0]["pid"]

            def children(_):
                return [e["pid"] for e in all_events(run)
                        if e["event"] == "spawned" and e["parent"] == sh]
            run.wait_for(lambda s: len(children(s)) >= 5, SLOW, "five children spawned by sh")
            for pid in children(None):
                run.wait_for(lambda s: "exited" in [x["event"] for x in events_of(run, pid)],
                             SLOW, "the exit of %d" % pid)
                mine = events_of(run, pid)
                self.assertTrue(all(x["exact"] for x in mine
                                    if x["event"] in ("spawned", "exec", "exited")), mine)
                self.assertEqual([x["exit_code"] for x in mine if x["event"] == "exited"], [0])

    def test_signal_results_and_stop_continue(self):
        with BatchRun(["sleep", "30"], delay=0.05, commands=True) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep"), SLOW, "the sleep")
            pid = tasks_of(snap, comm="sleep")[0]["pid"]
            run.send("signal %d STOP" % pid)
            run.wait_for(lambda s: "stopped" in [e["event"] for e in events_of(run, pid)], SLOW,
                         "a stopped event")
            run.send("signal %d CONT" % pid)
            run.wait_for(lambda s: "continued" in [e["event"] for e in events_of(run, pid)], SLOW,
                         "a continued event")
            run.send("signal 4194303 TERM")
            run.wait_for(lambda s: [e for e in events_of(run, 4194303) if e["event"] == "signal"],
                         SLOW, "the failed signal event")
            failed = [e for e in events_of(run, 4194303) if e["event"] == "signal"][0]
            self.assertEqual(failed["result"], "No such process")

    def test_log_file_is_private_ndjson(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "events.ndjson")
            with BatchRun(["sh", "-c", "exit 4"], delay=0.05, iterations=20,
                          args=["--log", path]) as run:
                self.assertEqual(run.wait_exit(), 0)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                lines = [json.loads(l) for l in f]
            exits = [e for e in lines if e["event"] == "exited"]
            self.assertTrue(exits and exits[0]["exit_code"] == 4, lines)
            self.assertIn("reaped", [e["event"] for e in lines])

    def test_log_file_that_cannot_be_opened_is_an_error(self):
        with BatchRun(None, iterations=2, args=["--log", "/nonexistent/dir/x.log"]) as run:
            self.assertEqual(run.wait_exit(), 1)
            self.assertIn("/nonexistent/dir/x.log", run.stderr)


if __name__ == "__main__":
    main()
