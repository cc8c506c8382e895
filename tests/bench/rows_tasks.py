"""rows_tasks - tests/bench/run rows a to h, concmon watching tasks: CPU
per refresh against top and a bare reader (a, b, c), exit-to-event latency
(d), short-lived children seen (e), peak RSS (f), and the TUI in tmux
(g, h)."""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from benchlib import (HZ, BenchError, count_tasks, header_mode, log, median, percentile, proc_ticks,
                      run_rusage)


def forks_since_boot():
    """The kernel's count of forks since boot (/proc/stat "processes")."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("processes "):
                return int(line.split()[1])
    return 0


class Load:
    """The background load: a `load` process with procs x (1 + threads) tasks.
    It stops everything it started when its stdin closes, so even a killed
    runner leaves nothing behind."""

    def __init__(self, binary, procs, threads):
        self.binary, self.procs, self.threads = binary, procs, threads
        self.p = None

    def __enter__(self):
        t0 = time.monotonic()
        self.p = subprocess.Popen([self.binary, str(self.procs), str(self.threads)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.p.stdout.readline().decode()
        if not line.startswith("ready"):
            self.__exit__()
            raise BenchError(f"load generator failed to start ({line.strip()!r})")
        log(f"  load: {self.procs} processes x {self.threads} extra threads up in "
            f"{time.monotonic() - t0:.2f} s; {count_tasks()} tasks on the machine")
        return self

    def __exit__(self, *exc):
        if self.p:
            self.p.stdin.close()
            try:
                self.p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
            self.p.stdout.close()
            self.p = None


# ---- a, b, c: CPU per refresh ----

def cpu_per_refresh(argv, iters):
    cpu, _ = run_rusage(argv)
    return cpu / iters


def top_check(top):
    """One frame of `top -b -H`: its row count and header, so the table can
    say that top really listed threads."""
    out = subprocess.run([top, "-b", "-H", "-d", "0", "-n", "1"], capture_output=True,
                         text=True, timeout=120).stdout
    m = re.search(r"^Threads:\s+(\d+) total", out, re.M)
    rows = len([l for l in out.splitlines() if re.match(r"\s*\d+\s", l)])
    return (int(m.group(1)) if m else None), rows


def bench_cpu(cfg, bins, rows_abc):
    ra, rb, rc = rows_abc
    cm, top = bins["concmon"], bins["top"]
    n = cfg["iters"]
    va = ["-b", "--json", "-d", "0", "-n", str(cfg["view_iters"]), "--",
          bins["load"], "--hold", "3", "2"]
    samples = {k: [] for k in ("cm", "top", "bare", "view_load", "view_idle")}
    ratios = {k: [] for k in ("a", "b", "c")}
    tasks = []
    for rnd in range(cfg["rounds"]):
        with Load(bins["load"], cfg["procs"], cfg["threads"]):
            tasks.append(count_tasks())
            if rnd == 0:
                total, shown = top_check(top)
                ra.notes.append(f"top -b -H -d 0 -n {n} checked: one frame lists {shown} rows, "
                                f"header 'Threads: {total} total' ({tasks[-1]} tasks in /proc)")
            c = cpu_per_refresh([cm, "-a", "-b", "--json", "-d", "0", "-n", str(n)], n)
            t = cpu_per_refresh([top, "-b", "-H", "-d", "0", "-n", str(n)], n)
            b = cpu_per_refresh([bins["bareread"], str(n)], n)
            vl = cpu_per_refresh([cm] + va, cfg["view_iters"])
        vi = cpu_per_refresh([cm] + va, cfg["view_iters"])
        for k, v in (("cm", c), ("top", t), ("bare", b), ("view_load", vl), ("view_idle", vi)):
            samples[k].append(v)
        ratios["a"].append(c / t)
        ratios["b"].append(c / b)
        ratios["c"].append(vl / vi)
        log(f"  round {rnd + 1}: concmon -a {c * 1e3:.2f} ms, top -H {t * 1e3:.2f} ms, "
            f"bare {b * 1e3:.2f} ms, view loaded {vl * 1e6:.0f} us, idle {vi * 1e6:.0f} us")
    ntask = median(tasks)
    cmm, topm, barem = median(samples["cm"]), median(samples["top"]), median(samples["bare"])
    ra.set(cmm, topm, median(ratios["a"]), median(ratios["a"]) <= 0.7)
    rb.set(cmm, barem, median(ratios["b"]), median(ratios["b"]) <= 2.0)
    vlm, vim = median(samples["view_load"]), median(samples["view_idle"])
    rc.set(vlm, vim, median(ratios["c"]), median(ratios["c"]) <= 1.5 and vlm < 1e-3)
    per = lambda v: f"{v / ntask * 1e6:.1f} us/task"
    ra.notes.append(f"{cfg['rounds']} rounds, {n} refreshes each, ~{ntask:.0f} tasks: concmon "
                    f"{per(cmm)}, top {per(topm)}, bare reader {per(barem)}; ratios are medians "
                    "of per-round ratios")
    ra.notes.append("rounds (ms): concmon " + " ".join(f"{v * 1e3:.2f}" for v in samples["cm"]) +
                    " | top " + " ".join(f"{v * 1e3:.2f}" for v in samples["top"]) +
                    " | bare " + " ".join(f"{v * 1e3:.2f}" for v in samples["bare"]))
    rc.notes.append(f"concmon -b --json -d 0 -n {cfg['view_iters']} -- load --hold 3 2 (10 tasks), "
                    "with the load vs without it; rounds (us): loaded " +
                    " ".join(f"{v * 1e6:.0f}" for v in samples["view_load"]) + " | no load " +
                    " ".join(f"{v * 1e6:.0f}" for v in samples["view_idle"]))


# ---- d: exit-to-event latency ----

def read_lines(pipe, sink):
    """Appends (arrival wall time, line) for each line until EOF."""
    for line in pipe:
        sink.append((time.time(), line))


class EventLog:
    """concmon's --log written into a FIFO that a thread reads, so each
    event is timed when it arrives (its own "time" field is the kernel's
    time of the exit for an exact event, which would hide the latency)."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, f"events-{time.monotonic_ns()}.fifo")
        os.mkfifo(self.path)
        # O_RDWR: never blocks, never sees EOF before concmon opens it.
        self.fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        self.events, self.stop = [], False
        self.thread = threading.Thread(target=self._read)
        self.thread.start()

    def _read(self):
        import select
        buf = b""
        while not self.stop:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            now = time.time()
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                try:
                    self.events.append((now, json.loads(line)))
                except ValueError:
                    pass

    def close(self):
        self.stop = True
        self.thread.join()
        os.close(self.fd)
        os.unlink(self.path)


