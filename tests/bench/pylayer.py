"""The Python layer's cost (tests/bench/run rows p and q): ns per
uncontended threading.Lock acquire+release and per queue.Queue put+get,
best of ARGV[3] repetitions of ARGV[2] iterations; writes them as JSON to
ARGV[1] with "layer": whether concmon_trace publishes. Run under concmon
(which gives the segment), once with CONCMON_TRACE_LIB and once without."""
import json
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
import concmon_trace  # noqa: E402  (already loaded by sitecustomize)
out = {"layer": concmon_trace.lib is not None,
       "lock_ns": min(lock_round_trips(n) for _ in range(reps)),
       "queue_ns": min(queue_round_trips(n // 10 or 1) for _ in range(reps))}
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
