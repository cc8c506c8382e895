"""The command line contract: options, errors (exit 2 + usage), --help,
--version, --list-keys, commands that cannot be executed, text batch mode."""

import os
import re
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (BatchRun, check_no_crash, main, pid_exists, poll, proc_stat,
                          run_concmon, tasks_of)

USAGE = re.compile(r"(?i)usage")
OPTIONS = ["-d", "--delay", "-a", "--all", "-b", "--batch", "--json", "-n", "--iterations",
           "-g", "--grace", "-h", "--help", "-V", "--version", "--list-keys", "--record",
           "--replay", "--theme"]


class BadOptions(unittest.TestCase):
    CASES = [
        # (arguments, a text the message must name)
        (["--bogus"], "--bogus"),
        (["--replay", "f", "--", "true"], "--replay shows a recording"),
        (["-z"], "z"),
        (["-d", "abc"], "abc"),
        (["-d", "-1"], "-1"),
        (["-d", "1x"], "1x"),
        (["-d"], "d"),
        (["--delay=abc"], "abc"),
        (["-n", "0"], "0"),
        (["-n", "abc"], "abc"),
        (["-n", "-3"], "-3"),
        (["-n", "2.5"], "2.5"),
        (["-g", "abc"], "abc"),
        (["-g", "-1"], "-1"),
        (["--json"], "--json"),
        (["--json", "-n", "1"], "--json"),
        (["--theme", "dark"], "dark"),
        (["--theme"], "--theme"),
        (["stray"], "stray"),
        (["-b", "stray", "--", "sleep", "1"], "stray"),
    ]

    def test_bad_options_exit_2_with_usage(self):
        for args, named in self.CASES:
            with self.subTest(args=args):
                r = run_concmon(args)
                self.assertEqual(r.returncode, 2, "exit status for %s; stderr: %s"
                                 % (args, r.stderr))
                self.assertRegex(r.stderr, USAGE, "usage on stderr for %s" % args)
                self.assertIn(named, r.stderr, "the message names the problem")
                self.assertEqual(r.stdout, "", "nothing on stdout for %s" % args)
                check_no_crash(self, r.stderr)

    def test_good_values_are_accepted(self):
        for args in (["-d", "0"], ["-d", "0.05"], ["--delay=0.05"], ["-g", "0"],
                     ["--grace", "1.5"], ["--iterations=1"], ["-a"], ["--theme", "projector"]):
            with self.subTest(args=args):
                full = ["-b", "--json", "-n", "1"] + args
                r = run_concmon(full)
                self.assertEqual(r.returncode, 0, "%s: %s" % (full, r.stderr))
                check_no_crash(self, r.stderr)


class Info(unittest.TestCase):
    def test_help_lists_every_option(self):
        for flag in ("-h", "--help"):
            with self.subTest(flag=flag):
                r = run_concmon([flag])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, USAGE)
                self.assertIn("concmon [OPTIONS] [-- COMMAND [ARGS...]]", r.stdout)
                for opt in OPTIONS:
                    self.assertRegex(r.stdout, r"(^|[\s,])%s\b" % re.escape(opt),
                                     "--help mentions %s" % opt)
                self.assertEqual(r.stderr, "")

    def test_version(self):
        for flag in ("-V", "--version"):
            with self.subTest(flag=flag):
                r = run_concmon([flag])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"^concmon \d+\.\d+\.\d+")
                self.assertEqual(len(r.stdout.splitlines()), 1, r.stdout)

    def test_list_keys(self):
        r = run_concmon(["--list-keys"])
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout
        # Every key of the contract appears with an action.
        for key in ("F1", "?", "F9", "Space", "F5", "H", "/", "\\", "F6", ":", "F7",
                    "F10", "q", "s", "c", "x", "t", "j", "k"):
            self.assertRegex(text, r"(^|[\s,/])%s([\s,/]|$)" % re.escape(key),
                             "--list-keys lists %r" % key)
        self.assertGreaterEqual(len(text.splitlines()), 10)


