"""rows_layers - tests/bench/run rows m to r, the cost of the layers that
see inside supervised programs: fdscan's inferred kernel queues (m), the
tracer on uncontended locks (n, o), the Python layer (p, q) and the
inferred layer's per-thread reading (r). Each runs a bench program built
next to concmon and parses the figures it prints."""

import json
import os
import re
import subprocess
import sys
import time

from benchlib import ROOT, BenchError, log, median


# ---- m: inferred kernel queues (fdscan) ----

def bench_fdscan(cfg, bins, row):
    procs = min(50, cfg["procs"])
    us, bare = [], []
    for rnd in range(cfg["rounds"]):
        out = subprocess.run([bins["fdscan_cost"], str(procs), str(max(2, cfg["iters"] * 4))],
                             capture_output=True, text=True, timeout=120).stdout
        m = re.search(r"fdscan (\S+) us bare (\S+) us", out)
        if not m:
            raise BenchError(f"fdscan_cost printed {out!r}")
        us.append(float(m.group(1)))
        bare.append(float(m.group(2)))
        log(f"  round {rnd + 1}: fdscan {us[-1]} us, bare {bare[-1]} us per process")
    ratios = [u / b for u, b in zip(us, bare) if b > 0]
    r = median(ratios)
    row.set(median(us) / 1e6, median(bare) / 1e6, r, r <= 3.0)  # the table shows seconds in us
    row.notes.append(f"fdscan_update per supervised process per refresh, {procs} children chained "
                     "by pipes; baseline: listing /proc/PID/fd and reading each link")


# ---- n, o: the tracer (libconcmon-trace.so) on uncontended locks ----

TRACE_LINE = re.compile(r"^(mutex lock\+unlock|sem_wait\+sem_post) traced \((single-threaded|"
                        r"after a thread ran)\)\s+bare\s+(\S+) ns\s+traced\s+(\S+) ns\s+"
                        r"ratio\s+(\S+)", re.M)


def bench_trace(cfg, bins, rows):
    """trace_overhead re-executes itself with the tracer preloaded and a
    telemetry segment, and times bare (libc's own functions) and traced
    loops back to back in one process; each run prints medians of 15
    rounds, the rows are medians over the runs."""
    if not bins.get("trace_overhead"):
        for r in rows:
            r.result = "skipped: trace_overhead not built (sanitizer build?)"
        return
    got = {}
    for rnd in range(cfg["rounds"]):
        argv = [bins["trace_overhead"]] + (["--smoke"] if cfg["trace_smoke"] else [])
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout
        lines = TRACE_LINE.findall(out)
        if len(lines) != 4:
            raise BenchError(f"trace_overhead printed {out!r}")
        for op, when, bare, traced, ratio in lines:
            got.setdefault((op, when), []).append((float(bare), float(traced), float(ratio)))
        log("  round %d: %s" % (rnd + 1, ", ".join(f"{op} {when} {ratio}x"
                                                  for op, when, _, _, ratio in lines)))
    med = {k: [median([x[i] for x in v]) for i in range(3)] for k, v in got.items()}
    for row, when in zip(rows, ("single-threaded", "after a thread ran")):
        bare, traced, ratio = med[("mutex lock+unlock", when)]
        row.set(traced * 1e-9, bare * 1e-9, ratio, ratio <= 1.5)
        sb, st, sr = med[("sem_wait+sem_post", when)]
        row.notes.append(
            f"pthread_mutex_lock+unlock of one uncontended mutex, {when}, telemetry active; "
            f"baseline: libc's own functions in the same process; {cfg['rounds']} runs, ratios "
            "(each the median of its per-round ratios): " +
            " ".join(f"{x[2]:.2f}" for x in got[("mutex lock+unlock", when)]) +
            f"; for reference (no goal) sem_wait+sem_post of a 1-permit semaphore: traced "
            f"{st:.2f} ns vs {sb:.2f} ns, ratio {sr:.2f}")


# ---- p, q: the Python layer ----