def supports_log(concmon):
    out = subprocess.run([concmon, "--help"], capture_output=True, text=True).stdout
    return "--log" in out


def wait_for_file(path, text, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and open(path).read().endswith(text):
            return
        time.sleep(0.05)
    raise BenchError(f"{os.path.basename(path)}: never saw {text.strip()!r}")


def read_exits(path):
    exits = {}
    for rec in open(path).read().split("\n"):
        parts = rec.split()
        if len(parts) == 2:
            exits[int(parts[0])] = float(parts[1])
    return exits


def bench_exit(cfg, bins, row, tmp):
    if supports_log(bins["concmon"]):
        return bench_exit_events(cfg, bins, row, tmp)
    return bench_exit_snapshots(cfg, bins, row, tmp)


def bench_exit_events(cfg, bins, row, tmp):
    path = os.path.join(tmp, "exits-ev")
    ev = EventLog(tmp)
    p = subprocess.Popen([bins["concmon"], "-b", "--json", "--log", ev.path, "--",
                          bins["exitlat"], path, str(cfg["exits"])],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        wait_for_file(path, "done\n", 30 + cfg["exits"] * 0.2)
        time.sleep(0.3)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        ev.close()
    exits = read_exits(path)
    seen, exact = {}, 0
    for when, e in ev.events:
        pid = e.get("pid")
        if pid in exits and pid not in seen and e.get("event") in ("exited", "killed", "zombie"):
            seen[pid] = when
            exact += bool(e.get("exact"))
    lat = [seen[pid] - exits[pid] for pid in exits if pid in seen]
    missed = len(exits) - len(lat)
    if not lat:
        raise BenchError("no exit event arrived in concmon's --log")
    p99 = percentile(lat, 99)
    row.set(p99, None, None, p99 <= 0.010 and missed == 0)
    row.notes.append(
        f"method: the lifecycle event log (--log into a FIFO, default delay 1 s): the time the "
        f"first exited/killed/zombie event for the child arrives, minus the CLOCK_REALTIME it "
        f"recorded just before _exit; {len(lat)} exits of grandchildren, {missed} never "
        f"logged, {exact} of {len(lat)} exact (proc connector); p50 "
        f"{median(lat) * 1e3:.2f} ms, p90 {percentile(lat, 90) * 1e3:.2f} ms, p99 "
        f"{p99 * 1e3:.2f} ms, max {max(lat) * 1e3:.2f} ms")


def bench_exit_snapshots(cfg, bins, row, tmp):
    path = os.path.join(tmp, "exits")
    delay = cfg["exit_delay"]
    p = subprocess.Popen([bins["concmon"], "-b", "--json", "-d", str(delay), "--",
                          bins["exitlat"], path, str(cfg["exits"])],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    lines = []
    reader = threading.Thread(target=read_lines, args=(p.stdout, lines))
    reader.start()
    try:
        wait_for_file(path, "done\n", 30 + cfg["exits"] * 0.2)
        time.sleep(max(0.3, delay * 20))
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        reader.join()
    exits = read_exits(path)
    seen = {}
    for when, raw in lines:
        try:
            snap = json.loads(raw)
        except ValueError:
            continue
        for t in snap["tasks"]:
            pid = t["pid"]
            if pid in exits and pid not in seen and (t["exited"] or t["state"] in ("Z", "X")):
                seen[pid] = when
    lat = [seen[pid] - exits[pid] for pid in exits if pid in seen]
    missed = len(exits) - len(lat)
    if not lat:
        raise BenchError("no exit was seen in concmon's output")
    p99, p50 = percentile(lat, 99), median(lat)
    row.set(p99, None, None, p99 <= 0.010 and missed == 0)
    row.notes.append(
        f"method: no event log (--log) in this concmon, so the time until the first "
        f"--batch --json line (-d {delay}) showing the task exited (state Z or exited=true) "
        f"arrives at the reader, minus the CLOCK_REALTIME the child recorded just before "
        f"_exit; {len(lat)} exits of grandchildren (parent reaps them), {missed} never seen; "
        f"p50 {p50 * 1e3:.2f} ms, p90 {percentile(lat, 90) * 1e3:.2f} ms, p99 "
        f"{p99 * 1e3:.2f} ms, max {max(lat) * 1e3:.2f} ms")
    row.notes.append(f"floor: a snapshot only sees an exit at the next refresh, so latency is "
                     f"about uniform over one interval ({delay * 1e3:.0f} ms) plus the refresh "
                     f"itself; a lower p99 needs events (pidfd poll or the proc connector)")


# ---- e: short-lived processes ----

def bench_short(cfg, bins, row, tmp):
    path = os.path.join(tmp, "short")
    life_ms = cfg["short_life_us"] / 1000
    span = 0.6 + cfg["short"] * (life_ms + 0.5) / 1000
    frames = int(span / 0.1) + 10
    top_out = open(os.path.join(tmp, "top.txt"), "w+")
    cm_out = open(os.path.join(tmp, "cm.json"), "w+")
    ev = EventLog(tmp) if supports_log(bins["concmon"]) else None
    topp = subprocess.Popen([bins["top"], "-b", "-d", "0.1", "-n", str(frames), "-w", "512"],
                            stdin=subprocess.DEVNULL, stdout=top_out)
    cmp_ = subprocess.Popen([bins["concmon"], "-b", "--json", "-d", "0.1", "-n", str(frames)] +
                            (["--log", ev.path] if ev else []) +
                            ["--", bins["shortlived"], path, str(cfg["short"]),
                             str(cfg["short_life_us"]), "300"],
                            stdin=subprocess.DEVNULL, stdout=cm_out)
    try:
        topp.wait(timeout=span * 4 + 60)
        cmp_.wait(timeout=span * 4 + 60)
    finally:
        if ev:
            ev.close()
    forked = 0
    if os.path.exists(path):
        m = re.search(r"forked (\d+)", open(path).read())
        forked = int(m.group(1)) if m else 0
    if not forked:
        raise BenchError("shortlived did not report how many it forked")
    cm_out.seek(0)
    snap_seen, helper = set(), None
    for raw in cm_out:
        try:
            snap = json.loads(raw)
        except ValueError:
            continue
        for t in snap["tasks"]:
            if t["comm"] == "shortlived" and t["pid"] == t["tid"]:
                helper = t["pid"]
            if t["comm"] == "cmshort" or (helper and t["ppid"] == helper and t["pid"] == t["tid"]):
                snap_seen.add(t["pid"])
    ev_seen = set()
    if ev:
        helpers = {e["pid"] for _, e in ev.events if e.get("comm") == "shortlived"}
        ev_seen = {e["pid"] for _, e in ev.events
                   if e.get("event") == "spawned" and e.get("parent") in helpers}
    top_out.seek(0)
    top_seen = set()
    for line in top_out:
        f = line.split()
        if len(f) > 2 and f[0].isdigit() and f[-1] == "cmshort":
            top_seen.add(int(f[0]))
    seen = ev_seen if ev else snap_seen
    row.set(len(seen), len(top_seen), len(seen) / forked, len(seen) >= 0.99 * forked)
    pct = lambda k: f"{k} ({100 * k / forked:.1f} %)"
    row.notes.append(f"{forked} children forked one after another, each living "
                     f"{life_ms:g} ms; concmon -b --json -d 0.1: " +
                     (f"its --log has a spawned event for {pct(len(ev_seen))}, " if ev else "") +
                     f"its snapshots showed {pct(len(snap_seen))}; top -b -d 0.1 showed "
                     f"{pct(len(top_seen))}; ratio = concmon's share of the forked")
    row.notes.append("snapshots (concmon's and top's) sample /proc every 100 ms, so a 1 ms "
                     "process is seen with probability ~1/100; only fork/exit events (the "
                     "netlink proc connector, root only) see them all")


# ---- f: peak RSS ----

def bench_rss(cfg, bins, row):
    n = cfg["rss_iters"]
    cms, tops = [], []
    with Load(bins["load"], cfg["big_procs"], cfg["big_threads"]):
        tasks = count_tasks()
        for rnd in range(max(1, min(cfg["rounds"], 3))):
            _, cm = run_rusage([bins["concmon"], "-a", "-b", "--json", "-d", "0", "-n", str(n)])
            _, tp = run_rusage([bins["top"], "-b", "-H", "-d", "0", "-n", str(n)])
            cms.append(cm)
            tops.append(tp)
            log(f"  round {rnd + 1}: concmon {cm} KiB, top {tp} KiB")
    c, t = median(cms), median(tops)
    row.set(c, t, c / t, c <= 16 * 1024)
    row.notes.append(f"ru_maxrss of concmon -a -b --json -d 0 -n {n} with {tasks} tasks on the "
                     f"machine; baseline (for reference, no goal): top -b -H -d 0 -n {n}")


# ---- g, h: the TUI in tmux ----

class Tmux:
    """A private tmux server (own socket, no config) with concmon in a
    120x40 window, and a control-mode client to poll it cheaply."""

    def __init__(self, concmon, argv):
        self.sock = f"concmon-bench-{os.getpid()}"
        self.base = ["tmux", "-L", self.sock, "-f", "/dev/null"]
        subprocess.run(self.base + ["new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
                                    "--", concmon] + argv, check=True)
        self.pid = int(subprocess.run(self.base + ["list-panes", "-t", "b", "-F", "#{pane_pid}"],
                                      capture_output=True, text=True, check=True).stdout)
        self.ctl = subprocess.Popen(self.base + ["-C", "attach", "-t", "b"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, bufsize=1)
        self.command("display -p sync-marker", until="sync-marker")

    def command(self, cmd, until=None):
        """Sends one command; returns its output lines. With until, skips
        replies (e.g. to attach) until one contains that text."""
        self.ctl.stdin.write(cmd + "\n")
        self.ctl.stdin.flush()
        while True:
            out, inside = [], False
            while True:
                line = self.ctl.stdout.readline()
                if not line:
                    raise BenchError("tmux control client ended")
                line = line.rstrip("\n")
                if line.startswith("%begin"):
                    inside, out = True, []
                elif inside and (line.startswith("%end") or line.startswith("%error")):
                    break
                elif inside:
                    out.append(line)
            if until is None or any(until in l for l in out):
                return out

    def screen(self):
        return "\n".join(self.command("capture-pane -p -t b"))

    def wait_for(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.screen():
                return
            time.sleep(0.01)
        raise BenchError(f"the TUI never showed {text!r}:\n{self.screen()}")

    def close(self):
        if self.ctl:
            try:
                self.ctl.stdin.close()
                self.ctl.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.ctl.kill()
            self.ctl = None
        subprocess.run(self.base + ["kill-server"], capture_output=True)
        end = time.monotonic() + 10     # concmon stops its sleep, then exits
        while time.monotonic() < end and os.path.exists(f"/proc/{self.pid}"):
            time.sleep(0.05)


def bench_tui(cfg, bins, row_g, row_h):
    if not shutil.which("tmux"):
        row_g.result = row_h.result = "skipped (no tmux)"
        return
    tm = Tmux(bins["concmon"], ["--", "sleep", "100000"])
    try:
        tm.wait_for("sleep 100000")
        poll_mode = time.monotonic() + 10
        while header_mode(tm.screen()) != "tree":
            if time.monotonic() > poll_mode:
                raise BenchError(f"the TUI never showed its tree mode:\n{tm.screen()}")
            time.sleep(0.01)
        # g: idle CPU at the default delay
        secs = cfg["idle"]
        t0, k0, f0 = time.monotonic(), proc_ticks(tm.pid), forks_since_boot()
        time.sleep(secs)
        t1, k1, f1 = time.monotonic(), proc_ticks(tm.pid), forks_since_boot()
        pct = (k1 - k0) / HZ / (t1 - t0) * 100
        row_g.set(pct, None, None, pct <= 0.5)
        row_g.notes.append(f"concmon -- sleep 100000 in a 120x40 tmux window, default delay, "
                           f"{k1 - k0} clock ticks (1/{HZ} s) of user+system time over "
                           f"{t1 - t0:.1f} s (/proc/PID/stat); meanwhile the machine forked "
                           f"{(f1 - f0) / (t1 - t0):.0f} processes/s (the proc connector "
                           "tells concmon about every one)")
        # h: key to screen
        floor = []
        for _ in range(20):
            s = time.perf_counter()
            tm.screen()
            floor.append(time.perf_counter() - s)
        lat, polls = [], []
        for i in range(cfg["keys"]):
            before = tm.screen()
            want = "flat" if header_mode(before) == "tree" else "tree"
            s = time.perf_counter()
            tm.command("send-keys -t b t")
            n = 0
            while True:
                n += 1
                if header_mode(tm.screen()) == want:
                    break
                if time.perf_counter() - s > 5:
                    raise BenchError(f"key t did not change the screen to {want!r}")
            lat.append(time.perf_counter() - s)
            polls.append(n)
            time.sleep(0.05 + 0.05 * (i % 3))
        m = median(lat)
        row_h.set(m, median(floor), None, m <= 0.020)
        row_h.notes.append(f"{len(lat)} presses of t (tree <-> flat): median "
                           f"{m * 1e3:.2f} ms, p90 {percentile(lat, 90) * 1e3:.2f} ms, max "
                           f"{max(lat) * 1e3:.2f} ms, median {median(polls):.0f} polls; "
                           "baseline = the poll's own floor: median round trip of one "
                           "capture-pane over tmux control mode (no change on screen)")
    finally:
        tm.close()
