"""rows_record - tests/bench/run rows s and t: what --record costs, the
CPU per refresh with and without it (s) and the bytes it writes per
refresh (t), -a --batch --json under the load of row a."""

import os

from benchlib import count_tasks, log, median, run_rusage
from rows_tasks import Load, cpu_per_refresh


def bench_record(cfg, bins, tmp, rows_st):
    rs, rt = rows_st
    cm, n = bins["concmon"], cfg["iters"]
    path = os.path.join(tmp, "bench.rec")
    argv = [cm, "-a", "-b", "--json", "-d", "0", "-n", str(n)]
    plain, recorded, ratios, sizes, jsizes, tasks = [], [], [], [], [], []
    for rnd in range(cfg["rounds"]):
        with Load(bins["load"], cfg["procs"], cfg["threads"]):
            tasks.append(count_tasks())
            p = cpu_per_refresh(argv, n)
            r = cpu_per_refresh(argv + ["--record", path], n)
            jpath = os.path.join(tmp, "bench.json")
            with open(jpath, "w") as out:
                run_rusage(argv, stdout=out)
            jsizes.append(os.path.getsize(jpath) / n)
            os.unlink(jpath)
        plain.append(p)
        recorded.append(r)
        ratios.append(r / p)
        sizes.append(os.path.getsize(path) / n)
        os.unlink(path)
        log(f"  round {rnd + 1}: plain {p * 1e3:.2f} ms, --record {r * 1e3:.2f} ms, "
            f"{sizes[-1] / 1024:.1f} KiB/refresh")
    ntask = median(tasks)
    rs.set(median(recorded), median(plain), median(ratios), median(ratios) <= 1.15)
    rs.notes.append(f"concmon -a -b --json -d 0 -n {n} with --record FILE vs without, "
                    f"~{ntask:.0f} tasks; rounds (ms): recorded " +
                    " ".join(f"{v * 1e3:.2f}" for v in recorded) + " | plain " +
                    " ".join(f"{v * 1e3:.2f}" for v in plain))
    size = median(sizes)
    jsize = median(jsizes)
    rt.set(size / 1024, jsize / 1024, size / jsize, True)
    rt.notes.append(f"{size:.0f} bytes per refresh of ~{ntask:.0f} tasks ({size / ntask:.1f} "
                    f"bytes per task; baseline: the --json line, {jsize:.0f} bytes); each "
                    "process's command line is written in every snapshot")
