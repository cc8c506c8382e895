"""Zombies stay visible under the parent that fails to wait for them;
orphans are adopted by concmon (the subreaper), marked, and reaped."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, main, pid_exists, pid_state, poll, proc_stat, tasks_of


class Zombie(unittest.TestCase):
    def test_unwaited_child_is_a_zombie_under_the_execd_parent(self):
        with BatchRun(["sh", "-c", "sleep 0.2 & exec sleep 5"]) as run:
            def zombie(snap):
                return [t for t in tasks_of(snap, state="Z") if t["comm"] == "sleep"]
            snap = run.wait_for(zombie, desc="a sleep in state Z")
            z = zombie(snap)[0]
            parent = tasks_of(snap, pid=z["ppid"])
            self.assertTrue(parent, "the zombie's parent is shown: %s" % snap)
            parent = parent[0]
            self.assertEqual(parent["cmdline"], "sleep 5", "the exec'd sleep is the parent")
            self.assertEqual(parent["ppid"], run.pid, "the exec'd sleep is concmon's child")
            self.assertFalse(parent["exited"])
            self.assertEqual(z["pid"], z["tid"])
            self.assertFalse(z["exited"], "a zombie is not an exited row yet")
            self.assertFalse(z["orphan"], z)
            self.assertEqual(proc_stat(z["pid"])["ppid"], parent["pid"])
            self.assertEqual(pid_state(z["pid"]), "Z", "the kernel agrees")
            self.assertGreaterEqual(snap["summary"]["zombies"], 1, snap["summary"])
            # concmon must not reap it for its parent: a second later it is
            # still a zombie, in the kernel and in the snapshot.
            t0 = snap["time"]
            later = run.wait_for(lambda s: s["time"] >= t0 + 1.0,
                                 desc="a snapshot one second later")
            still = tasks_of(later, pid=z["pid"])
            self.assertTrue(still and still[0]["state"] == "Z", later)
            self.assertEqual(pid_state(z["pid"]), "Z")
            run.check_clean(self)


    def test_signal_commands_to_a_zombie_say_who_must_reap_it(self):
        with BatchRun(["sh", "-c", "sleep 0.01 & exec sleep 30"], commands=True) as run:
            snap = run.wait_for(lambda s: tasks_of(s, state="Z"), desc="a zombie")
            z = tasks_of(snap, state="Z")[0]
            for cmd in ("terminate %d" % z["pid"], "signal %d KILL" % z["pid"]):
                with self.subTest(cmd=cmd):
                    run.send(cmd)
                    run.wait_stderr(r"%s: %d is a zombie: it has exited and cannot be killed; its "
                                    r"parent %d must reap it" % (cmd, z["pid"], z["ppid"]))
            self.assertEqual(pid_state(z["pid"]), "Z", "nothing reached it")
            run.check_clean(self)


class Orphan(unittest.TestCase):
    def test_orphan_is_adopted_with_its_former_parent(self):
        with BatchRun(["sh", "-c", "sleep 30 & sleep 0.5"]) as run:
            def launched(snap):
                return tasks_of(snap, ppid=run.pid, comm="sh")
            snap = run.wait_for(launched, desc="the launched sh")
            sh_pid = launched(snap)[0]["pid"]

            def adopted(snap):
                return [t for t in tasks_of(snap, comm="sleep", cmdline="sleep 30")
                        if t["ppid"] == run.pid and not t["exited"]]
            snap = run.wait_for(adopted, desc="sleep 30 re-parented to concmon")
            o = adopted(snap)[0]
            self.assertTrue(o["orphan"], o)
            self.assertEqual(o["former_ppid"], sh_pid, o)
            self.assertEqual(proc_stat(o["pid"])["ppid"], run.pid, "the kernel agrees")
            self.assertGreaterEqual(snap["summary"]["orphans"], 1, snap["summary"])
            sh_rows = tasks_of(snap, pid=sh_pid)
            if sh_rows:
                self.assertFalse(sh_rows[0]["orphan"], "the launched sh is no orphan")
            run.check_clean(self)

    def test_adopted_orphan_is_reaped_by_concmon(self):
        with BatchRun(["sh", "-c", "sleep 0.8 & sleep 0.2"]) as run:
            def adopted(snap):
                return [t for t in tasks_of(snap, cmdline="sleep 0.8")
                        if t["ppid"] == run.pid and t["orphan"]]
            snap = run.wait_for(adopted, desc="sleep 0.8 adopted")
            o = adopted(snap)[0]
            start = proc_stat(o["pid"])
            start = start["start"] if start else None

            def exited(snap):
                return [t for t in tasks_of(snap, pid=o["pid"]) if t["exited"]]
            snap = run.wait_for(exited, desc="the orphan shown as exited")
            row = exited(snap)[0]
            self.assertEqual(row["state"], "X", row)
            self.assertEqual(row["exit_code"], 0, "concmon reaped it, so it knows: %s" % row)
            self.assertIsNone(row["exit_signal"], row)
            poll(lambda: not pid_exists(o["pid"], start), timeout=2,
                 desc="the orphan reaped (no zombie left)")
            run.check_clean(self)


if __name__ == "__main__":
    main()
