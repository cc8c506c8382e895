"""rows_storm - tests/bench/run rows i to l: concmon's CPU per fork while
it supervises `stress-ng --fork 2` (the TUI in tmux against htop, --batch
against top), the TUI's frames per second, and the guardian's CPU."""

import os
import re
import shutil
import signal
import subprocess
import time

from benchlib import HZ, BenchError, header_mode, log, median, proc_ticks


def stat_of(pid):
    """(comm, ppid) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read().decode(errors="replace")    # a name may be any bytes
    except OSError:
        return None
    return s[s.index("(") + 1:s.rindex(")")], int(s.rsplit(")", 1)[1].split()[1])


def children_of(pid):
    out = []
    for p in os.listdir("/proc"):
        st = stat_of(p) if p.isdigit() else None
        if st and st[1] == pid:
            out.append((int(p), st[0]))
    return out


def ticks_or(pid, default):
    try:
        return proc_ticks(pid)
    except (OSError, IndexError, ValueError):
        return default


def poll_until(what, timeout, desc):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = what()
        if v:
            return v
        time.sleep(0.05)
    raise BenchError(f"timed out waiting for {desc}")


class Storm:
    """concmon (pid) supervising `stress-ng --fork 2 -t secs`; baseline
    processes (pid -> name) measured over the same storm. Reads CPU ticks
    from /proc while they all run: concmon's own (start-up included), its
    guardian's (the child that runs concmon too) and the baselines' from
    the storm's first sight to its end."""

    def __init__(self, pid, baselines, secs):
        self.pid, self.baselines, self.secs = pid, baselines, secs

    def storming(self):
        return any(c.startswith("stress-ng") for _, c in children_of(self.pid))

    def measure(self):
        me = (stat_of(self.pid) or ("?", 0))[0]
        poll_until(self.storming, 20, "stress-ng to start")
        guard = next((k for k, c in children_of(self.pid) if c == me), None)
        t0 = time.monotonic()
        g0 = ticks_or(guard, 0) if guard else None
        b0 = {p: ticks_or(p, 0) for p in self.baselines}
        poll_until(lambda: not self.storming(), self.secs + 60, "the storm to end")
        self.wall = time.monotonic() - t0
        self.cpu = ticks_or(self.pid, 0) / HZ
        self.guard = None if guard is None else (ticks_or(guard, g0) - g0) / HZ
        self.base = {n: (ticks_or(p, b0[p]) - b0[p]) / HZ for p, n in self.baselines.items()}


def count_spawns(path):
    with open(path) as f:
        return sum(1 for line in f if '"event":"spawned"' in line)


def storm_argv(bins, log, secs):
    return ["-d", "1", "--log", log, "--", bins["stress-ng"], "--fork", "2", "-t", str(secs)]


def tmux_start(sock, argv):
    """A private tmux server running argv in a 120x40 window; its pane's PID."""
    base = ["tmux", "-L", sock, "-f", "/dev/null"]
    subprocess.run(base + ["new-session", "-d", "-s", "s", "-x", "120", "-y", "40", "--"] + argv,
                   check=True)
    return int(subprocess.run(base + ["list-panes", "-t", "s", "-F", "#{pane_pid}"],
                              capture_output=True, text=True, check=True).stdout)


def tmux_screen(sock):
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", "s"],
                          capture_output=True, text=True).stdout


def tmux_stop(sock):
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "kill-server"], capture_output=True)


def wait_gone(pid, timeout=30):
    poll_until(lambda: not os.path.exists(f"/proc/{pid}"), timeout, f"process {pid} to end")


def storm_tui(cfg, bins, tmp, rnd):
    """The TUI in tmux, htop -d 10 in another tmux over the same storm."""
    log, err = os.path.join(tmp, f"storm-tui-{rnd}.log"), os.path.join(tmp, f"storm-tui-{rnd}.err")
    socks = [f"concmon-storm-{os.getpid()}-htop", f"concmon-storm-{os.getpid()}-tui"]
    try:
        base = {}
        if bins.get("htop"):
            base[tmux_start(socks[0], [bins["htop"], "-d", "10"])] = "htop"
            # Its start-up is not the storm's: measured from its first screen on.
            poll_until(lambda: "PID" in tmux_screen(socks[0]), 20, "htop's first screen")
        t0 = time.monotonic()
        pid = tmux_start(socks[1], ["sh", "-c", f'CONCMON_FRAME_COUNT=1 exec "$@" 2>{err}', "sh",
                                    bins["concmon"]] + storm_argv(bins, log, cfg["storm_secs"]))
        # The event pane open: every event of the storm is shown (the worst case).
        poll_until(lambda: header_mode(tmux_screen(socks[1])) == "tree", 20, "the TUI")
        subprocess.run(["tmux", "-L", socks[1], "send-keys", "-t", "s", "e"], check=True)
        st = Storm(pid, base, cfg["storm_secs"])
        st.measure()
        if "Events" not in tmux_screen(socks[1]):
            raise BenchError(f"the event pane is not open:\n{tmux_screen(socks[1])}")
        os.kill(pid, signal.SIGTERM)
        wait_gone(pid)
        life = time.monotonic() - t0
    finally:
        for s in socks:
            tmux_stop(s)
    m = re.search(r"concmon: (\d+) frames", open(err).read())
    # A concmon that does not count its frames (an older build) still has its CPU measured.
    st.forks, st.fps = count_spawns(log), (int(m.group(1)) / life if m else None)
    return st


