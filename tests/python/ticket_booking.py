"""Ticket booking (seed 004: "Ticket snatching system", multiprocessing.Lock):
6 buyer processes check the tickets, then buy under mutex. Buying takes
until the program ends, so one process holds mutex and 5 wait for it.
The first buyer prints "ready" once it holds mutex."""
import json
import os
import signal
import sys
import tempfile
from multiprocessing import Lock, Process

TICKETS = os.path.join(tempfile.mkdtemp(prefix="tickets-"), "ticket.json")


def search():
    with open(TICKETS, encoding="utf-8") as f1:
        return json.load(f1)["count"]


def paid():
    with open(TICKETS, encoding="utf-8") as f1:
        dic = json.load(f1)
    if dic["count"] > 0:
        dic["count"] -= 1
        print("ready: %d is buying a ticket" % os.getpid(), flush=True)
        signal.pause()      # the payment never completes


def task(lock):
    search()
    lock.acquire()
    paid()
    lock.release()


if __name__ == "__main__":
    with open(TICKETS, "w", encoding="utf-8") as f:
        json.dump({"count": 1}, f)
    mutex = Lock()
    buyers = [Process(target=task, args=(mutex,), daemon=True) for _ in range(6)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()
    sys.exit(0)