class CannotExecute(unittest.TestCase):
    def check_error(self, command, reason):
        with BatchRun([command, "arg"], iterations=8) as run:
            rc = run.wait_exit()
            self.assertEqual(rc, 0, "concmon keeps running to -n and exits 0: %s" % run.stderr)
            self.assertIn(command, run.stderr, "the error names the command")
            self.assertIn(reason, run.stderr, "the error gives the reason")
            self.assertEqual(len(run.snapshots), 8, "it kept running to -n 8")
            for snap in run.snapshots:
                live = [t for t in snap["tasks"] if not t["exited"]]
                self.assertEqual(live, [], "nothing left running: %s" % snap)
            run.check_clean(self)

    def test_missing_command(self):
        self.check_error("/nonexistent/concmon-no-such-command", "No such file or directory")

    def test_command_not_in_path(self):
        self.check_error("concmon-no-such-command-xyz", "No such file or directory")

    def test_not_executable(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "not-executable")
            with open(path, "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            self.check_error(path, "Permission denied")

    def test_text_batch_mode_reports_it_too(self):
        r = run_concmon(["-b", "-d", "0.05", "-n", "3", "--", "/nonexistent/cmd"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("/nonexistent/cmd", r.stderr)
        self.assertIn("No such file or directory", r.stderr)
        check_no_crash(self, r.stderr)


class TextBatch(unittest.TestCase):
    def test_plain_batch_prints_a_table_with_the_command(self):
        with BatchRun(["sleep", "300"], iterations=20, json_mode=False) as run:
            row_re = re.compile(r"^\s*(\d+)\b.*\bsleep 300", re.M)
            m = poll(lambda: row_re.search(run.stdout),
                     desc="a row starting with the sleep's PID")
            pid = int(m.group(1))
            st = proc_stat(pid)
            rc = run.wait_exit()
            self.assertEqual(rc, 0, run.stderr)
            out = run.stdout
            for col in ("PID", "PPID", "COMMAND"):
                self.assertIn(col, out, "column %s" % col)
            self.assertRegex(m.group(0), r"\b%d\b" % run.pid, "the row shows the PPID")
            if st is not None:
                self.assertFalse(pid_exists(pid, st["start"]), "the sleep is gone")
            first = out.splitlines()[0]
            self.assertFalse(first.lstrip().startswith("{"), "text, not JSON: " + first)
            check_no_crash(self, run.stderr)

    def test_batch_without_command_runs_and_exits(self):
        r = run_concmon(["-b", "--json", "-d", "0", "-n", "3"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 3, r.stdout)
        check_no_crash(self, r.stderr)


class Environment(unittest.TestCase):
    """concmon never changes its own environment: /proc/PID/environ shows
    what it was started with, to every observer, and the programs it
    launches see the user's GLIBC_TUNABLES (and nothing of concmon's)."""

    SHOW = ('printf "[%s][%s][%s]\\n" "${GLIBC_TUNABLES-unset}" '
            '"${CONCMON_HEAP_TUNABLES-unset}" "${CONCMON_HEAP_COMM-unset}"; sleep 30')

    def run_with(self, tunables):
        env = dict(os.environ)
        env.pop("GLIBC_TUNABLES", None)
        if tunables is not None:
            env["GLIBC_TUNABLES"] = tunables
        with BatchRun(["sh", "-c", self.SHOW], delay=0.05, env=env) as run:
            snap = run.wait_for(lambda s: any(l["line"].startswith("[")
                                              for l in s.get("output", [])),
                                desc="the program's line")
            line = [l["line"] for l in snap["output"] if l["line"].startswith("[")][0]
            with open("/proc/%d/environ" % run.pid, "rb") as f:
                started_with = [v for v in f.read().split(b"\0") if v]
            with open("/proc/%d/comm" % run.pid) as f:
                comm = f.read().strip()
            run.check_clean(self)
        # glibc's loader cuts GLIBC_TUNABLES in place at ':' in every program.
        given = [("%s=%s" % kv).encode() for kv in env.items()]
        given = b"\0".join(v.replace(b":", b"\0") if v.startswith(b"GLIBC_TUNABLES=") else v
                           for v in given).split(b"\0")
        return line, sorted(started_with), sorted(given), comm

    def check(self, tunables):
        line, started_with, given, comm = self.run_with(tunables)
        self.assertEqual(line, "[%s][unset][unset]" % (tunables or "unset"))
        self.assertEqual(started_with, given, "concmon's environment is the one it was given")
        self.assertEqual(comm, "concmon")

    def test_no_tunables(self):
        self.check(None)

    def test_the_users_tunables(self):
        self.check("glibc.malloc.check=0:glibc.malloc.perturb=0")

    def test_a_tcache_setting_of_the_users(self):
        self.check("glibc.malloc.tcache_count=3")


if __name__ == "__main__":
    main()
