"""libconcmon-probe as an outside program uses it: `cmake --install` into a
temporary prefix, a C program built only with what pkg-config says
(shared, then static), run under concmon, whose JSON then shows its queue."""

import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, check_no_crash, main  # noqa: E402

PROGRAM = r"""
#include <concmon/cmprobe.h>
#include <unistd.h>

int main(void)
{
	struct cm_queue *q = cm_queue_new("outside-q", 4, CM_PRIVATE);
	cm_queue_put(q, 1);
	cm_queue_put(q, 2);
	while (pause() < 0)     /* until concmon stops it */
		;
	cm_queue_free(q);
	return 0;
}
"""


def env(name):
    value = os.environ.get(name)
    if value is None:
        sys.stderr.write("%s is not set: run this test through ctest\n" % name)
        sys.exit(2)
    return value


class ProbeInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="concmon-install-")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        r = subprocess.run([env("CONCMON_CMAKE"), "--install", env("CONCMON_BUILD"),
                            "--prefix", cls.prefix], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("cmake --install failed:\n" + r.stdout + r.stderr)
        pcs = glob.glob(os.path.join(cls.prefix, "lib*", "**", "concmon-probe.pc"),
                        recursive=True)
        if len(pcs) != 1:
            raise AssertionError("one concmon-probe.pc installed, found %r" % pcs)
        cls.pcdir = os.path.dirname(pcs[0])
        with open(os.path.join(cls.tmp, "prog.c"), "w") as f:
            f.write(PROGRAM)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def pkg_config(self, *args):
        r = subprocess.run([env("CONCMON_PKG_CONFIG")] + list(args) + ["concmon-probe"],
                           capture_output=True, text=True,
                           env=dict(os.environ, PKG_CONFIG_PATH=self.pcdir))
        self.assertEqual(r.returncode, 0, r.stderr)
        return shlex.split(r.stdout)

    def build(self, name, link):
        """cc prog.c CFLAGS LINK: a sanitized build's probe is instrumented,
        so the program gets the same sanitizer (and compiler)."""
        out = os.path.join(self.tmp, name)
        argv = ([env("CONCMON_CC")] + shlex.split(os.environ.get("CONCMON_SANITIZE_FLAGS", ""))
                + ["-o", out, os.path.join(self.tmp, "prog.c")]
                + self.pkg_config("--cflags") + link)
        r = subprocess.run(argv, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "%s\n%s" % (shlex.join(argv), r.stderr))
        return out

    def shows_its_queue(self, prog, extra_env=None):
        run_env = dict(os.environ, **(extra_env or {}))
        with BatchRun([prog], env=run_env) as run:
            snap = run.wait_for(
                lambda s: any(q.get("name") == "outside-q" and q.get("depth") == 2
                              for q in s.get("queues", [])),
                desc="the outside program's queue outside-q (depth 2) in the JSON")
            q = next(q for q in snap["queues"] if q["name"] == "outside-q")
            self.assertEqual(q["capacity"], 4)
            self.assertEqual(q["puts"], 2)
            run.stop()
            check_no_crash(self, run.stderr)

    def test_shared_library_with_pkg_config(self):
        prog = self.build("prog-shared", self.pkg_config("--libs"))
        libdir = self.pkg_config("--variable=libdir")[0]
        self.assertTrue(glob.glob(os.path.join(libdir, "libconcmon-probe.so*")))
        self.shows_its_queue(prog, {"LD_LIBRARY_PATH": libdir})

    def test_static_library(self):
        libdir = self.pkg_config("--variable=libdir")[0]
        static = os.path.join(libdir, "libconcmon-probe.a")
        self.assertTrue(os.path.exists(static), static)
        prog = self.build("prog-static", [static] + self.pkg_config("--static", "--libs-only-other"))
        needed = subprocess.run(["ldd", prog], capture_output=True, text=True).stdout
        self.assertNotIn("libconcmon-probe", needed, "linked statically")
        self.shows_its_queue(prog)

    def test_cmake_package_and_header_are_installed(self):
        self.assertTrue(os.path.exists(os.path.join(self.prefix, "include", "concmon",
                                                    "cmprobe.h")))
        configs = glob.glob(os.path.join(self.prefix, "lib*", "**", "concmon-probeConfig.cmake"),
                            recursive=True)
        self.assertEqual(len(configs), 1, configs)
        with open(os.path.join(os.path.dirname(configs[0]), "concmon-probeTargets.cmake")) as f:
            targets = f.read()
        for target in ("concmon::probe", "concmon::probe-static"):
            self.assertIn(target, targets)


if __name__ == "__main__":
    main()
