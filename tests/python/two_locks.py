"""Two-lock deadlock (seed 003: "Deadlock happens when more than one mutex
lock"): task1 takes lock1 then lock2, task2 lock2 then lock1, and a barrier
makes sure both hold their first lock before reaching for the second.
Prints "ready" once both are blocked (after ARGV[1] seconds at most: the
main thread cannot see a blocked acquire, so it waits for both threads to
have announced the attempt and then gives them a moment)."""
import threading

lock1 = threading.Lock()
lock2 = threading.Lock()
both_hold = threading.Barrier(2)
trying = threading.Semaphore(0)


def task1():
    with lock1:
        both_hold.wait()
        trying.release()
        with lock2:
            print("no deadlock", flush=True)


def task2():
    with lock2:
        both_hold.wait()
        trying.release()
        with lock1:
            print("no deadlock", flush=True)


t1 = threading.Thread(target=task1)
t2 = threading.Thread(target=task2)
t1.daemon = t2.daemon = True
t1.start()
t2.start()
trying.acquire()
trying.acquire()
print("ready: both threads reach for the other's lock", flush=True)
threading.Event().wait()
