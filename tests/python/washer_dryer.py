"""Washer and dryer (seed 000: threading + queue.Queue). The washer puts
4 dishes on dish_queue; the dryer takes one and dries it until the program
ends, so 3 stay queued. Prints "ready" in that state, then holds it for
ARGV[1] seconds (default: an hour)."""
import queue
import sys
import threading

dish_queue = queue.Queue()
drying = threading.Event()
done = threading.Event()


def washer(dishes, dish_queue):
    for dish in dishes:
        dish_queue.put(dish)


def dryer(dish_queue):
    dish_queue.get()
    drying.set()
    done.wait()             # drying takes until the end
    dish_queue.task_done()


dryer_thread = threading.Thread(target=dryer, args=(dish_queue,))
washer_thread = threading.Thread(target=washer, args=(["salad", "bread", "entree", "dessert"],
                                                      dish_queue))
dryer_thread.start()
washer_thread.start()
washer_thread.join()
drying.wait()
print("ready: queue depth %d" % dish_queue.qsize(), flush=True)
done.wait(float(sys.argv[1]) if len(sys.argv) > 1 else 3600)
done.set()
dryer_thread.join()
