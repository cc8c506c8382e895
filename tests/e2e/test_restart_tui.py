"""Restart policies in the TUI: a program's row says how often it was
restarted and when the next try comes, then that it gave up; the launch
prompt takes a leading --restart=."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import PaneMixin, main

SLOW = 20


class RestartRow(PaneMixin, unittest.TestCase):
    def test_row_shows_restarts_next_try_and_giving_up(self):
        self.open_pane(args=["--restart", "on-failure:2"],
                       command=["sh", "-c", "sleep 0.5; exit 3"])
        self.tmux.wait_screen(r"\[restarts 0/2, next in [01]s\]", SLOW)
        self.tmux.wait_screen(r"\[restarts 1/2(?:, next in [0-2]s)?\]", SLOW)
        self.tmux.wait_screen(r"\[restarts 2/2: given up\]", SLOW)
        self.remember()

    def test_launch_prompt_takes_a_policy(self):
        self.open_pane()
        self.tmux.send(":")
        self.tmux.send_literal("--restart=always:1 sh -c 'sleep 0.5'")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"\[restarts 1/1: given up\]", SLOW)
        self.remember()
        self.tmux.send(":")
        self.tmux.send_literal("--restart=often true")
        self.tmux.send("Enter")
        self.tmux.wait_screen(r"invalid restart policy 'often'", SLOW)


if __name__ == "__main__":
    main()
