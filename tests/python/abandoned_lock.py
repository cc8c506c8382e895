"""A multiprocessing.Lock whose holder dies holding it (os._exit inside the
lock, as a crash would): the next process waits for ever. Prints "ready"
once the holder is gone and the waiter started."""
import os
from multiprocessing import Lock, Process


def holder(lock):
    lock.acquire()
    os._exit(0)         # dies holding it: nobody will release it


def waiter(lock):
    lock.acquire()


if __name__ == "__main__":
    mutex = Lock()
    first = Process(target=holder, args=(mutex,))
    first.start()
    first.join()
    second = Process(target=waiter, args=(mutex,), daemon=True)
    second.start()
    print("ready: the holder has exited", flush=True)
    second.join()
