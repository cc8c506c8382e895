"""rows_meters - tests/bench/run row u: the system meters' CPU per refresh
(sysmeter_read through libproc2) against a hand-written reader of the same
four files, measured back to back in one process (sysmeter_cost)."""

import re
import subprocess

from benchlib import BenchError, log, median


def bench_meters(cfg, bins, row):
    us, bare = [], []
    for rnd in range(cfg["rounds"]):
        out = subprocess.run([bins["sysmeter_cost"], str(max(20, cfg["iters"] * 40))],
                             capture_output=True, text=True, timeout=120).stdout
        m = re.search(r"cpus (\d+) sysmeter (\S+) us bare (\S+) us", out)
        if not m:
            raise BenchError(f"sysmeter_cost printed {out!r}")
        us.append(float(m.group(2)))
        bare.append(float(m.group(3)))
        log(f"  round {rnd + 1}: sysmeter_read {us[-1]} us, bare reader {bare[-1]} us "
            f"({m.group(1)} cpus)")
    r = median([u / b for u, b in zip(us, bare) if b > 0])
    row.set(median(us) / 1e6, median(bare) / 1e6, r, r <= 2.0)  # the table shows seconds in us
    row.notes.append("sysmeter_read per refresh (libproc2 stat reap per core, meminfo select, "
                     "loadavg, uptime, sysinfo); baseline: read(2) of /proc/stat, /proc/meminfo, "
                     "/proc/loadavg, /proc/uptime parsing the same fields")
