"""Shared helpers for concmon's integration (batch) and e2e (tmux) tests.

Every wait here is a poll with a deadline: a test never sleeps a fixed time
to wait for a state. Tests are plain unittest files, run as `python3 FILE`;
ctest passes CONCMON (the binary), CONCMON_HELPERS (the helper programs'
directory) and CONCMON_SOURCE (the source tree) in the environment.
"""

import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

# Sanitizer reports and crashes that must never appear on concmon's stderr.
CRASH_PATTERNS = re.compile(
    r"(ERROR: \w*Sanitizer|WARNING: \w*Sanitizer|runtime error:|"
    r"LeakSanitizer|Segmentation fault|core dumped|Aborted)")

# How long a test waits for something that should take a few refreshes.
# Generous because the ASan build on a loaded 2-core machine is slow; a
# passing test never waits this long.
DEADLINE = 10.0


def _env_path(name):
    value = os.environ.get(name)
    if not value:
        sys.stderr.write(
            "%s is not set: run the tests through ctest (see README.md), or set "
            "CONCMON=path/to/concmon CONCMON_HELPERS=path/to/build/tests/helpers\n" % name)
        sys.exit(2)
    return value


def concmon_bin():
    """Path of the concmon binary under test (from $CONCMON)."""
    path = _env_path("CONCMON")
    if not os.access(path, os.X_OK):
        sys.stderr.write("CONCMON=%s is not an executable file\n" % path)
        sys.exit(2)
    return path


def helper(name):
    """Path of a helper program built from tests/helpers/NAME.c."""
    path = os.path.join(_env_path("CONCMON_HELPERS"), name)
    if not os.access(path, os.X_OK):
        raise AssertionError("helper %s not built at %s" % (name, path))
    return path


# The names tests/helpers/hostile.c takes: escape sequences that would
# move the cursor, recolour or retitle a terminal, control characters,
# quotes, invalid UTF-8, a C1 CSI, and a bidi override.
HOSTILE_COMM = b"\x1b[31m\x1b]2;X\x07\n\xff"     # 13 bytes: fits comm's 15
HOSTILE_ARGV0 = b"\x1b[H\x1b[2J\x1b]0;OWNED\x07hostile"
HOSTILE_ARGS = [b"line1\nline2", b"q\"u'o`te\\", b"bad\xff\xfeutf8", b"c1\xc2\x9b31mcsi",
                b"\x1b[41mBG\x1b[0m", b"tab\tcr\rdel\x7fbel\x07"]
HOSTILE_BIDI = b"\xe2\x80\xaeRLO"                # U+202E: reverses the rest of the line


class PollTimeout(AssertionError):
    """A polled condition did not hold before its deadline."""


def poll(fn, timeout=DEADLINE, interval=0.02, desc=None):
    """Calls fn() until it returns something truthy and returns that value.
    Raises PollTimeout naming desc (and fn's last result) at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise PollTimeout("timed out after %.2fs waiting for %s (last value: %r)"
                              % (timeout, desc or getattr(fn, "__name__", "condition"), last))
        time.sleep(interval)


# ---------------------------------------------------------------- /proc


def proc_stat(pid):
    """Parsed /proc/PID/stat as a dict (state, ppid, pgrp, session, start), or None
    when the process does not exist."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return None
    close = data.rfind(")")
    if close < 0:
        return None
    comm = data[data.find("(") + 1:close]
    fields = data[close + 2:].split()
    # fields[0] is field 3 (state) of proc(5).
    return {
        "pid": pid,
        "comm": comm,
        "state": fields[0],
        "ppid": int(fields[1]),
        "pgrp": int(fields[2]),
        "session": int(fields[3]),
        "start": int(fields[19]),
    }


def pid_state(pid):
    """The kernel state letter of pid, or None when it does not exist."""
    st = proc_stat(pid)
    return st["state"] if st else None


def pid_alive(pid, start=None):
    """True when pid exists and is not a zombie. With start (clock ticks
    from proc_stat), a recycled PID counts as dead."""
    st = proc_stat(pid)
    if st is None or st["state"] in ("Z", "X", "x"):
        return False
    if start is not None and st["start"] != start:
        return False
    return True


def pid_exists(pid, start=None):
    """True when pid exists in any state, zombies included (same start check)."""
    st = proc_stat(pid)
    if st is None:
        return False
    return start is None or st["start"] == start


