"""Faults concmon must survive, in batch mode: a fork storm, a child that
closes its output at once, one that stops itself, one with 5000 threads, a
signal to a process that is gone (and whose PID was given to someone else),
hostile command names, private files, and running without root.
(SIGKILL of concmon, signals to concmon, a child ignoring SIGTERM and a
100 MB writer are in test_stop.py and test_output.py.)"""

import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (HOSTILE_ARGS, HOSTILE_ARGV0, HOSTILE_BIDI, HOSTILE_COMM, AsNobody,
                          BatchRun, as_nobody, check_no_crash, concmon_bin, descendants_of, events,
                          helper, kill_quietly, main, nobody_can_run, pid_exists, poll, proc_stat,
                          tasks_of)

SLOW = 60.0       # deadline for a state that needs thousands of processes or threads
MARGIN = 3.0      # what quitting may take beyond the grace period


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    """utime + stime of pid, in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def tree(run):
    """pid -> start ticks of everything below concmon now (its guardian too)."""
    out = {}
    for p in descendants_of(run.pid):
        st = proc_stat(p)
        if st is not None:
            out[p] = st["start"]
    return out


def left_over(procs):
    """The processes of procs that still exist (zombies included), with their stat."""
    return {p: proc_stat(p) for p, s in procs.items() if pid_exists(p, s)}


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def program_pids(snap):
    return [p["pid"] for p in snap.get("programs", [])]


class QuitCase(unittest.TestCase):
    """Quits concmon with a signal and checks that nothing it had is left."""

    def quit_and_check(self, run, grace, sig=signal.SIGTERM):
        procs = tree(run)
        procs.update(run.seen)
        t0 = time.monotonic()
        run.signal(sig)
        try:
            rc = run.wait_exit(timeout=grace + MARGIN + 30)
        finally:
            took = time.monotonic() - t0
        self.assertEqual(rc, 128 + sig, run.stderr)
        self.assertLessEqual(took, grace + MARGIN,
                             "concmon took %.2fs to quit (grace %.1fs)" % (took, grace))
        try:
            # concmon has exited: what it stopped is reaped already, but a
            # process its guardian kills may take a moment to disappear.
            poll(lambda: not left_over(procs), timeout=2, desc="nothing left")
        except AssertionError:
            pass
        left = left_over(procs)
        for p, s in procs.items():
            kill_quietly(p, signal.SIGKILL, s)
        self.assertEqual(left, {}, "left after concmon quit (zombies count), out of %d"
                         % len(procs))
        run.check_clean(self)
        return took


class ForkStorm(QuitCase):
    def test_2000_forks_as_fast_as_possible(self):
        n, delay, grace = 2000, 0.2, 1.0
        with BatchRun([helper("forker"), str(n)], delay=delay, args=["-g", str(grace)]) as run:
            def all_there(s):
                live = [t for t in s["tasks"] if not t["exited"] and t["tid"] == t["pid"]]
                return len(live) >= n + 1 and s["summary"]["processes"] >= n + 1
            first = run.wait_for(all_there, SLOW, "forker and its %d children in a snapshot" % n)
            since = run.snapshots.index(first)
            # The storm's output arrives too (forker prints once all are forked).
            run.wait_for(lambda s: any(o["line"] == "forked %d" % n for o in s.get("output", [])),
                         SLOW, "forker's 'forked %d' line" % n)
            run.wait_for(lambda s: len(run.snapshots) >= since + 15, SLOW,
                         "15 more snapshots with %d processes" % n)
            with run._cond:
                times = list(run.line_times)
            g = gaps(times)
            mean = sum(g) / len(g)
            self.assertLessEqual(mean, 2 * delay,
                                 "snapshots every %.3fs on average (asked %.2fs), gaps %s"
                                 % (mean, delay, ["%.2f" % x for x in g]))
            self.assertLessEqual(max(g), max(1.5, 5 * delay),
                                 "the longest gap between snapshots (%.2fs)" % max(g))
            rss = rss_kb(run.pid)
            self.assertLess(rss, 96 * 1024, "concmon's RSS with %d processes: %d KiB" % (n, rss))
            self.assertGreaterEqual(len(tree(run)), n + 1)
            self.quit_and_check(run, grace)


class ClosedOutput(unittest.TestCase):
    def test_child_closing_stdout_and_stderr_at_once(self):
        cmd = ["sh", "-c", "exec >&- 2>&-; exec sleep 300"]
        with BatchRun(cmd, delay=0.1, commands=True) as run:
            snap = run.wait_for(lambda s: tasks_of(s, cmdline="sleep 300", state="S"),
                                desc="the sleep with its output closed")
            pid = tasks_of(snap, cmdline="sleep 300")[0]["pid"]
            self.assertEqual(program_pids(snap), [pid], "still listed as a launched program")
            # Both pipes are at end of file: concmon must not spin on them.
            c0, t0, n0 = cpu_ticks(run.pid), time.monotonic(), run.count()
            run.wait_for(lambda s: run.count() >= n0 + 10, desc="10 more snapshots")
            used = (cpu_ticks(run.pid) - c0) / os.sysconf("SC_CLK_TCK")
            wall = time.monotonic() - t0
            self.assertLess(used / wall, 0.3, "concmon used %.0f%% of a CPU over %.1fs"
                            % (100 * used / wall, wall))
            run.send("terminate %d" % pid)
            snap = run.wait_for(lambda s: tasks_of(s, pid=pid, exited=True), desc="the sleep ended")
            self.assertEqual(tasks_of(snap, pid=pid)[0]["exit_signal"], signal.SIGTERM)
            run.check_clean(self)


class SelfStopped(QuitCase):
    def test_child_stopping_itself_is_shown_T_and_ends_at_quit_without_the_grace(self):
        grace = 10.0
        cmd = ["sh", "-c", "kill -STOP $$; exec sleep 300"]
        with BatchRun(cmd, delay=0.1, args=["-g", str(grace)]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sh", state="T"),
                                desc="the sh stopped by its own SIGSTOP, state T")
            self.assertEqual(snap["summary"]["stopped"], 1, snap["summary"])
            pid = tasks_of(snap, comm="sh")[0]["pid"]
            self.assertEqual(proc_stat(pid)["state"], "T", "the kernel agrees")
            # SIGTERM to a stopped process waits for SIGCONT: concmon sends
            # SIGCONT after SIGTERM, so it ends at once, not after the grace.
            t0 = time.monotonic()
            self.quit_and_check(run, grace, signal.SIGINT)
            self.assertLess(time.monotonic() - t0, grace / 2,
                            "the stopped child ended on SIGTERM + SIGCONT, before SIGKILL")


class TerminateStopped(unittest.TestCase):
    def test_terminate_a_stopped_process_ends_it_by_sigterm_not_the_grace(self):
        with BatchRun(["sleep", "300"], delay=0.05, commands=True, args=["-g", "10"]) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep"), desc="the sleep")
            pid = tasks_of(snap, comm="sleep")[0]["pid"]
            run.send("signal %d STOP" % pid)
            run.wait_for(lambda s: tasks_of(s, pid=pid, state="T"), desc="the sleep stopped")
            t0 = time.monotonic()
            run.send("terminate %d" % pid)
            done = run.wait_for(lambda s: [t for t in tasks_of(s, pid=pid) if t["exited"]],
                                timeout=5, desc="the stopped sleep ended")
            self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(tasks_of(done, pid=pid)[0]["exit_signal"], signal.SIGTERM)


class ManyThreads(QuitCase):
    def test_5000_threads(self):
        n, delay, grace = 5000, 0.2, 1.0
        with BatchRun([helper("threads"), str(n)], delay=delay, args=["-g", str(grace)]) as run:
            def all_there(s):
                procs = tasks_of(s, comm="threads")
                return (procs and procs[0]["threads"] == n
                        and len([t for t in s["tasks"] if t["pid"] == procs[0]["pid"]]) == n)
            first = run.wait_for(all_there, SLOW, "a process with %d thread rows" % n)
            since = run.snapshots.index(first)
            self.assertGreaterEqual(first["summary"]["threads"], n)
            run.wait_for(lambda s: len(run.snapshots) >= since + 10, SLOW, "10 more snapshots")
            with run._cond:
                g = gaps(run.line_times[since:])
            mean = sum(g) / len(g)
            self.assertLessEqual(mean, 3 * delay, "snapshots every %.3fs with %d threads "
                                 "(asked %.2fs)" % (mean, n, delay))
            rss = rss_kb(run.pid)
            self.assertLess(rss, 128 * 1024, "concmon's RSS with %d threads: %d KiB" % (n, rss))
            self.quit_and_check(run, grace)


NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"


def recycle_pid(pid, tries=200):
    """Starts `sleep 300` with exactly the PID pid (root: ns_last_pid), or
    returns None. The caller kills what it gets. PIDs are handed out from
    where they were before afterwards, so no other test sees them reused."""
    try:
        with open(NS_LAST_PID) as f:
            was = int(f.read())
    except (OSError, ValueError):
        return None
    try:
        for _ in range(tries):
            try:
                with open(NS_LAST_PID, "w") as f:
                    f.write(str(pid - 1))
            except OSError:
                return None
            p = subprocess.Popen(["sleep", "300"], start_new_session=True)
            if p.pid == pid:
                return p
            p.kill()
            p.wait()
        return None
    finally:
        try:
            with open(NS_LAST_PID, "w") as f:
                f.write(str(max(was, pid)))
        except OSError:
            pass


class SignalAfterReap(unittest.TestCase):
    def test_signal_to_a_reaped_process_is_esrch_and_never_hits_its_recycled_pid(self):
        with BatchRun(["sleep", "300"], delay=0.05, commands=True) as run:
            snap = run.wait_for(lambda s: tasks_of(s, comm="sleep", exited=False), desc="the sleep")
            pid = tasks_of(snap, comm="sleep")[0]["pid"]
            run.send("signal %d KILL" % pid)
            run.wait_for(lambda s: events(run, pid, "reaped"), desc="the sleep reaped")

            def failed_signals():
                return [e for e in events(run, pid, "signal") if e["signal"] == signal.SIGTERM]
            run.send("signal %d TERM" % pid)
            run.wait_stderr(r"signal %d TERM: No such process" % pid)
            run.wait_for(lambda s: failed_signals(), desc="the failed signal in the event log")
            self.assertEqual(failed_signals()[0]["result"], "No such process")

            decoy = recycle_pid(pid)
            if decoy is None:
                self.skipTest("cannot hand PID %d to another process (needs root and a "
                              "writable /proc/sys/kernel/ns_last_pid)" % pid)
            try:
                for cmd in ("signal %d TERM" % pid, "terminate %d" % pid,
                            "signal %d KILL" % pid):
                    esrch = re.escape(cmd) + ": No such process"
                    before = len(re.findall(esrch, run.stderr))
                    run.send(cmd)
                    try:
                        poll(lambda: len(re.findall(esrch, run.stderr)) > before
                             or decoy.poll() is not None, desc="concmon's answer to %r" % cmd)
                    except AssertionError:
                        pass
                    self.assertIsNone(decoy.poll(), "%r after the sleep was reaped killed the "
                                      "unrelated process that got its PID (exit %s)"
                                      % (cmd, decoy.returncode))
                    self.assertRegex(run.stderr, esrch, "%r answered with ESRCH" % cmd)
                # Nothing concmon does later touches it either (terminate's SIGKILL
                # would come after the grace period, or at quit).
                run.signal(signal.SIGTERM)
                self.assertEqual(run.wait_exit(), 128 + signal.SIGTERM, run.stderr)
                self.assertIsNone(decoy.poll(), "concmon's quit killed the recycled PID")
            finally:
                decoy.kill()
                decoy.wait()
            run.check_clean(self)


# ------------------------------------------------------------ hostile telemetry

class ScribbledTelemetry(QuitCase):
    """A program that overwrites its telemetry segment with random bytes
    while concmon reads it (every 20 ms here; every other round keeps the
    header valid so the reader gets into the records): concmon says the
    segment is corrupt, goes on, and its reports stay valid JSON. In the ASan
    build an out-of-bounds read would end the run with a report."""

    def test_random_bytes_while_concmon_reads(self):
        with BatchRun([helper("scribble")], delay=0.02, args=["-g", "1"]) as run:
            def corrupt(s):
                return any(p["telemetry"] != "probe" and
                           (p["error"] or "").startswith("corrupt telemetry")
                           for p in s.get("programs", []))
            run.wait_for(corrupt, desc="the segment reported corrupt")
            n = run.count()
            run.wait_for(lambda s: run.count() >= n + 200, timeout=60,
                         desc="200 more reads of the moving bytes")
            snaps = list(run.snapshots)
            bad = sum(1 for s in snaps if corrupt(s))
            sys.stderr.write("\nscribble: %d reports, %d with the segment corrupt\n"
                             % (len(snaps), bad))
            self.assertEqual(run.bad_lines, [])
            self.assertIsNone(run.proc.poll(), "concmon still running")
            self.quit_and_check(run, grace=1.0)


# ------------------------------------------------------------ hostile names

COMM, ARGV0, ARGS, BIDI = HOSTILE_COMM, HOSTILE_ARGV0, HOSTILE_ARGS, HOSTILE_BIDI


def hostile_argv(extra=()):
    return [helper("hostile"), COMM, ARGV0] + ARGS + list(extra)


def expected_cmdline(extra=()):
    return b" ".join([ARGV0, b"--named", COMM] + ARGS + list(extra))


class RawRun:
    """concmon's stdout as raw bytes, read line by line until until(lines)
    holds (or the deadline), then concmon is stopped with SIGTERM."""

    def __init__(self, args, until, timeout=20.0):
        self.proc = subprocess.Popen([concmon_bin()] + list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.lines, self.err = [], b""
        err_reader = threading.Thread(target=self._read_err, daemon=True)
        err_reader.start()
        deadline = time.monotonic() + timeout
        self.found = False
        seen = {}
        try:
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.lines.append(line)
                for p in descendants_of(self.proc.pid):
                    st = proc_stat(p)
                    if st:
                        seen.setdefault(p, st["start"])
                if until(self.lines):
                    self.found = True
                    break
        finally:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            rest, _ = self.proc.communicate(timeout=30)
            self.lines += rest.splitlines(keepends=True)
            err_reader.join(5)
            for p, s in seen.items():
                kill_quietly(p, signal.SIGKILL, s)

    def _read_err(self):
        self.err = self.proc.stderr.read()

    @property
    def stdout(self):
        return b"".join(self.lines)


def c1_controls(text):
    return [c for c in text if 0x80 <= ord(c) <= 0x9f]


class HostileNames(unittest.TestCase):
    def hostile_task(self, snap):
        for t in snap["tasks"]:
            # "exe" until it renames itself (it re-executed /proc/self/exe).
            if (t["tid"] == t["pid"] and "--named" in t["cmdline"]
                    and t["comm"] not in ("hostile", "exe")):
                return t
        return None

    def json_run(self, extra=()):
        def renamed(lines):
            try:
                return self.hostile_task(json.loads(lines[-1]))
            except ValueError:
                return True  # stop: the test reports the bad line
        run = RawRun(["-b", "--json", "-d", "0.05", "--"] + hostile_argv(extra), renamed)
        check_no_crash(self, run.err.decode("utf-8", "replace"))
        self.assertTrue(run.found, "no snapshot showed the renamed hostile process:\n%r"
                        % run.stdout[-3000:])
        return run

    def test_json_lines_are_valid_and_round_trip_the_names(self):
        run = self.json_run()
        snaps = []
        for i, raw in enumerate(run.lines):
            self.assertTrue(raw.endswith(b"\n"), "line %d is cut: %r" % (i, raw[-200:]))
            body = raw[:-1]
            bad = sorted({b for b in body if b < 0x20 or b == 0x7f})
            self.assertEqual(bad, [], "raw control bytes in JSON line %d: %r" % (i, body[:400]))
            text = body.decode("utf-8")   # strict: concmon writes valid UTF-8
            snaps.append(json.loads(text))
        t = [self.hostile_task(s) for s in snaps if self.hostile_task(s)][-1]
        self.assertEqual(t["comm"], COMM.decode("utf-8", "replace"),
                         "comm: control characters round-trip, invalid bytes become U+FFFD")
        self.assertEqual(t["cmdline"], expected_cmdline().decode("utf-8", "replace"))

    def test_json_has_no_c1_controls(self):
        # U+009B is CSI on terminals that honour C1 controls: JSON printed
        # on a terminal must not carry it raw (\u009b is the same string).
        run = self.json_run()
        for i, raw in enumerate(run.lines):
            text = raw.decode("utf-8", "replace")
            self.assertEqual(c1_controls(text), [],
                             "C1 control characters raw in JSON line %d: %r" % (i, text[:300]))
        t = self.hostile_task(json.loads(run.lines[-1]))
        self.assertIn("c1\x9b31mcsi", t["cmdline"], "and the string still round-trips")

    def test_text_batch_shows_them_escaped(self):
        def renamed(lines):
            return any(b"--named" in l and b"\\e[31m" in l for l in lines)
        run = RawRun(["-b", "-d", "0.05", "--"] + hostile_argv(), renamed)
        check_no_crash(self, run.err.decode("utf-8", "replace"))
        out = run.stdout
        self.assertTrue(run.found, "no row with the escaped name:\n%r" % out[-3000:])
        self.assertNotIn(b"\x1b", out, "an ESC byte reached stdout")
        bad = sorted({b for b in out if (b < 0x20 and b != 0x0a) or b == 0x7f})
        self.assertEqual(bad, [], "raw control bytes in the text output")
        text = out.decode("utf-8")    # invalid bytes are shown as \xNN, never raw
        self.assertEqual(c1_controls(text), [], "C1 controls in the text output")
        row = [l for l in text.splitlines() if "--named" in l][-1]
        for shown in (r"\e[H\e[2J\e]0;OWNED\x07hostile", r"\e[31m\e]2;X\x07\n\xff",
                      r"line1\nline2", "q\"u'o`te\\", r"bad\xff\xfeutf8", r"c1\x9b31mcsi",
                      r"\e[41mBG\e[0m", r"tab\tcr\rdel\x7fbel\x07"):
            self.assertIn(shown, row, "the row shows %s" % shown)

    def test_text_batch_escapes_bidi_controls(self):
        # U+202E reorders what follows it on the line; the TUI shows it as
        # '?'. Text batch output goes to terminals too.
        def renamed(lines):
            return any(b"--named" in l and b"\\e[31m" in l for l in lines)
        run = RawRun(["-b", "-d", "0.05", "--"] + hostile_argv([BIDI]), renamed)
        self.assertTrue(run.found, "no row with the escaped name")
        self.assertNotIn("\u202e", run.stdout.decode("utf-8"),
                         "U+202E (right-to-left override) raw in the text output")


# ------------------------------------------------------------ privacy, no root

def nobody_open(path, mode="r"):
    """Opens path as user nobody; returns the errno name or 'ok'."""
    code = ("import os,sys,errno\n"
            "try:\n"
            "    fd = os.open(sys.argv[1], os.O_RDONLY if sys.argv[2] == 'r' else os.O_WRONLY)\n"
            "    print('ok')\n"
            "except OSError as e:\n"
            "    print(errno.errorcode.get(e.errno, e.errno))\n")
    r = subprocess.run(as_nobody([sys.executable, "-c", code, path, mode]),
                       capture_output=True, text=True, timeout=20)
    return r.stdout.strip() or r.stderr.strip()


def memfd_fds(pid):
    """fd numbers of pid that are concmon's telemetry memfd."""
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if "concmon-telemetry" in os.readlink("/proc/%d/fd/%s" % (pid, fd)):
                out.append(int(fd))
        except OSError:
            pass
    return out


