"""The Python layer keeps threading's and queue's semantics: a battery of
checks (tests/python/semantics_battery.py: timeouts, exceptions, RLock
reentrancy, Condition with user locks, notify(n), bounded semaphores,
Queue Empty/Full/join, queue orders, SimpleQueue, a producer/consumer
pipeline, a Queue subclass) gives the same results with the layer
publishing and without it, both under concmon."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import DEADLINE, BatchRun, main
from test_pylayer import traced


class Semantics(unittest.TestCase):
    def battery(self, lib):
        out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
        out.close()
        self.addCleanup(os.unlink, out.name)
        cmd, opts = traced("semantics_battery.py", out.name, lib=lib)
        with BatchRun(cmd, delay=0.2, args=opts) as run:
            run.wait_for(lambda s: any(p["ended"] for p in s.get("programs", [])),
                         DEADLINE * 3, "the battery to end")
            self.assertEqual(run.stderr, "")
        with open(out.name) as f:
            text = f.read()
        self.assertTrue(text, "the battery wrote no results")
        return json.loads(text)

    def test_same_results_with_and_without_the_layer(self):
        on, off = self.battery(True), self.battery(False)
        self.assertTrue(on.pop("layer"), "the layer did not load")
        self.assertFalse(off.pop("layer"))
        self.maxDiff = None
        self.assertEqual(on, off)


if __name__ == "__main__":
    main()
