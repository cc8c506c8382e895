"""Bash completion (assets/concmon.bash-completion): options from --help,
demo names and knob names from --list-demos, --theme and --restart values,
files for --log/--record/--replay; and `cmake --install` puts it where
bash-completion looks for it."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import concmon_bin, main

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets",
                      "concmon.bash-completion")


def complete(*words, script=SCRIPT):
    """COMPREPLY for a command line whose last word is being completed."""
    prog = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
            '_concmon; printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=os.path.dirname(concmon_bin()) + os.pathsep + os.environ["PATH"])
    r = subprocess.run(["bash", "-c", prog, "bash", script] + list(words), capture_output=True,
                       text=True, env=env, timeout=30)
    if r.returncode != 0:
        raise AssertionError("bash failed: %s" % r.stderr)
    return [w for w in r.stdout.split("\n") if w]


class Completion(unittest.TestCase):
    def test_options(self):
        self.assertEqual(sorted(complete("concmon", "--de")), ["--delay", "--demo"])
        every = complete("concmon", "--")
        for opt in ("--restart", "--theme", "--log", "--list-demos", "--trace", "--help"):
            self.assertIn(opt, every)

    def test_demo_names(self):
        self.assertEqual(complete("concmon", "--demo", "zo"), ["zombies"])
        self.assertEqual(complete("concmon", "--demo", "=", "zo"), ["zombies"])
        self.assertIn("deadlock", complete("concmon", "--demo", ""))

    def test_knob_names(self):
        self.assertEqual(complete("concmon", "--demo", "zombies,"), ["zombies,count="])
        self.assertEqual(sorted(complete("concmon", "--demo", "washer-dryer-threads,washers=2,d")),
                         ["washer-dryer-threads,washers=2,dry_ms=",
                          "washer-dryer-threads,washers=2,dryers="])
        # a knob already set is not offered again
        self.assertNotIn("washer-dryer-threads,washers=2,washers=",
                         complete("concmon", "--demo", "washer-dryer-threads,washers=2,"))

    def test_values(self):
        self.assertEqual(complete("concmon", "--theme", "p"), ["projector"])
        self.assertEqual(sorted(complete("concmon", "--theme", "")),
                         ["default", "monochrome", "projector"])
        self.assertEqual(sorted(complete("concmon", "--restart", "")),
                         ["always", "always:", "never", "on-failure", "on-failure:"])
        self.assertEqual(complete("concmon", "--restart", "n"), ["never"])

    def test_files(self):
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "events.ndjson"), "w").close()
            for opt in ("--log", "--record", "--replay"):
                self.assertEqual(complete("concmon", opt, os.path.join(d, "ev")),
                                 [os.path.join(d, "events.ndjson")])

    def test_installed(self):
        build, cmake = os.environ.get("CONCMON_BUILD"), os.environ.get("CONCMON_CMAKE")
        if not build or not cmake:
            self.skipTest("CONCMON_BUILD and CONCMON_CMAKE are set by ctest")
        prefix = tempfile.mkdtemp(prefix="concmon-compl-")
        try:
            r = subprocess.run([cmake, "--install", build, "--prefix", prefix],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            path = os.path.join(prefix, "share", "bash-completion", "completions", "concmon")
            self.assertTrue(os.path.isfile(path))
            self.assertEqual(complete("concmon", "--demo", "zombies,", script=path),
                             ["zombies,count="])
        finally:
            shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
