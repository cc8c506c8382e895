"""The Python layer's cost (tests/bench/run rows p and q): ns per
uncontended threading.Lock acquire+release and per queue.Queue put+get,
best of ARGV[3] repetitions of ARGV[2] iterations; writes them as JSON to
ARGV[1] with "layer": whether concmon_trace publishes. Run under concmon
--trace (the layer loaded through sitecustomize), and under plain concmon."""
import json
import os
import queue
import sys
import threading
import time

lk = threading.Lock()
q = queue.Queue()


def lock_round_trips(n):
    acquire, release = lk.acquire, lk.release
    t0 = time.perf_counter_ns()
    for _ in range(n):
        acquire()
        release()
    return (time.perf_counter_ns() - t0) / n


def queue_round_trips(n):
    put, get = q.put, q.get
    t0 = time.perf_counter_ns()
    for _ in range(n):
        put(1)
        get()
    return (time.perf_counter_ns() - t0) / n


n, reps = int(sys.argv[2]), int(sys.argv[3])
try:
    import concmon_trace  # (already loaded by sitecustomize under --trace)
    layer = concmon_trace.lib is not None
except ImportError:
    layer = False
out = {"layer": layer,
       "lock_ns": min(lock_round_trips(n) for _ in range(reps)),
       "queue_ns": min(queue_round_trips(n // 10 or 1) for _ in range(reps))}
# Whole or not at all: the bench reads the file as soon as it exists.
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(out, f)
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
