"""Semantics of threading's and queue's objects, checked one by one; writes
{check: result} as JSON to ARGV[1], with "layer": whether concmon_trace
is publishing. Run with and without the layer, the results must match
(tests/integration/test_pylayer_semantics.py)."""
import json
import queue
import sys
import threading


def outcome(fn):
    try:
        return repr(fn())
    except Exception as e:
        return "raises " + type(e).__name__


def in_thread(fn):
    box = []
    t = threading.Thread(target=lambda: box.append(outcome(fn)))
    t.start()
    t.join()
    return box[0]


def lock_checks(make):
    lk = make()
    out = {"acquire": lk.acquire(), "locked": lk.locked(),
           "try_held": lk.acquire(False), "timeout_held": lk.acquire(timeout=0.01),
           "other_try": in_thread(lambda: lk.acquire(False))}
    out["release_from_other_thread"] = in_thread(lk.release)
    out["locked_after"] = lk.locked()
    out["release_unlocked"] = outcome(lk.release)
    out["timeout_nonblocking"] = outcome(lambda: lk.acquire(False, 1))
    out["negative_timeout"] = outcome(lambda: lk.acquire(True, -5))
    with lk:
        out["with_locked"] = lk.locked()
    out["with_after"] = lk.locked()
    return out


def rlock_checks():
    r = threading.RLock()
    out = {"levels": [r.acquire(), r.acquire(), r.acquire(blocking=False)]}
    out["other_try"] = in_thread(lambda: r.acquire(False))
    out["other_release"] = in_thread(r.release)
    for _ in range(3):
        r.release()
    out["release_unowned"] = outcome(r.release)
    out["negative_timeout"] = outcome(lambda: r.acquire(True, -5))
    return out


def condition_checks(lock):
    c = threading.Condition(lock)
    out = {"wait_unowned": outcome(lambda: c.wait(0.01)),
           "notify_unowned": outcome(c.notify)}
    with c:
        out["wait_timeout"] = c.wait(0.01)
        out["wait_for_timeout"] = c.wait_for(lambda: False, 0.01)
    items, woken = [], []

    def consumer():
        with c:
            woken.append(c.wait_for(lambda: items, 5))

    ts = [threading.Thread(target=consumer) for _ in range(3)]
    for t in ts:
        t.start()
    while True:
        with c:
            if len(c._waiters) == 3:
                items.append(1)
                c.notify(2)
                c.notify_all()
                break
    for t in ts:
        t.join()
    out["woken"] = woken
    if isinstance(lock, type(threading.RLock())) or lock is None:
        with c:
            with c:
                out["nested_wait"] = c.wait(0.01)
    return out


def semaphore_checks(cls):
    s = cls(2)
    out = {"two": [s.acquire(), s.acquire()], "try": s.acquire(False),
           "timeout": s.acquire(timeout=0.01),
           "nonblocking_timeout": outcome(lambda: s.acquire(False, 1)),
           "release2": outcome(lambda: s.release(2)),
           "release0": outcome(lambda: s.release(0)),
           "release_more": outcome(s.release),
           "negative": outcome(lambda: cls(-1))}
    with s:
        out["with"] = s._value
    out["value"] = s._value
    return out


def event_checks():
    e = threading.Event()
    out = {"wait_timeout": e.wait(0.01), "is_set": e.is_set()}
    t = threading.Thread(target=lambda: e.set())
    t.start()
    out["wait"] = e.wait(5)
    t.join()
    e.clear()
    out["cleared"] = [e.is_set(), e.wait(0)]
    return out


def queue_checks():
    q = queue.Queue(1)
    out = {"empty": [q.empty(), q.qsize(), q.full()],
           "get_nowait": outcome(q.get_nowait), "get_timeout": outcome(lambda: q.get(timeout=0.01)),
           "get_negative": outcome(lambda: q.get(timeout=-1))}
    q.put("a")
    out["full"] = [q.empty(), q.qsize(), q.full()]
    out["put_nowait"] = outcome(lambda: q.put_nowait("b"))
    out["put_timeout"] = outcome(lambda: q.put("b", timeout=0.01))
    out["put_negative"] = outcome(lambda: q.put("b", timeout=-1))
    out["get"] = q.get()
    q.task_done()
    out["task_done_extra"] = outcome(q.task_done)
    u = queue.Queue()
    out["unbounded_put_negative"] = outcome(lambda: u.put(1, timeout=-1))
    lifo, prio = queue.LifoQueue(), queue.PriorityQueue()
    for x in (3, 1, 2):
        lifo.put(x)
        prio.put(x)
    out["lifo"] = [lifo.get() for _ in range(3)]
    out["prio"] = [prio.get() for _ in range(3)]
    out["isinstance"] = [isinstance(q, queue.Queue), isinstance(prio, queue.Queue)]
    return out


def simple_queue_checks():
    s = queue.SimpleQueue()
    out = {"get_nowait": outcome(s.get_nowait), "get_timeout": outcome(lambda: s.get(timeout=0.01))}
    s.put(1)
    s.put_nowait(2)
    out["size"] = [s.qsize(), s.empty()]
    out["items"] = [s.get(), s.get(False)]
    return out


def pipeline_checks():
    """Producers and consumers through a bounded queue, with join."""
    q, total, lock = queue.Queue(4), [0], threading.Lock()

    def consumer():
        while True:
            item = q.get()
            if item is None:
                q.task_done()
                return
            with lock:
                total[0] += item
            q.task_done()

    cs = [threading.Thread(target=consumer) for _ in range(3)]
    ps = [threading.Thread(target=lambda: [q.put(i) for i in range(500)]) for _ in range(2)]
    for t in cs + ps:
        t.start()
    for t in ps:
        t.join()
    for _ in cs:
        q.put(None)
    q.join()
    for t in cs:
        t.join()
    return {"total": total[0], "empty": q.empty()}


def closable_queue_checks():
    """The seed's ClosableQueue: a subclass of queue.Queue."""
    class ClosableQueue(queue.Queue):
        SENTINEL = object()

        def close(self):
            self.put(self.SENTINEL)

        def __iter__(self):
            while True:
                item = self.get()
                try:
                    if item is self.SENTINEL:
                        return
                    yield item
                finally:
                    self.task_done()

    q = ClosableQueue()
    for i in range(3):
        q.put(i)
    q.close()
    return {"items": list(q)}


def main():
    import concmon_trace
    results = {
        "layer": concmon_trace.lib is not None,
        "lock": lock_checks(threading.Lock),
        "rlock": rlock_checks(),
        "condition_default": condition_checks(None),
        "condition_lock": condition_checks(threading.Lock()),
        "condition_rlock": condition_checks(threading.RLock()),
        "semaphore": semaphore_checks(threading.Semaphore),
        "bounded": semaphore_checks(threading.BoundedSemaphore),
        "event": event_checks(),
        "queue": queue_checks(),
        "simple_queue": simple_queue_checks(),
        "pipeline": pipeline_checks(),
        "closable_queue": closable_queue_checks(),
        "isinstance": [isinstance(threading.BoundedSemaphore(), threading.Semaphore),
                       isinstance(threading.Event(), threading.Event),
                       isinstance(threading.Condition(), threading.Condition)],
        "thread_name": in_thread(lambda: threading.current_thread().name.startswith("Thread-")),
    }
    with open(sys.argv[1], "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print("done", flush=True)


main()
