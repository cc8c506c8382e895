"""concmonrc in batch mode: the file's delay and all take effect, the
command line wins over them, --no-config and --config, and a corrupt or
hostile file gives one warning on stderr and a normal run."""

import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import check_no_crash, concmon_bin, main  # noqa: E402

import subprocess  # noqa: E402


class Concmonrc(unittest.TestCase):
    def setUp(self):
        self.xdg = tempfile.mkdtemp(prefix="concmon-cfg-")
        self.addCleanup(shutil.rmtree, self.xdg, True)
        self.rc = os.path.join(self.xdg, "concmon", "concmonrc")
        os.makedirs(os.path.dirname(self.rc))

    def write(self, data, path=None):
        with open(path or self.rc, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def run_batch(self, args, timeout=60):
        """concmon -b --json ARGS with XDG_CONFIG_HOME set: (snapshots, stderr)."""
        env = dict(os.environ, XDG_CONFIG_HOME=self.xdg)
        r = subprocess.run([concmon_bin(), "-b", "--json"] + args, env=env, timeout=timeout,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        check_no_crash(self, r.stderr)
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()], r.stderr

    @staticmethod
    def gaps(snaps):
        return [b["time"] - a["time"] for a, b in zip(snaps, snaps[1:])]

    def test_delay_from_file_command_line_wins(self):
        # The default is 1 s: a gap of 1.8 s or more is the file's 2 s.
        self.write("delay=2\n")
        snaps, err = self.run_batch(["-n", "2"])
        self.assertEqual(err, "")
        self.assertGreaterEqual(min(self.gaps(snaps)), 1.8)
        snaps, _ = self.run_batch(["-n", "2", "-d", "0.05"])
        self.assertLess(max(self.gaps(snaps)), 1.8)

    def test_all_from_file_and_no_config(self):
        self.write("# every process\nall = true\n")
        me = os.getpid()
        snaps, _ = self.run_batch(["-n", "1", "-d", "0.05"])
        self.assertIn(me, [t["pid"] for t in snaps[0]["tasks"]], "all=true shows this test")
        snaps, _ = self.run_batch(["-n", "1", "-d", "0.05", "--no-config"])
        self.assertNotIn(me, [t["pid"] for t in snaps[0]["tasks"]], "--no-config ignores it")

    def test_restart_and_columns_from_file_command_line_wins(self):
        self.write("restart=on-failure:3\ncolumns=PID,USER\n")
        snaps, err = self.run_batch(["-n", "1", "-d", "0.05", "--", "sleep", "30"])
        self.assertEqual(err, "")
        prog = snaps[0]["programs"][0]
        self.assertEqual((prog["restart_policy"], prog["restart_max"]), ("on-failure", 3))
        self.assertTrue(all("user" in t for t in snaps[0]["tasks"]), "USER from the file")
        snaps, _ = self.run_batch(["-n", "1", "-d", "0.05", "--restart", "never", "--columns",
                                   "PID", "--", "sleep", "30"])
        prog = snaps[0]["programs"][0]
        self.assertEqual((prog["restart_policy"], prog["restart_max"]), ("never", None))
        self.assertFalse(any("user" in t for t in snaps[0]["tasks"]), "--columns wins")

    def test_config_option_names_the_file(self):
        other = os.path.join(self.xdg, "other.rc")
        self.write("all=true\n", other)
        snaps, err = self.run_batch(["-n", "1", "-d", "0.05", "--config", other])
        self.assertEqual(err, "")
        self.assertIn(os.getpid(), [t["pid"] for t in snaps[0]["tasks"]])
        missing = os.path.join(self.xdg, "missing.rc")
        snaps, err = self.run_batch(["-n", "1", "-d", "0.05", "--config", missing])
        self.assertEqual(err.splitlines(), ["concmon: %s: no such file (defaults used; saving "
                                            "would create it)" % missing])

    def test_corrupt_file_one_warning_normal_run(self):
        self.write(b"delay=0.05\n\x00\xff\xfe garbage\ndelay=99999\nall=true\nnonsense\n"
                   + b"x" * 100000 + b"\n")
        snaps, err = self.run_batch(["-n", "2"])
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("concmon: %s:2: binary data" % self.rc), err)
        self.assertIn("and 3 more problems", err)
        self.assertEqual(len(snaps), 2)
        # The good lines count: all=true; the bad delay left 0.05 in place.
        self.assertIn(os.getpid(), [t["pid"] for t in snaps[0]["tasks"]])
        self.assertLess(max(self.gaps(snaps)), 0.9)
        # --no-config: not read, no warning.
        snaps, err = self.run_batch(["-n", "1", "-d", "0.05", "--no-config"])
        self.assertEqual(err, "")

    def test_fifo_directory_device_do_not_hang(self):
        os.mkfifo(self.rc)   # nobody writes it: reading would block forever
        cases = [("fifo", None)]
        for what, make in cases + [("directory", lambda: os.mkdir(self.rc)),
                                   ("/dev/zero", lambda: os.symlink("/dev/zero", self.rc))]:
            with self.subTest(what=what):
                if make:
                    if os.path.isdir(self.rc) and not os.path.islink(self.rc):
                        os.rmdir(self.rc)
                    elif os.path.lexists(self.rc):
                        os.unlink(self.rc)
                    make()
                snaps, err = self.run_batch(["-n", "1", "-d", "0.05"], timeout=30)
                self.assertEqual(err.splitlines(),
                                 ["concmon: %s: not a regular file (ignored, defaults used)"
                                  % self.rc])
                self.assertEqual(len(snaps), 1)

    def test_huge_file_read_in_part(self):
        self.write(b"all=true\n" + (b"#" * 79 + b"\n") * (10 * 1024 * 1024 // 80))
        snaps, err = self.run_batch(["-n", "1", "-d", "0.05"])
        self.assertEqual(err.splitlines(), ["concmon: %s: larger than 64 KiB: only the first "
                                            "64 KiB read" % self.rc])
        self.assertIn(os.getpid(), [t["pid"] for t in snaps[0]["tasks"]])


if __name__ == "__main__":
    main()
