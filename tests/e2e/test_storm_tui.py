"""A zombie storm in the TUI: a parent's exited children past the cap fold
into one "+N exited" row after its live children, Enter lists them and
folds them again, and every live zombie has its row on the screen."""

import os
import re
import shutil
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import (PaneMixin, children_of, descendants_of, kill_quietly, main, poll,
                          proc_stat)

SLOW = 30.0
FOLDED = r"\+[\d,]+ exited in the last 5 s: [\d,]+ .*\(Enter lists them\)"
LISTED = r"[\d,]+ exited in the last 5 s, listed above: .*\(Enter folds them\)"
# A live zombie's row: PID, TID (shown with threads), PPID, state Z.
ZOMBIE_ROW = r"^[ *!]\s*(\d+)\s+(?:\d+\s+)?\d+\s+Z\s"


def zombie_rows(screen):
    """{line index: PID} of the Z rows on the screen."""
    out = {}
    for i, line in enumerate(screen.splitlines()):
        m = re.match(ZOMBIE_ROW, line)
        if m:
            out[i] = int(m.group(1))
    return out


@unittest.skipUnless(shutil.which("stress-ng"), "stress-ng is not installed")
class ZombieStormTui(PaneMixin, unittest.TestCase):
    def setUp(self):
        # Tall enough for the storm's 80 zombies, its exited rows and the
        # summary rows at once.
        self.open_pane(command=["stress-ng", "--zombie", "2", "--zombie-max", "40", "-t", "60"],
                       width=200, height=140)

    def storm(self):
        """stress-ng and its workers (not their short-lived children), with
        start times."""
        out = {}
        for top in children_of(self.concmon):
            st = proc_stat(top)
            if not st or not st["comm"].startswith("stress-ng"):
                continue
            out[top] = st["start"]
            for worker in children_of(top):
                wst = proc_stat(worker)
                if wst and wst["state"] != "Z":
                    out[worker] = wst["start"]
        return out

    def test_summary_row_folds_and_zombies_stay_listed(self):
        self.tmux.wait_screen(FOLDED, SLOW)
        screen = self.tmux.screen()
        # Under each worker its live zombies come first, the summary last.
        summary = next(i for i, l in enumerate(screen.splitlines()) if re.search(FOLDED, l))
        zombies_at = zombie_rows(screen)
        self.assertTrue(zombies_at and min(zombies_at) < summary, screen)

        # The last row is the last worker's summary row; the storm keeps
        # changing the rows, so select it and press Enter until it unfolds.
        def unfolded():
            self.tmux.send("End")
            self.tmux.send("Enter")
            try:
                return self.tmux.wait_screen(LISTED, 2)
            except AssertionError:
                return None
        poll(unfolded, SLOW, interval=0, desc="the summary row unfolded by Enter")
        self.tmux.send("Enter")
        self.tmux.wait_screen(FOLDED, SLOW)
        self.tmux.wait_no_screen(LISTED, SLOW)

        # Stopped, the workers neither reap nor fork: the zombies hold still
        # and each must get its Z row.
        stopped = self.storm()
        self.remember()
        try:
            for pid, start in stopped.items():
                kill_quietly(pid, signal.SIGSTOP, start)
            zombies = poll(lambda: {p for p in descendants_of(self.concmon)
                                    if (proc_stat(p) or {}).get("state") == "Z"
                                    and proc_stat(p)["ppid"] in stopped},
                           SLOW, desc="the storm's zombies in /proc")
            self.assertGreaterEqual(len(zombies), 20)

            def missing():
                return zombies - set(zombie_rows(self.tmux.screen()).values())
            poll(lambda: not missing(), SLOW, desc="a Z row for each live zombie")
        finally:
            for pid, start in stopped.items():
                kill_quietly(pid, signal.SIGCONT, start)


if __name__ == "__main__":
    main()
