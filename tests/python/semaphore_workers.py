"""Semaphore(3) with 8 workers (seed 003's "limit resource to 3"): each
worker holds sema until the program ends, so 3 hold it and 5 wait. Prints
"ready" once 3 hold it and every worker has started."""
import threading

sema = threading.Semaphore(3)
holding = threading.Semaphore(0)
started = threading.Barrier(9)
end = threading.Event()


def foo(tid):
    started.wait()
    with sema:
        holding.release()
        end.wait()


threads = [threading.Thread(target=foo, args=(t,), daemon=True) for t in range(8)]
for t in threads:
    t.start()
started.wait()
for _ in range(3):
    holding.acquire()
print("ready: 3 hold sema, 5 wait for it", flush=True)
end.wait()