def all_stats():
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st is not None:
                out[st["pid"]] = st
    return out


def children_of(pid):
    """PIDs of the processes whose parent is pid."""
    return sorted(p for p, st in all_stats().items() if st["ppid"] == pid)


def descendants_of(pid):
    """PIDs of every process below pid (not pid itself), from /proc/*/stat."""
    kids = {}
    for p, st in all_stats().items():
        kids.setdefault(st["ppid"], []).append(p)
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return sorted(out)


def is_descendant(pid, ancestor):
    """True when ancestor is among pid's parents, grandparents... now."""
    seen = 0
    while pid > 1 and seen < 4096:
        st = proc_stat(pid)
        if st is None:
            return False
        pid = st["ppid"]
        if pid == ancestor:
            return True
        seen += 1
    return False


def thread_ids(pid):
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        return []


def kill_quietly(pid, sig=signal.SIGKILL, start=None):
    """Sends sig to pid unless it is gone or was recycled. Never signals
    PID 1, this process or one of its ancestors."""
    if pid <= 1 or pid == os.getpid() or is_descendant(os.getpid(), pid):
        return
    if start is not None and not pid_exists(pid, start):
        return
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def check_no_crash(testcase, text, what="concmon's stderr"):
    m = CRASH_PATTERNS.search(text or "")
    testcase.assertIsNone(m, "crash or sanitizer report in %s:\n%s" % (what, text))


# ---------------------------------------------------------------- users


# ---------------------------------------------------------------- snapshots


def tasks_of(snap, **match):
    """Tasks of a snapshot whose fields equal every key=value given."""
    return [t for t in snap["tasks"]
            if all(t.get(k) == v for k, v in match.items())]


def task(snap, **match):
    """The single task matching, or None (several matches: the first)."""
    found = tasks_of(snap, **match)
    return found[0] if found else None


def live(snap):
    return [t for t in snap["tasks"] if not t["exited"]]


def processes(snap):
    """Main-thread rows (one per process)."""
    return [t for t in snap["tasks"] if t["tid"] == t["pid"]]


def events(run, pid=None, kind=None):
    """The events of every snapshot run printed so far, of pid and kind if given."""
    out = []
    for s in list(run.snapshots):
        for e in s.get("events", []):
            if (pid is None or e["pid"] == pid) and (kind is None or e["event"] == kind):
                out.append(e)
    return out


def log_events(path, pid=None, kind=None):
    """The events of a --log file (NDJSON), of pid and kind if given."""
    out = []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue  # the line being written
        if (pid is None or e["pid"] == pid) and (kind is None or e["event"] == kind):
            out.append(e)
    return out


def as_nobody(argv):
    """argv run as user nobody (setpriv execs it: the PID stays the same)."""
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + list(argv)


def nobody_can_run():
    """None when a test can run programs as user nobody, else why not."""
    if os.geteuid() != 0:
        return "needs root (to run a process as user nobody)"
    if not shutil.which("setpriv"):
        return "setpriv (util-linux) is missing"
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return "there is no user nobody"
    return None


class AsNobody:
    """A TestCase mixin: BatchRun starts concmon as user nobody (through a
    wrapper that execs it, so the PID stays concmon's)."""

    def setUp(self):
        self.tmp_nobody = tempfile.mkdtemp(prefix="concmon-nobody-")
        os.chmod(self.tmp_nobody, 0o755)
        wrapper = os.path.join(self.tmp_nobody, "concmon-as-nobody")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec %s \"$@\"\n"
                    % " ".join(shlex.quote(a) for a in as_nobody([concmon_bin()])))
        os.chmod(wrapper, 0o755)
        self.concmon_as_root = os.environ["CONCMON"]
        os.environ["CONCMON"] = wrapper
        self.addCleanup(self._restore_concmon)

    def _restore_concmon(self):
        os.environ["CONCMON"] = self.concmon_as_root
        shutil.rmtree(self.tmp_nobody, ignore_errors=True)