class Privacy(unittest.TestCase):
    def test_log_file_is_0600_even_with_umask_000(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "events.ndjson")
            old = os.umask(0)
            try:
                with BatchRun(["true"], delay=0.05, iterations=5, args=["--log", path]) as run:
                    self.assertEqual(run.wait_exit(), 0, run.stderr)
            finally:
                os.umask(old)
            self.assertEqual(oct(stat.S_IMODE(os.stat(path).st_mode)), oct(0o600))

    @unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
    def test_telemetry_memfd_and_cgroup_are_not_reachable_by_another_user(self):
        with BatchRun(None, delay=0.1, args=["--demo", "semaphore"]) as run:
            snap = run.wait_for(lambda s: program_pids(s) and s["programs"][0].get("telemetry")
                                == "probe", 20, "the demo publishing telemetry")
            demo = program_pids(snap)[0]
            for who, pid in (("the demo", demo), ("concmon", run.pid)):
                fds = memfd_fds(pid)
                self.assertTrue(fds, "%s holds the telemetry memfd" % who)
                for fd in fds:
                    path = "/proc/%d/fd/%d" % (pid, fd)
                    self.assertEqual(nobody_open(path), "EACCES",
                                     "nobody opening %s (%s's memfd)" % (path, who))
            # The cgroup concmon made for its tree, if any: nobody may not kill it.
            with open("/proc/%d/cgroup" % demo) as f:
                rel = [l[3:].strip() for l in f if l.startswith("0::")]
            with open("/proc/self/mountinfo") as f:
                mounts = [l.split()[4] for l in f if " - cgroup2 " in l]
            if rel and mounts and rel[0] != "/":
                kill = os.path.join(mounts[0], rel[0].lstrip("/"), "cgroup.kill")
                if os.path.exists(kill):
                    self.assertEqual(nobody_open(kill, "w"), "EACCES",
                                     "nobody writing %s" % kill)
            run.check_clean(self)


