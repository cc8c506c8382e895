"""benchlib - what tests/bench/run and its row modules share: the paths,
the binaries found (BINS), logging, medians, the error a benchmark raises
when it cannot run, and reading processes' CPU from wait4() and /proc."""

import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HZ = os.sysconf("SC_CLK_TCK")
BINS = {}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def percentile(xs, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


class BenchError(Exception):
    pass


# ---- processes ----

def run_rusage(argv, timeout=300, stdout=subprocess.DEVNULL):
    """Runs argv to completion under the `rusage` helper; returns (cpu
    seconds, max RSS KiB) from wait4(): the process's own figures plus
    whatever it reaped."""
    p = subprocess.Popen([BINS["rusage"]] + argv, stdin=subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise BenchError(f"{' '.join(argv[:4])}... took over {timeout} s")
    m = re.search(r"^cpu (\S+) maxrss (\d+) status (\d+)$", err, re.M)
    if p.returncode != 0 or not m:
        raise BenchError(f"{' '.join(argv[:4])}... exited {p.returncode}: {err.strip()[:300]}")
    return float(m.group(1)), int(m.group(2))


def proc_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])    # utime + stime (fields 14, 15)


def count_tasks():
    n = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                n += len(os.listdir(f"/proc/{p}/task"))
            except OSError:
                pass
    return n


MODE = re.compile(r"(?:^|\s)(tree|flat)(?:,|\s)")


def header_mode(screen):
    """"tree" or "flat" from the TUI's header (its first line under the
    system meters), in words ("| tree, threads, ...") or compact ("| tree
    thr PID cg 1s"); None before the TUI has drawn."""
    header = next((l for l in screen.splitlines() if l.startswith("concmon")), None)
    m = MODE.search(header) if header else None
    return m.group(1) if m else None
