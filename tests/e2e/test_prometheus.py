"""--listen end to end: a real Prometheus server scrapes concmon every
second while `--demo zombies` runs, and its query API answers
concmon_zombies = 3; and the TUI serves /metrics as batch mode does."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, PaneMixin, main, poll

# Prometheus takes a few seconds to start (more under load), then one
# scrape interval and a query.
PROMETHEUS_DEADLINE = 90.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode()


class Prometheus(unittest.TestCase):
    def setUp(self):
        if not shutil.which("prometheus"):
            self.skipTest("prometheus is not installed (apt-get install -y prometheus): "
                          "the real-server test is skipped")
        self.tmp = tempfile.mkdtemp(prefix="concmon-prom-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def start_prometheus(self, target):
        port = free_port()
        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: concmon\n    static_configs:\n"
                    "      - targets: ['%s']\n" % target)
        log = open(os.path.join(self.tmp, "prometheus.log"), "w")
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            ["prometheus", "--config.file=" + config,
             "--storage.tsdb.path=" + os.path.join(self.tmp, "data"),
             "--web.listen-address=127.0.0.1:%d" % port],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.addCleanup(self.stop_prometheus, proc)
        return port

    @staticmethod
    def stop_prometheus(proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def prometheus_log(self):
        with open(os.path.join(self.tmp, "prometheus.log")) as f:
            return f.read()[-3000:]

    def query(self, port, expr):
        """The instant vector of expr as [(labels, value)], [] while none."""
        url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (port, urllib.parse.quote(expr))
        try:
            st, body = fetch(url)
        except OSError:
            return []            # not up yet
        data = json.loads(body)
        if st != 200 or data.get("status") != "success":
            return []
        return [(r["metric"], float(r["value"][1])) for r in data["data"]["result"]]

    def test_prometheus_scrapes_the_zombies(self):
        with BatchRun(None, delay=0.2, args=["--listen", "127.0.0.1:0", "--demo", "zombies"]) as run:
            m = run.wait_stderr(r"metrics on http://(127\.0\.0\.1:\d+)/metrics")
            target = m.group(1)
            port = self.start_prometheus(target)
            try:
                got = poll(lambda: [v for labels, v in self.query(port, "concmon_zombies")
                                    if labels.get("instance") == target and v == 3],
                           timeout=PROMETHEUS_DEADLINE, interval=0.5,
                           desc="Prometheus to answer concmon_zombies = 3")
            except AssertionError as e:
                raise AssertionError("%s\n--- prometheus log ---\n%s" % (e, self.prometheus_log()))
            self.assertEqual(got, [3.0])
            up = self.query(port, 'up{job="concmon"}')
            self.assertEqual([v for _, v in up], [1.0], up)
            per_instance = self.query(port, "sum by (instance) (concmon_zombies)")
            self.assertEqual(per_instance, [({"instance": target}, 3.0)])
            run.check_clean(self)


class Tui(PaneMixin, unittest.TestCase):
    def test_the_tui_serves_metrics(self):
        port = free_port()
        self.open_pane(args=["--listen", str(port), "--demo", "zombies"])
        self.tmux.wait_screen(r"metrics on http://127\.0\.0\.1:%d/metrics" % port)

        def zombies():
            try:
                st, text = fetch("http://127.0.0.1:%d/metrics" % port)
            except OSError:
                return None
            return st == 200 and re.search(r"^concmon_zombies 3$", text, re.M)
        poll(zombies, desc="concmon_zombies 3 from the TUI's /metrics")
        self.remember()

    def test_R_counts_a_restart_and_an_exit_by_signal(self):
        port = free_port()
        self.open_pane(args=["--listen", str(port)], command=["sleep", "300"])
        self.tmux.wait_screen(r"metrics on http://127\.0\.0\.1:%d/metrics" % port)
        self.tmux.wait_screen(r"\bsleep 300\s*$")
        self.remember()
        self.tmux.send("R")
        self.tmux.wait_screen(r"^restarted sleep\b")
        self.remember()
        want = ('concmon_program_restarts_total{program="sleep"} 1',
                'concmon_program_exits_total{program="sleep",cause="signal"} 1')

        def counted():
            st, text = fetch("http://127.0.0.1:%d/metrics" % port)
            return st == 200 and all(re.search("^%s$" % re.escape(w), text, re.M) for w in want)
        poll(counted, desc="the restart and the old sleep's end on /metrics")


if __name__ == "__main__":
    main()