@unittest.skipIf(nobody_can_run(), nobody_can_run() or "")
class WithoutRoot(AsNobody, unittest.TestCase):
    def test_other_users_processes_are_shown_and_signals_to_them_fail_with_eperm(self):
        decoy = subprocess.Popen(["sleep", "300"], start_new_session=True)
        self.addCleanup(lambda: (decoy.kill(), decoy.wait()))
        with BatchRun(None, delay=0.1, args=["-a"], commands=True) as run:
            snap = run.wait_for(lambda s: tasks_of(s, pid=decoy.pid), 20,
                                "root's sleep in the -a view")
            self.assertEqual(proc_stat(run.pid) and os.stat("/proc/%d" % run.pid).st_uid,
                             pwd.getpwnam("nobody").pw_uid, "concmon runs as nobody")
            self.assertTrue(tasks_of(snap, pid=os.getpid()), "this test (root) is shown too")
            run.send("signal %d TERM" % decoy.pid)
            run.wait_stderr(r"signal %d TERM: Operation not permitted" % decoy.pid)
            ev = run.wait_for(lambda s: events(run, decoy.pid, "signal"), desc="the signal event")
            self.assertEqual(events(run, decoy.pid, "signal")[0]["result"],
                             "Operation not permitted")
            run.send("terminate %d" % decoy.pid)
            run.wait_stderr(r"terminate %d: Operation not permitted" % decoy.pid)
            self.assertIsNone(decoy.poll(), "root's process is untouched")
            self.assertIsNotNone(ev)
            run.check_clean(self)


if __name__ == "__main__":
    main()