def pylayer_once(cfg, bins, tmp, lib):
    """One run of tests/bench/pylayer.py under concmon, with --trace or
    without; its figures."""
    out = os.path.join(tmp, "pylayer.json")
    if os.path.exists(out):
        os.unlink(out)
    # With the layer the way a user gets it (concmon --trace: the tracer
    # preloaded, the layer on PYTHONPATH), without it plainly.
    trace = ["--trace"] if lib else []
    n = 2000 if cfg["rounds"] == 1 else 200000
    p = subprocess.Popen([bins["concmon"], "-b", "-d", "1"] + trace + ["--"] +
                         [sys.executable, os.path.join(ROOT, "tests", "bench", "pylayer.py"),
                          out, str(n), "5"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not os.path.exists(out):     # renamed into place whole
            if time.monotonic() > deadline or p.poll() is not None:
                raise BenchError("pylayer.py wrote no figures")
            time.sleep(0.05)
        with open(out) as f:
            figs = json.load(f)
    finally:
        p.terminate()
        p.wait()
    if figs["layer"] != lib:
        raise BenchError(f"the layer was {'not ' if lib else ''}loaded")
    return figs


def bench_pylayer(cfg, bins, tmp, row_p, row_q):
    """p, q: a Python Lock acquire+release and Queue put+get round trip,
    with the layer vs without (both under concmon); per-round ratios."""
    figs = {"lock_ns": ([], [], []), "queue_ns": ([], [], [])}
    for _ in range(cfg["rounds"]):
        on, off = pylayer_once(cfg, bins, tmp, True), pylayer_once(cfg, bins, tmp, False)
        for k, (a, b, r) in figs.items():
            a.append(on[k] / 1e9)
            b.append(off[k] / 1e9)
            r.append(on[k] / off[k])
    for row, k in ((row_p, "lock_ns"), (row_q, "queue_ns")):
        a, b, r = figs[k]
        row.set(median(a), median(b), median(r), True)
        row.notes.append(f"per-round ratios {', '.join(f'{x:.2f}' for x in r)}; "
                         "no goal set (the layer wraps every call in Python)")



# ---- r: the inferred layer (syscall files, futex owners) ----

INFER_LINE = re.compile(r"^infer_update: (\d+) threads, (\S+) us per thread per refresh, bare "
                        r"(\S+) us, ratio (\S+) .*; (\d+) inferred lock\(s\), (\d+) thread record",
                        re.M)


def bench_infer(cfg, bins, row):
    """infer_cost times infer_update over one child's sleeping and queued
    threads, then a bare reader of their syscall files, in its own CPU time;
    each run prints medians of 15 rounds, the row is the median of runs."""
    us, bare, ratios = [], [], []
    for rnd in range(cfg["rounds"]):
        p = subprocess.run([bins["infer_cost"], str(cfg["infer_threads"])], capture_output=True,
                           text=True, timeout=300)
        m = INFER_LINE.search(p.stdout)
        if p.returncode not in (0, 1) or not m:   # 1: the goal missed, or the lock not seen
            raise BenchError(f"infer_cost exited {p.returncode}: {(p.stdout + p.stderr)!r}")
        threads, locks, records = int(m.group(1)), int(m.group(5)), int(m.group(6))
        if locks != 1:
            raise BenchError(f"infer_cost saw {locks} inferred locks, not the 1 its threads "
                             "queue on")
        us.append(float(m.group(2)))
        bare.append(float(m.group(3)))
        ratios.append(float(m.group(4)))
        log(f"  round {rnd + 1}: infer {us[-1]} us, bare {bare[-1]} us per thread, "
            f"ratio {ratios[-1]}")
    u = median(us)
    row.set(u / 1e6, median(bare) / 1e6, median(ratios), u <= 5.0)  # the table shows us
    row.notes.append(
        f"infer_update per supervised thread per refresh (CPU time), one child of {threads} "
        f"threads, alternately asleep in nanosleep and queued on a mutex its main thread holds "
        f"({locks} inferred lock, {records} thread records); baseline: listing /proc/PID/task and "
        "opening, reading, closing each thread's syscall file (infer keeps them open between "
        f"refreshes); {cfg['rounds']} runs, ratios (each the median of its per-round ratios): " +
        " ".join(f"{x:.2f}" for x in ratios))
