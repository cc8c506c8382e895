"""Two threads take two threading.Locks in opposite order and deadlock
(tests/integration/test_trace.py). Prints "ready" once each holds its first."""
import threading

a, b = threading.Lock(), threading.Lock()
both = threading.Barrier(3)


def take(first, second):
    with first:
        both.wait()
        with second:
            pass


threading.Thread(target=take, args=(a, b), daemon=True).start()
threading.Thread(target=take, args=(b, a), daemon=True).start()
both.wait()
print("ready", flush=True)
threading.Event().wait()
