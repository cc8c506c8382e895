"""queue's queues, published: depth through the _put/_get hooks the
queue calls with its mutex held (so depth is exact), waits by trying
without blocking first and reporting a wait before the blocking call."""
import queue

from ._site import site_name

_Orig = {n: getattr(queue, n) for n in ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")}
_Empty, _Full = queue.Empty, queue.Full


def install(lib):
    """Replaces queue's four queue classes."""
    L = lib
    qput, qget, qwait, qwait_end = (L.cm_qmirror_put, L.cm_qmirror_get, L.cm_qmirror_wait,
                                    L.cm_qmirror_wait_end)

    def mirror(capacity):
        name = site_name()
        if name is None:
            return None
        from . import _lib
        return L.cm_qmirror_new(name.encode(), max(capacity, 0), _lib.TRACED) or None

    def free(q):
        try:
            L.cm_qmirror_free(q)
        except Exception:   # interpreter shutdown
            pass

    class _Mixin:
        _cm_q = None

        def __init__(self, maxsize=0):
            self._cm_base.__init__(self, maxsize)
            self._cm_q = mirror(maxsize)

        def _put(self, item):
            self._cm_base._put(self, item)
            if self._cm_q is not None:
                qput(self._cm_q)

        def _get(self):
            item = self._cm_base._get(self)
            if self._cm_q is not None:
                qget(self._cm_q)
            return item

        def put(self, item, block=True, timeout=None):
            q = self._cm_q
            if q is None or not block:
                return self._cm_base.put(self, item, block, timeout)
            if self.maxsize > 0 and timeout is not None and timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            try:
                return self._cm_base.put(self, item, False)
            except _Full:
                pass
            qwait(q, True)
            try:
                return self._cm_base.put(self, item, True, timeout)
            finally:
                qwait_end(q, True)

        def get(self, block=True, timeout=None):
            q = self._cm_q
            if q is None or not block:
                return self._cm_base.get(self, block, timeout)
            if timeout is not None and timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            try:
                return self._cm_base.get(self, False)
            except _Empty:
                pass
            qwait(q, False)
            try:
                return self._cm_base.get(self, True, timeout)
            finally:
                qwait_end(q, False)

        def __del__(self):
            if self._cm_q is not None:
                free(self._cm_q)

    made = {}
    for name in ("Queue", "LifoQueue", "PriorityQueue"):
        # The other two derive from our Queue too: isinstance(q, queue.Queue).
        base = _Orig[name]
        bases = (_Mixin, base) if name == "Queue" else (made["Queue"], base)
        made[name] = type(name, bases, {"_cm_base": base, "__module__": "queue",
                                        "__doc__": base.__doc__})

    class SimpleQueue(_Orig["SimpleQueue"]):
        """queue.SimpleQueue, published (unbounded: put never blocks). A put
        is reported before it happens and a get after, so depth never
        drops below what is really there."""
        _cm_q = None

        def __init__(self):
            self._cm_q = mirror(0)

        def put(self, item, block=True, timeout=None):
            if self._cm_q is not None:
                qput(self._cm_q)
            _Orig["SimpleQueue"].put(self, item, block, timeout)

        put_nowait = put

        def get(self, block=True, timeout=None):
            q = self._cm_q
            base = _Orig["SimpleQueue"]
            if q is None:
                return base.get(self, block, timeout)
            if block and (timeout is None or timeout >= 0):
                try:
                    item = base.get(self, False)
                except _Empty:
                    qwait(q, False)
                    try:
                        item = base.get(self, True, timeout)
                    finally:
                        qwait_end(q, False)
            else:
                item = base.get(self, block, timeout)
            qget(q)
            return item

        def get_nowait(self):
            return self.get(False)

        def __del__(self):
            if self._cm_q is not None:
                free(self._cm_q)

    SimpleQueue.__module__ = "queue"
    made["SimpleQueue"] = SimpleQueue
    for name, cls in made.items():
        setattr(queue, name, cls)
