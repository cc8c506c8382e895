"""README.md and the man page stay true: the README's usage block is
`concmon --help`, its key table is `concmon --list-keys`, .ci/run runs the
README's test command, and the man page documents every option and every
batch command."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import main, run_concmon


def source(path):
    root = os.environ.get("CONCMON_SOURCE") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(root, path)) as f:
        return f.read()


def code_blocks(text):
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


class Readme(unittest.TestCase):
    def setUp(self):
        self.readme = source("README.md")
        self.blocks = code_blocks(self.readme)

    def test_usage_block_is_help_output(self):
        r = run_concmon(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn(r.stdout, self.blocks, "README.md has `concmon --help` verbatim:\n"
                      + r.stdout)

    def test_key_block_is_list_keys_output(self):
        r = run_concmon(["--list-keys"])
        self.assertEqual(r.returncode, 0)
        want = "\n".join(line.rstrip() for line in r.stdout.splitlines()) + "\n"
        self.assertIn(want, self.blocks, "README.md has `concmon --list-keys` verbatim:\n"
                      + r.stdout)

    def test_man_page_documents_every_option_and_command(self):
        page = source("assets/concmon.1").replace("\\-", "-")
        help_text = run_concmon(["--help"]).stdout
        options = re.findall(r"--([a-z][a-z-]+)", help_text)
        self.assertGreater(len(options), 10, help_text)
        for opt in options:
            self.assertIn("--" + opt, page, "the man page documents --" + opt)
        for cmd in ("knob", "signal", "terminate", "launch", "demo"):
            self.assertRegex(page, r"\.B %s " % cmd, "the man page documents the %s command" % cmd)
        self.assertIn("@KEYS@", page, "the KEYS section is generated from the key table")

    def test_ci_runs_the_readme_test_command(self):
        self.assertIn("bash tests/run\n", self.blocks, "the README's test command")
        ci = [line.strip() for line in source(".ci/run").splitlines()
              if line.strip() and not line.lstrip().startswith("#")]
        self.assertEqual(ci[-1], "bash tests/run", ".ci/run ends with the test command")


if __name__ == "__main__":
    main()