class BatchRun:
    """concmon -b --json -d DELAY [-n N] [ARGS] -- CMD..., read line by line.

    Snapshots are parsed as they arrive (a reader thread), so a test can wait
    for a state while concmon runs. stop() (also called by the context
    manager) kills concmon if it still runs and kills every process it ever
    reported that is still alive, so one failing test does not leak children
    into the next."""

    def __init__(self, cmd, iterations=None, delay=0.05, args=(), json_mode=True,
                 batch=True, env=None, commands=False, prefix=()):
        # prefix: a program concmon runs under (valgrind ...); it must keep
        # concmon's PID (exec it), so that self.pid is concmon.
        self.argv = list(prefix) + [concmon_bin()]
        if batch:
            self.argv.append("-b")
        if json_mode:
            self.argv.append("--json")
        self.argv += ["-d", str(delay)]
        if iterations is not None:
            self.argv += ["-n", str(iterations)]
        self.argv += list(args)
        if cmd:
            self.argv += ["--"] + list(cmd)
        self.json_mode = json_mode
        self.snapshots = []
        self.lines = []           # raw stdout lines
        self.bad_lines = []       # stdout lines that were not valid JSON
        self.line_times = []      # monotonic time each stdout line arrived
        self.seen = {}            # pid -> start ticks of every process reported
        self._stderr = []
        self._cond = threading.Condition()
        self._eof = False
        self.started_at = time.monotonic()
        # commands=True: stdin is a pipe for send() (batch-mode commands).
        self.proc = subprocess.Popen(self.argv,
                                     stdin=subprocess.PIPE if commands else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, start_new_session=True)
        self.pid = self.proc.pid
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "BatchRun(%s)" % " ".join(shlex.quote(a) for a in self.argv)

    # -- readers

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            now = time.monotonic()
            snap = None
            if self.json_mode:
                try:
                    snap = json.loads(line)
                except ValueError:
                    pass
            if snap is not None:
                # Remember start times while the processes surely exist, so
                # cleanup never hits a recycled PID. Only concmon's own
                # descendants: with --all the snapshot lists the whole system.
                for t in snap.get("tasks", []):
                    pid = t.get("pid")
                    if (isinstance(pid, int) and pid not in self.seen and not t.get("exited")
                            and is_descendant(pid, self.pid)):
                        st = proc_stat(pid)
                        if st is not None:
                            self.seen[pid] = st["start"]
            with self._cond:
                self.lines.append(line)
                self.line_times.append(now)
                if snap is not None:
                    self.snapshots.append(snap)
                elif self.json_mode:
                    self.bad_lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                self._stderr.append(raw.decode("utf-8", "replace"))
                self._cond.notify_all()

    # -- queries

    @property
    def stderr(self):
        with self._cond:
            return "".join(self._stderr)

    @property
    def stdout(self):
        with self._cond:
            return "".join(self.lines)

    def count(self):
        with self._cond:
            return len(self.snapshots)

    def latest(self):
        with self._cond:
            return self.snapshots[-1] if self.snapshots else None

    def wait_for(self, pred, timeout=DEADLINE, desc=None, since=0):
        """Returns the first snapshot (from index since on) for which
        pred(snapshot) is truthy. Fails at the deadline, or at once when
        concmon's output ends first."""
        deadline = time.monotonic() + timeout
        i = since
        with self._cond:
            while True:
                while i < len(self.snapshots):
                    snap = self.snapshots[i]
                    i += 1
                    if pred(snap):
                        return snap
                if self._eof:
                    raise AssertionError(
                        "concmon's output ended (exit %s) before %s\nlast snapshot: %s\nstderr:\n%s"
                        % (self.proc.poll(), desc or "the condition",
                           json.dumps(self.snapshots[-1]) if self.snapshots else None,
                           "".join(self._stderr)))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PollTimeout(
                        "timed out after %.2fs waiting for %s\nlast snapshot: %s\nstderr:\n%s"
                        % (timeout, desc or "the condition",
                           json.dumps(self.snapshots[-1]) if self.snapshots else None,
                           "".join(self._stderr)))
                self._cond.wait(min(left, 0.1))

    def wait_stderr(self, regex, timeout=DEADLINE):
        pat = re.compile(regex)
        return poll(lambda: pat.search(self.stderr), timeout, desc="stderr matching %r" % regex)

    def wait_exit(self, timeout=DEADLINE):
        """Waits for concmon to exit; returns its exit status (Popen style)."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("concmon did not exit within %.1fs; stderr:\n%s"
                                 % (timeout, self.stderr))
        self._out.join(5)
        self._err.join(5)
        return rc

    def signal(self, sig):
        os.kill(self.pid, sig)

    def send(self, line):
        """Writes one batch-mode command line to concmon's stdin."""
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def stop(self):
        """Kills concmon if it still runs, then every process it reported."""
        if self.proc.poll() is None:
            kill_quietly(self.pid, signal.SIGKILL)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for pid, start in list(self.seen.items()):
            kill_quietly(pid, signal.SIGKILL, start)
        self._out.join(5)
        self._err.join(5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if f is None:
                continue
            try:
                f.close()
            except OSError:
                pass

    def check_clean(self, testcase):
        """Asserts: no malformed JSON line and no crash report on stderr."""
        testcase.assertEqual(self.bad_lines, [], "stdout lines that are not JSON")
        check_no_crash(testcase, self.stderr)


def run_concmon(args, timeout=DEADLINE, input_text=None):
    """Runs concmon to completion; returns CompletedProcess with text output."""
    return subprocess.run([concmon_bin()] + list(args), input=input_text,
                          stdin=None if input_text is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------- tmux


# The system meters' lines above the header: a core's bar, Mem, Swp, the
# Uptime line under them, or the compact line of a small screen.
METER_LINE = re.compile(r"^(\s*\d+\[|Mem\[|Swp\[|CPU |\s+Uptime: )")


def header_line(lines):
    """The index of concmon's header line in a screen's lines: under the
    system meters (0 without them). None when there is no header or a line
    above it is not a meter line (something else drew there)."""
    for i, line in enumerate(lines):
        if line.startswith("concmon"):
            return i if all(METER_LINE.match(above) for above in lines[:i]) else None
    return None


class PaneMixin:
    """For a unittest.TestCase that runs concmon in a tmux pane (self.tmux):
    attach_concmon() waits for the pane's process to become concmon;
    cleanup() (register it with addCleanup) kills the pane, waits for
    concmon to go, kills every process it had below it and fails on any
    sanitizer report. self.known maps the PIDs to kill to start times.
    open_pane() does all of it for `concmon -d 0.2 ARGS [-- COMMAND]`."""

    def open_pane(self, args=(), command=(), width=120, height=40, term="screen"):
        argv = [concmon_bin(), "-d", "0.2"] + list(args)
        if command:
            argv += ["--"] + list(command)
        self.tmux = Tmux(" ".join(shlex.quote(a) for a in argv), width, height, term=term)
        self.known = {}
        self.addCleanup(self.cleanup)
        self.attach_concmon()

    def attach_concmon(self):
        self.known = getattr(self, "known", {})
        self.concmon = self.tmux.pane_pid()
        # The pane runs `exec env ... concmon`: wait for the last exec.
        poll(lambda: (proc_stat(self.concmon) or {}).get("comm") == "concmon",
             desc="the pane's process to become concmon")
        self.concmon_start = proc_stat(self.concmon)["start"]

    def remember(self):
        """Records concmon's descendants now, to kill at cleanup."""
        for p in descendants_of(self.concmon):
            st = proc_stat(p)
            if st:
                self.known.setdefault(p, st["start"])

    def cleanup(self):
        self.remember()
        self.tmux.kill_server()   # SIGHUP to concmon, if it still runs
        try:
            poll(lambda: not pid_exists(self.concmon, self.concmon_start), timeout=10,
                 desc="concmon gone after the tmux server was killed")
            # Reports written at exit (LeakSanitizer) are there only now.
            reports = self.tmux.sanitizer_reports()
        finally:
            self.tmux.close()
            for p, s in self.known.items():
                if p != self.concmon:
                    kill_quietly(p, signal.SIGKILL, s)
        self.assertEqual(reports, "", "sanitizer reports")


class Tmux:
    """One concmon screen in a private tmux server (own socket), so tests
    never touch a user's tmux and everything is cleaned up by kill-server.
    The program sees TERM=screen (tmux's classic default) unless term says
    otherwise; its terminfo decides how curses reads the mouse: screen and
    tmux-256color the X10 form (ESC [ M b x y), xterm-256color SGR (ESC [ <
    b ; x ; y M). click() and wheel() write what the TERM given expects."""

    _count = 0

    def __init__(self, command, width=120, height=40, cwd=None, term="screen"):
        self.term = term
        Tmux._count += 1
        self.name = "concmon-test-%d-%d" % (os.getpid(), Tmux._count)
        self.socket = self.name
        self.tmpdir = tempfile.mkdtemp(prefix="concmon-e2e-")
        # Sanitizer reports go to files: the pane disappears with concmon.
        env = {
            "ASAN_OPTIONS": self._opts("ASAN_OPTIONS", "log_path=%s/asan" % self.tmpdir),
            "UBSAN_OPTIONS": self._opts("UBSAN_OPTIONS",
                                        "log_path=%s/ubsan:print_stacktrace=1" % self.tmpdir),
            "TERM": term,
        }
        prefix = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        self.command = "exec env %s %s" % (prefix, command)
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                   *(["-c", cwd] if cwd else []), self.command)

    @staticmethod
    def _opts(var, extra):
        old = os.environ.get(var, "")
        return (old + ":" + extra) if old else extra

    def _tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True, timeout=10)
        if check and r.returncode != 0:
            raise AssertionError("tmux %s failed: %s" % (" ".join(args), r.stderr.strip()))
        return r

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def alive(self):
        return self._tmux("has-session", "-t", self.name, check=False).returncode == 0

    def pane_pid(self):
        r = self._tmux("display-message", "-p", "-t", self.name, "#{pane_pid}")
        return int(r.stdout.strip())

    def screen(self):
        """The visible screen as text (lines joined by newlines)."""
        r = self._tmux("capture-pane", "-p", "-t", self.name, check=False)
        if r.returncode != 0:
            return ""
        return r.stdout

    def wait_screen(self, regex, timeout=DEADLINE, flags=re.M):
        """Polls the screen until regex matches; returns the match."""
        pat = re.compile(regex, flags)
        last = [""]

        def check():
            last[0] = self.screen()
            return pat.search(last[0])
        try:
            return poll(check, timeout, interval=0.05, desc="screen matching %r" % regex)
        except PollTimeout as e:
            raise PollTimeout("%s\n--- screen ---\n%s--- end ---" % (e, last[0]))

    def wait_no_screen(self, regex, timeout=DEADLINE, flags=re.M):
        pat = re.compile(regex, flags)
        last = [""]

        def check():
            last[0] = self.screen()
            return not pat.search(last[0])
        try:
            return poll(check, timeout, interval=0.05, desc="screen without %r" % regex)
        except PollTimeout as e:
            raise PollTimeout("%s\n--- screen ---\n%s--- end ---" % (e, last[0]))

    def send(self, *keys):
        """tmux send-keys: names like Enter, F1, Up, or literal text."""
        self._tmux("send-keys", "-t", self.name, *keys)

    def send_literal(self, text):
        self._tmux("send-keys", "-l", "-t", self.name, "--", text)  # text may start with -

    def _mouse(self, button, x, y, release=False):
        """Writes one mouse report at 0-based cell (x, y) into the pane, as
        a terminal would after ESC [ ?1000 h (curses asks for it)."""
        if self.term.startswith("xterm"):
            self.send_literal("\x1b[<%d;%d;%d%s" % (button, x + 1, y + 1, "m" if release else "M"))
            return
        if x > 93 or y > 93:      # one byte each, printable ASCII (DEL is 127)
            raise ValueError("X10 mouse reports reach 0-based column and line 93 at most")
        self.send_literal("\x1b[M%c%c%c" % (32 + (3 if release else button), 33 + x, 33 + y))

    def click(self, x, y):
        """Button 1 pressed and released at 0-based (x, y)."""
        self._mouse(0, x, y)
        self._mouse(0, x, y, release=True)

    def wheel(self, x, y, up=False):
        """One notch of the wheel (down unless up) at 0-based (x, y)."""
        self._mouse(64 if up else 65, x, y)

    def resize(self, width, height):
        self._tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def sanitizer_reports(self):
        out = []
        for name in sorted(os.listdir(self.tmpdir)):
            if name.startswith(("asan", "ubsan")):
                with open(os.path.join(self.tmpdir, name), errors="replace") as f:
                    out.append("%s:\n%s" % (name, f.read()))
        return "\n".join(out)

    def kill_server(self):
        """Ends the session (the program in it gets SIGHUP)."""
        self._tmux("kill-server", check=False)

    def close(self):
        """kill_server(), then removes the sanitizer log directory."""
        self.kill_server()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def main():
    """unittest.main with verbose output; exits non-zero on any failure."""
    unittest.main(verbosity=2)