def storm_batch(cfg, bins, tmp, rnd):
    """--batch --json, top -b -d 1 over the same storm."""
    log = os.path.join(tmp, f"storm-batch-{rnd}.log")
    top_out = os.path.join(tmp, f"storm-top-{rnd}.txt")
    topp = subprocess.Popen([bins["top"], "-b", "-d", "1"], stdin=subprocess.DEVNULL,
                            stdout=open(top_out, "w"))
    poll_until(lambda: os.path.getsize(top_out) > 0, 20, "top's first frame")
    p = subprocess.Popen([bins["concmon"], "-b", "--json"] + storm_argv(bins, log, cfg["storm_secs"]),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        st = Storm(p.pid, {topp.pid: "top"}, cfg["storm_secs"])
        st.measure()
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        topp.kill()
        topp.wait()
    st.forks = count_spawns(log)
    return st


def bench_storm(cfg, bins, tmp, rows):
    ri, rj, rk, rl = rows
    if not bins.get("stress-ng"):
        for r in rows:
            r.result = "skipped: stress-ng missing"
        return
    if not shutil.which("tmux"):
        ri.result = rk.result = "skipped (no tmux)"
    per = lambda st, cpu: cpu / max(st.forks, 1)
    got = {k: [] for k in ("tui", "htop", "batch", "top", "fps", "guard")}
    for rnd in range(cfg["storm_rounds"]):
        if shutil.which("tmux"):
            t = storm_tui(cfg, bins, tmp, rnd)
            got["tui"].append(per(t, t.cpu))
            if t.fps is not None:
                got["fps"].append(t.fps)
            if "htop" in t.base:
                got["htop"].append(per(t, t.base["htop"]))
            if t.guard is not None:
                got["guard"].append(per(t, t.guard))
            fps = "--" if t.fps is None else f"{t.fps:.1f}"
            log(f"  round {rnd + 1}: TUI {t.forks} forks in {t.wall:.1f} s, concmon "
                f"{t.cpu:.2f} s CPU ({got['tui'][-1] * 1e6:.1f} us/fork), {fps} frames/s, "
                f"htop {t.base}, guardian {t.guard}")
        b = storm_batch(cfg, bins, tmp, rnd)
        got["batch"].append(per(b, b.cpu))
        got["top"].append(per(b, b.base["top"]))
        if b.guard is not None:
            got["guard"].append(per(b, b.guard))
        log(f"  round {rnd + 1}: batch {b.forks} forks in {b.wall:.1f} s, concmon {b.cpu:.2f} s "
            f"CPU ({got['batch'][-1] * 1e6:.1f} us/fork), top {b.base['top']:.2f} s, guardian "
            f"{b.guard}")
    m = {k: (median(v) if v else None) for k, v in got.items()}
    rounds = lambda k, scale=1e6: " ".join(f"{v * scale:.1f}" for v in got[k])
    if got["tui"]:
        ri.set(m["tui"], m["htop"], None, m["tui"] <= 20e-6)
        ri.notes.append(f"concmon -d 1 --log FILE -- stress-ng --fork 2 -t {cfg['storm_secs']} "
                        "in a 120x40 tmux window with the event pane open (e): every event is "
                        "shown, frames capped; its user+system ticks (/proc/PID/stat, "
                        "start-up included) over the spawned events in FILE; baseline: htop -d 10 "
                        "in another tmux window, its ticks over the same storm per fork of it; "
                        f"rounds (us/fork): concmon {rounds('tui')} | htop {rounds('htop') or '--'}")
    if got["fps"]:
        rk.set(m["fps"], None, None, m["fps"] <= 21)
        rk.notes.append("frames the TUI drew (CONCMON_FRAME_COUNT=1) over its life in the TUI "
                        "storm above: event-driven frames at most 20/s plus one per refresh; "
                        f"rounds: {rounds('fps', 1)}")
    elif got["tui"]:
        rk.result = "not counted (CONCMON_FRAME_COUNT unknown to this concmon)"
    rj.set(m["batch"], m["top"], None, m["batch"] <= 20e-6)
    rj.notes.append(f"concmon -b --json -d 1 --log FILE -- stress-ng --fork 2 -t "
                    f"{cfg['storm_secs']} (JSON to /dev/null), figured as in i; baseline: "
                    f"top -b -d 1 over the same storm; rounds (us/fork): concmon "
                    f"{rounds('batch')} | top {rounds('top')}")
    if got["guard"]:
        rl.set(m["guard"], None, None, m["guard"] <= 5e-6)
        rl.notes.append("the guardian (concmon's child running concmon, following forks through "
                        "its own filtered proc connector socket): its ticks from the storm's first "
                        "sight to its end over the storm's forks, TUI and batch storms; goal "
                        f"(ours): a quarter of i's; rounds (us/fork): {rounds('guard')}")
    else:
        rl.result = "not found"
